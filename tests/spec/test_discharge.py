"""Metrics 5-8 and 13: discharge destination and discharge delays (docs/metrics.md).

One lake, window January-March 2025, monthly periods. Adult delay spells: discharge_date
in the period, aged >= 18 at discharge, ready_for_discharge_date recorded; delay =
max(0, discharge_date - ready_for_discharge_date) days, all of it in the discharge period.
"""

from __future__ import annotations

import pytest

from .conftest import Compute
from .lakes import (
    DELAY_REASON_ROWS,
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

M5 = "discharge_to_usual_residence_pct"
M6 = "discharged_on_ready_date_pct"
M7 = "mean_discharge_delay_days"
M8 = "delayed_days"
M13 = "mean_discharge_delay_all_days"
REASON_METRICS = tuple(f"delayed_days:{reason}" for reason in DELAY_REASON_ROWS)
ALL_METRICS = (M5, M6, M7, M8, M13, *REASON_METRICS)
JAN, FEB, MAR = day("2025-01-01"), day("2025-02-01"), day("2025-03-01")
PERIODS = [
    (JAN, day("2025-01-31")),
    (FEB, day("2025-02-28")),
    (MAR, day("2025-03-31")),
]
NEIGHBOURHOODS = ("n-discharge", "n-empty", "n-span")

LAKE = Lake(
    name="discharge",
    window=("2025-01-01", "2025-03-31"),
    neighbourhoods=NEIGHBOURHOODS,
    people=(
        person("p1", "n-discharge", "1950-01-01"),
        person("p2", "n-discharge", "1950-01-01"),
        person("p3", "n-discharge", "1950-01-01"),
        person("p4", "n-discharge", "1950-01-01", died="2025-01-20"),
        person("k1", "n-discharge", "2010-05-05"),  # 14
        person("k2", "n-discharge", "2007-01-22"),  # 17 when admitted, 18 on discharge
        person("k3", "n-discharge", "2007-01-23"),  # 17 on discharge (18 the day after)
        # left the list before the window: their discharges still count
        person("p5", "n-span", "1950-01-01", registered_to="2024-12-31"),
    ),
    spells=(
        # id, person, admitted, ready, discharged, destination, reason -> delay
        spell(
            "s1", "p1", "2025-01-02", ready="2025-01-05", discharged="2025-01-05",
            destination="usual_residence", reason="dispute",
        ),  # discharged on the ready date: delay 0
        spell(
            "s2", "p1", "2025-01-06", ready="2025-01-08", discharged="2025-01-12",
            destination="usual_residence", reason="awaiting_care_package",
        ),  # delay 4
        spell(
            "s3", "p2", "2025-01-10", ready="2025-01-20", discharged="2025-01-15",
            destination="care_home_new",
        ),  # ready after discharge: max(0, -5) = 0
        spell(
            "s4", "p4", "2025-01-16", ready="2025-01-17", discharged="2025-01-20",
            destination="died",
        ),  # delay 3, no reason: unrecorded; died: not in metric 5
        spell(
            "s5", "p3", "2025-01-18", discharged="2025-01-25",
        ),  # no ready date, no destination: in neither
        spell(
            "s6", "k1", "2025-01-03", ready="2025-01-04", discharged="2025-01-09",
            destination="usual_residence", reason="awaiting_assessment",
        ),  # a child: metric 5 only
        spell(
            "s7", "k2", "2025-01-19", ready="2025-01-20", discharged="2025-01-22",
            destination="other", reason="housing",
        ),  # 18 on discharge: delay 2
        spell(
            "s8", "k3", "2025-01-19", ready="2025-01-21", discharged="2025-01-22",
            destination="usual_residence", reason="housing",
        ),  # 17 on discharge: metric 5 only
        spell(
            "s9", "p3", "2025-01-26", ready="2025-01-27", discharged="2025-01-31",
            destination="temporary", reason="awaiting_care_package",
        ),  # delay 4
        spell("s10", "p1", "2025-01-28"),  # still in hospital: in none
        spell(
            "s11", "p2", "2025-03-01", ready="2025-03-10", discharged="2025-03-10",
            destination="other_hospital",
        ),  # March, delay 0
        spell(
            "s12", "p5", "2025-01-30", ready="2025-02-01", discharged="2025-02-03",
            destination="usual_residence", reason="awaiting_nursing_home",
        ),  # admitted in January, discharged in February: delay 2, counted in February
    ),
)  # fmt: skip


@pytest.fixture
def result(compute: Compute) -> Result:
    return compute(LAKE, "month", metrics=[M5, M6, M7, M8, M13])


def _reasons(start: object, **days: int) -> list[tuple[object, ...]]:
    """Every delayed_days:<reason> row of a period: the named days, zero for the rest."""
    return [
        (f"delayed_days:{reason}", start, days.get(reason, 0), None, days.get(reason, 0))
        for reason in DELAY_REASON_ROWS
    ]


# January, n-discharge, by hand:
# metric 5: discharged in January with a destination other than died: s1, s2, s3, s6, s7,
#   s8, s9 = 7 (s4 died, s5 none); to usual residence s1, s2, s6, s8 = 4.
# adult delay spells: s1 0, s2 4, s3 0, s4 3, s7 2, s9 4 = 6 spells (s5 no ready date; s6
#   and s8 under 18), 13 days; delay 0: s1, s3 = 2; delay > 0: 4 spells.
# per reason: awaiting_care_package 4 + 4 = 8, housing 2 (s8 is a child's), unrecorded 3
#   (s4; s3 has no reason but no delay), dispute 0 (s1's delay is 0), awaiting_assessment 0
#   (s6 is a child's).
JANUARY = [
    (M5, JAN, 4, 7, 400 / 7),
    (M6, JAN, 2, 6, 200 / 6),
    (M7, JAN, 13, 4, 3.25),
    (M8, JAN, 13, None, 13.0),
    (M13, JAN, 13, 6, 13 / 6),
    *_reasons(JAN, awaiting_care_package=8, housing=2, unrecorded=3),
]
# March, n-discharge: s11 only, other_hospital, delay 0.
MARCH = [
    (M5, MAR, 0, 1, 0.0),
    (M6, MAR, 1, 1, 100.0),
    (M7, MAR, 0, 0, None),
    (M8, MAR, 0, None, 0.0),
    (M13, MAR, 0, 1, 0.0),
    *_reasons(MAR),
]
# February, n-span: s12 only (admitted in January), usual residence, delay 2.
FEBRUARY = [
    (M5, FEB, 1, 1, 100.0),
    (M6, FEB, 0, 1, 0.0),
    (M7, FEB, 2, 1, 2.0),
    (M8, FEB, 2, None, 2.0),
    (M13, FEB, 2, 1, 2.0),
    *_reasons(FEB, awaiting_nursing_home=2),
]


def _nothing(start: object) -> list[tuple[object, ...]]:
    return [
        (M5, start, 0, 0, None),
        (M6, start, 0, 0, None),
        (M7, start, 0, 0, None),
        (M8, start, 0, None, 0.0),
        (M13, start, 0, 0, None),
        *_reasons(start),
    ]


def test_destinations_delays_and_adults(result: Result) -> None:
    assert_rows(result, "n-discharge", [*JANUARY, *_nothing(FEB), *MARCH])


def test_a_spell_spanning_periods_counts_in_its_discharge_period(result: Result) -> None:
    assert_rows(result, "n-span", [*_nothing(JAN), *FEBRUARY, *_nothing(MAR)])


def test_an_empty_neighbourhood_has_zero_rows(result: Result) -> None:
    assert_rows(result, "n-empty", [*_nothing(JAN), *_nothing(FEB), *_nothing(MAR)])


def test_all_is_the_whole_area(result: Result) -> None:
    assert_rows(result, "ALL", [*JANUARY, *FEBRUARY, *MARCH])


def test_all_equals_the_sum_of_neighbourhoods(result: Result) -> None:
    assert_all_is_sum(result, ALL_METRICS, NEIGHBOURHOODS)


def test_one_row_per_metric_reason_group_and_month(result: Result) -> None:
    assert_row_set(result, ALL_METRICS, (*NEIGHBOURHOODS, "ALL"), PERIODS)
