"""A horizontal bar chart as SVG drawn on the server (no JavaScript, nothing from elsewhere).

As joinedup.charts: an <svg role="img"> named by its <title> and described by its
<desc>, presentation attributes rather than styles (the Content-Security-Policy), and the
page shows the same figures in a table for anyone who cannot see it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from joinedup.charts import BLUE, GRID, SECONDARY, TEXT, format_number, value_axis

WIDTH = 640
LABEL_WIDTH = 220
RIGHT = 96  # room for the value after the longest bar ("12,345 days")
TOP = 28
BAR = 18
GAP = 8
FONT = 13


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: Sequence[tuple[str, float]], unit: str
) -> Markup:
    """Bars for (label, value) pairs, top to bottom, on one axis from 0."""
    axis = value_axis([v for _, v in bars], ticks=4)
    plot = WIDTH - LABEL_WIDTH - RIGHT
    height = TOP + len(bars) * (BAR + GAP) + 8
    span = (axis.high - axis.low) or 1.0

    def x(value: float) -> float:
        return LABEL_WIDTH + (value - axis.low) / span * plot

    parts = [
        f'<svg class="outcomes-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="Frutiger W01, Arial, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    bottom = height - 8
    for tick in axis.ticks:
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP - 6}" y2="{bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{TOP - 10}" font-size="{FONT}" text-anchor="middle" '
            f'fill="{SECONDARY}">{escape(format_number(tick, axis.decimals))}</text>'
        )
    for i, (label, value) in enumerate(bars):
        y = TOP + i * (BAR + GAP)
        width = max(x(value) - LABEL_WIDTH, 0.0)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.75:.1f}" font-size="{FONT}" '
            f'text-anchor="end" fill="{TEXT}">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{BLUE}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR * 0.75:.1f}" '
            f'font-size="{FONT}" text-anchor="start" fill="{TEXT}">'
            f"{escape(format_number(value, 0))} {escape(unit)}</text>"
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" x2="{LABEL_WIDTH}" y1="{TOP - 6}" y2="{bottom}" '
        f'stroke="{SECONDARY}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
