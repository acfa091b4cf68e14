"""X-Y charts of the validation report as inline SVG: ROC, precision-recall and calibration.

The outcome dashboards' charts (outcomes/charts.py) run along dates; these run along
rates, so they are drawn here, with its axes, colours and number format. Each series has
its own colour, dash pattern and marker shape, so colour is never the only way to tell
them apart; the legend shows the same three. A chart is an <svg role="img"> named by its
<title> and described by its <desc>; the page gives its figures in a table too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from joinedup.charts import (
    GREY,
    GRID,
    TEXT,
    Axis,
    Frame,
    axis_lines,
    format_number,
    px,
    svg_start,
    svg_text,
    value_gridlines,
)


@dataclass(frozen=True)
class Style:
    colour: str
    dash: str  # an SVG stroke-dasharray ("" for a solid line)
    marker: str  # circle, square, triangle, diamond or cross


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[float, float]]
    style: Style


# Dark enough for 3:1 against white (WCAG non-text contrast), and told apart without colour.
STYLES = (
    Style("#005eb8", "", "circle"),  # NHS blue, solid
    Style("#007f3b", "9 4", "square"),  # green, dashed
    Style("#a14c00", "2 3", "triangle"),  # dark orange, dotted
    Style("#7c2855", "10 3 2 3", "diamond"),  # plum, dash-dot
    Style(TEXT, "14 4 4 4 4 4", "cross"),  # near black, dash-dot-dot
)
SQUARE = Frame(width=440, height=420, left=58, right=16, top=24, bottom=52, font=13)
MARKERS_PER_LINE = 5


def unit_axis() -> Axis:
    return Axis(0.0, 1.0, (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), 1)


def marker(shape: str, x: float, y: float, colour: str, size: float = 4.5) -> str:
    """A marker drawn in the series' colour (open shapes have a white fill, so they show
    over lines)."""
    s = size
    if shape == "circle":
        return (
            f'<circle cx="{px(x)}" cy="{px(y)}" r="{px(s)}" fill="#ffffff" stroke="{colour}" '
            'stroke-width="2"/>'
        )
    if shape == "square":
        return (
            f'<rect x="{px(x - s)}" y="{px(y - s)}" width="{px(2 * s)}" height="{px(2 * s)}" '
            f'fill="{colour}"/>'
        )
    if shape == "triangle":
        points = (
            f"{px(x)},{px(y - s * 1.2)} {px(x - s * 1.1)},{px(y + s)} {px(x + s * 1.1)},{px(y + s)}"
        )
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        corners = ((x, y - s * 1.3), (x + s, y), (x, y + s * 1.3), (x - s, y))
        points = " ".join(f"{px(a)},{px(b)}" for a, b in corners)
        return f'<polygon points="{points}" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
    return (
        f'<path d="M{px(x - s)},{px(y - s)} L{px(x + s)},{px(y + s)} M{px(x - s)},{px(y + s)} '
        f'L{px(x + s)},{px(y - s)}" stroke="{colour}" stroke-width="2.5"/>'
    )


def along(
    points: Sequence[tuple[float, float]], fractions: Sequence[float]
) -> list[tuple[float, float]]:
    """The places at these fractions of the line's drawn length (markers spread evenly
    however unevenly the points are)."""
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    total = sum(lengths)
    if total == 0:
        return [points[0]] if points else []
    out = []
    for fraction in fractions:
        left = fraction * total
        for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
            if left <= length and length > 0:
                t = left / length
                out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
                break
            left -= length
        else:
            out.append(points[-1])
    return out


class _Scale:
    def __init__(self, frame: Frame, x_axis: Axis, y_axis: Axis):
        self.frame, self.x_axis, self.y_axis = frame, x_axis, y_axis

    def x(self, value: float) -> float:
        span = (self.x_axis.high - self.x_axis.low) or 1.0
        return self.frame.left + (value - self.x_axis.low) / span * self.frame.plot_width

    def y(self, value: float) -> float:
        span = (self.y_axis.high - self.y_axis.low) or 1.0
        return self.frame.top + (1 - (value - self.y_axis.low) / span) * self.frame.plot_height


def xy_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    x_axis: Axis,
    y_axis: Axis,
    x_label: str,
    y_label: str,
    diagonal: str = "",
    every_marker: bool = False,
    frame: Frame = SQUARE,
) -> Markup:
    """An accessible SVG chart of `series`; `diagonal` labels a grey dashed line y = x
    (chance on a ROC chart, perfect calibration on a calibration plot)."""
    scale = _Scale(frame, x_axis, y_axis)
    font = frame.font
    left, right = frame.left, frame.width - frame.right
    top, bottom = frame.top, frame.height - frame.bottom
    parts = svg_start("risk-chart", frame, chart_id, title, description, "Arial, sans-serif")
    parts += value_gridlines(frame, y_axis, scale.y, 6)
    for tick in x_axis.ticks:
        x = scale.x(tick)
        parts.append(
            f'<line x1="{px(x)}" x2="{px(x)}" y1="{top}" y2="{bottom}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        parts.append(
            svg_text(x, bottom + font + 4, format_number(tick, x_axis.decimals), size=font)
        )
    parts += axis_lines(frame)
    parts.append(svg_text((left + right) / 2, frame.height - 8, x_label, size=font))
    parts.append(
        svg_text(
            14,
            (top + bottom) / 2,
            y_label,
            size=font,
            transform=f"rotate(-90 14 {px((top + bottom) / 2)})",
        )
    )
    if diagonal:
        low = max(x_axis.low, y_axis.low)
        high = min(x_axis.high, y_axis.high)
        parts.append(
            f'<line x1="{px(scale.x(low))}" y1="{px(scale.y(low))}" x2="{px(scale.x(high))}" '
            f'y2="{px(scale.y(high))}" stroke="{GREY}" stroke-width="1.5" '
            'stroke-dasharray="3 5"/>'
        )
    for index, line in enumerate(series):
        points = [(scale.x(x), scale.y(y)) for x, y in line.points]
        if not points:
            continue
        style = line.style
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        if len(points) > 1:
            d = "M" + " L".join(f"{px(x)},{px(y)}" for x, y in points)
            parts.append(
                f'<path d="{d}" fill="none" stroke="{style.colour}" stroke-width="2" '
                f'stroke-linejoin="round"{dash}/>'
            )
        if every_marker:
            chosen = points
        else:  # a few markers along the line, staggered so series do not hide each other's
            offset = (index + 1) / (len(series) + 1)
            chosen = along(
                points, [(k + offset) / MARKERS_PER_LINE for k in range(MARKERS_PER_LINE)]
            )
        parts.extend(marker(style.marker, x, y, style.colour) for x, y in chosen)
    parts.append("</svg>")
    return Markup("".join(parts))


def legend_key(style: Style) -> Markup:
    """The series' line and marker, small, for the legend beside a chart (hidden from screen
    readers: the label beside it says the same)."""
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return Markup(
        '<svg class="risk-key" viewBox="0 0 44 16" width="44" height="16" aria-hidden="true" '
        f'focusable="false"><line x1="1" x2="43" y1="8" y2="8" stroke="{style.colour}" '
        f'stroke-width="2"{dash}/>{marker(style.marker, 22, 8, style.colour, 4)}</svg>'
    )


def diagonal_key() -> Markup:
    return Markup(
        '<svg class="risk-key" viewBox="0 0 44 16" width="44" height="16" aria-hidden="true" '
        f'focusable="false"><line x1="1" x2="43" y1="8" y2="8" stroke="{GREY}" '
        'stroke-width="1.5" stroke-dasharray="3 5"/></svg>'
    )
