"""The caseload page and the workload page of a team, for the team's members only."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from joinedup.access.audit import record_views
from joinedup.access.capabilities import READ_THE_HUB
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import objecting
from joinedup.access.team_membership import member_of
from joinedup.casefinding import interim_risk
from joinedup.casefinding.disclosure import HIDDEN, score_hidden
from joinedup.casefinding.worklist import current_run
from joinedup.formatting import long_date
from joinedup.forms.dates import DateEntry
from joinedup.teams.caseload import (
    DEFAULT_SORT,
    SORTS,
    caseload_page,
    sorts,
    unallocated_count,
)
from joinedup.teams.episodes import REASONS, OpenForm
from joinedup.teams.views.pages import team_page
from joinedup.teams.workload import BAR_STEPS
from joinedup.teams.workload import workload as team_workload


def scored_rule(as_of: dt.date) -> str:
    """The caseload's note on its risk column when scores are loaded."""
    return (
        f"Risk scores of {long_date(as_of)}: the chance of at least one emergency hospital "
        "admission in the next 12 months, and its band (people not scored last). A prompt "
        "for professional judgement, not a decision."
    )


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
    staff, team = member_of(request.user, team_id)
    today = timezone.localdate()
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    unallocated_only = request.GET.get("unallocated") == "1"
    run = current_run()
    with transaction.atomic():
        page = caseload_page(
            team,
            today,
            sort=sort,
            unallocated_only=unallocated_only,
            page=request.GET.get("page"),
            run=run,
        )
        unallocated = unallocated_count(team, today)
        # risk comes from hospital data: hidden outside health for people who object to
        # sharing between health and social care (casefinding.disclosure, as the worklist)
        risk_hidden = objecting(page.person_ids) if score_hidden(staff, objection=True) else set()
        record_views(request.user, page.person_ids, f"caseload of {team.name}")
    path = request.path
    context = {
        "page": page,
        "today": today,
        "sort": sort,
        "sorts": [
            {"key": key, "text": text, "href": path + _query(key, unallocated_only)}
            for key, text in sorts(run).items()
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
        "rule": interim_risk.RULE if run is None else scored_rule(run.as_of),
        "scored": run is not None,
        "risk_hidden": risk_hidden,
        "may_read_hub": READ_THE_HUB.allows(staff),
        "hidden": HIDDEN,
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
