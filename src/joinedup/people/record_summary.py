"""The top of a person's record: who they are, what to know first, who cares for them, and how.

Everything here is read for an opened record (joinedup.access.policy.RecordAccess) and
every item that belongs to a sector or carries a label passes RecordAccess.may_see, so the
summary hides exactly what the timeline hides. Results are plain dataclasses, read inside
the view's transaction, so a template can never run a query of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from joinedup.access.models import CareTeamMember, Consent, Profession, Sector, Sensitivity
from joinedup.access.policy import (
    SENSITIVE_READERS,
    SHARED,
    UNKNOWN,
    RecordAccess,
    condition_sensitivity,
    current_on,
    package_sector,
    profession_sensitivity,
    staff_sector,
)
from joinedup.access.staff_names import names_of, staff_name
from joinedup.formatting import condition_text
from joinedup.lake.vocabulary import CARE_HOME_SERVICES
from joinedup.people.models import Alert
from joinedup.record.age import age_on
from joinedup.record.models import CarePackage, Condition, Episode, Person
from joinedup.record.nhs_number import format_nhs_number, is_valid

SECTOR_LABELS: dict[str, str] = {
    **dict(Sector.choices),
    SHARED: "Integrated team",
    UNKNOWN: "Sector not recorded",
}


@dataclass(frozen=True)
class Banner:
    """The identity banner: enough to be sure this is the right person."""

    person_id: str
    name: str
    nhs_number: str
    birth_date: dt.date
    age: int
    death_date: dt.date | None
    address: tuple[str, ...]
    phone: str
    practice: str
    neighbourhood: str


def banner(person: Person, today: dt.date) -> Banner:
    number = person.nhs_number or ""
    return Banner(
        person_id=person.pk,
        name=f"{person.given_name} {person.family_name}".strip() or "Name not recorded",
        nhs_number=format_nhs_number(number) if number and is_valid(number) else number,
        birth_date=person.birth_date,
        age=age_on(person.birth_date, person.death_date or today),
        death_date=person.death_date,
        address=tuple(
            line
            for line in (person.address_line_1, person.address_line_2, person.town, person.postcode)
            if line
        ),
        phone=person.phone,
        practice=str(person.practice),
        neighbourhood=str(person.neighbourhood),
    )


@dataclass(frozen=True)
class AlertLine:
    label: str
    detail: str = ""
    recorded_at: dt.datetime | None = None
    recorded_by: str = ""
    pk: int | None = None  # None: the living situation, not an Alert that can be ended


def _in_force(now: dt.datetime) -> Q:
    return Q(recorded_at__lte=now) & (Q(ended_at__isnull=True) | Q(ended_at__gt=now))


def current_alerts(person: Person, now: dt.datetime) -> list[AlertLine]:
    """Alerts in force now, then the living situation a visitor must know."""
    rows = list(Alert.objects.filter(_in_force(now), person=person))
    names = names_of(a.recorded_by for a in rows)
    alerts = [
        AlertLine(a.get_kind_display(), a.detail, a.recorded_at, names[a.recorded_by], a.pk)
        for a in rows
    ]
    if person.lives_alone:
        alerts.append(AlertLine("Lives alone"))
    if person.has_unpaid_carer:
        alerts.append(AlertLine("Has an unpaid carer"))
    return alerts


# The alerts that change how a visit goes: shown beside the person on the lists staff visit
# from (the urgent response board, a hospital stay on the transfer of care hub).
VISIT_ALERTS: tuple[str, ...] = (
    Alert.Kind.KEY_SAFE,
    Alert.Kind.DO_NOT_VISIT_ALONE,
    Alert.Kind.FALLS_RISK,
)


def visit_alerts(person_ids: Iterable[str], now: dt.datetime) -> dict[str, str]:
    """Each listed person's visit alerts in force, as one short line ("Key safe, Falls
    risk"), for a page of many people in one query; people without any are left out.
    Alerts are safety information every visitor needs, so no sector or label hides them."""
    labels = dict(Alert.Kind.choices)
    found: dict[str, list[str]] = {}
    rows = (
        Alert.objects.filter(_in_force(now), person_id__in=list(person_ids), kind__in=VISIT_ALERTS)
        .order_by("person_id", "kind")
        .values_list("person_id", "kind")
        .distinct()
    )
    for person_id, kind in rows:
        found.setdefault(person_id, []).append(labels[kind])
    return {person_id: ", ".join(kinds) for person_id, kinds in found.items()}


@dataclass(frozen=True)
class CareTeamLine:
    pk: int
    name: str
    role: str
    profession: str
    organisation: str
    sector: str
    key_worker: bool
    phone: str
    email: str
    since: dt.date


def care_team(access: RecordAccess, today: dt.date) -> list[CareTeamLine]:
    """Current members, key worker first; under an objection, only the viewer's side's staff;
    a mental health practitioner only to those who read mental health detail (being under
    a mental health service is itself that detail)."""
    members = (
        CareTeamMember.objects.filter(current_on(today, "started", "ended"), person=access.person)
        .select_related("staff__user", "staff__organisation")
        .order_by("-key_worker", "started", "id")
    )
    lines = []
    for member in members:
        staff = member.staff
        sector = staff_sector(staff)
        if not access.may_see(sector, profession_sensitivity(staff.profession)):
            continue
        lines.append(
            CareTeamLine(
                pk=member.pk,
                name=staff_name(staff),
                role=member.role,
                profession=staff.get_profession_display(),
                organisation=staff.organisation.name,
                sector=SECTOR_LABELS.get(sector, sector),
                key_worker=member.key_worker,
                phone=staff.phone,
                email=staff.user.email,
                since=member.started,
            )
        )
    return lines


@dataclass(frozen=True)
class CaseloadLine:
    team: str
    since: dt.date
    reason: str


def caseload_teams(access: RecordAccess, today: dt.date) -> list[CaseloadLine]:
    """The integrated teams holding the person on their caseload today (shared entries)."""
    if not access.may_see(SHARED):
        return []
    episodes = (
        Episode.objects.filter(current_on(today, "start_date", "end_date"), person=access.person)
        .select_related("team")
        .order_by("start_date", "id")
    )
    return [
        CaseloadLine(str(e.team), e.start_date, e.get_reason_display() if e.reason else "")
        for e in episodes
    ]


@dataclass(frozen=True)
class ConditionLine:
    pk: int
    html_id: str
    name: str
    onset_date: dt.date
    snomed_code: str


def conditions(access: RecordAccess) -> list[ConditionLine]:
    """Unresolved long-term conditions and frailty, recorded by health (GP) systems."""
    rows = Condition.objects.filter(person=access.person, resolved_date__isnull=True).order_by(
        "onset_date", "id"
    )
    return [
        ConditionLine(
            pk=c.pk,
            html_id=f"entry-condition-{c.pk}",
            name=condition_text(c.condition),
            onset_date=c.onset_date,
            snomed_code=c.snomed_code or "",
        )
        for c in rows
        if access.may_see(Sector.HEALTH, condition_sensitivity(c.condition))
    ]


SERVICE_HEADINGS = {
    "home_care": "Home care",
    "telecare": "Telecare",
    "reablement": "Reablement",
    "intermediate_care": "Intermediate care (bed-based rehabilitation)",
    "residential_care": "Care home (residential)",
    "nursing_care": "Care home (nursing)",
    "day_care": "Day care",
    "equipment_adaptation": "Equipment and adaptations",
    "carer_support": "Support for the carer",
}


@dataclass(frozen=True)
class ServiceLine:
    pk: str
    name: str
    care_home: bool
    start_date: dt.date
    end_date: dt.date | None
    hours_per_week: float | None
    funder: str
    personal_budget: str


def current_services(access: RecordAccess, today: dt.date) -> list[ServiceLine]:
    """Packages running today or planned (end_date null or not before today)."""
    packages = CarePackage.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), person=access.person
    ).order_by("start_date", "id")
    lines = []
    for p in packages:
        if not access.may_see(package_sector(p.funder)):
            continue
        care_home = p.service_type in CARE_HOME_SERVICES or p.permanent
        name = SERVICE_HEADINGS.get(p.service_type or "", "Service type not recorded")
        if p.permanent:
            name += ", permanent placement"
        budget = ""
        if p.personal_budget:
            budget = "Personal budget" + (
                f" ({p.get_budget_mode_display().lower()})" if p.budget_mode else ""
            )
        lines.append(
            ServiceLine(
                pk=p.pk,
                name=name,
                care_home=care_home,
                start_date=p.start_date,
                end_date=p.end_date,
                hours_per_week=p.hours_per_week,
                funder=p.get_funder_display() if p.funder else "Not recorded",
                personal_budget=budget,
            )
        )
    return lines


@dataclass(frozen=True)
class ConsentLine:
    kind: str
    recorded_at: dt.datetime
    recorded_by: str
    note: str
    ended_at: dt.datetime | None
    pk: int = 0
    ended_by: str = ""


def consents(person: Person) -> list[ConsentLine]:
    """Every decision the person has recorded, ended ones too (they explain past sharing),
    with who recorded and ended each by name."""
    rows = list(Consent.objects.filter(person=person).order_by("recorded_at", "id"))
    names = names_of([c.recorded_by for c in rows] + [c.ended_by for c in rows])
    return [
        ConsentLine(
            c.get_kind_display(),
            c.recorded_at,
            names[c.recorded_by],
            c.note,
            c.ended_at,
            c.pk,
            names[c.ended_by],
        )
        for c in rows
    ]


_VIEWER_SIDE: dict[str, str] = {
    Sector.HEALTH: "NHS staff",
    Sector.SOCIAL_CARE: "council and care provider staff",
    Sector.VOLUNTARY: "voluntary sector staff",
}
_HIDDEN_ENTRIES: dict[str, str] = {
    Sector.HEALTH: "health entries",
    Sector.SOCIAL_CARE: "social care entries",
    Sector.VOLUNTARY: "voluntary sector entries",
    UNKNOWN: "entries with no sector recorded",
}


def objection_notice(access: RecordAccess) -> str:
    """What an objection in force hides from this viewer, in plain words ("" when none)."""
    if not access.objection:
        return ""
    hidden = [text for sector, text in _HIDDEN_ENTRIES.items() if not access.may_see(sector)]
    if not hidden:
        return ""
    first, rest = hidden[0], hidden[1:]
    who = _VIEWER_SIDE.get(access.sector, "staff whose sector is not recorded")
    notice = (
        "This person objects to sharing between health and social care: "
        f"{first} are not shown to {who}"
    )
    if rest:
        notice += " (nor are " + ", ".join(rest[:-1]) + (" or " if rest[:-1] else "") + rest[-1]
        notice += ")"
    return notice + ". Entries of the integrated team itself are shown."


def sensitivity_notice(access: RecordAccess) -> str:
    """Which labels this viewer's profession may not read: the same whatever the record holds."""
    profession = access.staff.profession
    labels = [
        Sensitivity(label).label.lower()
        for label, readers in SENSITIVE_READERS.items()
        if profession not in readers
    ]
    if not labels:
        return ""
    listed = ", ".join(labels[:-1]) + (" or " if labels[:-1] else "") + labels[-1]
    return (
        f"Entries labelled {listed} are not shown to your profession "
        f"({Profession(profession).label}), on any record."
    )
