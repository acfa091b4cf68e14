"""Periods (docs/metrics.md conventions): months, quarters, financial years, whole periods only,
and the --from / --to selection, shown with metric 2 on one small lake.

Window 15 March 2023 - 20 May 2025: March 2023 and May 2025 are partial months, January-
March 2023 and April-June 2025 partial quarters, and the financial years 2022-23 and
2025-26 partial, so none of them is reported. One neighbourhood of three people: p1 (73)
and p2 (33) all along, p3 registered from 1 April 2024.
"""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import Compute
from .lakes import Lake, assert_row_set, assert_rows, day, person, spell

pytestmark = pytest.mark.engines

M2 = "emergency_admissions_per_100k"

LAKE = Lake(
    name="periods",
    window=("2023-03-15", "2025-05-20"),
    neighbourhoods=("n-p",),
    people=(
        person("p1", "n-p", "1950-01-01"),
        person("p2", "n-p", "1990-01-01"),
        person("p3", "n-p", "1990-01-01", registered_from="2024-04-01"),
    ),
    spells=(
        spell("s-partial-first-month", "p1", "2023-03-20"),
        spell("s-31-march", "p1", "2024-03-31"),
        spell("s-1-april", "p1", "2024-04-01"),
        spell("s-30-june", "p2", "2024-06-30"),
        spell("s-1-july", "p2", "2024-07-01"),
        spell("s-partial-last-month", "p2", "2025-05-01"),
    ),
)


# The 25 whole months, by their last days (February 2024 has 29).
# fmt: off
MONTH_ENDS = [
    "2023-04-30", "2023-05-31", "2023-06-30", "2023-07-31", "2023-08-31", "2023-09-30",
    "2023-10-31", "2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31",
    "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31", "2024-09-30",
    "2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31",
    "2025-04-30",
]
# fmt: on
MONTHS = [(day(end).replace(day=1), day(end)) for end in MONTH_ENDS]


def _expected(periods: list[tuple[dt.date, dt.date]], events: dict[dt.date, tuple[int, int]]):
    """Rows for n-p and ALL (the same here): `events` gives (spells, population) for the
    periods with spells; every other period has none, over p1 and p2 (2) before April 2024
    and p1, p2, p3 (3) from then on (every midpoint from April 2024 is after p3 joined)."""
    rows = []
    for start, _ in periods:
        spells, population = events.get(start, (0, 2 if start < day("2024-04-01") else 3))
        rows.append((M2, start, spells, population, spells * 100_000 / population))
    return rows


def test_months(compute: Compute) -> None:
    result = compute(LAKE, "month", metrics=[M2])
    # April 2023 (the first whole month) to April 2025 (the last).
    assert_row_set(result, [M2], ["n-p", "ALL"], MONTHS)
    # 31 March 2024 in March (midpoint 16 March: p1, p2); 1 April in April (midpoint 16
    # April: p3 registered); 30 June in June; 1 July in July.
    events = {
        day("2024-03-01"): (1, 2),
        day("2024-04-01"): (1, 3),
        day("2024-06-01"): (1, 3),
        day("2024-07-01"): (1, 3),
    }
    for group in ("n-p", "ALL"):
        assert_rows(result, group, _expected(MONTHS, events))


def test_quarters(compute: Compute) -> None:
    result = compute(LAKE, "quarter", metrics=[M2])
    quarters = [
        (day("2023-04-01"), day("2023-06-30")),
        (day("2023-07-01"), day("2023-09-30")),
        (day("2023-10-01"), day("2023-12-31")),
        (day("2024-01-01"), day("2024-03-31")),
        (day("2024-04-01"), day("2024-06-30")),
        (day("2024-07-01"), day("2024-09-30")),
        (day("2024-10-01"), day("2024-12-31")),
        (day("2025-01-01"), day("2025-03-31")),
    ]
    assert_row_set(result, [M2], ["n-p", "ALL"], quarters)
    # January-March 2024: 31 March (midpoint 1 January + 45 = 15 February: 2 people);
    # April-June 2024: 1 April and 30 June (midpoint 16 May: 3); July-September: 1 July.
    events = {
        day("2024-01-01"): (1, 2),
        day("2024-04-01"): (2, 3),
        day("2024-07-01"): (1, 3),
    }
    for group in ("n-p", "ALL"):
        assert_rows(result, group, _expected(quarters, events))


def test_financial_years(compute: Compute) -> None:
    result = compute(LAKE, "year", metrics=[M2])
    years = [
        (day("2023-04-01"), day("2024-03-31")),
        (day("2024-04-01"), day("2025-03-31")),
    ]
    assert_row_set(result, [M2], ["n-p", "ALL"], years)
    # 2023-24 (366 days, midpoint 1 April 2023 + 182 = 30 September 2023: p1, p2): the
    # 31 March 2024 spell only (20 March 2023 is in 2022-23, not reported).
    # 2024-25 (midpoint 1 April 2024 + 182 = 30 September 2024: 3 people): 1 April, 30
    # June, 1 July.
    for group in ("n-p", "ALL"):
        assert_rows(
            result,
            group,
            [
                (M2, day("2023-04-01"), 1, 2, 50_000.0),
                (M2, day("2024-04-01"), 3, 3, 100_000.0),
            ],
        )


def test_from_and_to_pick_the_periods_containing_them(compute: Compute) -> None:
    result = compute(LAKE, "month", start=day("2024-03-15"), end=day("2024-04-02"), metrics=[M2])
    assert_row_set(
        result,
        [M2],
        ["n-p", "ALL"],
        [(day("2024-03-01"), day("2024-03-31")), (day("2024-04-01"), day("2024-04-30"))],
    )
    assert_rows(
        result,
        "ALL",
        [(M2, day("2024-03-01"), 1, 2, 50_000.0), (M2, day("2024-04-01"), 1, 3, 1e5 / 3)],
    )


def test_from_1_april_starts_the_next_financial_year(compute: Compute) -> None:
    result = compute(LAKE, "year", start=day("2024-04-01"), metrics=[M2])
    assert_row_set(result, [M2], ["n-p", "ALL"], [(day("2024-04-01"), day("2025-03-31"))])
    assert_rows(result, "n-p", [(M2, day("2024-04-01"), 3, 3, 100_000.0)])
