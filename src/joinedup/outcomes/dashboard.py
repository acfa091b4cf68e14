"""What each dashboard shows, read from the stored results: series, league tables, savings.

Everything a chart, a table or a CSV download shows comes from here, so the page and its
download cannot disagree. Figures are the stored ones; the only arithmetic added is
delayed days per 100,000 people (stored days over metric 2's stored population), the
12-month average of the area's monthly values, and the Audit Commission calculation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from joinedup.access.models import StaffMember
from joinedup.errors import UserError
from joinedup.outcomes.audit_commission import (
    NeighbourhoodCount,
    Saving,
    best_quartile_saving,
    measures,
)
from joinedup.outcomes.catalogue import (
    METRICS_BY_NAME,
    PER_100K,
    POPULATION_METRIC,
    MetricInfo,
    compare,
    variant_label,
)
from joinedup.outcomes.confidence import proportion_interval, rate_interval
from joinedup.outcomes.models import AREA, OutcomeResult, OutcomeRun, PeriodKind
from joinedup.record.models import Neighbourhood, Team

ROLLING_MONTHS = 12


@dataclass(frozen=True)
class Figure:
    """One stored row as the pages show it (for delayed days: days, population, per 100k)."""

    group: str  # a neighbourhood id, 'ALL', or a metric variant for area-only metrics
    start: dt.date
    end: dt.date
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class Place:
    """A neighbourhood (or, for an area-only metric, a part of the metric) with its panel."""

    key: str
    name: str
    go_live: dt.date | None = None
    yours: bool = False
    has_team: bool = True


@dataclass
class MetricSeries:
    info: MetricInfo
    area: list[Figure]
    places: list[Place]
    by_place: dict[str, list[Figure]]

    @property
    def months(self) -> list[tuple[dt.date, dt.date]]:
        return [(f.start, f.end) for f in self.area]

    def values(self) -> Iterable[float | None]:
        yield from (f.value for f in self.area)
        for figures in self.by_place.values():
            yield from (f.value for f in figures)


def current_run() -> OutcomeRun | None:
    return OutcomeRun.objects.order_by("-computed_at").first()


LONG_FORM_COLUMNS = ("metric", "neighbourhood_id", "period_start", "period_end", "numerator",
                     "denominator", "value", "suppressed")  # fmt: skip


def stored_rows() -> Iterable[dict[str, object]]:
    """Every stored row in docs/metrics.md's long form: the months, then the financial years,
    each by metric, group and period (the long-form downloads)."""
    query = OutcomeResult.objects.order_by(
        "period_kind", "metric", "neighbourhood_id", "period_start"
    ).values(*LONG_FORM_COLUMNS)
    return query.iterator(chunk_size=2_000)


def financial_years() -> list[dt.date]:
    """The first days of the stored financial years, oldest first (each complete, since only
    periods wholly inside the lake's window are computed)."""
    return sorted(
        OutcomeResult.objects.filter(period_kind=PeriodKind.YEAR)
        .order_by()
        .values_list("period_start", flat=True)
        .distinct()
    )


def year_end(start: dt.date) -> dt.date:
    return dt.date(start.year + 1, 3, 31)


class YearChoiceError(UserError):
    """The financial year asked for is not one stored."""


def choose_year(text: str | None, years: Sequence[dt.date]) -> dt.date | None:
    """The financial year `?year=2023` names (starting 1 April 2023), or the latest stored."""
    if not years:
        return None
    if text is None or not text.strip():
        return years[-1]
    text = text.strip()
    if not (text.isdecimal() and len(text) == 4):
        raise YearChoiceError(
            f"Choose a financial year by the year it starts in, such as {years[-1].year}"
        )
    start = dt.date(int(text), 4, 1)
    if start not in years:
        first, last = years[0].year, years[-1].year
        raise YearChoiceError(
            f"There are no figures for the financial year starting April {text}: "
            f"choose one from {first} to {last}"
        )
    return start


def _rows(kind: str, metrics: Sequence[str], start: dt.date | None = None) -> list[OutcomeResult]:
    query = OutcomeResult.objects.filter(period_kind=kind, metric__in=metrics)
    if start is not None:
        query = query.filter(period_start=start)
    return list(query.order_by("metric", "neighbourhood_id", "period_start"))


def _area_only_metrics(info: MetricInfo, kind: str) -> list[str]:
    names = (
        OutcomeResult.objects.filter(period_kind=kind, metric__startswith=info.name)
        .order_by()
        .values_list("metric", flat=True)
        .distinct()
    )
    return sorted(n for n in names if n == info.name or n.startswith(info.name + ":"))


def figures(info: MetricInfo, kind: str, start: dt.date | None = None) -> list[Figure]:
    """The metric's stored figures of one period kind (one period when `start` is given).

    For an area-only metric the group is the metric's name or variant; for delayed days
    the denominator is the population of metric 2 and the value days per 100,000 people.
    """
    if info.area_only:
        return [
            Figure(r.metric, r.period_start, r.period_end, r.numerator, r.denominator, r.value,
                   r.suppressed)
            for r in _rows(kind, _area_only_metrics(info, kind), start)
        ]  # fmt: skip
    stored = _rows(kind, [info.name], start)
    if not info.per_population:
        return [
            Figure(r.neighbourhood_id, r.period_start, r.period_end, r.numerator, r.denominator,
                   r.value, r.suppressed)
            for r in stored
        ]  # fmt: skip
    population = {
        (r.neighbourhood_id, r.period_start): r.denominator
        for r in _rows(kind, [POPULATION_METRIC], start)
    }
    result = []
    for r in stored:
        people = population.get((r.neighbourhood_id, r.period_start))
        value = r.numerator * PER_100K / people if people and r.numerator is not None else None
        result.append(
            Figure(r.neighbourhood_id, r.period_start, r.period_end, r.numerator, people, value,
                   r.suppressed)
        )  # fmt: skip
    return result


def places(keys: Iterable[str], staff: StaffMember | None = None) -> list[Place]:
    """Neighbourhoods by name, with their team's go-live date and whether it is the viewer's."""
    keys = [k for k in dict.fromkeys(keys) if k != AREA]
    named = dict(Neighbourhood.objects.filter(id__in=keys).values_list("id", "name"))
    go_live: dict[str, list[dt.date]] = defaultdict(list)
    with_team: set[str] = set()
    for nid, day in Team.objects.filter(neighbourhood_id__in=keys).values_list(
        "neighbourhood_id", "go_live_date"
    ):
        with_team.add(nid)
        if day is not None:
            go_live[nid].append(day)
    mine: set[str] = set()
    if staff is not None:
        mine = set(staff.teams.values_list("neighbourhood_id", flat=True))
    found = [
        Place(
            key=k,
            name=named.get(k) or k,
            go_live=min(go_live[k]) if go_live.get(k) else None,
            yours=k in mine,
            has_team=k in with_team,
        )
        for k in keys
    ]
    return sorted(found, key=lambda p: (p.name.casefold(), p.key))


def _variant_places(keys: Iterable[str], info: MetricInfo) -> list[Place]:
    return [
        Place(key=k, name=variant_label(k) or "All funders", has_team=False)
        for k in keys
        if k != info.name
    ]


def metric_series(info: MetricInfo, staff: StaffMember | None = None) -> MetricSeries:
    """Every stored month of the metric: the area's series and one per panel."""
    monthly = figures(info, PeriodKind.MONTH)
    grouped: dict[str, list[Figure]] = defaultdict(list)
    for figure in monthly:
        grouped[figure.group].append(figure)
    area_key = info.name if info.area_only else AREA
    area = grouped.pop(area_key, [])
    found = _variant_places(grouped, info) if info.area_only else places(grouped, staff)
    return MetricSeries(info=info, area=area, places=found, by_place=dict(grouped))


def rolling_average(area: Sequence[Figure], months: int = ROLLING_MONTHS) -> list[float | None]:
    """The mean of each month's value and the 11 before it; None until 12 values are there."""
    result: list[float | None] = []
    for index in range(len(area)):
        window = [f.value for f in area[max(0, index - months + 1) : index + 1]]
        present = [v for v in window if v is not None]
        complete = len(window) == months and len(present) == months
        result.append(math.fsum(present) / months if complete else None)
    return result


@dataclass(frozen=True)
class LeagueLine:
    place: Place
    rank: int | None
    figure: Figure | None
    area_value: float | None
    comparison: str  # 'better', 'worse', 'similar', 'same' or ''
    interval: tuple[float, float] | None = None  # 95% confidence interval of the value

    @property
    def difference(self) -> float | None:
        if self.figure is None or self.figure.value is None or self.area_value is None:
            return None
        return self.figure.value - self.area_value


@dataclass
class League:
    info: MetricInfo
    year: dt.date
    area: Figure | None
    lines: list[LeagueLine] = field(default_factory=list)

    @property
    def year_end(self) -> dt.date:
        return year_end(self.year)


def league_table(info: MetricInfo, year: dt.date, staff: StaffMember | None = None) -> League:
    """The year's value for each neighbourhood against the area's, best first."""
    yearly = {f.group: f for f in figures(info, PeriodKind.YEAR, year)}
    area_key = info.name if info.area_only else AREA
    area = yearly.pop(area_key, None)
    found = _variant_places(yearly, info) if info.area_only else places(yearly, staff)
    area_value = area.value if area is not None else None
    lines: list[tuple[Place, Figure | None, tuple[float, float] | None, str]] = []
    for place in found:
        figure = yearly.get(place.key)
        interval = confidence_interval(info, figure)
        comparison = compare(_value(figure), area_value, info.direction, interval)
        lines.append((place, figure, interval, comparison))
    if info.direction is not None:
        sign = 1 if info.direction == "lower" else -1
        lines.sort(
            key=lambda line: (
                _value(line[1]) is None,
                sign * (_value(line[1]) or 0.0),
                line[0].name.casefold(),
            )
        )
    league = League(info=info, year=year, area=area)
    rank = 0
    previous: float | None = None
    for position, (place, figure, interval, comparison) in enumerate(lines, start=1):
        value = _value(figure)
        if info.direction is not None and value is not None:
            rank = rank if value == previous else position  # ties share a rank
            previous = value
        league.lines.append(
            LeagueLine(
                place=place,
                rank=rank if info.direction is not None and value is not None else None,
                figure=figure,
                area_value=area_value,
                comparison=comparison,
                interval=interval,
            )
        )
    return league


def confidence_interval(info: MetricInfo, figure: Figure | None) -> tuple[float, float] | None:
    """The 95% interval of a figure's value, for metrics whose counts give one."""
    if figure is None or figure.numerator is None or figure.denominator is None:
        return None
    if info.interval == "rate":
        return rate_interval(figure.numerator, figure.denominator, PER_100K)
    if info.interval == "proportion":
        return proportion_interval(figure.numerator, figure.denominator, 100)
    return None


def _value(figure: Figure | None) -> float | None:
    return figure.value if figure is not None else None


@dataclass
class AuditCommission:
    year: dt.date
    places: dict[str, Place]
    savings: list[Saving]
    missing: list[str]  # measures with no neighbourhood rate that year

    @property
    def gbp(self) -> float:
        return math.fsum(s.gbp for s in self.savings)

    @property
    def year_end(self) -> dt.date:
        return year_end(self.year)


def audit_commission(year: dt.date, staff: StaffMember | None = None) -> AuditCommission:
    """The best-quartile gap of each measure in the financial year starting `year`."""
    yearly = {
        measure.key: [
            f for f in figures(METRICS_BY_NAME[measure.metric], PeriodKind.YEAR, year)
            if f.group != AREA
        ]
        for measure in measures()
    }  # fmt: skip
    found = {p.key: p for p in places({f.group for fs in yearly.values() for f in fs}, staff)}
    order = {key: index for index, key in enumerate(found)}  # name order, as on every page
    savings, missing = [], []
    for measure in measures():
        counts = [
            NeighbourhoodCount(f.group, f.numerator or 0.0, f.denominator or 0.0)
            for f in sorted(yearly[measure.key], key=lambda f: order[f.group])
        ]
        saving = best_quartile_saving(measure, counts)
        if saving is None:
            missing.append(measure.title)
        else:
            savings.append(saving)
    return AuditCommission(year=year, places=found, savings=savings, missing=missing)
