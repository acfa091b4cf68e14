"""The referral lifecycle: properties that hold for every sequence of attempted changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.lake.schema import TASK_STATUSES
from joinedup.record.referral_lifecycle import (
    ENDED,
    OPEN,
    TRANSITIONS,
    IllegalTransitionError,
    check_transition,
)

statuses = st.sampled_from(TASK_STATUSES)


def test_every_contract_status_has_its_transitions_and_nothing_else() -> None:
    assert set(TRANSITIONS) == set(TASK_STATUSES)
    assert all(set(targets) <= set(TASK_STATUSES) for targets in TRANSITIONS.values())
    assert set(ENDED) == {"rejected", "cancelled", "failed", "completed", "entered-in-error"}
    assert set(OPEN) | set(ENDED) | {"draft"} == set(TASK_STATUSES)


def test_every_status_is_reachable_from_draft_and_every_open_one_can_end() -> None:
    seen, frontier = {"draft"}, ["draft"]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(TASK_STATUSES)
    for status in (*OPEN, "draft"):
        assert "entered-in-error" in TRANSITIONS[status]
        assert "cancelled" in TRANSITIONS[status]


@given(start=statuses, attempts=st.lists(statuses, max_size=30))
def test_a_walk_only_ever_takes_allowed_steps_and_never_leaves_an_end(
    start: str, attempts: list[str]
) -> None:
    status = start
    for new in attempts:
        try:
            check_transition(status, new)
        except IllegalTransitionError as refusal:
            assert new not in TRANSITIONS[status]
            assert status in str(refusal) and new in str(refusal)
            continue
        assert status not in ENDED
        assert new in TRANSITIONS[status]
        assert new != "draft"  # nothing goes back to the referrer's draft
        status = new


@given(current=statuses, new=statuses)
def test_completed_needs_work_under_way(current: str, new: str) -> None:
    if new == "completed":
        allowed = True
        try:
            check_transition(current, new)
        except IllegalTransitionError:
            allowed = False
        assert allowed == (current == "in-progress")


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("requested", "completed", "a referral that is requested cannot become completed"),
        ("completed", "in-progress", "it can move nowhere: it has ended"),
        ("requested", "received", "new status: expected one of draft"),
        ("open", "accepted", "current status: expected one of draft"),
    ],
)
def test_refusals_say_what_is_wrong(current: str, new: str, message: str) -> None:
    with pytest.raises(IllegalTransitionError, match=message):
        check_transition(current, new)
