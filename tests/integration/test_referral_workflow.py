"""The referral workflow on the real database: properties over any sequence of attempts.

Hypothesis drives random sequences of status changes and redirects, legal or not, through
joinedup.referrals.workflow; after every attempt the referral and its history must agree:
the status is the last recorded one, every recorded move is one the lifecycle allows, the
dates follow the moves, and a refused attempt changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.lake.schema import TASK_STATUSES
from joinedup.record import referral_lifecycle as lifecycle
from joinedup.record.models import Referral
from joinedup.referrals.workflow import (
    Actor,
    ReferralError,
    change_status,
    create_referral,
    redirect_to_team,
)
from workspace_world import Workspace, build_workspace

# The workflow's transitions through the ORM, one at a time.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

attempts = st.lists(
    st.one_of(
        st.tuples(st.just("status"), st.sampled_from(TASK_STATUSES), st.booleans()),
        st.tuples(st.just("redirect"), st.sampled_from(["t-north", "t-south", "t-ucr"]),
                  st.booleans()),
    ),
    max_size=12,
)  # fmt: skip


class _RollbackError(Exception):
    """Raised to undo each example's changes (the world is built once per test)."""


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def _snapshot(referral_id: str) -> tuple[Any, ...]:
    r = Referral.objects.get(pk=referral_id)
    return (r.status, r.team_id, r.accepted_at, r.closed_at, r.outcome, r.events.count())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=attempts)
def test_any_sequence_of_attempts_keeps_the_referral_and_its_history_in_step(
    world: Workspace, steps: list[tuple[str, str, bool]]
) -> None:
    actor = Actor(user=world.user("spa"))
    teams = {"t-north": world.north, "t-south": world.south, "t-ucr": world.ucr}
    try:
        with transaction.atomic():
            referral = create_referral(
                person=world.people["bert"], urgency="routine", source="gp", reason="r",
                needs="n", actor=actor,
            )  # fmt: skip
            for kind, target, with_reason in steps:
                before = _snapshot(referral.pk)
                reason = "because" if with_reason else ""
                try:
                    with transaction.atomic():
                        if kind == "status":
                            change_status(referral.pk, target, actor=actor, reason=reason,
                                          team=world.north)  # fmt: skip
                        else:
                            redirect_to_team(referral.pk, teams[target], actor=actor,
                                             reason=reason)  # fmt: skip
                except ReferralError:
                    assert _snapshot(referral.pk) == before  # refused: nothing changed
                _check(referral.pk)
            raise _RollbackError
    except _RollbackError:
        pass


def _check(referral_id: str) -> None:
    referral = Referral.objects.get(pk=referral_id)
    moves = list(referral.events.filter(kind="status").order_by("at", "id"))
    status = moves[-1].to_status if moves else "requested"
    assert referral.status == status
    previous = "requested"
    for move in moves:
        assert move.from_status == previous
        assert move.to_status in lifecycle.TRANSITIONS[previous]
        previous = move.to_status
    reached = {m.to_status for m in moves}
    assert (referral.accepted_at is not None) == ("accepted" in reached)
    assert (referral.closed_at is not None) == (referral.status in lifecycle.ENDED)
    if "accepted" in reached:
        assert referral.team_id is not None
