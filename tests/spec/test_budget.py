"""Metric 12: pooled budget spent, area-wide, in total and per funder (docs/metrics.md).

sum(spent, a null as 0) * 100 / sum(planned) over the budget lines whose [period_start,
period_end] overlaps the period, whole lines (not pro-rated); 'ALL' rows only. Window
January-March 2025, monthly periods. Amounts are exact in binary floating point.
"""

from __future__ import annotations

import pytest

from .conftest import Compute
from .lakes import Lake, Result, assert_row_set, assert_rows, budget_line, day

pytestmark = pytest.mark.engines

M12 = "pooled_budget_spent_pct"
NHS, COUNCIL, POOLED = f"{M12}:nhs", f"{M12}:council", f"{M12}:pooled"
METRICS = (M12, COUNCIL, NHS, POOLED)
JAN, FEB, MAR = day("2025-01-01"), day("2025-02-01"), day("2025-03-01")
PERIODS = [
    (JAN, day("2025-01-31")),
    (FEB, day("2025-02-28")),
    (MAR, day("2025-03-31")),
]

LAKE = Lake(
    name="budget",
    window=("2025-01-01", "2025-03-31"),
    neighbourhoods=("n-a", "n-b"),
    budget_lines=(
        # the financial year: every month
        budget_line("b1", "pooled", "2024-04-01", "2025-03-31", 1200.0, 600.0),
        # ends the day before the window: no month
        budget_line("b2", "nhs", "2024-10-01", "2024-12-31", 1000.0, 1000.0),
        # February, nothing spent recorded: counts as 0
        budget_line("b3", "council", "2025-02-01", "2025-02-28", 400.0, None),
        # 28 February - 1 March: February and March, whole
        budget_line("b4", "council", "2025-02-28", "2025-03-01", 100.0, 50.0),
        # a neighbourhood's line, one day in January, overspent: in the area's total
        budget_line("b5", "nhs", "2025-01-31", "2025-01-31", 200.0, 300.0, neighbourhood="n-a"),
        # March, nhs: the only nhs line of the month, nothing spent recorded: 0 of 100
        budget_line("b7", "nhs", "2025-03-01", "2025-03-31", 100.0, None),
        # starts the day after the window: no month
        budget_line("b6", "nhs", "2025-04-01", "2025-06-30", 500.0, 0.0),
    ),
)


@pytest.fixture
def result(compute: Compute) -> Result:
    return compute(LAKE, "month", metrics=[M12])


def test_spent_of_planned_per_month_and_funder(result: Result) -> None:
    # January: b1 (pooled 600 of 1200), b5 (nhs 300 of 200) -> 900 of 1400; no council.
    # February: b1, b3 (council 0 of 400), b4 (council 50 of 100) -> 650 of 1700; no nhs.
    # March: b1, b4, b7 (nhs 0 of 100) -> 650 of 1400.
    assert_rows(
        result,
        "ALL",
        [
            (M12, JAN, 900.0, 1400.0, 90_000 / 1400),
            (NHS, JAN, 300.0, 200.0, 150.0),
            (COUNCIL, JAN, 0.0, 0.0, None),
            (POOLED, JAN, 600.0, 1200.0, 50.0),
            (M12, FEB, 650.0, 1700.0, 65_000 / 1700),
            (NHS, FEB, 0.0, 0.0, None),
            (COUNCIL, FEB, 50.0, 500.0, 10.0),
            (POOLED, FEB, 600.0, 1200.0, 50.0),
            (M12, MAR, 650.0, 1400.0, 65_000 / 1400),
            (NHS, MAR, 0.0, 100.0, 0.0),
            (COUNCIL, MAR, 50.0, 100.0, 50.0),
            (POOLED, MAR, 600.0, 1200.0, 50.0),
        ],
        money=True,
    )


def test_area_wide_rows_only(result: Result) -> None:
    assert_row_set(result, METRICS, ["ALL"], PERIODS)
