"""One timeline of everything every organisation recorded about a person, newest first.

A person may have thousands of contacts, so the timeline is built in two passes: first a
narrow key (id, date and the columns that decide the entry's sector and label) of every
entry matching the filters, each passed through RecordAccess.may_see, sorted and cut to
one page; then the full rows of that page only. Hidden entries are dropped in the first
pass, before anything is counted, so a page never reveals that they exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from joinedup.access.models import Sector, Sensitivity
from joinedup.access.policy import (
    SHARED,
    RecordAccess,
    contact_sector,
    contact_sensitivity,
    diagnosis_sensitivity,
    package_sector,
    referral_sector,
)
from joinedup.forms.dates import ISO_8601, parse_date
from joinedup.forms.errors import FieldError
from joinedup.people.models import CaseNote
from joinedup.people.record_summary import SECTOR_LABELS
from joinedup.record.models import (
    AeAttendance,
    CarePackage,
    Contact,
    Episode,
    HospitalSpell,
    Referral,
)

PAGE_SIZE = 100

KIND_LABELS: dict[str, str] = {
    "spell": "Hospital admissions",
    "ae": "A&E attendances",
    "contact": "Contacts",
    "referral": "Referrals",
    "episode": "Caseload episodes",
    "package": "Care packages and services",
    "note": "Case notes",
}
KINDS = tuple(KIND_LABELS)

# Sectors a viewer may filter by: the three of the partnership and the integrated team's own.
FILTER_SECTORS: dict[str, str] = {s: SECTOR_LABELS[s] for s in (*Sector.values, SHARED)}


# --- filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilter:
    sectors: tuple[str, ...] = ()  # empty: every sector
    kinds: tuple[str, ...] = ()  # empty: every kind
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        return bool(self.sectors or self.kinds or self.date_from or self.date_to)

    def query(self, page: int | None = None) -> list[tuple[str, str]]:
        """The GET parameters for these filters (and a page), for links."""
        params = [("sector", s) for s in self.sectors] + [("kind", k) for k in self.kinds]
        if self.date_from:
            params.append(("from", self.date_from.isoformat()))
        if self.date_to:
            params.append(("to", self.date_to.isoformat()))
        if page and page != 1:
            params.append(("page", str(page)))
        return params


def _choices(values: list[str], allowed: Mapping[str, str], field_id: str, what: str) -> Any:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        listed = ", ".join(allowed.values())
        return FieldError(field_id, f"Choose a {what} from the list ({listed})")
    return tuple(v for v in allowed if v in values)


def _date(value: str, field_id: str, label: str) -> dt.date | FieldError | None:
    if not value.strip():
        return None
    return parse_date(value, (ISO_8601,)) or FieldError(
        field_id, f"{label} must be a real date, written like 2024-03-31 (year-month-day)"
    )


def parse_filter(params: Any) -> tuple[TimelineFilter, list[FieldError]]:
    """Filters from GET parameters (a QueryDict): every bad value becomes a message."""
    errors: list[FieldError] = []
    sectors = _choices(params.getlist("sector"), FILTER_SECTORS, "sector", "sector")
    kinds = _choices(params.getlist("kind"), KIND_LABELS, "kind", "kind of entry")
    date_from = _date(params.get("from", ""), "from", "The date from")
    date_to = _date(params.get("to", ""), "to", "The date to")
    page_text = params.get("page", "1").strip() or "1"
    page = int(page_text) if page_text.isascii() and page_text.isdigit() else 0
    for value in (sectors, kinds, date_from, date_to):
        if isinstance(value, FieldError):
            errors.append(value)
    if page < 1 or page > 1_000_000:
        errors.append(FieldError("timeline", "The page must be a whole number, 1 or more"))
    if isinstance(date_from, dt.date) and isinstance(date_to, dt.date) and date_from > date_to:
        errors.append(FieldError("to", "The date to must be the same as or after the date from"))
    if errors or isinstance(date_from, FieldError) or isinstance(date_to, FieldError):
        return TimelineFilter(), errors
    return TimelineFilter(sectors, kinds, date_from, date_to, page), []


# --- entries ----------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Key:
    kind: str
    pk: str
    when: dt.date | dt.datetime
    sector: str

    @property
    def order(self) -> tuple[dt.datetime, int, str]:
        if isinstance(self.when, dt.datetime):
            local = timezone.localtime(self.when).replace(tzinfo=None)
        else:
            local = dt.datetime.combine(self.when, dt.time.min)
        return (local, -KINDS.index(self.kind), self.pk)


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


def _spell(s: HospitalSpell, today: dt.date) -> Entry:
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
        sensitivity=_sensitivity_label(diagnosis_sensitivity(s.primary_diagnosis)),
    )


def _ae(a: AeAttendance, today: dt.date) -> Entry:
    return Entry(
        "ae",
        a.pk,
        a.arrival,
        "A&E attendance",
        Sector.HEALTH,
        facts=(("Arrived", _moment(a.arrival)), ("Admitted", _yes_no(a.admitted))),
    )


def _contact(c: Contact, today: dt.date) -> Entry:
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
        sensitivity=_sensitivity_label(contact_sensitivity(c.service)),
    )


def _referral(r: Referral, today: dt.date) -> Entry:
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


def _episode(e: Episode, today: dt.date) -> Entry:
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


def _package(p: CarePackage, today: dt.date) -> Entry:
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


def _note(n: CaseNote, today: dt.date) -> Entry:
    author = n.author.user.get_full_name() or n.author.user.get_username()
    return Entry(
        "note",
        str(n.pk),
        n.written_at,
        "Case note",
        n.sector,
        organisation=n.organisation.name,
        facts=(("By", author),),
        text=n.text,
        sensitivity=_sensitivity_label(n.sensitivity),
    )


def _sensitivity_label(value: str | None) -> str:
    return Sensitivity(value).label if value else ""


@dataclass(frozen=True)
class _Source:
    """How to read one kind: its model, date column, key columns and label, full rows."""

    model: type[Model]
    date_field: str
    timed: bool
    columns: tuple[str, ...]
    classify: Callable[[tuple[Any, ...]], tuple[str, str | None]]  # key columns -> sector, label
    related: tuple[str, ...]
    entry: Callable[[Any, dt.date], Entry]


SOURCES: dict[str, _Source] = {
    "spell": _Source(
        HospitalSpell,
        "admission_date",
        False,
        ("primary_diagnosis",),
        lambda k: (Sector.HEALTH, diagnosis_sensitivity(k[0])),
        (),
        _spell,
    ),
    "ae": _Source(AeAttendance, "arrival", True, (), lambda k: (Sector.HEALTH, None), (), _ae),
    "contact": _Source(
        Contact,
        "contact_date",
        False,
        ("sector", "service"),
        lambda k: (contact_sector(k[0]), contact_sensitivity(k[1])),
        ("team", "organisation"),
        _contact,
    ),
    "referral": _Source(
        Referral,
        "received_at",
        True,
        ("source",),
        lambda k: (referral_sector(k[0]), None),
        ("team", "referrer_organisation"),
        _referral,
    ),
    "episode": _Source(
        Episode,
        "start_date",
        False,
        (),
        lambda k: (SHARED, None),
        ("team__organisation",),
        _episode,
    ),
    "package": _Source(
        CarePackage,
        "start_date",
        False,
        ("funder",),
        lambda k: (package_sector(k[0]), None),
        (),
        _package,
    ),
    "note": _Source(
        CaseNote,
        "written_at",
        True,
        ("sector", "sensitivity"),
        lambda k: (k[0], k[1]),
        ("author__user", "organisation"),
        _note,
    ),
}
assert set(SOURCES) == set(KINDS)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _dated(query: QuerySet[Any], source: _Source, timeline_filter: TimelineFilter) -> Any:
    name = source.date_field
    start, end = timeline_filter.date_from, timeline_filter.date_to
    if source.timed:
        if start:
            query = query.filter(**{f"{name}__gte": _start_of(start)})
        if end:
            query = query.filter(**{f"{name}__lt": _start_of(end + dt.timedelta(days=1))})
    else:
        if start:
            query = query.filter(**{f"{name}__gte": start})
        if end:
            query = query.filter(**{f"{name}__lte": end})
    return query


def _keys(access: RecordAccess, timeline_filter: TimelineFilter) -> list[_Key]:
    """Every entry this viewer may see that matches the filters: narrow rows only."""
    keys: list[_Key] = []
    kinds = timeline_filter.kinds or KINDS
    for kind in kinds:
        source = SOURCES[kind]
        query = _dated(
            source.model._default_manager.filter(person_id=access.person.pk),
            source,
            timeline_filter,
        )
        for row in query.values_list("pk", source.date_field, *source.columns):
            sector, sensitivity = source.classify(row[2:])
            if not access.may_see(sector, sensitivity):
                continue
            if timeline_filter.sectors and sector not in timeline_filter.sectors:
                continue
            keys.append(_Key(kind, str(row[0]), row[1], sector))
    return keys


def _entries(
    access: RecordAccess, keys: Iterable[_Key], today: dt.date
) -> dict[tuple[str, str], Entry]:
    """The full rows of one page's keys, one query per kind, each checked again."""
    wanted: dict[str, list[str]] = {}
    for key in keys:
        wanted.setdefault(key.kind, []).append(key.pk)
    entries: dict[tuple[str, str], Entry] = {}
    for kind, pks in wanted.items():
        source = SOURCES[kind]
        rows = source.model._default_manager.filter(pk__in=pks)
        if source.related:
            rows = rows.select_related(*source.related)
        for row in rows:
            sector, sensitivity = source.classify(tuple(getattr(row, c) for c in source.columns))
            if access.may_see(sector, sensitivity):
                entries[(kind, str(row.pk))] = source.entry(row, today)
    return entries


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    number: int
    pages: int
    total: int
    first: int
    last: int
    errors: list[FieldError] = field(default_factory=list)


def timeline(
    access: RecordAccess,
    timeline_filter: TimelineFilter,
    today: dt.date,
    page_size: int = PAGE_SIZE,
) -> TimelinePage:
    """One page of the entries this viewer may see, newest first (page out of range: error)."""
    keys = sorted(_keys(access, timeline_filter), key=lambda k: k.order, reverse=True)
    total = len(keys)
    pages = max(1, -(-total // page_size))
    number = timeline_filter.page
    if number > pages:
        text = f"There is no page {number}: the timeline has {pages} page" + (
            "" if pages == 1 else "s"
        )
        return TimelinePage([], number, pages, total, 0, 0, [FieldError("timeline", text)])
    shown = keys[(number - 1) * page_size : number * page_size]
    full = _entries(access, shown, today)
    entries = [full[(k.kind, k.pk)] for k in shown if (k.kind, k.pk) in full]
    first = (number - 1) * page_size + 1 if entries else 0
    return TimelinePage(
        entries, number, pages, total, first, first + len(entries) - 1 if entries else 0
    )
