"""The CSV behind each chart and table: exactly the figures the page shows, unrounded.

Numbers are written as Python prints a float (the stored value, exactly), blanks for
nothing; dates ISO 8601. Each file starts with the columns' names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from joinedup.charts import financial_year_label
from joinedup.outcomes.catalogue import MetricInfo
from joinedup.outcomes.dashboard import (
    AuditCommission,
    League,
    MetricSeries,
    rolling_average,
)
from joinedup.outcomes.models import AREA

Cell = str | float | int | dt.date | None


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(c) for c in row] for row in rows)
    return buffer.getvalue()


def counts_header(info: MetricInfo) -> list[str]:
    """numerator, denominator, value, or what they are for delayed days."""
    if info.per_population:
        return ["delayed_days", "population", "delayed_days_per_100k"]
    return ["numerator", "denominator", "value"]


def area_csv(series: MetricSeries) -> str:
    """The area chart: the whole area's monthly figures and their 12-month average."""
    header = ["metric", "group", "period_start", "period_end", *counts_header(series.info),
              "twelve_month_average"]  # fmt: skip
    averages = rolling_average(series.area)
    rows = [
        (series.info.name, f.group, f.start, f.end, f.numerator, f.denominator, f.value, average)
        for f, average in zip(series.area, averages, strict=True)
    ]
    return to_csv(header, rows)


def panels_csv(series: MetricSeries) -> str:
    """The small multiples: each panel's monthly figures and the area's value beside them."""
    area = {f.start: f.value for f in series.area}
    header = ["metric", "group", "name", "go_live_date", "period_start", "period_end",
              *counts_header(series.info), "area_value"]  # fmt: skip
    rows = [
        (series.info.name, place.key, place.name, place.go_live, f.start, f.end, f.numerator,
         f.denominator, f.value, area.get(f.start))
        for place in series.places
        for f in series.by_place.get(place.key, [])
    ]  # fmt: skip
    return to_csv(header, rows)


def league_csv(league: League) -> str:
    header = ["metric", "financial_year", "period_start", "period_end", "rank", "group", "name",
              *counts_header(league.info), "ci95_low", "ci95_high", "area_value",
              "difference", "compared_with_area"]  # fmt: skip
    year = financial_year_label(league.year)
    rows = [
        (league.info.name, year, league.year, league.year_end, line.rank, line.place.key,
         line.place.name,
         *((line.figure.numerator, line.figure.denominator, line.figure.value)
           if line.figure is not None else (None, None, None)),
         *(line.interval or (None, None)), line.area_value, line.difference, line.comparison)
        for line in league.lines
    ]  # fmt: skip
    if league.area is not None:
        a = league.area
        rows.append(
            (league.info.name, year, league.year, league.year_end, None, a.group, "Whole area",
             a.numerator, a.denominator, a.value, None, None, a.value, None, "")
        )  # fmt: skip
    return to_csv(header, rows)


def audit_commission_csv(result: AuditCommission) -> str:
    header = ["financial_year", "measure", "metric", "neighbourhood_id", "neighbourhood",
              "events", "population", "rate_per_100k", "best_quartile_rate_per_100k",
              "fewer_at_best_quartile", "unit_cost_gbp", "value_gbp"]  # fmt: skip
    year = financial_year_label(result.year)
    rows: list[Sequence[Cell]] = []
    for saving in result.savings:
        m = saving.measure
        for gap in saving.gaps:
            place = result.places.get(gap.neighbourhood_id)
            rows.append(
                (year, m.key, m.metric, gap.neighbourhood_id,
                 place.name if place else gap.neighbourhood_id, gap.events, gap.population,
                 gap.rate, saving.best_quartile_rate, gap.fewer, m.cost.gbp, gap.gbp)
            )  # fmt: skip
        rows.append(
            (year, m.key, m.metric, AREA, "All neighbourhoods", None, None, None,
             saving.best_quartile_rate, saving.fewer, m.cost.gbp, saving.gbp)
        )  # fmt: skip
    return to_csv(header, rows)
