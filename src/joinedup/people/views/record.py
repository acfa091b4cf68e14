"""The person record page and the person's access report.

Each opens the record with joinedup.access.policy.opened_record, a transaction that
audits the read (and audits a refusal of a real person too).
Everything the page shows is read into plain data inside that transaction; the templates
run no queries. A refusal renders refused.jinja with nothing but the id as typed, so it is
the same for a person who does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from joinedup.access.audit import access_report as audit_access_report
from joinedup.access.capabilities import BREAK_GLASS, REFER
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import (
    RecordAccess,
    RecordRefusedError,
    opened_record,
    staff_of,
)
from joinedup.people import person_details, record_summary
from joinedup.people.timeline import (
    FILTER_SECTORS,
    KIND_LABELS,
    TimelineFilter,
    parse_filter,
    timeline,
)


def refused(request: HttpRequest, person_id: str, *, reason_error: str = "") -> HttpResponse:
    """403 with the break-glass offer: depends only on the id as typed and on the viewer."""
    context = {
        "person_id": person_id,
        "may_break_glass": BREAK_GLASS.allows(staff_of(request.user)),
        "message": RecordRefusedError.message,
    }
    return render(request, "people/refused.jinja", context, status=403)


def record_page(
    request: HttpRequest,
    person_id: str,
    template: str,
    read: Callable[[RecordAccess, dt.datetime], dict[str, Any]],
    *,
    what: str = "record",
    status: Callable[[dict[str, Any]], int] | None = None,
) -> HttpResponse:
    """A page of one person's record, or the refusal: `read` gathers the page's context inside
    opened_record's audited transaction; `status` gives the response's code from it (200)."""
    now = timezone.now()
    try:
        with opened_record(request.user, person_id, what=what, now=now) as access:
            context = read(access, now)
    except RecordRefusedError:
        return refused(request, person_id)
    return render(request, template, context, status=status(context) if status else 200)


def _page_links(path: str, timeline_filter: TimelineFilter, number: int, pages: int) -> Any:
    def link(page: int) -> str:
        query = urlencode(timeline_filter.query(page))
        return f"{path}?{query}#timeline" if query else f"{path}#timeline"

    return {
        "previous": link(number - 1) if 1 < number <= pages else "",
        "next": link(number + 1) if number < pages else "",
    }


def _ends_at(moment: dt.datetime, today: dt.date) -> str:
    """'16:30', or '01:30 on 27 November 2026' when access runs past midnight."""
    local = timezone.localtime(moment)
    text = f"{local:%H:%M}"
    return text if local.date() == today else f"{text} on {local.day} {local:%B %Y}"


def _record_context(
    request: HttpRequest,
    access: RecordAccess,
    timeline_filter: TimelineFilter,
    errors: list[Any],
    now: dt.datetime,
) -> dict[str, Any]:
    """Everything the page shows, read now (inside the view's transaction)."""
    today = timezone.localdate(now)
    person = access.person
    held = access.relationship
    page = None if errors else timeline(access, timeline_filter, today)
    if page is not None and page.errors:
        errors = page.errors
    return {
        "banner": record_summary.banner(person, today),
        "person_details": person_details.details_section(access),
        "alerts": record_summary.current_alerts(person, now),
        "care_team": record_summary.care_team(access, today),
        "caseload_teams": record_summary.caseload_teams(access, today),
        "conditions": record_summary.conditions(access),
        "services": record_summary.current_services(access, today),
        "consents": record_summary.consents(person),
        "objection_notice": record_summary.objection_notice(access),
        "sensitivity_notice": record_summary.sensitivity_notice(access),
        "why": held.describe(),
        "broke_glass_until": _ends_at(held.break_glass_until, today)
        if held.break_glass_until is not None and not held.legitimate
        else "",
        "timeline": page if not errors else None,
        # Writing needs a care relationship: break-glass reads (joinedup.people.entries).
        "may_write": held.legitimate,
        # The referral form started for this person (joinedup.referrals.views.new).
        "may_refer": REFER.allows(access.staff),
        "errors": errors,
        "filter": timeline_filter,
        "raw_filter": {
            "sectors": request.GET.getlist("sector"),
            "kinds": request.GET.getlist("kind"),
        },
        "sector_choices": FILTER_SECTORS,
        "kind_choices": KIND_LABELS,
        "pagination": _page_links(request.path, timeline_filter, page.number, page.pages)
        if page is not None and not errors
        else None,
    }


@require_safe
@staff_member_required
def record(request: HttpRequest, person_id: str) -> HttpResponse:
    """The shared record: summary, care team, services, one timeline; or the refusal."""
    timeline_filter, errors = parse_filter(request.GET)
    return record_page(
        request,
        person_id,
        "people/record.jinja",
        lambda access, now: _record_context(request, access, timeline_filter, errors, now),
    )


@require_safe
@staff_member_required
def access_report(request: HttpRequest, person_id: str) -> HttpResponse:
    """Who has seen this person's record: for a subject access request, when the viewer may."""

    def read(access: RecordAccess, now: dt.datetime) -> dict[str, Any]:
        lines = audit_access_report(person_id)
        return {
            "banner": record_summary.banner(access.person, timezone.localdate(now)),
            "lines": lines,
            "total": sum(line.entries for line in lines),
        }

    return record_page(request, person_id, "people/access_report.jinja", read, what="access report")
