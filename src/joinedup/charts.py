"""Charts as SVG, drawn on the server: no JavaScript library, nothing from another site.

A chart is an <svg role="img"> named by its <title> and described by its <desc> (what it
shows and its range), with axes, ticks and labels; the page puts the same figures in a
table beside it for anyone who cannot see it. Colours and sizes are presentation
attributes rather than inline styles, which the Content-Security-Policy would block.
Small multiples share one y scale (make it with `value_axis` over every panel's values),
so panels can be compared at a glance. Pure Python, no Django, no app: the outcome
dashboards, the hub and the risk report (an analytical package) all draw with it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# NHS.UK colours.
BLUE = "#005eb8"
GREY = "#768692"
TEXT = "#212b32"
SECONDARY = "#4c6272"
GRID = "#d8dde0"
PURPLE = "#330072"
PALE_BLUE = "#7fa8d4"


@dataclass(frozen=True)
class Point:
    """One period's value, drawn at the period's midpoint (None: no value, a gap in the line)."""

    start: dt.date
    end: dt.date
    value: float | None

    @property
    def middle(self) -> dt.date:
        return self.start + dt.timedelta(days=(self.end - self.start).days // 2)


@dataclass(frozen=True)
class Line:
    label: str
    points: Sequence[Point]
    colour: str = BLUE
    width: float = 2.0
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    """A vertical line at a date, with a short label (a team's go-live)."""

    day: dt.date
    label: str


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    ticks: tuple[float, ...]
    decimals: int


@dataclass(frozen=True)
class Frame:
    """The chart's size in SVG units and the margins around its plot area."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom


# The bottom margins hold two rows of labels: months, then financial years.
PANEL = Frame(width=290, height=204, left=44, right=8, top=22, bottom=40, font=12)
WIDE = Frame(width=960, height=312, left=64, right=16, top=24, bottom=46, font=13)
# The wide chart redrawn for a phone's width, where WIDE's labels would shrink to unreadable.
COMPACT = Frame(width=340, height=236, left=44, right=12, top=22, bottom=40, font=12)

MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                       "Nov", "Dec")  # fmt: skip
# Month labels every so many months: the fewest that leave room for each label.
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 36, 60)


def _nice_step(span: float, target_ticks: int) -> float:
    raw = span / max(target_ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def value_axis(values: Iterable[float | None], *, ticks: int = 4, zero: bool = True) -> Axis:
    """A y axis covering `values` with round ticks; from 0 when `zero` (counts and rates)."""
    present = [v for v in values if v is not None and math.isfinite(v)]
    if not present:
        return Axis(0.0, 1.0, (0.0, 1.0), 0)
    low, high = min(present), max(present)
    if zero:
        low = min(low, 0.0)
    if high == low:
        high = low + (abs(low) or 1.0)
    step = _nice_step(high - low, ticks)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    count = round((stop - start) / step)
    marks = tuple(round(start + i * step, 10) for i in range(count + 1))
    decimals = 0
    while decimals < 6 and not math.isclose(round(step, decimals), step, rel_tol=1e-9):
        decimals += 1  # as many as the step needs: 2.5 -> 1, 0.25 -> 2, 500 -> 0
    return Axis(start, stop, marks, decimals)


def format_number(
    value: float, decimals: int, *, grouped: bool = True, signed: bool = False
) -> str:
    """A figure as the pages show it: 12,345.7 (`grouped`), +1.5 (`signed`).

    The one rounding of every figure a page, a chart's label or a CSV download shows, so
    they cannot disagree: a CSV asks for it without the thousands separator.
    """
    return f"{value:{'+' if signed else ''}{',' if grouped else ''}.{decimals}f}"


def month_label(day: dt.date) -> str:
    """'Apr 2025', for an axis."""
    return f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"


def financial_year_label(start: dt.date, *, short: bool = False) -> str:
    """'2023/24' (or '23/24') for the financial year starting in April 2023."""
    first = start.year if start.month >= 4 else start.year - 1
    if short:
        return f"{first % 100:02d}/{(first + 1) % 100:02d}"
    return f"{first}/{(first + 1) % 100:02d}"


class _Scale:
    def __init__(self, frame: Frame, first: dt.date, last: dt.date, axis: Axis):
        self.frame, self.first, self.axis = frame, first, axis
        self.days = max((last - first).days, 1)

    def x(self, day: dt.date) -> float:
        return self.frame.left + (day - self.first).days / self.days * self.frame.plot_width

    def y(self, value: float) -> float:
        span = (self.axis.high - self.axis.low) or 1.0
        return self.frame.top + (1 - (value - self.axis.low) / span) * self.frame.plot_height


def px(value: float) -> str:
    """A coordinate or length as the charts write it (one decimal)."""
    return f"{value:.1f}"


def svg_text(
    x: float,
    y: float,
    text: str,
    *,
    size: int,
    anchor: str = "middle",
    fill: str = SECONDARY,
    **extra: str,
) -> str:
    attributes = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in extra.items())
    return (
        f'<text x="{px(x)}" y="{px(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{attributes}>{escape(text)}</text>'
    )


def svg_start(
    css_class: str, frame: Frame, chart_id: str, title: str, description: str, fonts: str
) -> list[str]:
    """An accessible chart's opening: the svg element, its title and description, a
    white ground. Every chart of the platform starts so (screen readers read the two)."""
    return [
        f'<svg class="{css_class}" viewBox="0 0 {frame.width} {frame.height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{fonts}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#ffffff"/>',
    ]


def value_gridlines(frame: Frame, axis: Axis, y: Callable[[float], float], gap: int) -> list[str]:
    """A horizontal gridline at each of the value axis's ticks, labelled `gap` to its left."""
    left, right = frame.left, frame.width - frame.right
    parts = []
    for tick in axis.ticks:
        at = y(tick)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{px(at)}" y2="{px(at)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        label = format_number(tick, axis.decimals)
        parts.append(
            svg_text(left - gap, at + frame.font * 0.35, label, size=frame.font, anchor="end")
        )
    return parts


def axis_lines(frame: Frame) -> list[str]:
    """The x axis along the plot's bottom and the y axis up its left side."""
    left, right = frame.left, frame.width - frame.right
    top, bottom = frame.top, frame.height - frame.bottom
    return [
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" '
        f'stroke="{SECONDARY}" stroke-width="1"/>',
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" '
        f'stroke="{SECONDARY}" stroke-width="1"/>',
    ]


def _paths(line: Line, scale: _Scale) -> list[str]:
    """The line as path segments broken at missing values, plus a dot for a lone value."""
    segments: list[list[tuple[float, float]]] = [[]]
    for point in line.points:
        if point.value is None or not math.isfinite(point.value):
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((scale.x(point.middle), scale.y(point.value)))
    dash = ' stroke-dasharray="5 3"' if line.dashed else ""
    out = []
    for segment in segments:
        if len(segment) == 1:
            (x, y) = segment[0]
            out.append(f'<circle cx="{px(x)}" cy="{px(y)}" r="{line.width}" fill="{line.colour}"/>')
        elif segment:
            d = "M" + " L".join(f"{px(x)},{px(y)}" for x, y in segment)
            out.append(
                f'<path d="{d}" fill="none" stroke="{line.colour}" '
                f'stroke-width="{line.width}" stroke-linejoin="round"{dash}/>'
            )
    return out


def _year_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    year = first.year if first.month >= 4 else first.year - 1
    starts = []
    while dt.date(year, 4, 1) <= last:
        if dt.date(year, 4, 1) >= first:
            starts.append(dt.date(year, 4, 1))
        year += 1
    return starts


def _months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months from first's to last's, as [start, end] pairs."""
    months = []
    start = first.replace(day=1)
    while start <= last:
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        months.append((start, following - dt.timedelta(days=1)))
        start = following
    return months


def month_ticks(first: dt.date, last: dt.date, frame: Frame) -> list[dt.date]:
    """The months to label on the x axis: every month when there is room, else every 2nd,
    3rd, 6th, 12th... counted from April (a financial year's first month), so the labels
    never overlap whatever the chart's width."""
    months = _months(first, last)
    if not months:
        return []
    room = frame.plot_width / len(months)
    needed = frame.font * 5.5  # 'Sep 2025' and a gap, in the chart's units
    step = next((s for s in MONTH_STEPS if s * room >= needed), MONTH_STEPS[-1])
    april = (first.year if first.month >= 4 else first.year - 1) * 12 + 3
    return [s for s, _ in months if (s.year * 12 + s.month - 1 - april) % step == 0]


def _month_bands(
    lines: Sequence[Line],
    scale: _Scale,
    frame: Frame,
    value_text: Callable[[float], str],
) -> list[str]:
    """A transparent band over each month holding a <title> with the month and each line's
    value ('April 2025. Northgate: 1,234 admissions. Whole area: no value.'), shown on hover; the
    page's table beside the chart gives the same figures to a screen reader."""
    by_month: dict[dt.date, list[str]] = {}
    spans: dict[dt.date, tuple[dt.date, dt.date]] = {}
    for line in lines:
        for point in line.points:
            shown = (
                value_text(point.value)
                if point.value is not None and math.isfinite(point.value)
                else "no value"
            )
            by_month.setdefault(point.start, []).append(f"{line.label}: {shown}.")
            spans[point.start] = (point.start, point.end)
    top, height = frame.top, frame.plot_height
    parts = []
    for start in sorted(by_month):
        begin, end = spans[start]
        x0, x1 = scale.x(begin), scale.x(end + dt.timedelta(days=1))
        text = f"{begin:%B %Y}. " + " ".join(by_month[start])
        parts.append(
            f'<rect class="chart-month" x="{px(x0)}" y="{top}" width="{px(x1 - x0)}" '
            f'height="{px(height)}" fill="#ffffff" fill-opacity="0">'
            f"<title>{escape(text)}</title></rect>"
        )
    return parts


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    lines: Sequence[Line],
    axis: Axis,
    first: dt.date,
    last: dt.date,
    frame: Frame = PANEL,
    marker: Marker | None = None,
    y_label: str = "",
    value_text: Callable[[float], str] | None = None,
    css_class: str = "outcomes-chart",
) -> Markup:
    """An accessible SVG line chart of `lines` over [first, last] on `axis`.

    The x axis labels months ('Apr 2025', as many as fit) above the financial years.
    With `value_text` (a value as the page writes it, with its unit), each month carries
    a <title> naming the month and every line's value in it.
    """
    scale = _Scale(frame, first, last + dt.timedelta(days=1), axis)
    font = frame.font
    left = frame.left
    top, bottom = frame.top, frame.height - frame.bottom
    parts = svg_start(
        css_class, frame, chart_id, title, description, "Frutiger W01, Arial, sans-serif"
    )
    parts += value_gridlines(frame, axis, scale.y, 5)
    # Months: a tick and a label ('Apr 2025') at each labelled month's middle.
    for start in month_ticks(first, last, frame):
        end = _months(start, start)[0][1]
        x = scale.x(Point(start, end, None).middle)
        if x - font * 2.2 < 0 or x + font * 2.2 > frame.width:
            continue  # a label that would be cut by the chart's edge
        parts.append(
            f'<line x1="{px(x)}" x2="{px(x)}" y1="{bottom}" y2="{bottom + 4}" '
            f'stroke="{SECONDARY}" stroke-width="1"/>'
        )
        parts.append(svg_text(x, bottom + font + 4, month_label(start), size=font))
    # Financial years: a line at each 1 April, the year's label centred in its span.
    starts = _year_starts(first, last)
    for start in starts:
        x = scale.x(start)
        parts.append(
            f'<line x1="{px(x)}" x2="{px(x)}" y1="{top}" y2="{bottom + 4}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
    edges = [first, *starts, last + dt.timedelta(days=1)]
    short = frame.plot_width / max(len(edges) - 1, 1) < 60
    for begin, end in itertools.pairwise(edges):
        if (end - begin).days < 150:  # too short a stub to label
            continue
        x = (scale.x(begin) + scale.x(end)) / 2
        parts.append(
            svg_text(
                x,
                bottom + 2 * font + 9,
                financial_year_label(begin, short=short),
                size=font,
                fill=TEXT,
            )
        )
    parts += axis_lines(frame)
    if y_label:
        parts.append(svg_text(left, top - 8, y_label, size=font, anchor="start"))
    # The go-live marker, when it falls inside the chart.
    if marker is not None and first <= marker.day <= last:
        x = scale.x(marker.day)
        near_right = x > left + frame.plot_width * 0.7
        parts.append(
            f'<line class="outcomes-go-live" x1="{px(x)}" x2="{px(x)}" y1="{top}" '
            f'y2="{bottom}" stroke="{PURPLE}" stroke-width="2"/>'
        )
        parts.append(
            svg_text(
                x + (-4 if near_right else 4),
                top + font,
                marker.label,
                size=font,
                anchor="end" if near_right else "start",
                fill=PURPLE,
                font_weight="600",
            )
        )
    for line in lines:
        parts.extend(_paths(line, scale))
    if value_text is not None:
        parts += _month_bands(lines, scale, frame, value_text)
    parts.append("</svg>")
    return Markup("".join(parts))


def swatch(colour: str, *, dashed: bool = False, vertical: bool = False) -> Markup:
    """A small legend key drawn like the line it stands for (hidden from screen readers)."""
    if vertical:
        shape = f'<line x1="12" x2="12" y1="1" y2="15" stroke="{colour}" stroke-width="2"/>'
    else:
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        shape = f'<line x1="1" x2="23" y1="8" y2="8" stroke="{colour}" stroke-width="2.5"{dash}/>'
    return Markup(
        f'<svg class="outcomes-swatch" viewBox="0 0 24 16" width="24" height="16" '
        f'aria-hidden="true" focusable="false">{shape}</svg>'
    )


def describe_range(points: Iterable[Point], decimals: int, unit: str) -> str:
    """'From 812.3 to 1,020.8 admissions per 100,000 people.' (or that there are no values)."""
    values = [p.value for p in points if p.value is not None]
    if not values:
        return "No values."
    return (
        f"From {format_number(min(values), decimals)} to "
        f"{format_number(max(values), decimals)} {unit}."
    )
