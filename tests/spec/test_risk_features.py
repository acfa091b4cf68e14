"""Risk features at an as-of date, worked out by hand, on both engines.

As of 1 April 2024 (a year back is 2 April 2023, 2024 being a leap year; six months back,
182 days, is 2 October 2023). Only what was known before the as-of date counts: events on
it belong to the future, which is where the outcome looks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from joinedup.risk.compute import RiskError, compute_features
from joinedup.risk.features import FEATURES

from .lakes import (
    Lake,
    attendance,
    condition,
    contact,
    episode,
    package,
    person,
    spell,
)

pytestmark = pytest.mark.engines  # no database: run once

AS_OF = dt.date(2024, 4, 1)

LAKE = Lake(
    name="risk-features",
    window=("2019-04-01", "2025-03-31"),
    neighbourhoods=("n1",),
    people=(
        person("a", "n1", "1940-04-01"),  # 84 today
        person("b", "n1", "1950-04-02"),  # 73 until tomorrow
        person("c", "n1", "1945-01-01", died="2024-03-31"),  # dead: not in the population
        person("d", "n1", "1960-01-01", registered_from="2024-04-02"),  # not yet registered
        person("e", "n1", "1970-06-01", registered_to="2024-04-01"),  # registered to today
    ),
    conditions=(
        condition("a", "copd", "2020-01-01"),
        condition("a", "diabetes", "2023-01-01", recorded="2024-04-01"),  # recorded today
        condition("a", "hypertension", "2019-01-01", resolved="2024-03-31"),  # resolved
        condition("a", "heart_failure", "2024-05-01"),  # in the future
        condition("a", "frailty_mild", "2021-01-01"),
        condition("a", "frailty_moderate", "2022-01-01"),
        condition("a", "cancer", "2018-01-01", resolved="2024-04-01"),  # resolved today: known
    ),
    spells=(
        spell("e1", "a", "2024-03-01", ready="2024-03-08", discharged="2024-03-11"),
        spell("e2", "a", "2023-05-01", acsc=True, discharged="2023-05-04"),
        spell("e3", "a", "2023-04-01", discharged="2023-04-05"),  # a year and a day ago
        spell("el", "a", "2024-01-10", method="elective", discharged="2024-01-12"),
        spell("e4", "a", "2024-03-25", fall=True),  # still in hospital
        spell("e5", "a", "2024-04-01", discharged="2024-04-03"),  # today: the outcome
        spell("b1", "b", "2025-03-31", discharged="2025-04-02"),  # 364 days on: the outcome
        spell("x1", "e", "2025-04-01", discharged="2025-04-02"),  # 365 days on: too late
    ),
    attendances=(
        attendance("a1", "a", "2024-03-31"),
        attendance("a2", "a", "2023-09-01"),
        attendance("a3", "a", "2024-04-01"),
    ),
    contacts=(
        contact("c1", "a", "2024-03-15", "gp", None),
        contact("c2", "a", "2023-10-01", "gp", None),  # 183 days ago
        contact("c3", "a", "2024-02-01", "community_nursing", None),
        contact("c4", "a", "2024-04-01", "gp", None),
    ),
    packages=(
        package("k1", "a", "home_care", "2024-01-01"),
        package("k2", "a", "reablement", "2024-02-01", "2024-03-31"),  # ended
        package("k3", "a", "telecare", "2024-04-01"),  # starts today
        package("k4", "a", "residential_care", "2023-01-01", "2024-04-01"),  # last day today
    ),
    episodes=(
        episode("ep1", "a", "n1", "2024-01-01"),
        episode("ep2", "b", "n1", "2023-01-01", "2024-03-31"),
    ),
)


ZERO = {name: 0 for name in FEATURES}
EXPECTED: dict[str, dict[str, Any]] = {
    "a": {
        **ZERO,
        "age": 84, "female": 1, "deprivation_decile": 5,
        "condition_copd": 1, "condition_cancer": 1, "condition_count": 2, "frailty": 2,
        "emergency_6m": 2, "emergency_12m": 3, "elective_12m": 1, "acsc_emergency_12m": 1,
        "fall_emergency_12m": 1, "ae_6m": 1, "ae_12m": 2,
        # e1 10 + e2 3 + e3 3 (from 2 April 2023) + el 2 + e4 7 (to today)
        "bed_days_12m": 25, "delayed_discharge_12m": 1, "days_since_emergency": 7,
        "service_home_care": 1, "service_care_home": 1,
        "contacts_gp_6m": 1, "contacts_community_nursing_6m": 1, "on_caseload": 1,
        "admitted": 1,
    },
    "b": {**ZERO, "age": 73, "female": 1, "deprivation_decile": 5,
          "days_since_emergency": None, "admitted": 1},
    "e": {**ZERO, "age": 53, "female": 1, "deprivation_decile": 5,
          "days_since_emergency": None, "admitted": 0},
}  # fmt: skip


@pytest.fixture
def rows(engine: str, lake_path: Callable[[Lake], Path]) -> dict[str, dict[str, Any]]:
    table = compute_features(lake_path(LAKE), AS_OF, engine=engine, with_outcome=True)
    return {row.pop("person_id"): row for row in table.to_pylist()}


def test_each_feature_as_worked_out_by_hand(rows: dict[str, dict[str, Any]]) -> None:
    assert sorted(rows) == ["a", "b", "e"]  # c died, d not yet registered
    for person_id, expected in EXPECTED.items():
        got = rows[person_id]
        assert got.pop("as_of") == AS_OF
        assert got == expected, person_id


def test_an_as_of_date_outside_the_window_is_refused(lake_path: Callable[[Lake], Path]) -> None:
    with pytest.raises(RiskError, match=r"^as_of: 2026-01-01 is outside the lake's window") as out:
        compute_features(lake_path(LAKE), dt.date(2026, 1, 1))
    assert out.value.field == "as_of"  # the command line names it --as-of
