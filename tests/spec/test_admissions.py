"""Metrics 1-4: emergency, avoidable and falls admissions per 100,000 (docs/metrics.md).

One lake, window January-March 2025, monthly periods. Population midpoints, start +
floor((end - start) / 2) days: January 1 + 15 = 16 January, February 1 + 13 = 14 February
(28 days), March 1 + 15 = 16 March. Each neighbourhood holds one kind of case.
"""

from __future__ import annotations

import pytest

from .conftest import Compute
from .lakes import (
    Lake,
    Result,
    assert_all_is_sum,
    assert_row_set,
    assert_rows,
    day,
    person,
    spell,
)

pytestmark = pytest.mark.engines

M1 = "emergency_admissions_65plus_per_100k"
M2 = "emergency_admissions_per_100k"
M3 = "avoidable_admissions_per_100k"
M4 = "falls_admissions_65plus_per_100k"
METRICS = (M1, M2, M3, M4)
JAN, FEB, MAR = day("2025-01-01"), day("2025-02-01"), day("2025-03-01")
PERIODS = [
    (JAN, day("2025-01-31")),
    (FEB, day("2025-02-28")),
    (MAR, day("2025-03-31")),
]
NEIGHBOURHOODS = ("n-age", "n-death", "n-empty", "n-late", "n-left")

LAKE = Lake(
    name="admissions",
    window=("2025-01-01", "2025-03-31"),
    neighbourhoods=NEIGHBOURHOODS,
    people=(
        # n-age: a1 is 65 on 16 January 2025 (the January midpoint), a2 the day after;
        # a4, born on 29 February 1960, is 64 on 28 February 2025 and 65 on 1 March.
        person("a1", "n-age", "1960-01-16"),
        person("a2", "n-age", "1960-01-17"),
        person("a3", "n-age", "1990-05-05"),
        person("a4", "n-age", "1960-02-29"),
        # n-left: l1 left the list before the January midpoint, l2 on it.
        person("l1", "n-left", "1950-06-01", registered_to="2025-01-10"),
        person("l2", "n-left", "1950-06-01", registered_to="2025-01-16"),
        # n-death: died before, on and after the January midpoint; d4 alive, aged 45.
        person("d1", "n-death", "1950-03-01", died="2025-01-15"),
        person("d2", "n-death", "1950-03-01", died="2025-01-16"),
        person("d3", "n-death", "1950-03-01", died="2025-01-17"),
        person("d4", "n-death", "1980-01-01"),
        # n-late: registered the day after and on the January midpoint.
        person("r1", "n-late", "1950-01-01", registered_from="2025-01-17"),
        person("r2", "n-late", "1950-01-01", registered_from="2025-01-16"),
    ),
    spells=(
        spell("s-a1-december", "a1", "2024-12-31"),  # before the window: no period
        spell("s-a1-birthday", "a1", "2025-01-16"),  # aged 65 that day: 1, 2
        spell("s-a2-eve", "a2", "2025-01-16"),  # the day before turning 65: 2 only
        spell("s-a1-elective", "a1", "2025-01-20", method="elective"),
        # admitted in January, discharged in February: counted in January
        spell("s-a3-span", "a3", "2025-01-31", ready="2025-02-02", discharged="2025-02-02"),
        spell("s-a3-acsc", "a3", "2025-02-10", acsc=True),  # 2, 3
        spell("s-a1-elective-acsc", "a1", "2025-02-11", method="elective", acsc=True),
        spell("s-a1-no-method", "a1", "2025-02-20", method=None),
        spell("s-a4-feb-28", "a4", "2025-02-28"),  # aged 64: 2 only
        spell("s-a4-mar-1", "a4", "2025-03-01", acsc=True),  # aged 65: 1, 2, 3
        spell("s-a1-fall", "a1", "2025-03-05", fall=True),  # 1, 2, 4
        spell("s-a3-fall", "a3", "2025-03-06", fall=True),  # aged 34: 2 only
        spell("s-a1-elective-fall", "a1", "2025-03-07", method="elective", fall=True),
        spell("s-a2-still-in", "a2", "2025-03-20"),  # no discharge yet; aged 65: 1, 2
        spell("s-a3-other", "a3", "2025-03-25", method="other"),
        spell("s-l1-jan", "l1", "2025-01-05", acsc=True, fall=True),  # 1, 2, 3, 4
        spell("s-l1-feb", "l1", "2025-02-03"),  # after leaving the list: still counts
        spell("s-d1", "d1", "2025-01-14", acsc=True),
        spell("s-d2", "d2", "2025-01-10"),
        spell("s-r1", "r1", "2025-01-05"),  # before registering: still counts
    ),
)


@pytest.fixture
def result(compute: Compute) -> Result:
    return compute(LAKE, "month", metrics=list(METRICS))


def test_age_65_on_the_day_and_a_29_february_birthday(result: Result) -> None:
    # Population (4 people) every month; aged >= 65 on the midpoint: January a1 (65 that
    # day; a2 and a4 are 64) = 1; February a1, a2 (a4: 14 Feb is before 29 Feb, 64) = 2;
    # March a1, a2, a4 = 3.
    # January emergencies: a1 (65), a2 (64), a3 (admitted 31 Jan) -> 1 aged 65+, 3 in all.
    # February: a3 acsc, a4 on 28 Feb (64); elective acsc and null-method spells left out.
    # March: a4 on 1 Mar (65, acsc), a1 fall (65), a3 fall (34), a2 still in (65).
    assert_rows(
        result,
        "n-age",
        [
            (M1, JAN, 1, 1, 100_000.0),
            (M2, JAN, 3, 4, 75_000.0),
            (M3, JAN, 0, 4, 0.0),
            (M4, JAN, 0, 1, 0.0),
            (M1, FEB, 0, 2, 0.0),
            (M2, FEB, 2, 4, 50_000.0),
            (M3, FEB, 1, 4, 25_000.0),
            (M4, FEB, 0, 2, 0.0),
            (M1, MAR, 3, 3, 100_000.0),
            (M2, MAR, 4, 4, 100_000.0),
            (M3, MAR, 1, 4, 25_000.0),
            (M4, MAR, 1, 3, 1e5 / 3),
        ],
    )


def test_a_person_who_left_the_list_still_brings_their_events(result: Result) -> None:
    # Population: January l2 only (registered_to = the midpoint counts), later nobody.
    # l1's spells count for n-left: January (all four metrics), February (1 and 2),
    # where a zero population gives a null rate.
    assert_rows(
        result,
        "n-left",
        [
            (M1, JAN, 1, 1, 100_000.0),
            (M2, JAN, 1, 1, 100_000.0),
            (M3, JAN, 1, 1, 100_000.0),
            (M4, JAN, 1, 1, 100_000.0),
            (M1, FEB, 1, 0, None),
            (M2, FEB, 1, 0, None),
            (M3, FEB, 0, 0, None),
            (M4, FEB, 0, 0, None),
            (M1, MAR, 0, 0, None),
            (M2, MAR, 0, 0, None),
            (M3, MAR, 0, 0, None),
            (M4, MAR, 0, 0, None),
        ],
    )


def test_death_before_or_on_the_midpoint_leaves_the_population(result: Result) -> None:
    # "Alive that day": death_date null or after it. On 16 January d1 (died 15th) and d2
    # (died 16th) are out, d3 (died 17th, 74) and d4 (45) in: 2 people, 1 aged 65+.
    # February and March: d4 only (not 65+). d1 and d2's January spells still count.
    assert_rows(
        result,
        "n-death",
        [
            (M1, JAN, 2, 1, 200_000.0),
            (M2, JAN, 2, 2, 100_000.0),
            (M3, JAN, 1, 2, 50_000.0),
            (M4, JAN, 0, 1, 0.0),
            (M1, FEB, 0, 0, None),
            (M2, FEB, 0, 1, 0.0),
            (M3, FEB, 0, 1, 0.0),
            (M4, FEB, 0, 0, None),
            (M1, MAR, 0, 0, None),
            (M2, MAR, 0, 1, 0.0),
        ],
    )


def test_registration_starting_after_the_midpoint(result: Result) -> None:
    # January: r2 (registered from the midpoint) in, r1 (from the day after) out; r1's
    # spell of 5 January counts for n-late although they were not registered yet.
    assert_rows(
        result,
        "n-late",
        [
            (M1, JAN, 1, 1, 100_000.0),
            (M2, JAN, 1, 1, 100_000.0),
            (M3, JAN, 0, 1, 0.0),
            (M1, FEB, 0, 2, 0.0),
            (M2, FEB, 0, 2, 0.0),
            (M4, MAR, 0, 2, 0.0),
        ],
    )


def test_an_empty_neighbourhood_has_zero_rows(result: Result) -> None:
    assert_rows(
        result,
        "n-empty",
        [(metric, start, 0, 0, None) for metric in METRICS for start, _ in PERIODS],
    )


def test_all_is_the_whole_area(result: Result) -> None:
    # Population: January 4 + 1 + 2 + 1 = 8, February and March 4 + 0 + 1 + 2 = 7.
    # Aged 65+: January 1 + 1 + 1 + 1 = 4, February 2 + 0 + 0 + 2 = 4, March 3 + 2 = 5.
    # (n-age + n-left + n-death + n-late.)
    assert_rows(
        result,
        "ALL",
        [
            (M1, JAN, 5, 4, 125_000.0),
            (M2, JAN, 7, 8, 87_500.0),
            (M3, JAN, 2, 8, 25_000.0),
            (M4, JAN, 1, 4, 25_000.0),
            (M1, FEB, 1, 4, 25_000.0),
            (M2, FEB, 3, 7, 3e5 / 7),
            (M3, FEB, 1, 7, 1e5 / 7),
            (M4, FEB, 0, 4, 0.0),
            (M1, MAR, 3, 5, 60_000.0),
            (M2, MAR, 4, 7, 4e5 / 7),
            (M3, MAR, 1, 7, 1e5 / 7),
            (M4, MAR, 1, 5, 20_000.0),
        ],
    )


def test_all_equals_the_sum_of_neighbourhoods(result: Result) -> None:
    assert_all_is_sum(result, METRICS, NEIGHBOURHOODS)


def test_one_row_per_metric_group_and_month(result: Result) -> None:
    assert_row_set(result, METRICS, (*NEIGHBOURHOODS, "ALL"), PERIODS)
    assert not any(row.suppressed for row in result.rows.values())
