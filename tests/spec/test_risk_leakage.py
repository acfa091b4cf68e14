"""No leakage: whatever happens from the as-of date on changes no feature.

Hypothesis appends random later events to the hand-worked lake (admissions, attendances,
contacts, conditions recorded later, services and caseload episodes starting later, deaths
and moves away after the as-of date, later discharges of a stay already under way) and the
features on the as-of date must stay exactly as they were. On DuckDB: the definitions are
the engines' common Ibis, and test_risk_features shows both engines agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.lake.schema import SERVICE_TYPES, SERVICES
from joinedup.risk.compute import compute_features

from .lakes import attendance, condition, contact, episode, package, spell
from .test_risk_features import AS_OF, LAKE

pytestmark = pytest.mark.engines  # no database: run once

LATER = st.integers(min_value=0, max_value=360).map(
    lambda days: (AS_OF + dt.timedelta(days=days)).isoformat()
)
WHO = st.sampled_from(["a", "b", "e"])


@st.composite
def later_events(draw: st.DrawFn) -> dict[str, list[tuple[Any, ...]]]:
    n = draw(st.integers(min_value=1, max_value=12))
    events: dict[str, list[tuple[Any, ...]]] = {
        "spells": [], "attendances": [], "contacts": [], "conditions": [], "packages": [],
        "episodes": [],
    }  # fmt: skip
    for i in range(n):
        kind = draw(st.sampled_from(sorted(events)))
        who, when = draw(WHO), draw(LATER)
        if kind == "spells":
            method = draw(st.sampled_from(["emergency", "elective", "other"]))
            events[kind].append(spell(f"later-{i}", who, when, method=method, discharged=when))
        elif kind == "attendances":
            events[kind].append(attendance(f"later-{i}", who, when))
        elif kind == "contacts":
            events[kind].append(contact(f"later-{i}", who, when, draw(st.sampled_from(SERVICES)),
                                        None))  # fmt: skip
        elif kind == "conditions":
            onset = draw(st.sampled_from(["2020-06-01", when]))
            events[kind].append(condition(who, "heart_failure", onset, recorded=when))
        elif kind == "packages":
            service = draw(st.sampled_from(SERVICE_TYPES))
            events[kind].append(package(f"later-{i}", who, service, when))
        else:
            events[kind].append(episode(f"later-{i}", who, "n1", when))
    return events


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=later_events(), dies=st.booleans())
def test_later_events_change_no_feature(
    extra: dict[str, list[tuple[Any, ...]]], dies: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        before = compute_features(LAKE.write(Path(folder) / "before"), AS_OF)
        people = LAKE.people
        if dies:  # b dies after the as-of date
            people = tuple((*p[:9], p[9], "2024-06-01") if p[0] == "b" else p for p in people)
        # a's stay under way on the as-of date ends later (it was open then)
        spells = tuple((*s[:8], "2024-04-20", *s[9:]) if s[0] == "e4" else s for s in LAKE.spells)
        later = dataclasses.replace(
            LAKE,
            people=people,
            spells=spells + tuple(extra["spells"]),
            attendances=LAKE.attendances + tuple(extra["attendances"]),
            contacts=LAKE.contacts + tuple(extra["contacts"]),
            conditions=LAKE.conditions + tuple(extra["conditions"]),
            packages=LAKE.packages + tuple(extra["packages"]),
            episodes=LAKE.episodes + tuple(extra["episodes"]),
        )
        after = compute_features(later.write(Path(folder) / "after"), AS_OF)
    assert after.equals(before)
