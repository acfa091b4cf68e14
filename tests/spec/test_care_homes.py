"""Metric 9: permanent admissions to care homes of people aged 65+, per 100,000 (docs/metrics.md).

One lake, window January-March 2025, monthly periods; population midpoints 16 January,
14 February, 16 March. A package counts when it is council-supported (council or pooled),
permanent, residential_care or nursing_care, starts in the period when its person is 65+,
and no other permanent residential or nursing package of theirs is in place on its start
date or the day before (a move between homes); each person once per period.
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
)

pytestmark = pytest.mark.engines

M9 = "care_home_admissions_65plus_per_100k"
JAN, FEB, MAR = day("2025-01-01"), day("2025-02-01"), day("2025-03-01")
PERIODS = [
    (JAN, day("2025-01-31")),
    (FEB, day("2025-02-28")),
    (MAR, day("2025-03-31")),
]
NEIGHBOURHOODS = ("n-care", "n-empty", "n-self-funded")
SEVENTY = "1955-01-10"  # 70 throughout the window

LAKE = Lake(
    name="care_homes",
    window=("2025-01-01", "2025-03-31"),
    neighbourhoods=NEIGHBOURHOODS,
    people=(
        person("h1", "n-care", SEVENTY),
        person("h2", "n-care", "1960-01-20"),  # 65 on 20 January 2025
        person("h3", "n-care", "1960-01-21"),  # 64 on 20 January 2025
        person("h4", "n-care", SEVENTY),
        person("h5", "n-care", SEVENTY),
        person("h6", "n-care", SEVENTY),
        person("h8", "n-care", SEVENTY),
        person("h9", "n-care", SEVENTY),
        person("h10", "n-care", SEVENTY),
        person("h11", "n-care", SEVENTY),
        person("h13", "n-care", SEVENTY),
        person("h12", "n-self-funded", SEVENTY),
    ),
    packages=(
        # January
        package("k-h1", "h1", "residential_care", "2025-01-10", permanent=True),  # counts
        package(  # starts on the 65th birthday: counts
            "k-h2", "h2", "nursing_care", "2025-01-20", funder="pooled", permanent=True
        ),
        package("k-h3", "h3", "residential_care", "2025-01-20", permanent=True),  # aged 64
        package(
            "k-h4", "h4", "residential_care", "2025-01-05", funder="nhs", permanent=True
        ),  # not council-supported
        package(
            "k-h5", "h5", "nursing_care", "2025-01-06", funder="self", permanent=True
        ),  # not council-supported
        package(
            "k-h6", "h6", "residential_care", "2025-01-07", "2025-01-21", permanent=False
        ),  # not permanent
        # February: moves between homes
        package("k-h8a", "h8", "residential_care", "2024-06-01", "2025-02-10", permanent=True),
        package("k-h8b", "h8", "nursing_care", "2025-02-10", permanent=True),  # a move
        package("k-h9a", "h9", "residential_care", "2024-06-01", "2025-02-09", permanent=True),
        package("k-h9b", "h9", "nursing_care", "2025-02-10", permanent=True),  # a move
        package("k-h10a", "h10", "residential_care", "2024-06-01", "2025-02-08", permanent=True),
        package("k-h10b", "h10", "nursing_care", "2025-02-10", permanent=True),  # counts
        # March
        package("k-h11a", "h11", "residential_care", "2025-03-02", "2025-03-05", permanent=True),
        package(
            "k-h11b", "h11", "nursing_care", "2025-03-20", funder="pooled", permanent=True
        ),  # both of h11's count as new, h11 once
        package(
            "k-h13a", "h13", "residential_care", "2025-03-01", "2025-03-14", permanent=False
        ),  # respite, not permanent: does not make the next one a move
        package("k-h13b", "h13", "residential_care", "2025-03-15", permanent=True),  # counts
        # A self-funded permanent placement in place: docs/metrics.md says "another permanent
        # residential or nursing package", any funder, so the council taking over the
        # placement is read as a move, not a new admission.
        package("k-h12a", "h12", "residential_care", "2024-01-01", funder="self", permanent=True),
        package("k-h12b", "h12", "residential_care", "2025-03-10", permanent=True),
    ),
)


@pytest.fixture
def result(compute: Compute) -> Result:
    return compute(LAKE, "month", metrics=[M9])


def test_new_placements_age_funder_and_moves(result: Result) -> None:
    # Aged 65+ on the midpoint: the nine born in 1955 all months; h2 and h3 are 64 on 16
    # January and 65 by 14 February: 9, 11, 11.
    # January: h1, h2 (65 on the start date) = 2; h3 (64), h4 (nhs), h5 (self), h6 (not
    #   permanent) left out.
    # February: h8's earlier home ends on the new start date (in place that day) and h9's
    #   the day before (in place on the day before): moves. h10's ended two days before:
    #   new = 1.
    # March: h11 (two new placements, once), h13 (respite before) = 2.
    assert_rows(
        result,
        "n-care",
        [
            (M9, JAN, 2, 9, 2e5 / 9),
            (M9, FEB, 1, 11, 1e5 / 11),
            (M9, MAR, 2, 11, 2e5 / 11),
        ],
    )


def test_a_council_takeover_of_a_self_funded_placement_is_a_move(result: Result) -> None:
    assert_rows(
        result,
        "n-self-funded",
        [(M9, JAN, 0, 1, 0.0), (M9, FEB, 0, 1, 0.0), (M9, MAR, 0, 1, 0.0)],
    )


def test_an_empty_neighbourhood_has_zero_rows(result: Result) -> None:
    assert_rows(result, "n-empty", [(M9, start, 0, 0, None) for start, _ in PERIODS])


def test_all_is_the_whole_area(result: Result) -> None:
    assert_rows(
        result,
        "ALL",
        [
            (M9, JAN, 2, 10, 20_000.0),
            (M9, FEB, 1, 12, 1e5 / 12),
            (M9, MAR, 2, 12, 2e5 / 12),
        ],
    )
    assert_all_is_sum(result, [M9], NEIGHBOURHOODS)


def test_one_row_per_group_and_month(result: Result) -> None:
    assert_row_set(result, [M9], (*NEIGHBOURHOODS, "ALL"), PERIODS)
