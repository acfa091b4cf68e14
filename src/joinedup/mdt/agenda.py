"""Building an MDT meeting's agenda: who the team should discuss, and why.

Four reasons, in this order (a person is listed once, for the first that applies):
1. referrals newly accepted by the team since its previous held meeting (the last
   WINDOW_DAYS days when it has held none), still open;
2. people on the team's caseload on the meeting date discharged from hospital since then;
3. people at high risk whom no team knows: the top of the team's case-finding worklist
   (joinedup.casefinding.worklist) when risk scores are loaded, else the interim rule
   (joinedup.casefinding.interim_risk, its RULE), as high_risk_rule() says on the page;
4. caseload people whose care plan review date is before the meeting date.
Rebuilding an agenda before the meeting is held keeps every item and what was written on
it, and adds the people who have qualified since; a held meeting's agenda never changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from joinedup.access.policy import current_on
from joinedup.careplans.models import CarePlan
from joinedup.casefinding.interim_risk import RULE, high_risk_unknown
from joinedup.casefinding.worklist import current_run, score_line, stale_days, worklist
from joinedup.formatting import long_date
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.record.models import Episode, HospitalSpell, Referral, Team
from joinedup.record.referral_lifecycle import OPEN

WINDOW_DAYS = 14
HIGH_RISK_LIMIT = 20  # people a meeting's agenda takes for this reason
INTERIM_RULE = f"No risk scores are loaded, so the interim rule applies. {RULE}"

SOURCE_WORDS = {
    "gp": "from GP",
    "hospital": "from hospital",
    "self": "self-referral",
    "family_carer": "from a family carer",
    "nhs111": "from NHS 111",
    "ambulance": "from the ambulance service",
    "social_care": "from social care",
    "voluntary": "from the voluntary sector",
    "telecare": "from telecare",
    "other": "from another source",
}


class MeetingHeldError(Exception):
    """A held meeting's agenda is its record: it is never rebuilt or added to."""


@dataclass(frozen=True)
class Candidate:
    person_id: str
    reason: str
    detail: str
    factors: tuple[str, ...] = ()  # a risk score's top factors (shown per viewer)


def day_month(day: dt.date, meeting_day: dt.date) -> str:
    """ "3 March", with the year when it is not the meeting's."""
    text = f"{day.day} {day:%B}"
    return text if day.year == meeting_day.year else f"{text} {day.year}"


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The team's last held meeting before this one."""
    return (
        Meeting.objects.filter(
            team_id=meeting.team_id, status=Meeting.Status.HELD, starts_at__lt=meeting.starts_at
        )
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .first()
    )


def window_start(meeting: Meeting) -> dt.datetime:
    """Since when things are new: the previous held meeting, else WINDOW_DAYS before."""
    previous = previous_meeting(meeting)
    if previous is not None:
        return previous.starts_at
    return meeting.starts_at - dt.timedelta(days=WINDOW_DAYS)


def _caseload_ids(meeting: Meeting, on: dt.date) -> list[str]:
    return list(
        Episode.objects.filter(current_on(on, "start_date", "end_date"), team_id=meeting.team_id)
        .values_list("person_id", flat=True)
        .distinct()
    )


def new_referrals(meeting: Meeting, since: dt.datetime, on: dt.date) -> Iterable[Candidate]:
    referrals = (
        Referral.objects.filter(
            team_id=meeting.team_id,
            status__in=OPEN,
            accepted_at__gte=since,
            accepted_at__lte=meeting.starts_at,
        )
        .only("person_id", "accepted_at", "source")
        .order_by("accepted_at", "id")
    )
    for referral in referrals:
        assert referral.accepted_at is not None
        accepted = timezone.localdate(referral.accepted_at)
        words = SOURCE_WORDS.get(referral.source or "", "")
        detail = f"Accepted {day_month(accepted, on)}" + (f" {words}" if words else "")
        yield Candidate(referral.person_id, AgendaItem.Reason.NEW_REFERRAL, detail)


def discharges(caseload: list[str], since: dt.datetime, on: dt.date) -> Iterable[Candidate]:
    spells = (
        HospitalSpell.objects.filter(
            person_id__in=caseload,
            discharge_date__gte=timezone.localdate(since),
            discharge_date__lte=on,
        )
        .only("person_id", "admission_date", "discharge_date")
        .order_by("discharge_date", "id")
    )
    for spell in spells:
        assert spell.discharge_date is not None
        days = (spell.discharge_date - spell.admission_date).days
        stay = (
            "on the day of admission"
            if days == 0
            else f"after {days} day{'' if days == 1 else 's'}"
        )
        detail = f"Discharged {day_month(spell.discharge_date, on)} {stay}"
        yield Candidate(spell.person_id, AgendaItem.Reason.DISCHARGED, detail)


def high_risk_rule() -> str:
    """How the agenda finds people at high risk, in words for the page."""
    run = current_run()
    if run is None:
        return INTERIM_RULE
    model = (
        f" (model trained on the year after {long_date(run.model_as_of)})"
        if run.model_as_of
        else ""
    )
    old = stale_days(run, timezone.localdate())
    warning = f" These scores are {old:,} days old: ask for them to be scored again." if old else ""
    return (
        f"Risk scores of {long_date(run.as_of)}{model}: the top {HIGH_RISK_LIMIT} of the "
        "team's case-finding worklist (very high and high bands, highest first). A score "
        f"is a prompt for professional judgement, not a decision.{warning}"
    )


def high_risk(meeting: Meeting, on: dt.date) -> Iterable[Candidate]:
    """The worklist's top people when scores are loaded; the interim rule otherwise."""
    run = current_run()
    if run is not None:
        for score in worklist(meeting.team, on, run)[:HIGH_RISK_LIMIT]:
            yield Candidate(
                score.person_id,
                AgendaItem.Reason.HIGH_RISK,
                score_line(score),
                tuple(score.top_factors or ()),
            )
        return
    for found in high_risk_unknown(meeting.team, on, HIGH_RISK_LIMIT):
        n = found.admissions
        detail = f"{n} emergency admission{'' if n == 1 else 's'} in 12 months"
        if found.severe_frailty:
            detail += ", severe frailty"
        yield Candidate(found.person.pk, AgendaItem.Reason.HIGH_RISK, detail)


def overdue_reviews(caseload: list[str], on: dt.date) -> Iterable[Candidate]:
    plans = (
        CarePlan.objects.filter(person_id__in=caseload, review_date__lt=on)
        .only("person_id", "review_date")
        .order_by("review_date", "id")
    )
    for plan in plans:
        assert plan.review_date is not None
        detail = f"Review due {day_month(plan.review_date, on)}"
        yield Candidate(plan.person_id, AgendaItem.Reason.REVIEW_OVERDUE, detail)


def candidates(meeting: Meeting) -> list[Candidate]:
    """Everyone the rules put on the agenda, once each, for the first reason in order."""
    on = timezone.localdate(meeting.starts_at)
    since = window_start(meeting)
    caseload = _caseload_ids(meeting, on)
    chosen: dict[str, Candidate] = {}
    for source in (
        new_referrals(meeting, since, on),
        discharges(caseload, since, on),
        high_risk(meeting, on),
        overdue_reviews(caseload, on),
    ):
        for candidate in source:
            chosen.setdefault(candidate.person_id, candidate)
    return list(chosen.values())


def build_agenda(meeting: Meeting) -> list[AgendaItem]:
    """Save the agenda's items (existing ones kept as they are, new people added after).

    Returns the whole agenda in order. Refuses a held meeting (MeetingHeldError).
    """
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("team").get(pk=meeting.pk)
        if locked.status == Meeting.Status.HELD:
            raise MeetingHeldError("This meeting has been held: its agenda cannot change.")
        existing = set(
            AgendaItem.objects.filter(meeting=locked).values_list("person_id", flat=True)
        )
        last = AgendaItem.objects.filter(meeting=locked).aggregate(n=Max("position"))["n"] or 0
        new = [c for c in candidates(locked) if c.person_id not in existing]
        AgendaItem.objects.bulk_create(
            [
                AgendaItem(
                    meeting=locked,
                    person_id=c.person_id,
                    reason=c.reason,
                    detail=c.detail[:300],
                    factors=list(c.factors),
                    position=last + i,
                )
                for i, c in enumerate(new, start=1)
            ]
        )
        return list(
            AgendaItem.objects.filter(meeting=locked)
            .select_related("person")
            .order_by("position", "id")
        )


def next_meeting(team: Team) -> Meeting | None:
    """The team's next scheduled MDT meeting (not yet started)."""
    return (
        Meeting.objects.filter(
            team=team, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at", "pk")
        .first()
    )


def add_person(
    meeting: Meeting,
    person_id: str,
    detail: str = "",
    *,
    reason: str = AgendaItem.Reason.ADDED,
    factors: list[str] | None = None,
) -> AgendaItem | None:
    """Add one person (by hand: reason "added"; from the case-finding worklist: "high risk",
    with the score's factors); None if they are already on the agenda."""
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == Meeting.Status.HELD:
            raise MeetingHeldError("This meeting has been held: its agenda cannot change.")
        if AgendaItem.objects.filter(meeting=locked, person_id=person_id).exists():
            return None
        last = AgendaItem.objects.filter(meeting=locked).aggregate(n=Max("position"))["n"] or 0
        return AgendaItem.objects.create(
            meeting=locked,
            person_id=person_id,
            reason=reason,
            detail=detail[:300],
            factors=factors or [],
            position=last + 1,
        )
