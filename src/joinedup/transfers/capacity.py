"""Capacity the brokers report, and which hospital delays it explains.

Brokers record what is available now: home care hours a week, reablement slots,
intermediate care beds and care home vacancies (residential, nursing), each for one
neighbourhood or for the whole area. Every report is a new Capacity row (the latest per
service and area is the current figure; earlier ones are the history) and an audit event
naming who changed it: capacity is not a person's data, so the event has no person
(joinedup.access.audit records those as it records logins and outcome refreshes).

Which delays capacity explains. A delay reason is ended by a service:
- awaiting_residential_home: residential_care; awaiting_nursing_home: nursing_care;
- awaiting_further_nhs_care: intermediate_care (a bed-based rehabilitation place);
- awaiting_care_package: a package at home (pathway 1). Discharge to assess offers
  reablement first to someone with a new need, so it is reablement when the person had
  no home care running on the day they were admitted and the proposed pathway is 1 or not
  yet recorded; home care otherwise (a package to restart or increase, or a plan other
  than pathway 1, where reablement is not what is awaited).
- every other reason (assessment, funding, equipment, choice, dispute, housing, other) is
  not a shortage of a service here.
For each service and area: the people delayed waiting for it on the day, what they need (a
place each; for home care each person needs the median hours a week of the home care
packages started in the 12 months to the day, an assumption the page states), what is
available, and the gap (needed - available; the whole area's is described below). A delay
is explained by capacity when the need in its neighbourhood is more than the
neighbourhood's own places (or it has none recorded) and the area-wide places, those
anyone in the area may take, cannot cover what is asked of them: everyone waiting where
there is no neighbourhood figure plus each neighbourhood's overflow. Another
neighbourhood's own places never clear a shortage. A delay waiting although capacity
exists is a flow problem, not a capacity one; with no figure for its neighbourhood or the
area (or no median hours) it cannot be told. The whole area's gap is that overflow less
the area-wide places (not its needed - available, which would net one neighbourhood's
spare places off another's shortage), shown only when every neighbourhood with people
waiting has a figure or there is an area-wide one.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.forms.errors import FieldError
from joinedup.record.models import CarePackage, HospitalSpell, Neighbourhood
from joinedup.transfers.inpatients import delayed_values
from joinedup.transfers.models import Capacity

Service = Capacity.Service

# Who records capacity, and who reads the capacity and situation report pages, is the
# permission table's (joinedup.access.capabilities: RECORD_CAPACITY, READ_CAPACITY_PAGES).

UNITS: dict[str, str] = {
    Service.HOME_CARE: "hours a week",
    Service.REABLEMENT: "slots",
    Service.INTERMEDIATE_CARE: "beds",
    Service.RESIDENTIAL_CARE: "vacancies",
    Service.NURSING_CARE: "vacancies",
}
# A figure above these is a typing slip, not a partnership's capacity (a city of half a
# million buys some tens of thousands of home care hours a week, and far fewer places).
MAXIMUM: dict[str, int] = {
    Service.HOME_CARE: 50_000,
    Service.REABLEMENT: 2_000,
    Service.INTERMEDIATE_CARE: 2_000,
    Service.RESIDENTIAL_CARE: 2_000,
    Service.NURSING_CARE: 2_000,
}
UNIT_OF_ONE: dict[str, str] = {
    Service.HOME_CARE: "hour a week",
    Service.REABLEMENT: "slot",
    Service.INTERMEDIATE_CARE: "bed",
    Service.RESIDENTIAL_CARE: "vacancy",
    Service.NURSING_CARE: "vacancy",
}
assert set(UNITS) == set(UNIT_OF_ONE) == set(MAXIMUM) == set(Service.values)

WHOLE_AREA = "area"  # the form's value for "the whole area" (a null neighbourhood)
NOTE_MAX = Capacity._meta.get_field("note").max_length or 300

SERVICE_OF_REASON: dict[str, str] = {
    "awaiting_residential_home": Service.RESIDENTIAL_CARE,
    "awaiting_nursing_home": Service.NURSING_CARE,
    "awaiting_further_nhs_care": Service.INTERMEDIATE_CARE,
}
CARE_PACKAGE = "awaiting_care_package"  # reablement or home care: service_for_package
CAPACITY_REASONS = (*SERVICE_OF_REASON, CARE_PACKAGE)

MEDIAN_WINDOW_DAYS = 365

# What capacity says about one delay.
EXPLAINED = "explained"  # its service is short in its area
FLOW = "flow"  # capacity exists, yet the person waits
NOT_KNOWN = "not_known"  # no figure recorded for its service and area (or no median hours)


@dataclass(frozen=True)
class CapacityEntry:
    service: str
    neighbourhood: Neighbourhood | None
    available: float
    note: str


# Digits, commas only between thousands ("1,200"), an optional decimal point: "12,5" (a
# decimal comma) or "1_000" would otherwise be read as 125 and 1000.
_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", re.ASCII)


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text.replace(",", "")) if _NUMBER.fullmatch(text) else None


def read_capacity(data: Mapping[str, Any]) -> tuple[CapacityEntry | None, list[FieldError]]:
    """The service, area, number available and note from the form, or what is wrong with
    them (each problem names its field: service, neighbourhood, available, note)."""
    problems: list[FieldError] = []
    service = str(data.get("service", "")).strip()
    if not service:
        problems.append(FieldError("service", "Service: choose what the figure is for"))
    elif service not in Service.values:
        problems.append(
            FieldError(
                "service", "Service: choose a service from the list (the one given is not known)"
            )
        )
    area = str(data.get("neighbourhood", "")).strip()
    neighbourhood: Neighbourhood | None = None
    if not area:
        problems.append(
            FieldError("neighbourhood", "Area: choose a neighbourhood or the whole area")
        )
    elif area != WHOLE_AREA:
        # no neighbourhood's id holds a NUL (and PostgreSQL refuses one in a query)
        neighbourhood = (
            Neighbourhood.objects.filter(pk=area).first() if "\x00" not in area else None
        )
        if neighbourhood is None:
            problems.append(
                FieldError(
                    "neighbourhood",
                    "Area: choose a neighbourhood from the list (the one given is not known)",
                )
            )
    text = str(data.get("available", "")).strip()
    available = _number(text) if text else None
    if not text:
        problems.append(FieldError("available", "Enter the number available"))
    elif available is None:
        problems.append(FieldError("available", "Number available must be a number, like 12"))
    elif available < 0:
        problems.append(FieldError("available", "Number available must be 0 or more"))
    elif service in Service.values:
        unit, most = UNITS[service], MAXIMUM[service]
        if available > most:
            problems.append(
                FieldError("available", f"Number available must be {most:,} {unit} or fewer")
            )
        elif service != Service.HOME_CARE and available != int(available):
            problems.append(
                FieldError("available", f"Number available must be a whole number of {unit}")
            )
    note = str(data.get("note", "")).strip()
    if len(note) > NOTE_MAX:
        problems.append(FieldError("note", f"Note must be {NOTE_MAX} characters or fewer"))
    elif "\x00" in note:
        problems.append(FieldError("note", "Note: remove the NUL character"))
    if problems or available is None:
        return None, problems
    return CapacityEntry(service, neighbourhood, available, note), []


def area_name(neighbourhood: Neighbourhood | None) -> str:
    return neighbourhood.name if neighbourhood is not None else "Whole area"


def record_capacity(user: Any, entry: CapacityEntry) -> Capacity:
    """Append the report and its audit event (who changed capacity), together or not at all."""
    with transaction.atomic():
        report = Capacity.objects.create(
            service=entry.service,
            neighbourhood=entry.neighbourhood,
            available=entry.available,
            recorded_at=timezone.now(),
            recorded_by=user.get_username(),
            note=entry.note,
        )
        area = entry.neighbourhood.pk if entry.neighbourhood is not None else "whole area"
        record_event(
            AuditAction.CREATE,
            user=user,
            what=f"capacity {report.pk}: {entry.service} in {area}: {entry.available:g}"[:200],
        )
    return report


def current_reports(as_at: dt.datetime | None = None) -> dict[tuple[str, str | None], Capacity]:
    """{(service, neighbourhood id or None): the latest report}, as at `as_at` (default now).

    One grouped query for the latest time per service and area, one for those rows (on a
    tie in time, the later row wins)."""
    reports = Capacity.objects.all()
    if as_at is not None:
        reports = reports.filter(recorded_at__lte=as_at)
    latest = list(
        reports.order_by().values("service", "neighbourhood").annotate(at=Max("recorded_at"))
    )
    if not latest:
        return {}
    match = Q()
    for row in latest:
        match |= Q(
            service=row["service"], neighbourhood=row["neighbourhood"], recorded_at=row["at"]
        )
    current: dict[tuple[str, str | None], Capacity] = {}
    for report in (
        reports.filter(match).select_related("neighbourhood").order_by("recorded_at", "id")
    ):
        current[(report.service, report.neighbourhood_id)] = report
    return current


def home_care_hours_median(day: dt.date) -> float | None:
    """The median hours a week of home care packages started in the 12 months to `day`
    (None when there were none): what a person waiting for home care is taken to need."""
    rows = CarePackage.objects.filter(
        service_type=Service.HOME_CARE,
        start_date__gt=day - dt.timedelta(days=MEDIAN_WINDOW_DAYS),
        start_date__lte=day,
        hours_per_week__gt=0,
    ).values_list("hours_per_week", flat=True)
    hours = [h for h in rows if h is not None]
    return float(statistics.median(hours)) if hours else None


def service_for_package(pathway: int | None, had_home_care: bool) -> str:
    """What ends an awaiting_care_package delay (the module's docstring says why)."""
    if pathway in (None, 1) and not had_home_care:
        return Service.REABLEMENT
    return Service.HOME_CARE


@dataclass(frozen=True)
class Waiting:
    """One person delayed on the day, waiting for a service."""

    spell_id: str
    neighbourhood_id: str
    service: str


def waiting_on(day: dt.date) -> list[Waiting]:
    """Everyone delayed on `day` whose delay a service's capacity could end."""
    rows = delayed_values(
        day,
        "id",
        "person_id",
        "person__neighbourhood_id",
        "delay_reason",
        "admission_date",
        "stay__proposed_pathway",
        "discharge_pathway",
        delay_reason__in=CAPACITY_REASONS,
    )
    awaiting_package = {person for _, person, _, reason, *_ in rows if reason == CARE_PACKAGE}
    home_care: dict[str, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for person, start, end in CarePackage.objects.filter(
        person_id__in=awaiting_package, service_type=Service.HOME_CARE
    ).values_list("person_id", "start_date", "end_date"):
        home_care[person].append((start, end))
    waiting = []
    for spell_id, person, place, reason, admitted, proposed, discharged in rows:
        if reason == CARE_PACKAGE:
            had = any(
                start <= admitted and (end is None or end >= admitted)
                for start, end in home_care.get(person, [])
            )
            pathway = proposed if proposed is not None else discharged
            service = service_for_package(pathway, had)
        else:
            service = SERVICE_OF_REASON[reason]
        waiting.append(Waiting(spell_id, place, service))
    return waiting


@dataclass
class GapRow:
    """One service in one area (neighbourhood None: the whole area)."""

    service: str
    neighbourhood_id: str | None
    area: str
    waiting: int = 0
    needed: float | None = None  # places, or hours a week for home care
    available: float | None = None  # None: no figure recorded
    explained: int = 0
    flow: int = 0
    not_known: int = 0
    partial: bool = False  # the whole area's figure leaves out some people waiting
    # The whole area only: what its neighbourhoods need beyond their own places, and the
    # area-wide places anyone may take (see gap).
    overflow: float | None = None
    pool: float = 0.0

    @property
    def gap(self) -> float | None:
        """Needed - available; for the whole area, its neighbourhoods' overflow - the
        area-wide places: one neighbourhood's spare places never cover another's shortage,
        so they do not net it off."""
        if self.needed is None or self.available is None or self.partial:
            return None
        if self.neighbourhood_id is None:
            assert self.overflow is not None  # None only where the need is None too
            return self.overflow - self.pool
        return self.needed - self.available

    @property
    def unit(self) -> str:
        return UNITS[self.service]


@dataclass(frozen=True)
class CapacityPicture:
    day: dt.date
    median_hours: float | None  # of home care packages started in the 12 months to `day`
    rows: list[GapRow]  # by service; the whole area first, then its neighbourhoods
    status: dict[str, str] = field(default_factory=dict)  # spell id: EXPLAINED, FLOW, NOT_KNOWN
    current: dict[tuple[str, str | None], Capacity] = field(default_factory=dict)  # the figures

    def row(self, service: str, neighbourhood_id: str | None = None) -> GapRow | None:
        for row in self.rows:
            if row.service == service and row.neighbourhood_id == neighbourhood_id:
                return row
        return None

    def count(self, status: str) -> int:
        return sum(1 for s in self.status.values() if s == status)


def capacity_picture(day: dt.date, *, as_at: dt.datetime | None = None) -> CapacityPicture:
    """The gap per service and area on `day`, and what capacity says about each delay.

    Capacity is the latest report as at `as_at` (default: now, the current figures, even
    when the hospital data, and so `day`, end earlier)."""
    current = current_reports(as_at)
    median = home_care_hours_median(day)
    waiting = waiting_on(day)
    names = dict(Neighbourhood.objects.values_list("id", "name"))

    def need(service: str, people: int) -> float | None:
        if service != Service.HOME_CARE:
            return float(people)
        return people * median if median is not None else None

    per_place: dict[tuple[str, str | None], int] = defaultdict(int)
    for w in waiting:
        per_place[(w.service, w.neighbourhood_id)] += 1
        per_place[(w.service, None)] += 1
    rows: dict[tuple[str, str | None], GapRow] = {}
    for service in Service.values:
        local = {n: r.available for (s, n), r in current.items() if s == service and n}
        area_wide = current.get((service, None))
        area = GapRow(service, None, "Whole area", waiting=per_place[(service, None)])
        area.needed = need(service, area.waiting)
        if local or area_wide is not None:
            area.available = sum(local.values()) + (area_wide.available if area_wide else 0.0)
            # people waiting where no figure covers them: the area's gap cannot be told
            area.partial = area_wide is None and any(
                n not in local for (s, n) in per_place if s == service and n is not None
            )
        rows[(service, None)] = area
        places = {n for (s, n) in per_place if s == service and n} | set(local)
        for place in sorted(places, key=lambda n: (names.get(n, n), n)):
            row = GapRow(
                service, place, names.get(place, place), waiting=per_place[(service, place)]
            )
            row.needed = need(service, row.waiting)
            row.available = local.get(place)
            rows[(service, place)] = row

    short: dict[str, bool] = {}  # the area-wide places cannot cover what is asked of them
    for service in Service.values:
        area, pool = rows[(service, None)], current.get((service, None))
        area.pool = pool.available if pool is not None else 0.0
        area.overflow = _overflow(service, rows)
        short[service] = pool is not None and (area.overflow or 0.0) > area.pool
    status: dict[str, str] = {}
    for w in waiting:
        area = rows[(w.service, None)]
        local_row = rows[(w.service, w.neighbourhood_id)]
        pooled = (w.service, None) in current  # an area-wide figure for the service
        if local_row.needed is None:  # home care with no median hours to judge by
            verdict = NOT_KNOWN
        elif local_row.available is not None and local_row.needed <= local_row.available:
            verdict = FLOW  # its own neighbourhood has the places
        elif pooled:
            verdict = EXPLAINED if short[w.service] else FLOW
        elif local_row.available is not None:
            verdict = EXPLAINED  # short at home, and no places anyone may take
        else:
            verdict = NOT_KNOWN  # no figure for its neighbourhood or the area
        status[w.spell_id] = verdict
        for row in (local_row, area):
            setattr(row, verdict, getattr(row, verdict) + 1)
    return CapacityPicture(day, median, list(rows.values()), status, current)


def _overflow(service: str, rows: Mapping[tuple[str, str | None], GapRow]) -> float | None:
    """What the service's neighbourhoods need beyond their own places (everyone waiting
    where it has no neighbourhood figure, and each neighbourhood's overflow): what is asked
    of the area-wide places. Another neighbourhood's own spare places are not the pool's:
    they never clear a shortage elsewhere. None when a need cannot be worked out."""
    asked = 0.0
    for (row_service, place), row in rows.items():
        if row_service != service or place is None:
            continue
        if row.needed is None:
            return None
        own = row.available if row.available is not None else 0.0
        asked += max(0.0, row.needed - own)
    return asked


def explained_by_capacity(
    spells: Iterable[HospitalSpell | str], day: dt.date, *, as_at: dt.datetime | None = None
) -> dict[str, bool]:
    """{spell id: whether capacity explains its delay on `day`} for the board. False for a
    spell not delayed then, for a reason no service ends, or where it cannot be told."""
    status = capacity_picture(day, as_at=as_at).status
    ids = [s if isinstance(s, str) else s.pk for s in spells]
    return {spell_id: status.get(spell_id) == EXPLAINED for spell_id in ids}
