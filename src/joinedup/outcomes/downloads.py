"""The CSV downloads: the figures behind each chart and table, and the whole stored run.

The chart and table downloads are for people: columns named as the page names them, metrics
by their titles, places by their names, and every figure rounded as the page shows it
(joinedup.charts.format_number, the pages' own, without the thousands separator), so a
download and its page cannot disagree. The long form is for analysts' tools: docs/metrics.md's
columns with the metric's contract name in `metric`, its title beside it, and counts either
published (the small-number rule, withheld as "*") or exact; its values are rounded as the
pages show them too. Dates are ISO 8601; a blank is no figure. Each file starts with the
columns' names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from joinedup.charts import financial_year_label, format_number
from joinedup.outcomes.catalogue import METRICS_BY_NAME, MetricInfo, base_name, variant_label
from joinedup.outcomes.dashboard import (
    AuditCommission,
    League,
    MetricSeries,
    rolling_average,
)
from joinedup.outcomes.models import AREA

Cell = str | float | int | dt.date | None

# The page's words for a comparison with the area (outcomes/macros.jinja's comparison_tag).
COMPARISONS = {"better": "Better", "worse": "Worse", "similar": "Similar", "same": "Same"}
WHOLE_AREA = "Whole area"
ALL_FUNDERS = "All funders"


def figure(value: float | None, decimals: int, *, signed: bool = False) -> str:
    """A figure as its page shows it (same rounding), without thousands separators; '' for
    none."""
    if value is None:
        return ""
    return format_number(value, decimals, grouped=False, signed=signed)


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
    """The numerator's, the denominator's and the value's columns, as the league table names
    them ("Admissions", "Population", "Value (admissions per 100,000 people)")."""
    return [info.numerator_label, info.denominator_label, f"Value ({info.unit})"]


def _counts(info: MetricInfo, numerator: float | None, denominator: float | None,
            value: float | None) -> tuple[str, str, str]:  # fmt: skip
    """Counts as whole numbers and the value to the metric's decimals, as the pages show them."""
    return figure(numerator, 0), figure(denominator, 0), figure(value, info.decimals)


def area_name(info: MetricInfo) -> str:
    return ALL_FUNDERS if info.area_only else WHOLE_AREA


def group_heading(info: MetricInfo) -> str:
    return "Funder" if info.area_only else "Neighbourhood"


def area_csv(series: MetricSeries) -> str:
    """The area chart: the whole area's monthly figures and their 12-month average."""
    info = series.info
    header = ["Metric", "Area", "Month", "Period start", "Period end", *counts_header(info),
              "12-month average"]  # fmt: skip
    averages = rolling_average(series.area)
    rows = [
        (info.title, area_name(info), f"{f.start:%B %Y}", f.start, f.end,
         *_counts(info, f.numerator, f.denominator, f.value), figure(average, info.decimals))
        for f, average in zip(series.area, averages, strict=True)
    ]  # fmt: skip
    return to_csv(header, rows)


def panels_csv(series: MetricSeries) -> str:
    """The small multiples: each panel's monthly figures and the area's value beside them."""
    info = series.info
    area = {f.start: f.value for f in series.area}
    header = ["Metric", group_heading(info), "Integrated team went live", "Month",
              "Period start", "Period end", *counts_header(info),
              f"{area_name(info)} value"]  # fmt: skip
    rows = [
        (info.title, place.name, place.go_live, f"{f.start:%B %Y}", f.start, f.end,
         *_counts(info, f.numerator, f.denominator, f.value),
         figure(area.get(f.start), info.decimals))
        for place in series.places
        for f in series.by_place.get(place.key, [])
    ]  # fmt: skip
    return to_csv(header, rows)


def league_csv(league: League) -> str:
    """The league table, best first, and the area's row last, as the page lists them."""
    info = league.info
    decimals = info.decimals
    header = ["Metric", "Financial year", "Period start", "Period end", "Rank",
              group_heading(info), *counts_header(info),
              "95% confidence interval, lower", "95% confidence interval, upper",
              f"{area_name(info)} value", "Difference from the area",
              "Compared with the area"]  # fmt: skip
    year = financial_year_label(league.year)
    rows: list[Sequence[Cell]] = []
    for line in league.lines:
        f = line.figure
        low, high = line.interval or (None, None)
        rows.append(
            (info.title, year, league.year, league.year_end, line.rank, line.place.name,
             *(_counts(info, f.numerator, f.denominator, f.value) if f else ("", "", "")),
             figure(low, decimals), figure(high, decimals), figure(line.area_value, decimals),
             figure(line.difference, decimals, signed=True),
             COMPARISONS.get(line.comparison, ""))
        )  # fmt: skip
    if league.area is not None:
        a = league.area
        rows.append(
            (info.title, year, league.year, league.year_end, None, area_name(info),
             *_counts(info, a.numerator, a.denominator, a.value), "", "",
             figure(a.value, decimals), "", "")
        )  # fmt: skip
    return to_csv(header, rows)


def audit_commission_csv(result: AuditCommission) -> str:
    """Each measure's gap by neighbourhood and in all, to the decimals of the page's tables."""
    header = ["Financial year", "Measure", "Neighbourhood", "Events", "Population",
              "Rate per 100,000", "Best quartile rate per 100,000",
              "Fewer at the best quartile", "Unit cost (£)", "Worth (£)"]  # fmt: skip
    year = financial_year_label(result.year)
    rows: list[Sequence[Cell]] = []
    for saving in result.savings:
        m = saving.measure
        best = figure(saving.best_quartile_rate, 1)
        cost = figure(m.cost.gbp, 0)
        for gap in saving.gaps:
            place = result.places.get(gap.neighbourhood_id)
            rows.append(
                (year, m.title, place.name if place else gap.neighbourhood_id,
                 figure(gap.events, 0), figure(gap.population, 0), figure(gap.rate, 1), best,
                 figure(gap.fewer, 1), cost, figure(gap.gbp, 0))
            )  # fmt: skip
        rows.append(
            (year, m.title, "All neighbourhoods", None, None, None, best,
             figure(saving.fewer, 1), cost, figure(saving.gbp, 0))
        )  # fmt: skip
    return to_csv(header, rows)


# --- the long form of the whole stored run -----------------------------------------------


def metric_title(metric: str) -> str:
    """'Delayed days: Awaiting care package' for 'delayed_days:awaiting_care_package'."""
    info = METRICS_BY_NAME.get(base_name(metric))
    if info is None:
        return ""
    variant = variant_label(metric)
    return f"{info.title}: {variant}" if variant else info.title


def long_form_csv(
    rows: Iterable[Mapping[str, Any]], *, exact: bool, names: Mapping[str, str]
) -> str:
    """Stored long-form rows (dicts of docs/metrics.md's columns) as CSV with `title` and
    `neighbourhood` (its name, from `names`) added: published by the small-number rule
    unless `exact`; the value rounded as the pages show it."""
    # The metrics package brings its query engine with it: loaded when an analyst asks.
    from joinedup.metrics.catalogue import BY_NAME
    from joinedup.metrics.long_form import SCHEMA
    from joinedup.metrics.output import _csv_cells
    from joinedup.metrics.publication import publish_row

    header = [*SCHEMA.names, "title", "neighbourhood"]
    lines: list[Sequence[Cell]] = []
    for stored in rows:
        row = dict(stored)
        base = base_name(str(row["metric"]))
        if not exact:
            row = publish_row(BY_NAME[base], row)
        cells = _csv_cells(row)  # withheld figures as "*", as `joinedup metrics` writes them
        info = METRICS_BY_NAME.get(base)
        if row["value"] is not None and info is not None:
            cells[6] = figure(row["value"], info.decimals)
        group = str(row["neighbourhood_id"])
        name = WHOLE_AREA if group == AREA else names.get(group, group)
        lines.append([*cells, metric_title(str(row["metric"])), name])
    return to_csv(header, lines)
