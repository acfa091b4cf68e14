"""Each kind of timeline entry, ready to show: its title, date, sector, facts and text.

joinedup.people.timeline finds which entries a viewer may see and which page they fall on;
this module only words the rows it is given, one function per kind, each taking the row
and today's date (for a delay still running); alerts and consent decisions, which copy who
recorded them by username, take the page's staff names too (joinedup.access.staff_names).
Nothing here decides who sees what.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Model
from django.utils import timezone

from joinedup.access.models import Consent, Sector, Sensitivity
from joinedup.access.policy import (
    AUTHOR_WITHHELD,
    SHARED,
    contact_sector,
    contact_sensitivity,
    diagnosis_sensitivity,
    package_sector,
    referral_sector,
)
from joinedup.access.staff_names import StaffNames, staff_name
from joinedup.people.models import Alert, CaseNote
from joinedup.people.record_summary import SECTOR_LABELS
from joinedup.record.models import (
    AeAttendance,
    CarePackage,
    Contact,
    Episode,
    HospitalSpell,
    Referral,
)


@dataclass(frozen=True)
class Entry:
    """One timeline entry, ready to show (the viewer has already been allowed to see it)."""

    kind: str
    pk: str
    when: dt.date | dt.datetime
    title: str
    sector: str
    organisation: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    text: str = ""
    sensitivity: str = ""

    @property
    def html_id(self) -> str:
        return f"entry-{self.kind}-{self.pk}"

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, dt.datetime)

    @property
    def sector_label(self) -> str:
        return SECTOR_LABELS.get(self.sector, self.sector)


def _label(model: type[Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    choices = getattr(model._meta.get_field(name), "choices", None) or ()
    return str(dict(choices).get(value, value))


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _day(value: dt.date | None, empty: str = "Not recorded") -> str:
    return f"{value.day} {value:%B %Y}" if value else empty


def _moment(value: dt.datetime | None, empty: str = "Not recorded") -> str:
    if value is None:
        return empty
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _days(count: int) -> str:
    return f"{count} day" + ("" if count == 1 else "s")


def spell_entry(s: HospitalSpell, today: dt.date) -> Entry:
    facts = [
        ("Admitted", _day(s.admission_date)),
        ("Admission method", _label(HospitalSpell, "admission_method", s.admission_method)),
        ("Primary diagnosis (ICD-10)", s.primary_diagnosis or "Not recorded"),
        ("Ready for discharge", _day(s.ready_for_discharge_date)),
        ("Discharged", _day(s.discharge_date, "Still in hospital")),
    ]
    ready, left = s.ready_for_discharge_date, s.discharge_date
    if ready is not None:
        delay = ((left or today) - ready).days
        if delay > 0:
            facts.append(("Delayed discharge" if left else "Delayed so far", _days(delay)))
            facts.append(("Delay reason", _label(HospitalSpell, "delay_reason", s.delay_reason)))
            if s.delay_responsibility:
                facts.append(
                    (
                        "Delay attributed to",
                        _label(HospitalSpell, "delay_responsibility", s.delay_responsibility),
                    )
                )
    if left is not None:
        facts.append(
            ("Destination", _label(HospitalSpell, "discharge_destination", s.discharge_destination))
        )
        if s.discharge_pathway is not None:
            facts.append(("Discharge pathway", str(s.discharge_pathway)))
    if s.fall:
        facts.append(("Injury from a fall", "Yes"))
    method = f" ({s.admission_method})" if s.admission_method else ""
    return Entry(
        "spell",
        s.pk,
        s.admission_date,
        f"Hospital admission{method}",
        Sector.HEALTH,
        facts=tuple(facts),
        sensitivity=sensitivity_label(diagnosis_sensitivity(s.primary_diagnosis)),
    )


def ae_entry(a: AeAttendance, today: dt.date) -> Entry:
    return Entry(
        "ae",
        a.pk,
        a.arrival,
        "A&E attendance",
        Sector.HEALTH,
        facts=(("Arrived", _moment(a.arrival)), ("Admitted", _yes_no(a.admitted))),
    )


def contact_entry(c: Contact, today: dt.date) -> Entry:
    facts = [
        ("Service", _label(Contact, "service", c.service)),
        ("Team", str(c.team) if c.team else "No team recorded"),
        ("Urgent", _yes_no(c.urgent)),
    ]
    if c.response_minutes is not None:
        facts.append(("Response time", f"{c.response_minutes} minutes from referral"))
    return Entry(
        "contact",
        c.pk,
        c.contact_date,
        f"Contact ({_label(Contact, 'service', c.service)})",
        contact_sector(c.sector),
        organisation=str(c.organisation) if c.organisation else "",
        facts=tuple(facts),
        sensitivity=sensitivity_label(contact_sensitivity(c.service)),
    )


def referral_entry(r: Referral, today: dt.date) -> Entry:
    facts = [
        ("Received", _moment(r.received_at)),
        ("Source", _label(Referral, "source", r.source)),
        ("Urgency", _label(Referral, "urgency", r.urgency)),
        ("Status", _label(Referral, "status", r.status)),
        ("Team", str(r.team) if r.team else "Not yet assigned"),
    ]
    if r.accepted_at:
        facts.append(("Accepted", _moment(r.accepted_at)))
    if r.closed_at:
        facts.append(("Closed", _moment(r.closed_at)))
    return Entry(
        "referral",
        r.pk,
        r.received_at,
        f"Referral ({_label(Referral, 'urgency', r.urgency).lower()})",
        referral_sector(r.source),
        organisation=str(r.referrer_organisation) if r.referrer_organisation else "",
        facts=tuple(facts),
        text=r.reason or "",
    )


def episode_entry(e: Episode, today: dt.date) -> Entry:
    facts = [
        ("Team", str(e.team)),
        ("From", _day(e.start_date)),
        ("To", _day(e.end_date, "Still on the caseload")),
        ("Reason", _label(Episode, "reason", e.reason)),
    ]
    if e.end_date:
        facts.append(("Why it ended", _label(Episode, "end_reason", e.end_reason)))
    return Entry(
        "episode",
        e.pk,
        e.start_date,
        f"On the caseload of {e.team}",
        SHARED,
        organisation=str(e.team.organisation) if e.team.organisation else "",
        facts=tuple(facts),
    )


def package_entry(p: CarePackage, today: dt.date) -> Entry:
    facts = [
        ("From", _day(p.start_date)),
        ("To", _day(p.end_date, "Continuing")),
        ("Funder", _label(CarePackage, "funder", p.funder)),
    ]
    if p.hours_per_week is not None:
        facts.append(("Hours a week", f"{p.hours_per_week:g}"))
    if p.personal_budget:
        facts.append(("Personal budget", _label(CarePackage, "budget_mode", p.budget_mode)))
    if p.permanent:
        facts.append(("Permanent placement", "Yes"))
    return Entry(
        "package",
        p.pk,
        p.start_date,
        _label(CarePackage, "service_type", p.service_type),
        package_sector(p.funder),
        facts=tuple(facts),
    )


def note_entry(n: CaseNote, today: dt.date) -> Entry:
    author = staff_name(n.author)
    return Entry(
        "note",
        str(n.pk),
        n.written_at,
        "Case note",
        n.sector,
        organisation=n.organisation.name,
        facts=(("By", author),),
        text=n.text,
        sensitivity=sensitivity_label(n.sensitivity),
    )


def author_withheld(entry: Entry) -> Entry:
    """A note without who wrote it or where: the viewer may read the note but not know that
    its author's service (mental health) is involved (joinedup.access.policy)."""
    return replace(
        entry,
        organisation="",
        facts=(("By", AUTHOR_WITHHELD.capitalize()),),
    )


def sensitivity_label(value: str | None) -> str:
    return Sensitivity(value).label if value else ""


def alert_entry(a: Alert, today: dt.date, names: StaffNames) -> Entry:
    """An alert from when it was recorded: safety information for everyone (SHARED)."""
    facts = [("Recorded by", names[a.recorded_by] or "Not recorded")]
    if a.ended_at is not None:
        by = f" by {names[a.ended_by]}" if a.ended_by else ""
        facts.append(("Ended", _moment(a.ended_at) + by))
    else:
        facts.append(("Status", "Still applies"))
    ended = " (ended)" if a.ended_at is not None else ""
    return Entry(
        "alert",
        str(a.pk),
        a.recorded_at,
        f"Alert: {_label(Alert, 'kind', a.kind)}{ended}",
        SHARED,
        facts=tuple(facts),
        text=a.detail,
    )


def consent_entry(c: Consent, today: dt.date, names: StaffNames) -> Entry:
    """A consent decision from when it was recorded: it governs sharing for both sides, so
    both see it (SHARED), under an objection too."""
    facts = [("Recorded by", names[c.recorded_by] or "Not recorded")]
    if c.ended_at is not None:
        by = f" by {names[c.ended_by]}" if c.ended_by else ""
        facts.append(("Withdrawn", _moment(c.ended_at) + by))
    else:
        facts.append(("Status", "In force"))
    ended = " (withdrawn)" if c.ended_at is not None else ""
    return Entry(
        "consent",
        str(c.pk),
        c.recorded_at,
        f"Consent decision: {_label(Consent, 'kind', c.kind)}{ended}",
        SHARED,
        facts=tuple(facts),
        text=c.note,
    )
