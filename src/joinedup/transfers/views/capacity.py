"""Capacity (brokers record it; the gap per service and which delays it explains) and the
daily situation report (the page with metrics 6, 7 and 8 of the last 30 days, and its CSV).

Both pages are counts: no person is named, so reading them audits nothing; recording
capacity is audited (joinedup.transfers.capacity.record_capacity). Brokers, discharge
coordinators, team managers and commissioners read them; only brokers record capacity;
everyone else gets 403.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from joinedup.access.capabilities import READ_CAPACITY_PAGES, READ_THE_HUB, RECORD_CAPACITY
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import StaffMember
from joinedup.access.policy import staff_of
from joinedup.access.staff_names import names_of
from joinedup.formatting import long_date
from joinedup.forms.dates import DATE_PARTS, DateEntry, read_optional_date, with_error
from joinedup.forms.errors import FieldError
from joinedup.record.models import Neighbourhood
from joinedup.transfers import capacity as cap
from joinedup.transfers.charts import bar_chart
from joinedup.transfers.inpatients import EARLIEST_YEAR, board_day
from joinedup.transfers.models import Capacity
from joinedup.transfers.situation_report import (
    BANDS,
    REASONS,
    delay_metrics,
    metric_period,
    reason_text,
    situation_report,
)

HISTORY = 100  # reports shown in the history, newest first


def amount(value: float | None) -> str:
    """12, 12.5 or 1,250 (hours may have a fraction; places never do)."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def quantity(value: float, service: str) -> str:
    """'1 slot', '3 slots', '12.5 hours a week': a figure with its service's unit."""
    unit = cap.UNIT_OF_ONE[service] if value == 1 else cap.UNITS[service]
    return f"{amount(value)} {unit}"


FIELDS = ("service", "neighbourhood", "available", "note")


def _reader(request: HttpRequest) -> StaffMember:
    staff = staff_of(request.user)
    if staff is None or not READ_CAPACITY_PAGES.allows(staff):
        raise PermissionDenied(
            "Capacity and the situation report are for the transfer of care hub "
            "(social care brokers, discharge coordinators), team managers and commissioners."
        )
    return staff


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def capacity(request: HttpRequest) -> HttpResponse:
    """The current capacity, the gap per service and area, the history; brokers' form."""
    staff = _reader(request)
    values = {name: "" for name in FIELDS}
    problems: list[FieldError] = []
    if request.method == "POST":
        if not RECORD_CAPACITY.allows(staff):
            raise PermissionDenied("Only social care brokers record capacity.")
        values = {name: str(request.POST.get(name, "")).strip() for name in FIELDS}
        entry, problems = cap.read_capacity(request.POST)
        if entry is not None:
            report = cap.record_capacity(request.user, entry)
            service = Capacity.Service(report.service)
            messages.success(
                request,
                f"Recorded: {service.label}, {cap.area_name(report.neighbourhood)}: "
                f"{quantity(report.available, report.service)}.",
            )
            return HttpResponseRedirect(reverse("transfers:capacity"))
    today = timezone.localdate()
    day = board_day(today)
    picture = cap.capacity_picture(day)
    order = {service: i for i, service in enumerate(Capacity.Service.values)}
    current = sorted(
        picture.current.values(),
        key=lambda r: (
            order[r.service],
            r.neighbourhood is not None,
            cap.area_name(r.neighbourhood),
        ),
    )
    history = list(Capacity.objects.select_related("neighbourhood")[:HISTORY])
    return render(
        request,
        "transfers/capacity_page.jinja",
        {
            "may_record": RECORD_CAPACITY.allows(staff),
            "hub_reader": READ_THE_HUB.allows(staff),
            "services": Capacity.Service.choices,
            "neighbourhoods": list(Neighbourhood.objects.all()),
            "whole_area": cap.WHOLE_AREA,
            "values": values,
            "problems": problems,
            "today": today,
            "day": day,
            "picture": picture,
            "current": current,
            "history": history,
            "staff_names": names_of(r.recorded_by for r in (*current, *history)),
            "history_size": HISTORY,
            "area_name": cap.area_name,
            "labels": dict(Capacity.Service.choices),
            "amount": amount,
            "quantity": quantity,
        },
        status=400 if problems else 200,
    )


# The report's day: the NHS.UK date input, boxes on_day, on_month, on_year (blank: the board's).
DAY = "on"


def _day(
    request: HttpRequest, today: dt.date
) -> tuple[dt.date, dt.date, DateEntry, list[FieldError]]:
    """The day asked for (default: the board's day), the board's day, the boxes as typed (to
    show back, with their problem) and the problems."""
    board = board_day(today)
    typed = read_optional_date(request.GET, DAY, "day", example="31 3 2025")
    day = typed.date or board
    if not typed.error and typed.date is not None:
        if day.year < EARLIEST_YEAR:
            typed = with_error(typed, f"The day must be in {EARLIEST_YEAR} or later")
        elif day > board:
            limit = (
                "today or earlier"
                if board == today
                else f"on or before {long_date(board)}, when the hospital data end"
            )
            typed = with_error(typed, f"The day must be {limit}")
    if typed.error:
        return board, board, typed, [FieldError(f"{DAY}-day", typed.error)]
    return day, board, typed if typed.typed else DateEntry.of(board), []


@require_safe
@staff_member_required
def situation_page(request: HttpRequest) -> HttpResponse:
    """The situation report for a day, and metrics 6, 7, 8 of the 30 days to it."""
    staff = _reader(request)
    today = timezone.localdate()
    day, board, typed, problems = _day(request, today)
    report = situation_report(day)
    start, end = metric_period(day)
    metrics = delay_metrics(start, end)
    area = metrics[0]
    reasons = [(r, area.by_reason[r]) for r in REASONS if area.by_reason.get(r)]
    chart = (
        bar_chart(
            chart_id="delayed-days-chart",
            title=f"Delayed days by reason, {long_date(start)} to {long_date(end)}",
            description=(
                "Days adults discharged in the period waited after their ready date, by the "
                "reason recorded, for the whole area: "
                + "; ".join(f"{reason_text(r)} {days:,}" for r, days in reasons)
                + "."
            ),
            bars=[(reason_text(r), days) for r, days in reasons],
            unit="days",
        )
        if reasons
        else None
    )
    return render(
        request,
        "transfers/situation_report.jinja",
        {
            "day": day,
            "board": board,
            "today": today,
            "typed": typed,
            "day_query": urlencode({f"{DAY}_{part}": getattr(day, part) for part in DATE_PARTS}),
            "problems": problems,
            "report": report,
            "reasons": REASONS,
            "bands": BANDS,
            "reason_text": reason_text,
            "start": start,
            "end": end,
            "metrics": metrics,
            "by_reason": reasons,
            "chart": chart,
            "hub_reader": READ_THE_HUB.allows(staff),
        },
        status=400 if problems else 200,
    )


@require_safe
@staff_member_required
def situation_csv(request: HttpRequest) -> HttpResponse:
    """The situation report for a day as CSV (columns: joinedup.transfers.situation_report)."""
    _reader(request)
    day, _board, _typed, problems = _day(request, timezone.localdate())
    if problems:
        return HttpResponse(
            problems[0].text + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(situation_report(day).csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="situation-report-{day}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("capacity/", capacity, name="capacity"),
    path("situation-report/", situation_page, name="situation_report"),
    path("situation-report.csv", situation_csv, name="situation_report_csv"),
]
