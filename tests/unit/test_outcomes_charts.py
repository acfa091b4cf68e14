"""The server-drawn SVG charts: well-formed, named for screen readers, with round ticks, gaps
where there is no value, and the go-live marker only where it falls inside the chart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from joinedup.charts import (
    COMPACT,
    PANEL,
    WIDE,
    Line,
    Marker,
    Point,
    financial_year_label,
    format_number,
    line_chart,
    month_ticks,
    value_axis,
)

SVG = "{http://www.w3.org/2000/svg}"


def months(values: list[float | None], first: dt.date = dt.date(2023, 4, 1)) -> list[Point]:
    points = []
    for index, value in enumerate(values):
        year, month = divmod(first.month - 1 + index, 12)
        start = dt.date(first.year + year, month + 1, 1)
        nyear, nmonth = divmod(month + 1, 12)
        end = dt.date(first.year + year + nyear, nmonth + 1, 1) - dt.timedelta(days=1)
        points.append(Point(start, end, value))
    return points


def chart(values: list[float | None], marker: Marker | None = None) -> ET.Element:
    points = months(values)
    svg = line_chart(
        chart_id="c1",
        title="Northgate: admissions <by month>",
        description="From 1 to 9.",
        lines=[Line("Northgate", points)],
        axis=value_axis(values),
        first=points[0].start,
        last=points[-1].end,
        marker=marker,
    )
    return ET.fromstring(str(svg))


def test_value_axis_has_round_ticks_from_zero() -> None:
    axis = value_axis([120.0, 1234.0, None])
    assert axis.ticks == (0.0, 500.0, 1000.0, 1500.0)
    assert (axis.low, axis.high, axis.decimals) == (0.0, 1500.0, 0)
    small = value_axis([0.12, 0.33])
    assert small.ticks == (0.0, 0.1, 0.2, 0.3, 0.4) and small.decimals == 1
    zoomed = value_axis([91.2, 97.9], zero=False)
    assert zoomed.ticks == (90, 92, 94, 96, 98)
    assert value_axis([None]).ticks == (0.0, 1.0)


def test_chart_is_an_image_named_and_described_for_screen_readers() -> None:
    root = chart([1, 4, 9, 2, 5, 3, 7, 8, 6, 2, 4, 5])
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Northgate: admissions <by month>"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "From 1 to 9."  # type: ignore[union-attr]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0.0", "2.5", "5.0", "7.5", "10.0"} <= set(labels)  # value ticks
    assert "2023/24" in labels  # the financial year under its months
    assert len(root.findall(f"{SVG}path")) == 1


def test_missing_values_break_the_line_and_a_lone_value_is_a_dot() -> None:
    root = chart([1, 2, None, 4, None, 6, 7])
    assert len(root.findall(f"{SVG}path")) == 2  # 1-2 and 6-7
    assert len(root.findall(f"{SVG}circle")) == 1  # 4 alone


def test_go_live_marker_only_inside_the_chart() -> None:
    inside = chart([1, 2, 3, 4], Marker(dt.date(2023, 6, 1), "Live"))
    marks = [e for e in inside.iter(f"{SVG}line") if e.get("class") == "outcomes-go-live"]
    assert len(marks) == 1
    assert "Live" in [t.text for t in inside.iter(f"{SVG}text")]
    outside = chart([1, 2, 3, 4], Marker(dt.date(2020, 1, 1), "Live"))
    assert not [e for e in outside.iter(f"{SVG}line") if e.get("class") == "outcomes-go-live"]


def test_financial_year_labels() -> None:
    assert financial_year_label(dt.date(2023, 4, 1)) == "2023/24"
    assert financial_year_label(dt.date(2024, 3, 31)) == "2023/24"
    assert financial_year_label(dt.date(2099, 4, 1), short=True) == "99/00"


def test_each_month_is_labelled_with_its_values() -> None:
    """Every month has a <title> naming it and each line's value as the page writes it."""
    points = months([1234.5, None, 7.25])
    area = months([1000.0, 1100.0, None])
    svg = line_chart(
        chart_id="c2",
        title="Admissions",
        description="Three months.",
        lines=[Line("Northgate", points), Line("Whole area", area, dashed=True)],
        axis=value_axis([1234.5, 7.25, 1000.0]),
        first=points[0].start,
        last=points[-1].end,
        value_text=lambda v: f"{format_number(v, 1)} admissions",
    )
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img"
    bands = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "chart-month"]
    titles = [band.find(f"{SVG}title").text for band in bands]  # type: ignore[union-attr]
    assert titles == [
        "April 2023. Northgate: 1,234.5 admissions. Whole area: 1,000.0 admissions.",
        "May 2023. Northgate: no value. Whole area: 1,100.0 admissions.",
        "June 2023. Northgate: 7.2 admissions. Whole area: no value.",
    ]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Apr 2023", "May 2023", "Jun 2023"} <= set(labels)  # three months: room for each
    # Without value_text (other charts), no bands.
    assert "chart-month" not in str(chart([1, 2, 3]))


def test_month_labels_thin_out_to_fit_and_start_from_april() -> None:
    first, last = dt.date(2019, 4, 1), dt.date(2025, 3, 31)  # 72 months
    wide = month_ticks(first, last, WIDE)
    assert [f"{d:%b %Y}" for d in wide[:3]] == ["Apr 2019", "Oct 2019", "Apr 2020"]
    assert len(wide) == 12
    panel = month_ticks(first, last, PANEL)
    assert [d.month for d in panel] == [4] * len(panel) and 2 <= len(panel) <= 6
    compact = month_ticks(first, last, COMPACT)
    assert compact and all(d.month == 4 for d in compact)
    for frame, ticks in ((WIDE, wide), (PANEL, panel), (COMPACT, compact)):
        room = frame.plot_width * (ticks[1] - ticks[0]).days / (last - first).days
        assert room >= frame.font * 5, frame  # 'Sep 2025' at the frame's font never overlaps
    root = ET.fromstring(
        str(
            line_chart(
                chart_id="c3",
                title="t",
                description="d",
                lines=[Line("x", months([1.0] * 72, first))],
                axis=value_axis([1.0]),
                first=first,
                last=last,
                frame=WIDE,
            )
        )
    )
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "Apr 2019" in labels and "Oct 2024" in labels and "2024/25" in labels


def test_the_pages_rounding_with_and_without_separators() -> None:
    assert format_number(12345.678901, 1) == "12,345.7"
    assert format_number(12345.678901, 1, grouped=False) == "12345.7"
    assert format_number(1.5, 1, signed=True) == "+1.5"
    assert format_number(-1234.25, 2, grouped=False, signed=True) == "-1234.25"
