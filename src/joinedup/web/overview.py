"""The partnership overview: each neighbourhood's team, population, practices and activity.

Aggregates only, never a person. Activity is counted per person first and then per
neighbourhood (a person's neighbourhood holds for the whole window, docs/lake.md v1), so
each activity table is read once through its (person_id, date, ...) index and joined to
people once per person rather than once per row: seconds rather than a minute on SQLite
with millions of contacts. The result is cached (in the cache every server process
shares) for CACHE_SECONDS and warmed as soon as a lake is loaded, so the page is instant.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Model, Q
from django.utils import timezone

from joinedup.lake.schema import SECTORS
from joinedup.record.models import (
    AeAttendance,
    CarePackage,
    Contact,
    Episode,
    HospitalSpell,
    LoadedLake,
    Neighbourhood,
    Person,
    Referral,
    enum_choices,
)

CACHE_SECONDS = 15 * 60
CACHE_VERSION = 1
NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class Activity:
    """One count on the overview: rows of `model` dated in the window (and matching `where`)."""

    key: str
    heading: str
    model: type[Model]
    date_column: str
    where: tuple[str, str] | None = None  # (column, value)


ACTIVITIES = (
    Activity("emergency_admissions", "Emergency admissions", HospitalSpell, "admission_date",
             ("admission_method", "emergency")),
    Activity("ae_attendances", "A&E attendances", AeAttendance, "arrival"),
    Activity("referrals", "Referrals", Referral, "received_at"),
    Activity("episodes", "Episodes on a team caseload", Episode, "start_date"),
    Activity("care_packages", "Care packages started", CarePackage, "start_date"),
)  # fmt: skip


@dataclass
class Counts:
    activity: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)

    @property
    def contacts_total(self) -> int:
        return sum(self.contacts.values())

    def add(self, other: Counts) -> None:
        for key, n in other.activity.items():
            self.activity[key] = self.activity.get(key, 0) + n
        for key, n in other.contacts.items():
            self.contacts[key] = self.contacts.get(key, 0) + n


@dataclass
class NeighbourhoodSummary:
    id: str
    name: str
    teams: list[str]
    go_live_date: dt.date | None
    population: int
    practices: list[str]
    counts: Counts


@dataclass
class Overview:
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    population_date: dt.date | None = None
    neighbourhoods: list[NeighbourhoodSummary] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)
    total_population: int = 0
    sectors: list[tuple[str, str]] = field(default_factory=list)
    computed_at: dt.datetime | None = None

    @property
    def loaded(self) -> bool:
        return self.window_start is not None

    @property
    def activities(self) -> list[tuple[str, str]]:
        return [(a.key, a.heading) for a in ACTIVITIES]


def _bounds(model: type[Model], column: str, start: dt.date, end: dt.date) -> tuple[Any, Any]:
    """The window [start, end] as half-open bounds in the form the database stores the column."""
    ops = connection.ops
    kind = next(f for f in model._meta.concrete_fields if f.column == column).get_internal_type()
    if kind == "DateTimeField":
        zone = timezone.get_default_timezone()
        low = dt.datetime.combine(start, dt.time(), zone)
        high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
        return ops.adapt_datetimefield_value(low), ops.adapt_datetimefield_value(high)
    return ops.adapt_datefield_value(start), ops.adapt_datefield_value(end + dt.timedelta(days=1))


def count_by_neighbourhood(
    model: type[Model],
    date_column: str,
    start: dt.date,
    end: dt.date,
    *,
    where: tuple[str, str] | None = None,
    group: str | None = None,
) -> dict[tuple[str, str | None], int]:
    """{(neighbourhood_id, value of `group` or None): rows dated from start to end inclusive}."""
    quote = connection.ops.quote_name
    low, high = _bounds(model, date_column, start, end)
    params: list[Any] = [low, high]
    table, people = quote(model._meta.db_table), quote(Person._meta.db_table)
    dated = f"t.{quote(date_column)} >= %s AND t.{quote(date_column)} < %s"
    if where is not None:
        dated += f" AND t.{quote(where[0])} = %s"
        params.append(where[1])
    grp = f"t.{quote(group)}" if group else "NULL"
    by_grp = f", {grp}" if group else ""
    if connection.vendor == "postgresql":
        # A (parallel) hash join of every row to its person is PostgreSQL's fastest plan.
        sql = (
            f"SELECT p.neighbourhood_id, {grp}, COUNT(*) FROM {table} t "
            f"JOIN {people} p ON p.person_id = t.person_id WHERE {dated} "
            f"GROUP BY p.neighbourhood_id{by_grp}"
        )
    else:
        # SQLite joins row by row: count per person through the (person_id, date, ...)
        # index first, then join each person once.
        sql = (
            f"SELECT p.neighbourhood_id, x.grp, SUM(x.n) FROM ("
            f"SELECT t.person_id, {grp} AS grp, COUNT(*) AS n FROM {table} t WHERE {dated} "
            f"GROUP BY t.person_id{by_grp}"
            f") x JOIN {people} p ON p.person_id = x.person_id "
            f"GROUP BY p.neighbourhood_id{', x.grp' if group else ''}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(nid, grp): int(n) for nid, grp, n in cursor.fetchall()}


def registered_population(on: dt.date) -> dict[str, int]:
    """People registered and alive on `on`, per neighbourhood (docs/lake.md's rule)."""
    alive = Q(death_date__isnull=True) | Q(death_date__gt=on)
    registered = Q(registered_from__lte=on) & (
        Q(registered_to__isnull=True) | Q(registered_to__gte=on)
    )
    rows = Person.objects.filter(registered & alive).order_by().values("neighbourhood_id")
    return {r["neighbourhood_id"]: r["n"] for r in rows.annotate(n=Count("id"))}


def compute_overview(today: dt.date | None = None) -> Overview:
    """The overview straight from the database (no cache)."""
    lakes = list(LoadedLake.objects.order_by("loaded_at"))
    overview = Overview(computed_at=timezone.now())
    if not lakes:
        return overview
    start = min(lake.observation_start for lake in lakes)
    end = max(lake.observation_end for lake in lakes)
    today = today or timezone.localdate()
    overview.window_start, overview.window_end = start, end
    overview.population_date = min(today, end)

    counts: dict[str, Counts] = defaultdict(Counts)
    for activity in ACTIVITIES:
        found = count_by_neighbourhood(
            activity.model, activity.date_column, start, end, where=activity.where
        )
        for (nid, _), n in found.items():
            counts[nid].activity[activity.key] = n
    sectors_seen: set[str] = set()
    for (nid, sector), n in count_by_neighbourhood(
        Contact, "contact_date", start, end, group="sector"
    ).items():
        key = sector or NOT_RECORDED
        sectors_seen.add(key)
        counts[nid].contacts[key] = counts[nid].contacts.get(key, 0) + n
    overview.sectors = [(s, label) for s, label in enum_choices(SECTORS)]
    if NOT_RECORDED in sectors_seen:
        overview.sectors.append((NOT_RECORDED, "Sector not recorded"))

    population = registered_population(overview.population_date)
    places = Neighbourhood.objects.prefetch_related("teams", "practices").order_by("name", "id")
    for place in places:
        teams = sorted(place.teams.all(), key=lambda t: t.name or t.id)
        live = [t.go_live_date for t in teams if t.go_live_date is not None]
        summary = NeighbourhoodSummary(
            id=place.id,
            name=place.name or place.id,
            teams=[t.name or t.id for t in teams],
            go_live_date=min(live) if live else None,
            population=population.get(place.id, 0),
            practices=sorted(p.name or p.id for p in place.practices.all()),
            counts=counts.get(place.id, Counts()),
        )
        overview.neighbourhoods.append(summary)
        overview.total.add(summary.counts)
        overview.total_population += summary.population
    return overview


def _cache_key(today: dt.date) -> str | None:
    marks = [
        f"{pk}-{at.timestamp()}"
        for pk, at in LoadedLake.objects.order_by("pk").values_list("pk", "loaded_at")
    ]
    if not marks:
        return None
    return f"joinedup:overview:v{CACHE_VERSION}:{today.isoformat()}:{','.join(marks)}"


def partnership_overview() -> Overview:
    """The overview, from the shared cache when a fresh one is there."""
    today = timezone.localdate()
    key = _cache_key(today)
    if key is None:
        return compute_overview(today)
    found = cache.get(key)
    if isinstance(found, Overview):
        return found
    overview = compute_overview(today)
    cache.set(key, overview, CACHE_SECONDS)
    return overview


def warm_overview(**_: Any) -> None:
    """Compute and cache the overview now (connected to record's lake_loaded signal)."""
    today = timezone.localdate()
    key = _cache_key(today)
    if key is not None:
        cache.set(key, compute_overview(today), CACHE_SECONDS)
