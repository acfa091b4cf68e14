"""The charts of a metric's page: the area's trend, and one small panel per neighbourhood.

Built from joinedup.outcomes.dashboard's MetricSeries (the same figures as the CSV
downloads) with joinedup.charts. Every panel shares one y scale, so a taller line
is a higher value wherever it is on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from joinedup.charts import (
    BLUE,
    COMPACT,
    PALE_BLUE,
    SECONDARY,
    WIDE,
    Line,
    Marker,
    Point,
    describe_range,
    format_number,
    line_chart,
    value_axis,
)
from joinedup.outcomes.catalogue import MetricInfo
from joinedup.outcomes.dashboard import Figure, MetricSeries, Place, rolling_average


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def month_text(day: dt.date) -> str:
    return f"{day:%B %Y}"


def value_with_unit(info: MetricInfo, value: float) -> str:
    """'1,234 admissions per 100,000 people', '85.3% of discharges': a chart's month label."""
    figure = format_number(value, info.decimals)
    return f"{figure}{info.unit}" if info.unit.startswith("%") else f"{figure} {info.unit}"


def _points(figures: list[Figure]) -> list[Point]:
    return [Point(f.start, f.end, f.value) for f in figures]


def go_live_sentence(place: Place, first: dt.date, last: dt.date) -> str:
    """What the panel says about the neighbourhood's integrated team, in words."""
    if place.go_live is None:
        return "The team is not integrated yet." if place.has_team else ""
    when = long_date(place.go_live)
    if place.go_live < first:
        return f"The integrated team went live on {when}, before these figures start."
    if place.go_live > last:
        return f"The integrated team goes live on {when}, after these figures end."
    return f"The integrated team went live on {when} (the purple line)."


@dataclass(frozen=True)
class PanelChart:
    place: Place
    svg: Markup
    note: str  # the go-live sentence shown under the panel


@dataclass(frozen=True)
class MetricCharts:
    area: Markup | None
    area_compact: Markup | None  # the same chart drawn for a phone's width
    panels: list[PanelChart]
    first: dt.date | None
    last: dt.date | None
    averages: list[float | None]


def _zero_based(series: MetricSeries) -> bool:
    """Rates, counts and means start at 0; percentages zoom to where their values are."""
    return not series.info.name.endswith("_pct")


def metric_charts(series: MetricSeries) -> MetricCharts:
    info = series.info
    if not series.area:
        return MetricCharts(None, None, [], None, None, [])
    first, last = series.area[0].start, series.area[-1].end
    period = f"{month_text(first)} to {month_text(last)}"
    averages = rolling_average(series.area)
    area_axis = value_axis(
        [*(f.value for f in series.area), *averages], zero=_zero_based(series), ticks=5
    )
    average_points = [
        Point(f.start, f.end, average) for f, average in zip(series.area, averages, strict=True)
    ]

    def label(value: float) -> str:
        return value_with_unit(info, value)

    area_charts = [
        line_chart(
            chart_id=chart_id,
            title=f"{info.title}: the whole area, month by month",
            description=(
                f"Each month's value from {period} (thin line) and the average of the last 12 "
                f"months (thick line). "
                f"{describe_range(_points(series.area), info.decimals, info.unit)}"
            ),
            lines=[
                Line("Value", _points(series.area), colour=PALE_BLUE, width=1.5),
                Line("12-month average", average_points, colour=BLUE, width=3),
            ],
            axis=area_axis,
            first=first,
            last=last,
            frame=frame,
            y_label=info.unit,
            value_text=label,
            css_class=css_class,
        )
        for chart_id, frame, css_class in (
            ("chart-area", WIDE, "outcomes-chart"),
            ("chart-area-compact", COMPACT, "outcomes-chart-compact"),
        )
    ]
    axis = value_axis(series.values(), zero=_zero_based(series))
    reference = Line(
        "Whole area" if not info.area_only else "All funders",
        _points(series.area),
        colour=SECONDARY,
        width=1.5,
        dashed=True,
    )
    panels = []
    for index, place in enumerate(series.places, start=1):
        own = series.by_place.get(place.key, [])
        note = go_live_sentence(place, first, last)
        marker = (
            Marker(place.go_live, "Live")
            if place.go_live and first <= place.go_live <= last
            else None
        )
        svg = line_chart(
            chart_id=f"chart-{index}",
            title=f"{place.name}: {info.title.lower()}, month by month",
            description=(
                f"{period}. {describe_range(_points(own), info.decimals, info.unit)} "
                f"The {reference.label.lower()} is drawn dashed for comparison. {note}"
            ).strip(),
            lines=[reference, Line(place.name, _points(own), colour=BLUE, width=1.75)],
            axis=axis,
            first=first,
            last=last,
            marker=marker,
            value_text=label,
        )
        panels.append(PanelChart(place=place, svg=svg, note=note))
    return MetricCharts(area_charts[0], area_charts[1], panels, first, last, averages)
