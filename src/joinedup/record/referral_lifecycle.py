"""The referral lifecycle: FHIR Task statuses as the Gravity referral profile uses them.

A referral moves only along these transitions, so nothing can be quietly reopened,
completed without being accepted, or lost between organisations: every referral is either
open (someone owes it an action) or ended with a status that says how. The statuses are
the contract's (docs/lake.md), which leaves out FHIR's `received` and `ready`. Anything
still open can be marked entered-in-error (recorded by mistake); nothing leaves an end.
It sits beside the Referral record, below the apps, because access decisions and teams'
relationships ask which referrals are open as much as the referrals workflow does.
"""

from __future__ import annotations

from joinedup.errors import UserError
from joinedup.lake.schema import TASK_STATUSES

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("requested", "cancelled", "entered-in-error"),
    # The receiving team decides; the referrer may withdraw before it does.
    "requested": ("accepted", "rejected", "cancelled", "entered-in-error"),
    "accepted": ("in-progress", "cancelled", "entered-in-error"),
    # Work under way can pause, finish, fail (attempted, could not be done) or be stopped.
    "in-progress": ("on-hold", "completed", "failed", "cancelled", "entered-in-error"),
    "on-hold": ("in-progress", "failed", "cancelled", "entered-in-error"),
    "rejected": (),
    "cancelled": (),
    "failed": (),
    "completed": (),
    "entered-in-error": (),
}

ENDED = tuple(status for status in TASK_STATUSES if not TRANSITIONS[status])
# Open: someone owes the referral an action (a draft is the referrer's own, not yet sent).
OPEN = ("requested", "accepted", "in-progress", "on-hold")
# Open and not paused: a first visit may be recorded (the urgent board waits on these).
VISITABLE = ("requested", "accepted", "in-progress")


class IllegalTransitionError(UserError):
    """A status change the lifecycle does not allow; the message says what is allowed."""


def check_transition(current: str, new: str) -> None:
    """Refuse, with a message naming both statuses, any change the lifecycle does not allow."""
    for name, status in (("current status", current), ("new status", new)):
        if status not in TRANSITIONS:
            raise IllegalTransitionError(
                f"{name}: expected one of {', '.join(TASK_STATUSES)}, found {status!r}"
            )
    allowed = TRANSITIONS[current]
    if new not in allowed:
        then = f"only to {', '.join(allowed)}" if allowed else "nowhere: it has ended"
        raise IllegalTransitionError(
            f"status: a referral that is {current} cannot become {new}; it can move {then}"
        )
