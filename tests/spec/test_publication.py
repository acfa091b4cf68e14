"""The publication rule of docs/metrics.md, on every metric at once (metrics=None).

Counts of people or events (numerators and denominators of metrics 1-6 and 9-11, the
denominators of 7 and 13) of 1-7 are withheld (null), others rounded to the nearest 5; day
totals (numerators of 7, 8 and 13) rounded to the nearest 5; a rate, percentage or mean is
computed from the exact figures and withheld when an exact count behind it is 1-7;
`suppressed` marks a row with anything withheld; money (metric 12) is shown as it is.

One month, January 2025 (midpoint 16 January); everyone is 40, so no one is 65+.
"""

from __future__ import annotations

import pytest

from joinedup.lake.schema import DELAY_REASONS

from .conftest import Compute
from .lakes import DELAY_REASON_ROWS, Lake, Result, assert_rows, budget_line, day, person, spell

pytestmark = pytest.mark.engines

JAN = day("2025-01-01")
M1 = "emergency_admissions_65plus_per_100k"
M2 = "emergency_admissions_per_100k"
M3 = "avoidable_admissions_per_100k"
M4 = "falls_admissions_65plus_per_100k"
M5 = "discharge_to_usual_residence_pct"
M6 = "discharged_on_ready_date_pct"
M7 = "mean_discharge_delay_days"
M8 = "delayed_days"
M9 = "care_home_admissions_65plus_per_100k"
M10 = "reablement_at_home_91d_pct"
M11 = "two_hour_response_pct"
M12 = "pooled_budget_spent_pct"
M13 = "mean_discharge_delay_all_days"
PACKAGE = "delayed_days:awaiting_care_package"
UNRECORDED = "delayed_days:unrecorded"
NEIGHBOURHOODS = ("n-big", "n-small", "n-zero")
BORN = "1985-01-01"


def _discharged(spell_id: str, person_id: str, ready: str, reason: str | None) -> tuple:
    """An emergency spell of 5-10 January 2025, home to the usual residence."""
    return spell(
        spell_id,
        person_id,
        "2025-01-05",
        ready=ready,
        discharged="2025-01-10",
        destination="usual_residence",
        reason=reason,
    )


LAKE = Lake(
    name="publication",
    window=("2025-01-01", "2025-01-31"),
    neighbourhoods=NEIGHBOURHOODS,
    people=(
        *(person(f"b{i:02}", "n-big", BORN) for i in range(1, 24)),  # 23 people
        *(person(f"q{i}", "n-small", BORN) for i in range(1, 8)),  # 7 people
        *(person(f"z{i}", "n-zero", BORN) for i in range(1, 9)),  # 8 people
    ),
    spells=(
        # n-big: 9 spells, b01-b08 delayed 2 days each (awaiting a care package), b09 not
        *(
            _discharged(f"s-b{i:02}", f"b{i:02}", "2025-01-08", "awaiting_care_package")
            for i in range(1, 9)
        ),
        _discharged("s-b09", "b09", "2025-01-10", None),
        # n-small: 2 spells, one delayed 3 days with no reason, one not delayed
        _discharged("s-q1", "q1", "2025-01-07", None),
        _discharged("s-q2", "q2", "2025-01-10", None),
    ),
    budget_lines=(budget_line("b1", "pooled", "2025-01-01", "2025-03-31", 1234.5, 617.25),),
)


@pytest.fixture
def result(compute: Compute) -> Result:
    return compute(LAKE, "month", publish=True)


def test_counts_of_8_or_more_are_rounded_and_the_value_uses_exact_figures(
    result: Result,
) -> None:
    # Exact: 9 emergency spells / 23 people; 9 discharges home of 9; 9 adult delay spells,
    # 1 on the ready date, 8 delayed, 16 days (all awaiting a care package).
    # Published: 9 -> 10, 23 -> 25, 8 -> 10, 16 days -> 15; the rate stays 9e5 / 23 (not
    # 10e5 / 25); the 1 discharge on the ready date is withheld with its percentage.
    assert_rows(
        result,
        "n-big",
        [
            (M2, JAN, 10, 25, 9e5 / 23, False),
            (M3, JAN, 0, 25, 0.0, False),
            (M1, JAN, 0, 0, None, False),
            (M5, JAN, 10, 10, 100.0, False),
            (M6, JAN, None, 10, None, True),
            (M7, JAN, 15, 10, 2.0, False),
            (M8, JAN, 15, None, 15.0, False),  # value = the published day total
            (M13, JAN, 15, 10, 16 / 9, False),
            (PACKAGE, JAN, 15, None, 15.0, False),
            (UNRECORDED, JAN, 0, None, 0.0, False),
            (M9, JAN, 0, 0, None, False),
            (M10, JAN, 0, 0, None, False),
            (M11, JAN, 0, 0, None, False),
        ],
    )


def test_counts_of_1_to_7_are_withheld_and_day_totals_rounded(result: Result) -> None:
    # Exact: 2 spells / 7 people; 2 discharges home of 2; adult delay spells 2, 1 on the
    # ready date, 1 delayed, 3 days (no reason). The day totals are rounded, never withheld
    # (3 -> 5); every count of 1-7 (7 included) and every figure computed from one is
    # withheld.
    assert_rows(
        result,
        "n-small",
        [
            (M2, JAN, None, None, None, True),
            (M3, JAN, 0, None, None, True),  # 0 is shown; 0 / 7 is withheld with the 7
            (M5, JAN, None, None, None, True),
            (M6, JAN, None, None, None, True),
            (M7, JAN, 5, None, None, True),
            (M8, JAN, 5, None, 5.0, False),
            (M13, JAN, 5, None, None, True),
            (UNRECORDED, JAN, 5, None, 5.0, False),
            (PACKAGE, JAN, 0, None, 0.0, False),
        ],
    )


def test_zero_is_not_a_small_number(result: Result) -> None:
    # 8 people (-> 10) and nothing else: zeros are shown, a zero denominator gives null.
    assert_rows(
        result,
        "n-zero",
        [
            (M2, JAN, 0, 10, 0.0, False),
            (M5, JAN, 0, 0, None, False),
            (M6, JAN, 0, 0, None, False),
            (M7, JAN, 0, 0, None, False),
            (M8, JAN, 0, None, 0.0, False),
            (M13, JAN, 0, 0, None, False),
        ],
    )


def test_all_is_published_like_any_group(result: Result) -> None:
    # Exact: 11 spells / 38 people; 11 home of 11; 11 adult delay spells, 2 on the ready
    # date, 9 delayed, 19 days (16 awaiting a care package, 3 unrecorded).
    assert_rows(
        result,
        "ALL",
        [
            (M2, JAN, 10, 40, 11e5 / 38, False),
            (M3, JAN, 0, 40, 0.0, False),
            (M5, JAN, 10, 10, 100.0, False),
            (M6, JAN, None, 10, None, True),
            (M7, JAN, 20, 10, 19 / 9, False),
            (M8, JAN, 20, None, 20.0, False),
            (M13, JAN, 20, 10, 19 / 11, False),
            (PACKAGE, JAN, 15, None, 15.0, False),
            (UNRECORDED, JAN, 5, None, 5.0, False),
        ],
    )


def test_money_is_shown_as_it_is(result: Result) -> None:
    assert_rows(
        result,
        "ALL",
        [
            (M12, JAN, 617.25, 1234.5, 50.0, False),
            (f"{M12}:pooled", JAN, 617.25, 1234.5, 50.0, False),
            (f"{M12}:nhs", JAN, 0.0, 0.0, None, False),
            (f"{M12}:council", JAN, 0.0, 0.0, None, False),
        ],
        money=True,
    )


def test_every_metric_is_reported(result: Result) -> None:
    per_group = [M1, M2, M3, M4, M5, M6, M7, M8, M9, M10, M11, M13]
    per_group += [f"delayed_days:{reason}" for reason in DELAY_REASON_ROWS]
    area_only = [M12, f"{M12}:council", f"{M12}:nhs", f"{M12}:pooled"]
    expected = {(m, g, JAN) for m in per_group for g in (*NEIGHBOURHOODS, "ALL")}
    expected |= {(m, "ALL", JAN) for m in area_only}
    assert set(result.keys) == expected
    assert len(DELAY_REASON_ROWS) == len(DELAY_REASONS) + 1
    assert result.keys == sorted(result.keys)
    assert all(row.period_end == day("2025-01-31") for row in result.rows.values())
