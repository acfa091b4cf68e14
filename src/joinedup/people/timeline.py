"""One timeline of everything every organisation recorded about a person, newest first.

A person may have thousands of contacts, so the timeline is built in two passes: first a
narrow key (id, date and the columns that decide the entry's sector and label) of every
entry matching the filters, each passed through RecordAccess.may_see, sorted and cut to
one page; then the full rows of that page only. Hidden entries are dropped in the first
pass, before anything is counted, so a page never reveals that they exist. How each kind of
row is worded for the page is in joinedup.people.timeline_entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, DateField, DateTimeField, F, Model, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from joinedup.access.models import Consent, Sector
from joinedup.access.policy import (
    SHARED,
    RecordAccess,
    contact_sector,
    contact_sensitivity,
    diagnosis_sensitivity,
    package_sector,
    referral_sector,
)
from joinedup.access.staff_names import names_of
from joinedup.forms.dates import DATE_PARTS, DateEntry, read_optional_date, with_error
from joinedup.forms.errors import FieldError
from joinedup.people.models import Alert, CaseNote
from joinedup.people.record_summary import SECTOR_LABELS
from joinedup.people.timeline_entries import (
    Entry,
    ae_entry,
    alert_entry,
    author_withheld,
    consent_entry,
    contact_entry,
    episode_entry,
    note_entry,
    package_entry,
    referral_entry,
    spell_entry,
)
from joinedup.record.models import (
    AeAttendance,
    CarePackage,
    Contact,
    Episode,
    HospitalSpell,
    Referral,
)

PAGE_SIZE = 50

KIND_LABELS: dict[str, str] = {
    "spell": "Hospital admissions",
    "ae": "A&E attendances",
    "contact": "Contacts",
    "referral": "Referrals",
    "episode": "Caseload episodes",
    "package": "Care packages and services",
    "note": "Case notes",
    "alert": "Alerts",
    "consent": "Consent decisions",
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
    # the date boxes as typed, to show back ("from" and "to"; blank when none was sent)
    typed: Mapping[str, DateEntry] = field(default_factory=dict, compare=False)

    @property
    def active(self) -> bool:
        return bool(self.sectors or self.kinds or self.date_from or self.date_to)

    def query(self, page: int | None = None) -> list[tuple[str, str]]:
        """The GET parameters for these filters (and a page), for links."""
        params = [("sector", s) for s in self.sectors] + [("kind", k) for k in self.kinds]
        for prefix, date in (("from", self.date_from), ("to", self.date_to)):
            if date:
                params += [(f"{prefix}_{part}", str(getattr(date, part))) for part in DATE_PARTS]
        if page and page != 1:
            params.append(("page", str(page)))
        return params


def _choices(values: list[str], allowed: Mapping[str, str], field_id: str, what: str) -> Any:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        listed = ", ".join(allowed.values())
        return FieldError(field_id, f"Choose a {what} from the list ({listed})")
    return tuple(v for v in allowed if v in values)


def _date(params: Any, prefix: str, label: str) -> tuple[DateEntry, dt.date | FieldError | None]:
    """A filter date's NHS.UK date input (<prefix>_day, _month, _year; all blank: none), as
    typed and as read: its error names the boxes (the first, where the summary links)."""
    entry = read_optional_date(params, prefix, label, example="31 3 2024")
    return entry, FieldError(f"{prefix}-day", entry.error) if entry.error else entry.date


def parse_filter(params: Any) -> tuple[TimelineFilter, list[FieldError]]:
    """Filters from GET parameters (a QueryDict): every bad value becomes a message."""
    errors: list[FieldError] = []
    sectors = _choices(params.getlist("sector"), FILTER_SECTORS, "sector", "sector")
    kinds = _choices(params.getlist("kind"), KIND_LABELS, "kind", "kind of entry")
    typed_from, date_from = _date(params, "from", "date from")
    typed_to, date_to = _date(params, "to", "date to")
    page_text = params.get("page", "1").strip() or "1"
    page = int(page_text) if page_text.isascii() and page_text.isdigit() else 0
    for value in (sectors, kinds, date_from, date_to):
        if isinstance(value, FieldError):
            errors.append(value)
    if page < 1 or page > 1_000_000:
        errors.append(FieldError("timeline", "The page must be a whole number, 1 or more"))
    if isinstance(date_from, dt.date) and isinstance(date_to, dt.date) and date_from > date_to:
        order = "The date to must be the same as or after the date from"
        typed_to = with_error(typed_to, order)
        errors.append(FieldError("to-day", order))
    typed = {"from": typed_from, "to": typed_to}
    if errors or isinstance(date_from, FieldError) or isinstance(date_to, FieldError):
        return TimelineFilter(typed=typed), errors
    return TimelineFilter(sectors, kinds, date_from, date_to, page, typed), []


# --- which entries, and which page ------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    kind: str
    pk: str
    order: tuple[dt.datetime, int, str]  # newest last: local wall-clock time, kind, id


@dataclass(frozen=True)
class _Source:
    """How to read one kind: its model, date column, key columns and label, full rows."""

    model: type[Model]
    date_field: str
    timed: bool
    columns: tuple[str, ...]
    classify: Callable[[tuple[Any, ...]], tuple[str, str | None]]  # key columns -> sector, label
    related: tuple[str, ...]
    entry: Callable[..., Entry]  # (row, today), and the page's staff names when copied_by
    copied_by: tuple[str, ...] = ()  # columns holding a copied username, shown as a name


SOURCES: dict[str, _Source] = {
    "spell": _Source(
        HospitalSpell,
        "admission_date",
        False,
        ("primary_diagnosis",),
        lambda k: (Sector.HEALTH, diagnosis_sensitivity(k[0])),
        (),
        spell_entry,
    ),
    "ae": _Source(AeAttendance, "arrival", True, (), lambda k: (Sector.HEALTH, None), (), ae_entry),
    "contact": _Source(
        Contact,
        "contact_date",
        False,
        ("sector", "service"),
        lambda k: (contact_sector(k[0]), contact_sensitivity(k[1])),
        ("team", "organisation"),
        contact_entry,
    ),
    "referral": _Source(
        Referral,
        "received_at",
        True,
        ("source",),
        lambda k: (referral_sector(k[0]), None),
        ("team", "referrer_organisation"),
        referral_entry,
    ),
    "episode": _Source(
        Episode,
        "start_date",
        False,
        (),
        lambda k: (SHARED, None),
        ("team__organisation",),
        episode_entry,
    ),
    "package": _Source(
        CarePackage,
        "start_date",
        False,
        ("funder",),
        lambda k: (package_sector(k[0]), None),
        (),
        package_entry,
    ),
    "note": _Source(
        CaseNote,
        "written_at",
        True,
        ("sector", "sensitivity"),
        lambda k: (k[0], k[1]),
        ("author__user", "organisation"),
        note_entry,
    ),
    # Alerts and consent decisions belong to the integrated team itself: a visitor's safety
    # and the person's own say over sharing are for both sides, under an objection too.
    "alert": _Source(
        Alert,
        "recorded_at",
        True,
        (),
        lambda k: (SHARED, None),
        (),
        alert_entry,
        ("recorded_by", "ended_by"),
    ),
    "consent": _Source(
        Consent,
        "recorded_at",
        True,
        (),
        lambda k: (SHARED, None),
        (),
        consent_entry,
        ("recorded_by", "ended_by"),
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


def _key_query(kind: str, person_id: str, timeline_filter: TimelineFilter) -> QuerySet[Any]:
    """One kind's narrow rows in the shape every kind shares, so all kinds are read together:
    kind, id as text, the date (untimed kinds) or the moment (timed), two classifying columns."""
    source = SOURCES[kind]
    query = _dated(
        source.model._default_manager.filter(person_id=person_id), source, timeline_filter
    )
    date = F(source.date_field)
    classifying = [F(c) for c in source.columns] + [Value(None, CharField())] * 2
    return (
        query.order_by()
        .annotate(
            tl_kind=Value(kind, CharField()),
            tl_pk=Cast("pk", CharField()),
            tl_day=Value(None, DateField()) if source.timed else date,
            tl_moment=date if source.timed else Value(None, DateTimeField()),
            tl_first=classifying[0],
            tl_second=classifying[1],
        )
        .values_list("tl_kind", "tl_pk", "tl_day", "tl_moment", "tl_first", "tl_second")
    )


def _keys(access: RecordAccess, timeline_filter: TimelineFilter) -> list[_Key]:
    """Every entry this viewer may see that matches the filters: narrow rows only, every
    kind in one query (UNION ALL), since a long record's page is otherwise nine round trips."""
    kinds = timeline_filter.kinds or KINDS
    first, *rest = (_key_query(kind, access.person.pk, timeline_filter) for kind in kinds)
    zone = timezone.get_current_timezone()  # once, not once an entry: a record has thousands
    keys: list[_Key] = []
    # A record has thousands of entries but only a few kinds of (sector, label): decide each
    # once. The classifying columns are the key: may_see depends on nothing else.
    shown: dict[tuple[str, Any, Any], bool] = {}
    for kind, pk, day, moment, *columns in first.union(*rest, all=True) if rest else first:
        decided = (kind, *columns)
        if decided not in shown:
            sector, sensitivity = SOURCES[kind].classify(tuple(columns))
            shown[decided] = access.may_see(sector, sensitivity) and (
                not timeline_filter.sectors or sector in timeline_filter.sectors
            )
        if not shown[decided]:
            continue
        local = (
            moment.astimezone(zone).replace(tzinfo=None)
            if moment is not None
            else dt.datetime.combine(day, dt.time.min)
        )
        keys.append(_Key(kind, pk, (local, -KINDS.index(kind), pk)))
    return keys


def _entries(
    access: RecordAccess, keys: Iterable[_Key], today: dt.date
) -> dict[tuple[str, str], Entry]:
    """The full rows of one page's keys, one query per kind, each checked again; the staff
    the page names by a copied username, in one more query."""
    wanted: dict[str, list[str]] = {}
    for key in keys:
        wanted.setdefault(key.kind, []).append(key.pk)
    shown: list[tuple[str, _Source, Any]] = []
    for kind, pks in wanted.items():
        source = SOURCES[kind]
        rows = source.model._default_manager.filter(pk__in=pks)
        if source.related:
            rows = rows.select_related(*source.related)
        for row in rows:
            sector, sensitivity = source.classify(tuple(getattr(row, c) for c in source.columns))
            if access.may_see(sector, sensitivity):
                shown.append((kind, source, row))
    names = names_of(
        getattr(row, column) for _kind, source, row in shown for column in source.copied_by
    )
    entries: dict[tuple[str, str], Entry] = {}
    for kind, source, row in shown:
        entry = source.entry(row, today, names) if source.copied_by else source.entry(row, today)
        if isinstance(row, CaseNote) and not access.may_see_author(row.author.profession):
            entry = author_withheld(entry)
        entries[(kind, str(row.pk))] = entry
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
