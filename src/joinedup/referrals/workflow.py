"""Every change to a referral: made, routed, accepted, redirected, visited, closed.

Each function changes the referral, writes its ReferralEvent (who, when, from what to
what) and the audit event in one transaction, after re-reading the referral under a lock,
so two people acting at once cannot both succeed: the second is told what the first did.
Status changes go through joinedup.record.referral_lifecycle.check_transition, and the database
refuses an event recording any other move, so an illegal transition cannot be saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.access.policy import current_on, staff_of
from joinedup.access.staff_names import name_of
from joinedup.errors import UserError
from joinedup.formatting import localtime_text
from joinedup.notifications.sending import referral_changed
from joinedup.record import referral_lifecycle as lifecycle
from joinedup.record.models import Contact, Episode, Organisation, Person, Referral, Team
from joinedup.referrals.models import (
    ConsentAnswer,
    Outcome,
    ReferralConsent,
    ReferralEvent,
    VisitOutcome,
)
from joinedup.referrals.visit_outcomes import DESTINATION_LIMIT, STATUS_AFTER, in_words

TWO_HOURS = dt.timedelta(hours=2)
# How long a referral may wait unaccepted before it is flagged to the referrer and triage.
UNACCEPTED_AFTER: dict[str, dt.timedelta] = {
    "two_hour": dt.timedelta(minutes=30),
    "urgent": dt.timedelta(hours=4),
    "routine": dt.timedelta(days=2),
}
URGENCY_ORDER = {"two_hour": 0, "urgent": 1, "routine": 2}
NEEDS_A_REASON = frozenset({"rejected", "cancelled", "failed", "entered-in-error", "on-hold"})


class ReferralError(UserError):
    """A change that cannot be made; the message starts with the field it is about."""


class ReferralConflictError(ReferralError):
    """Someone else changed the referral since the page was opened."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: a member of staff (user) or a sending system (name only)."""

    user: Any = None
    system: str = ""

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user is not None else self.system

    def copied(self) -> dict[str, str]:
        staff = staff_of(self.user)
        if staff is None:
            return {"username": self.username, "profession": "", "organisation": self.system}
        return {
            "username": self.username,
            "profession": staff.profession,
            "organisation": staff.organisation.name,
        }


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def unaccepted_too_long(referral: Referral, now: dt.datetime | None = None) -> bool:
    """Still waiting for a team to accept it, past its urgency's threshold."""
    if referral.status != "requested":
        return False
    limit = UNACCEPTED_AFTER.get(referral.urgency or "routine", UNACCEPTED_AFTER["routine"])
    return (now or timezone.now()) - referral.received_at > limit


def urgent_response_team() -> Team | None:
    return (
        Team.objects.filter(kind=Team.Kind.URGENT_COMMUNITY_RESPONSE).order_by("name", "id").first()
    )


@dataclass(frozen=True)
class Routing:
    """Where referrals go: two-hour ones to the urgent community response, the rest to the
    person's neighbourhood team (the first to go live, if a neighbourhood has several).
    Read once, so a page of referrals asks the database once, not once a row."""

    urgent: Team | None
    by_neighbourhood: dict[str, Team]

    @classmethod
    def load(cls) -> Routing:
        teams = Team.objects.filter(kind=Team.Kind.NEIGHBOURHOOD).order_by(
            F("go_live_date").desc(nulls_first=True), "-id"
        )  # the last one written for a neighbourhood wins: the first to go live
        return cls(
            urgent_response_team(), {t.neighbourhood_id: t for t in teams if t.neighbourhood_id}
        )

    def suggest(self, person: Person, urgency: str | None) -> Team | None:
        local = self.by_neighbourhood.get(person.neighbourhood_id)
        return (self.urgent or local) if urgency == "two_hour" else local


def suggested_team(person: Person, urgency: str | None) -> Team | None:
    return Routing.load().suggest(person, urgency)


def _event(referral: Referral, actor: Actor, now: dt.datetime, **fields: Any) -> ReferralEvent:
    return ReferralEvent.objects.create(referral=referral, at=now, **actor.copied(), **fields)


def _audit(actor: Actor, action: str, person_id: str, what: str) -> None:
    record_event(action, user=actor.user, person_id=person_id, what=what, username=actor.system)


@transaction.atomic
def create_referral(
    *,
    person: Person,
    urgency: str,
    source: str,
    reason: str,
    needs: str,
    actor: Actor,
    referrer_name: str = "",
    referrer_role: str = "",
    referrer_phone: str = "",
    referrer_organisation: Organisation | None = None,
    external_id: str | None = None,
    source_system: str | None = None,
    consent: str | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """A new referral, requested. Two-hour ones go straight to the urgent response team,
    so the two-hour clock is on its board at once; others wait for triage to route them.
    `consent` is the referrer's answer (a ConsentAnswer); None: not asked (a system's)."""
    if consent is not None and consent not in ConsentAnswer.values:
        raise ReferralError("consent: say whether the person agreed to the referral")
    now = now or timezone.now()
    team = urgent_response_team() if urgency == "two_hour" else None
    referral = Referral.objects.create(
        id=new_id("ref"),
        person=person,
        received_at=now,
        source=source,
        urgency=urgency,
        reason=reason,
        needs=needs,
        team=team,
        status="requested",
        referrer_organisation=referrer_organisation,
        referrer_name=referrer_name,
        referrer_role=referrer_role,
        referrer_phone=referrer_phone,
        referred_by=actor.user,
        source_system=actor.system if source_system is None else source_system,
        external_id=external_id or None,
    )
    if consent is not None:
        ReferralConsent.objects.create(referral=referral, answer=consent)
    _event(referral, actor, now, kind=ReferralEvent.Kind.CREATED, to_status="requested",
           to_team=team)  # fmt: skip
    consented = f", consent: {consent}" if consent is not None else ""
    _audit(actor, AuditAction.CREATE, person.pk, f"referral {referral.pk} ({urgency}{consented})")
    return referral


def _locked(
    referral_id: str, expected_status: str | None, expected_team: str | None = None
) -> Referral:
    """The referral, locked; refused as stale if its status or team ("" for none) is not
    what the acting page showed."""
    referral = Referral.objects.select_for_update().filter(pk=referral_id).first()
    if referral is None:
        raise ReferralError("referral: no such referral")
    if (expected_status is not None and referral.status != expected_status) or (
        expected_team is not None and (referral.team_id or "") != expected_team
    ):
        raise ReferralConflictError(stale_message(referral))
    return referral


def stale_message(referral: Referral) -> str:
    """What to tell someone acting on a referral that changed since their page was drawn."""
    last = referral.events.order_by("-at", "-id").first()
    who = f" by {name_of(last.username)} at {timezone.localtime(last.at):%H:%M}" if last else ""
    return (
        f"status: this referral was changed{who} since you opened it: it is now "
        f"{referral.status}. Check it again before deciding."
    )


@transaction.atomic
def change_status(
    referral_id: str,
    new_status: str,
    *,
    actor: Actor,
    reason: str = "",
    team: Team | None = None,
    expected_status: str | None = None,
    expected_team: str | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Move a referral along the lifecycle; accepting needs a team, ending most needs a reason."""
    now = now or timezone.now()
    referral = _locked(referral_id, expected_status, expected_team)
    current = referral.status or "requested"
    try:
        lifecycle.check_transition(current, new_status)
    except lifecycle.IllegalTransitionError as error:
        raise ReferralError(str(error)) from None
    reason = reason.strip()
    if new_status in NEEDS_A_REASON and not reason:
        raise ReferralError(f"reason: give the reason the referral is {new_status}")
    from_team = referral.team
    if new_status == "accepted":
        team = team or referral.team
        if team is None:
            raise ReferralError("team: choose the team that is accepting the referral")
        referral.team = team
        referral.accepted_at = now
    referral.status = new_status
    if new_status in lifecycle.ENDED:
        referral.closed_at = now
    if reason:
        referral.outcome = reason
    elif new_status == "accepted":
        referral.outcome = f"Accepted by {referral.team}"
    referral.save(update_fields=["status", "team", "accepted_at", "closed_at", "outcome"])
    _event(
        referral, actor, now, kind=ReferralEvent.Kind.STATUS, from_status=current,
        to_status=new_status, from_team=from_team, to_team=referral.team, reason=reason,
    )  # fmt: skip
    _audit(actor, AuditAction.UPDATE, referral.person_id, f"referral {referral.pk} {new_status}")
    referral_changed(referral, by=actor.user)  # the referrer told of an acceptance or an end
    if new_status == "accepted" and referral.team is not None:
        _onto_caseload(referral, referral.team, actor, now)
    return referral


def _onto_caseload(referral: Referral, team: Team, actor: Actor, now: dt.datetime) -> None:
    """A neighbourhood team that accepts a referral takes the person onto its caseload."""
    if team.kind != Team.Kind.NEIGHBOURHOOD:
        return
    today = timezone.localdate(now)
    open_now = Episode.objects.filter(person_id=referral.person_id, team=team).filter(
        current_on(today, "start_date", "end_date")
    )
    if open_now.exists():
        return
    episode = Episode.objects.create(
        id=new_id("episode"), person_id=referral.person_id, team=team, start_date=today,
        reason="referral",
    )  # fmt: skip
    _event(referral, actor, now, kind=ReferralEvent.Kind.NOTE,
           reason=f"Added to {team}'s caseload")  # fmt: skip
    _audit(actor, AuditAction.CREATE, referral.person_id, f"episode {episode.pk} (referral)")


@transaction.atomic
def redirect_to_team(
    referral_id: str,
    team: Team,
    *,
    actor: Actor,
    reason: str,
    expected_status: str | None = None,
    expected_team: str | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Send a referral nobody has accepted yet to another team, which then decides on it."""
    now = now or timezone.now()
    referral = _locked(referral_id, expected_status, expected_team)
    if referral.status != "requested":
        raise ReferralError(
            f"team: only a referral waiting to be accepted can be redirected; this one is "
            f"{referral.status}"
        )
    if referral.team_id == team.pk:
        raise ReferralError(f"team: the referral is already with {team}")
    if not reason.strip():
        raise ReferralError("reason: give the reason for redirecting the referral")
    from_team = referral.team
    referral.team = team
    referral.outcome = f"Redirected to {team}: {reason.strip()}"
    referral.save(update_fields=["team", "outcome"])
    _event(
        referral, actor, now, kind=ReferralEvent.Kind.REDIRECTED, from_team=from_team,
        to_team=team, reason=reason.strip(),
    )  # fmt: skip
    _audit(actor, AuditAction.UPDATE, referral.person_id, f"referral {referral.pk} redirected")
    return referral


def response_minutes(received_at: dt.datetime, arrived_at: dt.datetime) -> int:
    """Whole minutes from receipt to arrival (docs/lake.md's response_minutes)."""
    return int((arrived_at - received_at).total_seconds() // 60)


def _first_visits() -> QuerySet[Contact, Contact]:
    return Contact.objects.filter(referral_id=OuterRef("pk"), response_minutes__isnull=False)


def not_yet_visited() -> Q:
    """Referrals with no first visit: none recorded here, and no first-visit contact (which
    is how a loaded lake records one)."""
    return Q(first_visit_at__isnull=True) & ~Q(Exists(_first_visits()))


def first_visit_minutes(referral: Referral) -> int | None:
    """Minutes from receipt to the first visit, wherever it was recorded; None: no visit."""
    if referral.first_visit_at is not None:
        return response_minutes(referral.received_at, referral.first_visit_at)
    return (
        Contact.objects.filter(referral=referral, response_minutes__isnull=False)
        .order_by("contact_date", "id")
        .values_list("response_minutes", flat=True)
        .first()
    )


@transaction.atomic
def record_first_visit(
    referral_id: str,
    arrived_at: dt.datetime,
    *,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Contact:
    """The urgent response's first visit: the contact with response_minutes, and the
    referral accepted (when it was not yet) and in progress, each step in its history."""
    now = now or timezone.now()
    referral = _locked(referral_id, None)
    if referral.urgency != "two_hour":
        raise ReferralError("referral: only two-hour referrals have a first-visit clock")
    already = first_visit_minutes(referral)
    if already is not None:
        raise ReferralError(
            f"arrived_at: the first visit was already recorded, {already} minutes after the "
            "referral"
        )
    if referral.status not in lifecycle.VISITABLE:
        raise ReferralError(f"referral: the referral is {referral.status}")
    if arrived_at < referral.received_at:
        raise ReferralError("arrived_at: the visit cannot be before the referral was received")
    if arrived_at > now:
        raise ReferralError("arrived_at: the visit cannot be in the future")
    staff = staff_of(actor.user)
    if referral.status == "requested":
        change_status(referral_id, "accepted", actor=actor, team=referral.team, now=now)
        referral.refresh_from_db()
    if referral.status == "accepted":
        change_status(referral_id, "in-progress", actor=actor, now=now)
        referral.refresh_from_db()
    minutes = response_minutes(referral.received_at, arrived_at)
    contact = Contact.objects.create(
        id=new_id("contact"),
        person_id=referral.person_id,
        contact_date=timezone.localdate(arrived_at),
        service="rapid_response",
        sector="health",
        team=referral.team,
        referral=referral,
        urgent=True,
        response_minutes=minutes,
        organisation=staff.organisation if staff is not None else None,
    )
    referral.first_visit_at = arrived_at
    referral.save(update_fields=["first_visit_at"])
    _event(
        referral, actor, now, kind=ReferralEvent.Kind.FIRST_VISIT,
        reason=f"Arrived {minutes} minutes after the referral was received",
    )  # fmt: skip
    _audit(actor, AuditAction.CREATE, referral.person_id, f"first visit for referral {referral.pk}")
    return contact


def visit_outcome_refusal(referral: Referral) -> ReferralError | None:
    """Why the visit's outcome cannot be recorded now, whatever it is (None: it can): a
    conflict when it already was (someone else got there first)."""
    earlier = VisitOutcome.objects.filter(referral=referral).first()
    if earlier is not None:
        return ReferralConflictError(
            f"outcome: {name_of(earlier.recorded_by)} already recorded the visit's outcome on "
            f"{localtime_text(earlier.recorded_at)}: {in_words(earlier)}"
        )
    if referral.urgency != "two_hour":
        return ReferralError("referral: only two-hour referrals have a visit outcome")
    if first_visit_minutes(referral) is None:
        return ReferralError("outcome: record the first visit before what came of it")
    if referral.status != "in-progress":
        return ReferralError(
            f"outcome: the referral is {referral.status}; a visit's outcome is recorded while "
            "the referral is in progress"
        )
    return None


def _destination(outcome: str, team: Team | None, words: str) -> tuple[Team | None, str]:
    """Where a person referred on went: one of the teams, or a service named in words."""
    words = words.strip()
    if outcome != Outcome.REFERRED_ON:
        return None, ""
    if team is not None and words:
        raise ReferralError("referred_to: choose one of the teams or write the service, not both")
    if team is None and not words:
        raise ReferralError(
            "referred_to_team: choose the team the person was referred on to, or write the service"
        )
    if len(words) > DESTINATION_LIMIT:
        raise ReferralError(
            f"referred_to: write the service in {DESTINATION_LIMIT} characters or fewer"
        )
    return team, words


@transaction.atomic
def record_visit_outcome(
    referral_id: str,
    outcome: str,
    *,
    actor: Actor,
    referred_to_team: Team | None = None,
    referred_to: str = "",
    expected_status: str | None = None,
    now: dt.datetime | None = None,
) -> VisitOutcome:
    """What came of the first visit, once: kept, in the history and the audit, and the
    referral ended as visit_outcomes.STATUS_AFTER says (which tells the referrer)."""
    now = now or timezone.now()
    referral = _locked(referral_id, None)
    refusal = visit_outcome_refusal(referral)
    if isinstance(refusal, ReferralConflictError):
        raise refusal
    if expected_status is not None and referral.status != expected_status:
        raise ReferralConflictError(stale_message(referral))
    if refusal is not None:
        raise refusal
    if outcome not in STATUS_AFTER:
        raise ReferralError("outcome: choose what came of the visit")
    team, words = _destination(outcome, referred_to_team, referred_to)
    recorded = VisitOutcome.objects.create(
        referral=referral, outcome=outcome, referred_to_team=team, referred_to=words,
        recorded_at=now, recorded_by=actor.username,
    )  # fmt: skip
    said = in_words(recorded)
    _event(referral, actor, now, kind=ReferralEvent.Kind.VISIT_OUTCOME, reason=said)
    _audit(actor, AuditAction.CREATE, referral.person_id,
           f"visit outcome for referral {referral.pk}: {outcome}")  # fmt: skip
    change_status(
        referral_id, STATUS_AFTER[outcome], actor=actor, reason=f"Visit outcome: {said}", now=now
    )
    return recorded
