"""Metric 10: still at home 91 days after discharge into reablement (docs/metrics.md).

One lake, window 1 January - 30 June 2024 (a leap year), monthly periods. Day 91 counted by
hand: 10 January + 91 = 10 April (31 + 29 + 31 days); 5 February + 91 = 6 May; 30 March +
91 = 29 June; 31 March + 91 = 30 June (observation_end: kept); 1 April + 91 = 1 July (after
observation_end: left out of both).
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
    package,
    person,
    spell,
)

pytestmark = pytest.mark.engines

M10 = "reablement_at_home_91d_pct"
STARTS = [day(f"2024-0{m}-01") for m in range(1, 7)]
JAN, FEB, MAR, APR, MAY, JUN = STARTS
PERIODS = [
    (JAN, day("2024-01-31")),
    (FEB, day("2024-02-29")),
    (MAR, day("2024-03-31")),
    (APR, day("2024-04-30")),
    (MAY, day("2024-05-31")),
    (JUN, day("2024-06-30")),
]
NEIGHBOURHOODS = ("n-edges", "n-empty", "n-reablement")
BORN = "1950-03-01"


def _home(spell_id: str, person_id: str, destination: str | None = "usual_residence") -> tuple:
    """A spell of 2-10 January 2024 (day 91: 10 April)."""
    return spell(
        spell_id,
        person_id,
        "2024-01-02",
        ready="2024-01-10",
        discharged="2024-01-10",
        destination=destination,
    )


LAKE = Lake(
    name="reablement",
    window=("2024-01-01", "2024-06-30"),
    neighbourhoods=NEIGHBOURHOODS,
    people=(
        person("r1", "n-reablement", BORN),
        person("r2", "n-reablement", BORN, died="2024-04-10"),  # dies on day 91
        person("r3", "n-reablement", BORN, died="2024-04-11"),  # dies the day after
        person("r4", "n-reablement", BORN),
        person("r5", "n-reablement", BORN),
        person("r6", "n-reablement", BORN),
        person("r7", "n-reablement", BORN),
        person("r8", "n-reablement", BORN, died="2024-01-10"),
        person("r9", "n-reablement", BORN),
        person("r10", "n-reablement", BORN),
        person("r11", "n-reablement", "1959-01-10"),  # 65 on the discharge date
        person("r12", "n-reablement", "1959-01-11"),  # 64 on the discharge date
        person("r13", "n-reablement", BORN),
        person("r14", "n-reablement", BORN),
        person("e1", "n-edges", BORN),
        person("e2", "n-edges", BORN),
        person("e3", "n-edges", BORN),
        person("e4", "n-edges", BORN),
    ),
    spells=(
        *(
            _home(f"s-{p}", p)
            for p in ("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r10", "r11", "r12", "r13")
        ),
        _home("s-r14", "r14"),
        _home("s-r8", "r8", destination="died"),
        _home("s-r9", "r9", destination=None),
        # r4 is back in hospital on day 91 (admitted that day); r5 left hospital on day 91
        spell("s-r4-again", "r4", "2024-04-10", ready="2024-04-15", discharged="2024-04-15",
              destination="usual_residence"),
        spell("s-r5-again", "r5", "2024-04-01", ready="2024-04-10", discharged="2024-04-10",
              destination="usual_residence"),
        spell("s-e1", "e1", "2024-03-20", ready="2024-03-31", discharged="2024-03-31",
              destination="usual_residence"),
        spell("s-e2", "e2", "2024-03-25", ready="2024-04-01", discharged="2024-04-01",
              destination="usual_residence"),
        spell("s-e3", "e3", "2024-03-20", ready="2024-03-30", discharged="2024-03-30",
              destination="usual_residence"),
        spell("s-e3-again", "e3", "2024-06-01"),  # still in hospital on day 91 (29 June)
        spell("s-e4", "e4", "2024-01-25", ready="2024-02-05", discharged="2024-02-05",
              destination="usual_residence"),
    ),
    packages=(
        *(
            package(f"k-{p}", p, "reablement", "2024-01-10", "2024-02-10", after=f"s-{p}")
            for p in ("r1", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r11", "r12", "r14")
        ),
        package("k-r2", "r2", "intermediate_care", "2024-01-10", "2024-02-10", after="s-r2"),
        package("k-r10", "r10", "home_care", "2024-01-10", after="s-r10"),  # not reablement
        package("k-r13a", "r13", "reablement", "2024-01-10", "2024-02-10", after="s-r13"),
        package("k-r13b", "r13", "intermediate_care", "2024-01-10", "2024-01-20", after="s-r13"),
        # respite (not permanent) in a care home ending on day 91: covers it
        package("k-r6-home", "r6", "residential_care", "2024-04-01", "2024-04-10"),
        # a permanent nursing home from the day after day 91: does not cover it
        package("k-r7-home", "r7", "nursing_care", "2024-04-11", permanent=True),
        # a self-funded care home from 1 March, continuing: covers day 91 (any funder)
        package("k-r14-home", "r14", "residential_care", "2024-03-01", funder="self",
                permanent=True),
        package("k-e1", "e1", "reablement", "2024-03-31", "2024-04-30", after="s-e1"),
        package("k-e2", "e2", "reablement", "2024-04-01", "2024-04-30", after="s-e2"),
        package("k-e3", "e3", "intermediate_care", "2024-03-30", "2024-04-15", after="s-e3"),
        package("k-e4", "e4", "reablement", "2024-02-05", "2024-03-05", after="s-e4"),
    ),
)  # fmt: skip


@pytest.fixture
def result(compute: Compute) -> Result:
    return compute(LAKE, "month", metrics=[M10])


def _empty(*starts: object) -> list[tuple[object, ...]]:
    return [(M10, start, 0, 0, None) for start in starts]


def test_at_home_on_day_91(result: Result) -> None:
    # January discharges into reablement or intermediate care, aged 65+, not died:
    # r1, r2, r3, r4, r5, r6, r7, r9 (no destination), r11 (65), r13 (two packages, one
    # spell), r14 = 11. Left out: r8 (died), r10 (home care only), r12 (64).
    # At home on 10 April: r1, r3 (dies on the 11th), r5 (discharged that day), r7 (home
    # from the 11th), r9, r11, r13 = 7. Not: r2 (died that day), r4 (admitted that day),
    # r6 (respite to that day), r14 (in a care home).
    # April: r4's and r5's readmissions have no reablement package.
    assert_rows(
        result,
        "n-reablement",
        [(M10, JAN, 7, 11, 700 / 11), *_empty(FEB, MAR, APR, MAY, JUN)],
    )


def test_day_91_and_the_end_of_observation(result: Result) -> None:
    # February: e4 (admitted in January, discharged 5 February; home on 6 May) = 1 of 1.
    # March: e1 (day 91 = observation_end, home) and e3 (in hospital on 29 June) = 1 of 2.
    # April: e2's day 91 is 1 July, after observation_end: out of both.
    assert_rows(
        result,
        "n-edges",
        [
            *_empty(JAN),
            (M10, FEB, 1, 1, 100.0),
            (M10, MAR, 1, 2, 50.0),
            *_empty(APR, MAY, JUN),
        ],
    )


def test_an_empty_neighbourhood_has_zero_rows(result: Result) -> None:
    assert_rows(result, "n-empty", _empty(*STARTS))


def test_all_is_the_whole_area(result: Result) -> None:
    assert_rows(
        result,
        "ALL",
        [
            (M10, JAN, 7, 11, 700 / 11),
            (M10, FEB, 1, 1, 100.0),
            (M10, MAR, 1, 2, 50.0),
            *_empty(APR, MAY, JUN),
        ],
    )
    assert_all_is_sum(result, [M10], NEIGHBOURHOODS)


def test_one_row_per_group_and_month(result: Result) -> None:
    assert_row_set(result, [M10], (*NEIGHBOURHOODS, "ALL"), PERIODS)
