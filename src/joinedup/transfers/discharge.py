"""Recording a discharge, and starting what follows it.

A discharge sets the spell's discharge date, destination and pathway (docs/lake.md's
columns) and, in the same transaction, starts the care the pathway promises, so a person
never leaves hospital on paper with nothing arranged:

- pathway 1 (home with support): a reablement package, or home care when chosen;
- pathway 2 (rehabilitation bed): intermediate care;
- pathway 3 (care home): a permanent residential or nursing placement (nursing when the
  delay was for a nursing home, or when chosen);
- pathway 0 (home, no new support), a death (in hospital, or since, recorded late) or a
  transfer to another hospital: no package.

On pathways 1 to 3, unless the person died or went to another hospital, they are put on
their neighbourhood team's caseload (an episode, reason post_discharge, unless one is open
already) and on the team's next MDT agenda when a meeting is scheduled (otherwise the
agenda's own rule, people on the caseload discharged since the last meeting, lists them
when it is built). Pathway 0 (home with no new support, most discharges) starts nothing:
the team would drown in people who need nothing from it.

The discharge ready date of an adult left unrecorded becomes the discharge date, as the
lake contract says of every discharged adult spell (no delay recorded), so the delay
metrics count the stay; a discharge before the recorded ready date is refused (it would
count as on time), and so is one after the person's recorded death, or to a new care home
on a pathway other than 3. Every change is audited; any problem raises DischargeError
naming the field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.access.policy import current_on
from joinedup.errors import UserError
from joinedup.formatting import long_date
from joinedup.lake import schema
from joinedup.lake.vocabulary import CARE_HOME_SERVICES
from joinedup.mdt.agenda import MeetingHeldError, add_person, next_meeting
from joinedup.mdt.models import AgendaItem
from joinedup.notifications.sending import discharged
from joinedup.record.age import age_on
from joinedup.record.models import CarePackage, Episode, HospitalSpell, Team
from joinedup.referrals.workflow import new_id
from joinedup.transfers.hub_actions import neighbourhood_team
from joinedup.transfers.models import PATHWAYS, PlanChange, Stay

# The follow-on services each pathway allows; the first is the default.
FOLLOW_ON: dict[int, tuple[str, ...]] = {
    0: (),
    1: ("reablement", "home_care"),
    2: ("intermediate_care",),
    3: CARE_HOME_SERVICES,
}
NO_FOLLOW_ON_DESTINATIONS = ("died", "other_hospital")
ADULT = 18  # docs/metrics.md's adult delay spells: 18 or over at discharge
SERVICE_WORDS = {
    "reablement": "reablement",
    "home_care": "a home care package",
    "intermediate_care": "intermediate care",
    "residential_care": "a residential care home placement",
    "nursing_care": "a nursing home placement",
}


class DischargeError(UserError):
    """A discharge that cannot be recorded; `field` names the input at fault."""

    field: str

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Discharged:
    spell: HospitalSpell
    package: CarePackage | None
    episode: Episode | None  # the episode opened (None: none needed, or one was open)
    agenda_item: AgendaItem | None  # None: no meeting scheduled, or already on its agenda


def follow_on_service(spell: HospitalSpell, pathway: int, chosen: str | None) -> str | None:
    """The package the pathway starts: `chosen` when the pathway allows it, else its default."""
    allowed = FOLLOW_ON[pathway]
    if chosen:
        if chosen not in allowed:
            words = " or ".join(SERVICE_WORDS.get(s, s) for s in allowed) or "nothing"
            asked = SERVICE_WORDS.get(chosen, "that service")
            raise DischargeError("follow_on", f"Pathway {pathway} starts {words}, not {asked}")
        return chosen
    if pathway == 3 and spell.delay_reason == "awaiting_nursing_home":
        return "nursing_care"
    return allowed[0] if allowed else None


def _check(
    spell: HospitalSpell, discharge_date: dt.date, destination: str, pathway: int, today: dt.date
) -> None:
    if spell.discharge_date is not None:
        raise DischargeError(
            "discharge_date",
            f"This stay was already discharged on {long_date(spell.discharge_date)}",
        )
    if destination not in schema.DISCHARGE_DESTINATIONS:
        raise DischargeError("discharge_destination", "Select where the person went")
    if pathway not in PATHWAYS:
        raise DischargeError("discharge_pathway", "Select a discharge pathway from 0 to 3")
    if discharge_date < spell.admission_date:
        raise DischargeError(
            "discharge_date",
            "The discharge date must be on or after the admission date, "
            f"{long_date(spell.admission_date)}",
        )
    if discharge_date > today:
        raise DischargeError(
            "discharge_date", f"The discharge date must be on or before {today:%-d %B %Y}"
        )
    ready = spell.ready_for_discharge_date
    if ready is not None and discharge_date < ready:
        raise DischargeError(
            "discharge_date",
            f"The discharge date must be on or after the discharge ready date, {ready:%-d %B %Y}",
        )
    died = spell.person.death_date
    if died is not None and died < discharge_date:
        raise DischargeError(
            "discharge_date",
            f"The person's record says they died on {died:%-d %B %Y}: the discharge date "
            "must be on or before it",
        )
    if destination == "care_home_new" and pathway != 3:
        # a first care home placement is pathway 3; on 0 to 2 nothing, or care at home,
        # would start for someone moving into a care home
        raise DischargeError("discharge_pathway", "A new care home placement is pathway 3")


def record_discharge(
    spell: HospitalSpell,
    *,
    discharge_date: dt.date,
    destination: str,
    pathway: int,
    by: str,
    user: object = None,
    follow_on: str | None = None,
    today: dt.date | None = None,
) -> Discharged:
    """Discharge `spell` and start what follows (see the module's docstring). `by` is the
    username or system recorded; `user` the request's user for the audit (None for a
    system). Raises DischargeError; nothing is saved then."""
    today = today or timezone.localdate()
    with transaction.atomic():
        spell = HospitalSpell.objects.select_for_update().select_related("person").get(pk=spell.pk)
        _check(spell, discharge_date, destination, pathway, today)
        # nothing starts for someone who died, in hospital or since (a late entry)
        goes_on = destination not in NO_FOLLOW_ON_DESTINATIONS and spell.person.death_date is None
        service = follow_on_service(spell, pathway, follow_on) if goes_on else None
        spell.discharge_date = discharge_date
        spell.discharge_destination = destination
        spell.discharge_pathway = pathway
        ready_set = (
            spell.ready_for_discharge_date is None
            and age_on(spell.person.birth_date, discharge_date) >= ADULT
        )
        if ready_set:
            spell.ready_for_discharge_date = discharge_date
        spell.save(
            update_fields=[
                "discharge_date",
                "discharge_destination",
                "discharge_pathway",
                "ready_for_discharge_date",
            ]
        )
        # an open plan form is now stale: saving it would be refused as a conflict
        Stay.objects.filter(pk=spell.pk).update(
            version=F("version") + 1, updated_at=timezone.now(), updated_by=by
        )
        if ready_set:  # the plan changed: its history says so
            PlanChange.record(
                spell,
                Stay.objects.filter(pk=spell.pk).first(),
                by=by,
                note="Discharged with no ready date recorded: the discharge date is taken as "
                "the ready date (no delay)",
                at=timezone.now(),
            )
        audit = _Audit(spell.person_id, user, by)
        audit(
            AuditAction.UPDATE,
            f"hospital spell {spell.pk} discharged on {discharge_date} to {destination}, "
            f"pathway {pathway}" + (" (no delay recorded: ready that day)" if ready_set else ""),
        )
        package = _start_package(spell, service, discharge_date, audit) if service else None
        team = neighbourhood_team(spell) if goes_on and pathway != 0 else None
        episode = _onto_caseload(spell, team, discharge_date, audit) if team else None
        item = None
        meeting = next_meeting(team) if team else None
        if meeting is not None:
            detail = f"Discharged from hospital on {discharge_date:%-d %B} (pathway {pathway})"
            if service:
                detail += f": {SERVICE_WORDS[service]} started"
            try:
                item = add_person(meeting, spell.person_id, detail)
            except MeetingHeldError:  # held between the lookup and now: the next one builds it
                item = None
            if item is not None:
                audit(AuditAction.CREATE, f"mdt agenda of meeting {meeting.pk}: discharged")
        discharged(spell, by=user)  # those caring for the person told
    return Discharged(spell, package, episode, item)


@dataclass(frozen=True)
class _Audit:
    """Audits changes to one person, by a user (a page) or a system (the hospital feed)."""

    person_id: str
    user: object
    by: str

    def __call__(self, action: AuditAction, what: str) -> None:
        # record_event names the user when there is one, else the system `by`
        record_event(action, user=self.user, username=self.by, person_id=self.person_id, what=what)


def _start_package(spell: HospitalSpell, service: str, day: dt.date, audit: _Audit) -> CarePackage:
    package = CarePackage.objects.create(
        id=new_id("package"),
        person_id=spell.person_id,
        service_type=service,
        start_date=day,
        funder="nhs" if service == "intermediate_care" else "council",
        personal_budget=False,
        permanent=service in CARE_HOME_SERVICES,
        after_spell=spell,
    )
    audit(AuditAction.CREATE, f"care package {package.pk} ({service}) after spell {spell.pk}")
    return package


def _onto_caseload(spell: HospitalSpell, team: Team, day: dt.date, audit: _Audit) -> Episode | None:
    already = Episode.objects.filter(person_id=spell.person_id, team=team).filter(
        current_on(day, "start_date", "end_date")
    )
    if already.exists():
        return None
    episode = Episode.objects.create(
        id=new_id("episode"),
        person_id=spell.person_id,
        team=team,
        start_date=day,
        reason="post_discharge",
    )
    audit(
        AuditAction.CREATE, f"caseload episode {episode.pk} opened in {team.name} (post_discharge)"
    )
    return episode
