"""My people: everyone a member of staff is key worker for today, with what to know first.

Each line says who the person is, their team, their alerts in force, whether they are in
hospital now and the latest entry in their record, in the order a key worker acts on them:
people in hospital first, then the most recent news first.

The latest entry is the first entry of the person's own timeline for this viewer
(joinedup.people.timeline): the same kinds, the same wording, and every candidate passed
through the same RecordAccess.may_see, so a labelled note the viewer may not see is never
the latest entry, and so never reveals that it exists. It costs a bounded number of
queries whatever the number of people: one grouped query (every kind, UNION ALL) finds
each person's newest date per kind and per (sector, label), which is all may_see depends
on; the winners' rows are then read one query per kind that won for someone. An open
hospital spell follows the same rule (a health entry, labelled by its diagnosis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, DateField, DateTimeField, F, Max, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from joinedup.access.models import CareTeamMember, Sector, StaffMember
from joinedup.access.policy import (
    TEAM_RELATIONSHIPS,
    RecordAccess,
    Relationship,
    current_on,
    diagnosis_sensitivity,
    objecting,
)
from joinedup.access.staff_names import names_of
from joinedup.formatting import long_date
from joinedup.people.models import Alert, CaseNote
from joinedup.people.timeline import KINDS, SOURCES
from joinedup.people.timeline_entries import Entry, author_withheld
from joinedup.record.models import Episode, HospitalSpell, Person
from joinedup.record.person_line import PersonLine

# Why the viewer may open each listed person's record: they are its key worker.
_KEY_WORKER = Relationship(reasons=tuple(r for r in TEAM_RELATIONSHIPS if r.key == "key_worker"))

# (local wall-clock time, kind's precedence): how the timeline orders entries, newest last.
_Order = tuple[dt.datetime, int]


def current_allocations(staff: StaffMember, today: dt.date) -> QuerySet[CareTeamMember]:
    """The viewer's key worker allocations in force today (started, not ended)."""
    return CareTeamMember.objects.filter(
        current_on(today, "started", "ended"), staff=staff, key_worker=True
    )


def day_words(day: dt.date, today: dt.date) -> str:
    """'today', 'yesterday' or '3 December 2026': how recent news reads at a glance."""
    if day == today:
        return "today"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    return long_date(day)


@dataclass(frozen=True)
class LatestEntry:
    """The newest timeline entry this viewer may see, worded as the timeline words it."""

    entry: Entry
    href: str  # the entry on the person's record
    today: dt.date

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def day(self) -> dt.date:
        when = self.entry.when
        return timezone.localdate(when) if isinstance(when, dt.datetime) else when

    @property
    def when_text(self) -> str:
        return day_words(self.day, self.today)


@dataclass(frozen=True)
class MyPersonLine(PersonLine):
    found: Person
    today: dt.date
    teams: tuple[str, ...]  # the teams whose caseload they are on today
    alerts: tuple[str, ...]  # alerts in force, as labels
    in_hospital_since: dt.date | None  # admitted, not yet discharged (None: not in hospital)
    latest: LatestEntry | None
    order: _Order | None  # the latest entry's place in time, for sorting

    @property
    def person(self) -> Person:
        return self.found

    @property
    def in_hospital(self) -> bool:
        return self.in_hospital_since is not None


def _accesses(staff: StaffMember, people: list[Person]) -> dict[str, RecordAccess]:
    """Each person's record as the viewer opens it: what its timeline's may_see decides."""
    objections = objecting([p.pk for p in people])
    return {p.pk: RecordAccess(staff, p, _KEY_WORKER, objection=p.pk in objections) for p in people}


def _newest_query(kind: str, person_ids: list[str]) -> QuerySet[Any]:
    """One kind's newest date per person and per value of its classifying columns, in the
    shape every kind shares (kind, person, two classifying columns, day, moment)."""
    source = SOURCES[kind]
    classifying = [F(c) for c in source.columns] + [Value(None, CharField())] * 2
    newest = Max(source.date_field)
    return (
        source.model._default_manager.filter(person_id__in=person_ids)
        .order_by()
        .annotate(tl_kind=Value(kind, CharField()), tl_first=classifying[0])
        .annotate(tl_second=classifying[1])
        .values("tl_kind", "person_id", "tl_first", "tl_second")
        .annotate(
            # typed NULLs, so PostgreSQL can match every kind's columns in the UNION
            tl_day=Max(Cast(Value(None), DateField())) if source.timed else newest,
            tl_moment=newest if source.timed else Max(Cast(Value(None), DateTimeField())),
        )
        .values_list("tl_kind", "person_id", "tl_first", "tl_second", "tl_day", "tl_moment")
    )


def _winners(accesses: dict[str, RecordAccess]) -> dict[str, tuple[str, Any, _Order]]:
    """Each person's newest visible (kind, date as stored, order), from one grouped query."""
    first, *rest = (_newest_query(kind, list(accesses)) for kind in KINDS)
    zone = timezone.get_current_timezone()
    best: dict[str, tuple[str, Any, _Order]] = {}
    for kind, person_id, *columns, day, moment in first.union(*rest, all=True):
        sector, sensitivity = SOURCES[kind].classify(tuple(columns))
        if not accesses[person_id].may_see(sector, sensitivity):
            continue
        local = (
            moment.astimezone(zone).replace(tzinfo=None)
            if moment is not None
            else dt.datetime.combine(day, dt.time.min)
        )
        order = (local, -KINDS.index(kind))
        if person_id not in best or order > best[person_id][2]:
            best[person_id] = (kind, moment if moment is not None else day, order)
    return best


def _latest_entries(
    accesses: dict[str, RecordAccess], today: dt.date
) -> dict[str, tuple[LatestEntry, _Order]]:
    """Each person's latest entry this viewer may see: the winners' rows, a query a kind
    (ties on the moment broken as the timeline breaks them, by the entry's id)."""
    winners = _winners(accesses)
    by_kind: dict[str, dict[str, Any]] = {}
    for person_id, (kind, stamp, _order) in winners.items():
        by_kind.setdefault(kind, {})[person_id] = stamp
    chosen: dict[str, tuple[str, Any]] = {}  # person -> (kind, row)
    for kind, stamps in by_kind.items():
        source = SOURCES[kind]
        rows: QuerySet[Any] = source.model._default_manager.filter(
            person_id__in=list(stamps), **{f"{source.date_field}__in": set(stamps.values())}
        )
        if source.related:
            rows = rows.select_related(*source.related)
        for row in rows:
            person_id = row.person_id
            if getattr(row, source.date_field) != stamps[person_id]:
                continue  # another person's date
            sector, sensitivity = source.classify(tuple(getattr(row, c) for c in source.columns))
            if not accesses[person_id].may_see(sector, sensitivity):
                continue
            held = chosen.get(person_id)
            if held is None or str(row.pk) > str(held[1].pk):
                chosen[person_id] = (kind, row)
    names = names_of(
        getattr(row, column) for kind, row in chosen.values() for column in SOURCES[kind].copied_by
    )
    latest: dict[str, tuple[LatestEntry, _Order]] = {}
    for person_id, (kind, row) in chosen.items():
        source = SOURCES[kind]
        entry = source.entry(row, today, names) if source.copied_by else source.entry(row, today)
        if isinstance(row, CaseNote) and not accesses[person_id].may_see_author(
            row.author.profession
        ):
            entry = author_withheld(entry)
        href = f"{reverse('people:record', args=[person_id])}#{entry.html_id}"
        latest[person_id] = (LatestEntry(entry, href, today), winners[person_id][2])
    return latest


def _in_hospital(accesses: dict[str, RecordAccess], today: dt.date) -> dict[str, dt.date]:
    """Who is in hospital today (a spell admitted and not discharged) that the viewer may
    see: a spell is a health entry, labelled by its diagnosis, as on the timeline."""
    spells = HospitalSpell.objects.filter(
        person_id__in=list(accesses), admission_date__lte=today, discharge_date__isnull=True
    ).values_list("person_id", "admission_date", "primary_diagnosis")
    since: dict[str, dt.date] = {}
    for person_id, admitted, diagnosis in spells:
        if accesses[person_id].may_see(Sector.HEALTH, diagnosis_sensitivity(diagnosis)):
            since[person_id] = min(admitted, since.get(person_id, admitted))
    return since


def _alerts(person_ids: Collection[str], now: dt.datetime) -> dict[str, tuple[str, ...]]:
    """Each person's alerts in force now, as labels: safety information every visitor
    needs, shown to both sides (the timeline's alerts are the integrated team's, SHARED)."""
    labels = dict(Alert.Kind.choices)
    found: dict[str, list[str]] = {}
    rows = (
        Alert.objects.filter(person_id__in=list(person_ids), recorded_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .order_by("person_id", "kind")
        .values_list("person_id", "kind")
        .distinct()
    )
    for person_id, kind in rows:
        found.setdefault(person_id, []).append(labels.get(kind, kind))
    return {person_id: tuple(kinds) for person_id, kinds in found.items()}


def _teams(person_ids: Collection[str], today: dt.date) -> dict[str, tuple[str, ...]]:
    """The teams whose caseload each person is on today (the integrated team's, shared)."""
    found: dict[str, list[str]] = {}
    rows = (
        Episode.objects.filter(
            current_on(today, "start_date", "end_date"), person_id__in=list(person_ids)
        )
        .order_by("person_id", "team__name")
        .values_list("person_id", "team__name")
        .distinct()
    )
    for person_id, name in rows:
        found.setdefault(person_id, []).append(name or "")
    return {person_id: tuple(names) for person_id, names in found.items()}


def _in_order(lines: list[MyPersonLine]) -> list[MyPersonLine]:
    """In hospital first; then the newest latest entry first (none last); then by name.
    Sorted in passes, each stable, the last pass the first rule."""
    lines = sorted(lines, key=lambda x: (x.found.family_name, x.found.given_name, x.found.pk))
    lines.sort(key=lambda x: x.order or (dt.datetime.min, -len(KINDS)), reverse=True)
    lines.sort(key=lambda x: not x.in_hospital)
    return lines


def my_people(staff: StaffMember, now: dt.datetime) -> list[MyPersonLine]:
    """Everyone `staff` is key worker for today, in the order a key worker acts on them."""
    today = timezone.localdate(now)
    people = list(
        Person.objects.filter(pk__in=current_allocations(staff, today).values("person_id"))
    )
    if not people:
        return []
    accesses = _accesses(staff, people)
    latest = _latest_entries(accesses, today)
    hospital = _in_hospital(accesses, today)
    alerts = _alerts(accesses, now)
    teams = _teams(accesses, today)
    lines = [
        MyPersonLine(
            found=person,
            today=today,
            teams=teams.get(person.pk, ()),
            alerts=alerts.get(person.pk, ()),
            in_hospital_since=hospital.get(person.pk),
            latest=latest[person.pk][0] if person.pk in latest else None,
            order=latest[person.pk][1] if person.pk in latest else None,
        )
        for person in people
    ]
    return _in_order(lines)
