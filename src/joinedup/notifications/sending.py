"""Making notifications: one function per event, each called from the change that causes it.

Call inside the change's transaction, so a change that rolls back leaves no notification
(and sends no e-mail: joinedup.notifications.by_email waits for the commit). `by` is who
acted (the request's user; None for a system such as the hospital feed): nobody is told
of their own action. Whom each event concerns, and who may be told about a person, is
joinedup.notifications.recipients'. Texts are plain words without clinical detail: no
diagnosis, ward, reason or note, and no name of whoever acted (their profession can be
sensitive detail: joinedup.access.policy.profession_sensitivity); the page linked says the
rest under the record's rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from joinedup.access.models import CareTeamMember, StaffMember
from joinedup.formatting import long_date
from joinedup.notifications.by_email import email_after_commit
from joinedup.notifications.models import TEXT_MAX, Kind, Notification
from joinedup.notifications.recipients import key_worker, may_know, told_of_stay
from joinedup.record import referral_lifecycle
from joinedup.record.models import HospitalSpell, Person, Referral, Team

# What a referral's referrer is told, by the status it moved to: its acceptance and every
# way it can end, since each tells the referrer whether help is coming.
REFERRAL_OUTCOMES: dict[str, tuple[Kind, str]] = {
    "accepted": (Kind.REFERRAL_ACCEPTED, "was accepted"),
    "rejected": (Kind.REFERRAL_REJECTED, "was rejected"),
    "completed": (Kind.REFERRAL_COMPLETED, "was completed"),
    "cancelled": (Kind.REFERRAL_CLOSED, "was cancelled"),
    "failed": (Kind.REFERRAL_CLOSED, "was closed as not possible to carry out"),
    "entered-in-error": (Kind.REFERRAL_CLOSED, "was marked as entered in error"),
}
assert set(REFERRAL_OUTCOMES) == {"accepted", *referral_lifecycle.ENDED}


def _send(
    kind: Kind,
    recipients: Iterable[Any],
    *,
    by: Any,
    text: str,
    link: str,
    person: Person | None = None,
) -> list[Notification]:
    """One notification for each recipient (a user), never for whoever acted."""
    now = timezone.now()
    actor = getattr(by, "pk", None)
    chosen = {user.pk: user for user in recipients if user is not None and user.pk != actor}
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            person=person,
            text=text[:TEXT_MAX],
            link=link,
            created_at=now,
        )
        for user in chosen.values()
    )
    email_after_commit(notifications)
    return notifications


def _record(person_id: str) -> str:
    return reverse("people:record", args=[person_id])


def referral_changed(referral: Referral, *, by: Any) -> list[Notification]:
    """The referral's referrer, told that it was accepted or has ended (its status now).

    Named to them even once the referral no longer opens the record: they made it, so the
    name and their own referral's outcome are what they already knew, and its page stays
    theirs (joinedup.referrals.permissions)."""
    outcome = REFERRAL_OUTCOMES.get(referral.status or "")
    if outcome is None or referral.referred_by is None:
        return []
    kind, words = outcome
    return _send(
        kind,
        [referral.referred_by],
        by=by,
        text=f"Your referral for {referral.person} {words}.",
        link=reverse("referrals:referral", args=[referral.pk]),
        person=referral.person,
    )


def key_worker_allocated(allocation: CareTeamMember, team: Team, *, by: Any) -> list[Notification]:
    """The member of staff just made the person's key worker (which opens the record)."""
    person = allocation.person
    return _send(
        Kind.KEY_WORKER,
        [allocation.staff.user],
        by=by,
        text=f"You are now {person}'s key worker in {team.name}.",
        link=_record(person.pk),
        person=person,
    )


def task_given(
    owner: StaffMember | None, person: Person | None, due: dt.date, *, by: Any
) -> list[Notification]:
    """A task's owner, when a member of staff (an organisation has no one to tell yet). The
    person is named only to an owner whose work lets them open the person's record."""
    if owner is None:
        return []
    named = person is not None and may_know(owner, person.pk)
    about = f" about {person}" if named else ""
    return _send(
        Kind.TASK,
        [owner.user],
        by=by,
        text=f"You have a new task{about}, due {long_date(due)}.",
        link=reverse("tasks:mine"),
        person=person if named else None,
    )


def _stay(kind: Kind, spell: HospitalSpell, text: str, by: Any) -> list[Notification]:
    today = timezone.localdate()
    told = told_of_stay(spell, today)
    return _send(
        kind,
        [staff.user for staff in told],
        by=by,
        text=text,
        link=_record(spell.person_id),
        person=spell.person,
    )


def admitted(spell: HospitalSpell, *, by: Any = None) -> list[Notification]:
    """Everyone caring for the person (recipients.caseload_of), told of the admission."""
    words = f"{spell.person} was admitted to hospital on {long_date(spell.admission_date)}."
    return _stay(Kind.ADMITTED, spell, words, by)


def discharged(spell: HospitalSpell, *, by: Any = None) -> list[Notification]:
    """Everyone caring for the person (recipients.caseload_of), told of the discharge."""
    words = f"{spell.person} was discharged from hospital on {long_date(spell.discharge_date)}."
    return _stay(Kind.DISCHARGED, spell, words, by)


def care_plan_changed(person: Person, version: int, *, by: Any) -> list[Notification]:
    """The plan's owner, the person's key worker, told that a version was saved."""
    owner = key_worker(person.pk, timezone.localdate())
    if owner is None or not may_know(owner, person.pk):
        return []
    words = (
        f"A care plan was written for {person}."
        if version == 1
        else f"{person}'s care plan was changed (version {version})."
    )
    return _send(
        Kind.CARE_PLAN,
        [owner.user],
        by=by,
        text=words,
        link=reverse("careplans:plan", args=[person.pk]),
        person=person,
    )
