"""Metric 11: urgent community response within two hours (docs/metrics.md).

Contacts with service rapid_response and a response time, by contact_date: within two
hours means response_minutes <= 120. Window January-March 2025, monthly periods.
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
    contact,
    day,
    person,
)

pytestmark = pytest.mark.engines

M11 = "two_hour_response_pct"
JAN, FEB, MAR = day("2025-01-01"), day("2025-02-01"), day("2025-03-01")
PERIODS = [
    (JAN, day("2025-01-31")),
    (FEB, day("2025-02-28")),
    (MAR, day("2025-03-31")),
]
NEIGHBOURHOODS = ("n-empty", "n-left", "n-response")

LAKE = Lake(
    name="urgent_response",
    window=("2025-01-01", "2025-03-31"),
    neighbourhoods=NEIGHBOURHOODS,
    people=(
        person("u1", "n-response", "1950-01-01"),
        person("u2", "n-response", "1950-01-01"),
        person("u3", "n-left", "1950-01-01", registered_to="2024-06-30"),
    ),
    contacts=(
        contact("c0", "u1", "2024-12-31", "rapid_response", 10),  # before the window
        contact("c1", "u1", "2025-01-05", "rapid_response", 120),  # exactly two hours: in
        contact("c2", "u1", "2025-01-06", "rapid_response", 121),  # late
        contact("c3", "u2", "2025-01-07", "rapid_response", None),  # no time: left out
        contact("c4", "u2", "2025-01-08", "rapid_response", 0),
        contact("c5", "u1", "2025-01-09", "community_nursing", 30),  # another service
        contact("c6", "u2", "2025-01-31", "rapid_response", 45),
        contact("c7", "u2", "2025-02-01", "rapid_response", 200),
        contact("c8", "u1", "2025-03-03", "rapid_response", None),
        contact("c9", "u3", "2025-01-15", "rapid_response", 60),  # off the list: counts
    ),
)


@pytest.fixture
def result(compute: Compute) -> Result:
    return compute(LAKE, "month", metrics=[M11])


def test_within_two_hours(result: Result) -> None:
    # January: timed rapid responses c1, c2, c4, c6 = 4; within 120 minutes c1, c4, c6 = 3.
    # February: c7 late = 0 of 1. March: c8 has no time = 0 of 0.
    assert_rows(
        result,
        "n-response",
        [(M11, JAN, 3, 4, 75.0), (M11, FEB, 0, 1, 0.0), (M11, MAR, 0, 0, None)],
    )


def test_contacts_of_someone_off_the_list_count(result: Result) -> None:
    assert_rows(
        result,
        "n-left",
        [(M11, JAN, 1, 1, 100.0), (M11, FEB, 0, 0, None), (M11, MAR, 0, 0, None)],
    )


def test_an_empty_neighbourhood_has_zero_rows(result: Result) -> None:
    assert_rows(result, "n-empty", [(M11, start, 0, 0, None) for start, _ in PERIODS])


def test_all_is_the_whole_area(result: Result) -> None:
    assert_rows(
        result,
        "ALL",
        [(M11, JAN, 4, 5, 80.0), (M11, FEB, 0, 1, 0.0), (M11, MAR, 0, 0, None)],
    )
    assert_all_is_sum(result, [M11], NEIGHBOURHOODS)


def test_one_row_per_group_and_month(result: Result) -> None:
    assert_row_set(result, [M11], (*NEIGHBOURHOODS, "ALL"), PERIODS)
