"""The caseload page and the workload page of a team, for the team's members only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from joinedup.access.audit import record_events
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import AuditAction
from joinedup.teams import interim_risk
from joinedup.teams.caseload import DEFAULT_SORT, SORTS, caseload_page, unallocated_count
from joinedup.teams.date_entry import DateEntry
from joinedup.teams.episodes import REASONS, OpenForm
from joinedup.teams.membership import member_of
from joinedup.teams.views.pages import team_page
from joinedup.teams.workload import BAR_STEPS
from joinedup.teams.workload import workload as team_workload


def _query(sort: str, unallocated_only: bool, page: int | None = None) -> str:
    params: dict[str, str | int] = {"sort": sort}
    if unallocated_only:
        params["unallocated"] = "1"
    if page is not None and page > 1:
        params["page"] = page
    return "?" + urlencode(params)


@require_safe
@staff_member_required
def caseload(request: HttpRequest, team_id: str) -> HttpResponse:
    """The team's current caseload, 50 people a page; each person shown is audited (VIEW)."""
    _, team = member_of(request.user, team_id)
    today = timezone.localdate()
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    unallocated_only = request.GET.get("unallocated") == "1"
    with transaction.atomic():
        page = caseload_page(
            team,
            today,
            sort=sort,
            unallocated_only=unallocated_only,
            page=request.GET.get("page"),
        )
        unallocated = unallocated_count(team, today)
        record_events(
            AuditAction.VIEW,
            user=request.user,
            person_ids=page.person_ids,
            what=f"caseload of {team.name}",
        )
    path = request.path
    context = {
        "page": page,
        "today": today,
        "sort": sort,
        "sorts": [
            {"key": key, "text": text, "href": path + _query(key, unallocated_only)}
            for key, text in SORTS.items()
        ],
        "unallocated_only": unallocated_only,
        "unallocated": unallocated,
        "filter_href": path + _query(sort, not unallocated_only),
        "previous": path + _query(sort, unallocated_only, page.number - 1)
        if page.number > 1
        else "",
        "next": path + _query(sort, unallocated_only, page.number + 1)
        if page.number < page.pages
        else "",
        "rule": interim_risk.RULE,
        "form": OpenForm(start=DateEntry.of(today)),
        "reasons": REASONS,
    }
    return team_page(request, "teams/caseload.jinja", team, context)


@require_safe
@staff_member_required
def workload(request: HttpRequest, team_id: str) -> HttpResponse:
    """Per member: caseload people they are key worker for, open and overdue tasks."""
    _, team = member_of(request.user, team_id)
    today = timezone.localdate()
    return team_page(
        request,
        "teams/workload.jinja",
        team,
        {"workload": team_workload(team, today), "today": today, "bar_steps": BAR_STEPS},
    )
