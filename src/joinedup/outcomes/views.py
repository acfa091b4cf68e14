"""The outcome dashboards: an index of the metrics, a page per metric, the Audit Commission
calculation, the CSV behind every chart and table, and the whole stored run in long form.

Commissioners, team managers and analysts only (joinedup.access.capabilities.SEE_OUTCOMES);
everyone else gets the 403 page. The long form is published (the small-number rule) for
all of them and exact for analysts only (DOWNLOAD_EXACT_OUTCOMES). Aggregates by
neighbourhood, never a person, so neither the views nor the downloads write an audit event
(as the partnership overview writes none). Figures come from the stored results
(joinedup.outcomes.refresh), never from the lake while a page waits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from joinedup.access.capabilities import DOWNLOAD_EXACT_OUTCOMES, SEE_OUTCOMES
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import StaffMember
from joinedup.access.policy import staff_of
from joinedup.charts import BLUE as LINE_BLUE
from joinedup.charts import PALE_BLUE as MONTH_BLUE
from joinedup.charts import PURPLE, SECONDARY, financial_year_label, format_number, swatch
from joinedup.outcomes import downloads
from joinedup.outcomes.audit_commission import BEST_QUARTILE, measures
from joinedup.outcomes.catalogue import METRIC_CATALOGUE, METRICS_BY_NAME, MetricInfo
from joinedup.outcomes.dashboard import (
    YearChoiceError,
    audit_commission,
    choose_year,
    current_run,
    figures,
    financial_years,
    league_table,
    metric_series,
    places,
    stored_rows,
)
from joinedup.outcomes.models import AREA, OutcomeResult, PeriodKind
from joinedup.outcomes.panels import metric_charts
from joinedup.referrals.visit_outcomes import last_days_to

CHARTS = ("area", "panels", "league")


def number(value: float | None, decimals: int = 1) -> str:
    """12,345.6 for tables; '' for no value (rounded as the CSV downloads round)."""
    return "" if value is None else format_number(value, decimals)


def signed(value: float | None, decimals: int = 1) -> str:
    """+1.5 or -1.5, for a difference; '' for none."""
    return "" if value is None else format_number(value, decimals, signed=True)


def roughly_gbp(value: float) -> str:
    """£3.9 million or £624,000: a headline sum without false precision (tables are exact)."""
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f} million"
    return f"£{round(value, -3):,.0f}"


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    helpers = {
        "number": number,
        "signed": signed,
        "roughly_gbp": roughly_gbp,
        "year_label": financial_year_label,
    }
    return render(request, template, {**helpers, **context})


def _viewer(request: HttpRequest) -> StaffMember:
    staff = staff_of(request.user)
    if staff is None or not SEE_OUTCOMES.allows(staff):
        raise PermissionDenied("Only commissioners and team managers see the outcome dashboards.")
    return staff


def _info(name: str) -> MetricInfo:
    info = METRICS_BY_NAME.get(name)
    if info is None:
        raise Http404("No such outcome metric.")
    return info


def _year(request: HttpRequest) -> tuple[list[dt.date], dt.date | None, str]:
    """The stored financial years, the one chosen (or the latest) and any error about it."""
    years = financial_years()
    try:
        return years, choose_year(request.GET.get("year"), years), ""
    except YearChoiceError as exc:
        return years, choose_year(None, years), str(exc)


def _year_choices(years: list[dt.date], chosen: dt.date | None) -> list[dict[str, Any]]:
    return [
        {
            "value": str(y.year),
            "text": f"{financial_year_label(y)} (April {y.year} to March {y.year + 1})",
            "selected": y == chosen,
        }
        for y in reversed(years)
    ]


def _yours(staff: StaffMember) -> list[str]:
    """The names of the viewer's teams' neighbourhoods (a team manager's), for the page."""
    ids = set(staff.teams.values_list("neighbourhood_id", flat=True))
    return [p.name for p in places(ids, staff)]


TWO_HOUR_METRIC = "two_hour_response_pct"
VISIT_OUTCOME_DAYS = 365


@require_safe
@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    """Every metric with the whole area's latest financial year against the year before."""
    staff = _viewer(request)
    run = current_run()
    years = financial_years()
    summaries = []
    latest = years[-1] if years else None
    previous = years[-2] if len(years) > 1 else None
    for info in METRIC_CATALOGUE:
        area_key = info.name if info.area_only else AREA
        by_year = {f.start: f.value for f in figures(info, PeriodKind.YEAR) if f.group == area_key}
        now = by_year.get(latest) if latest else None
        before = by_year.get(previous) if previous else None
        change = ""
        if now is not None and before is not None and info.direction is not None:
            if now == before:
                change = "same"
            else:
                change = "better" if (now < before) == (info.direction == "lower") else "worse"
        summaries.append({"info": info, "now": now, "before": before, "change": change})
    return _page(
        request,
        "outcomes/index.jinja",
        {
            "run": run,
            "latest": latest,
            "previous": previous,
            "summaries": summaries,
            "yours": _yours(staff),
            "exact_allowed": DOWNLOAD_EXACT_OUTCOMES.allows(staff),
        },
    )


TWO_HOUR_METRIC = "two_hour_response_pct"
VISIT_OUTCOME_DAYS = 365


@require_safe
@staff_member_required
def metric(request: HttpRequest, name: str) -> HttpResponse:
    """One metric: the area's trend, a panel per neighbourhood, and the league table."""
    staff = _viewer(request)
    info = _info(name)
    run = current_run()
    years, year, error = _year(request)
    series = metric_series(info, staff)
    charts = metric_charts(series)
    league = league_table(info, year, staff) if year is not None else None
    return _page(
        request,
        "outcomes/metric.jinja",
        {
            "run": run,
            "info": info,
            "series": series,
            "charts": charts,
            "league": league,
            "year_choices": _year_choices(years, year),
            "error": error,
            "yours": [p for p in series.places if p.yours],
            # What came of the urgent response's first visits, beside its two-hour share:
            # the nurses' own records in joinedup over the last year, not the lake's.
            "visit_outcomes": last_days_to(timezone.localdate(), VISIT_OUTCOME_DAYS)
            if info.name == TWO_HOUR_METRIC
            else None,
            "swatches": {
                "place": swatch(LINE_BLUE),
                "area": swatch(SECONDARY, dashed=True),
                "go_live": swatch(PURPLE, vertical=True),
                "month": swatch(MONTH_BLUE),
                "average": swatch(LINE_BLUE),
            },
        },
    )


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


TWO_HOUR_METRIC = "two_hour_response_pct"
VISIT_OUTCOME_DAYS = 365


@require_safe
@staff_member_required
def metric_csv(request: HttpRequest, name: str, chart: str) -> HttpResponse:
    """The figures of one chart or table of a metric's page, as CSV."""
    staff = _viewer(request)
    info = _info(name)
    if chart not in CHARTS or current_run() is None:
        raise Http404("No such download.")
    title = slugify(info.title)
    if chart == "league":
        _, year, error = _year(request)
        if error or year is None:
            raise Http404(error or "No financial year is stored.")
        league = league_table(info, year, staff)
        years = financial_year_label(year).replace("/", "-")
        return _csv(downloads.league_csv(league), f"{title}-{years}.csv")
    series = metric_series(info, staff)
    if chart == "area":
        return _csv(downloads.area_csv(series), f"{title}-whole-area.csv")
    groups = "funder" if info.area_only else "neighbourhood"
    return _csv(downloads.panels_csv(series), f"{title}-by-{groups}.csv")


TWO_HOUR_METRIC = "two_hour_response_pct"
VISIT_OUTCOME_DAYS = 365


@require_safe
@staff_member_required
def figures_csv(request: HttpRequest, exact: bool) -> HttpResponse:
    """Every stored figure in docs/metrics.md's long form: published, or exact for analysts."""
    staff = _viewer(request)
    if exact and not DOWNLOAD_EXACT_OUTCOMES.allows(staff):
        raise PermissionDenied("Only analysts may download the exact outcome figures.")
    run = current_run()
    if run is None:
        raise Http404("No outcome figures have been computed yet.")
    names = {p.key: p.name for p in places(_stored_groups())}
    text = downloads.long_form_csv(stored_rows(), exact=exact, names=names)
    version = "exact" if exact else "published"
    day = timezone.localdate(run.computed_at)
    return _csv(text, f"outcome-figures-{version}-{day:%Y-%m-%d}.csv")


def _stored_groups() -> list[str]:
    return list(
        OutcomeResult.objects.order_by().values_list("neighbourhood_id", flat=True).distinct()
    )


TWO_HOUR_METRIC = "two_hour_response_pct"
VISIT_OUTCOME_DAYS = 365


@require_safe
@staff_member_required
def audit_commission_page(request: HttpRequest) -> HttpResponse:
    """If every neighbourhood matched the best quartile: fewer events, and their cost."""
    staff = _viewer(request)
    run = current_run()
    years, year, error = _year(request)
    result = audit_commission(year, staff) if year is not None else None
    return _page(
        request,
        "outcomes/audit_commission.jinja",
        {
            "run": run,
            "result": result,
            "measures": measures(),
            "percentile": round(BEST_QUARTILE * 100),
            "year_choices": _year_choices(years, year),
            "error": error,
            "yours": _yours(staff),
        },
    )


TWO_HOUR_METRIC = "two_hour_response_pct"
VISIT_OUTCOME_DAYS = 365


@require_safe
@staff_member_required
def audit_commission_csv(request: HttpRequest) -> HttpResponse:
    staff = _viewer(request)
    _, year, error = _year(request)
    if error or year is None:
        raise Http404(error or "No financial year is stored.")
    result = audit_commission(year, staff)
    years = financial_year_label(year).replace("/", "-")
    return _csv(downloads.audit_commission_csv(result), f"audit-commission-{years}.csv")
