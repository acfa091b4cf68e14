"""The case-finding worklist page of a team, for the team's members only (as its caseload).

Every person the page lists is audited as viewed, one event each, in the transaction that
read them. Break-glass does not open a list: it opens one person's record for a reason,
never a team's list to someone outside the team. The team manager can put a listed person
on the team's next scheduled MDT meeting (joinedup.mdt.agenda.add_person, audited as a
change); anyone else posting is refused, and a person who is not on the worklist now is
refused without saying why, so the form confirms nothing about strangers (a real person's
refusal is audited: a pattern of refusals is what snooping looks like).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.access.audit import record_event, record_events
from joinedup.access.capabilities import ADD_FOUND_TO_MDT
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import AuditAction, StaffMember
from joinedup.access.policy import objecting, openable_person_ids
from joinedup.access.team_membership import member_of
from joinedup.casefinding.disclosure import HIDDEN, SOME_HIDDEN, WHY_NOT_OPEN, shown_score
from joinedup.casefinding.worklist import (
    MEANING,
    WorklistRow,
    current_run,
    score_line,
    stale_days,
    worklist,
)
from joinedup.formatting import localtime_text
from joinedup.forms.errors import FieldError
from joinedup.mdt.agenda import MeetingHeldError, add_person, next_meeting
from joinedup.mdt.models import AgendaItem
from joinedup.record.models import Person, Team
from joinedup.teams.episodes import person_name
from joinedup.teams.views.pages import team_page

PAGE_SIZE = 50
NOT_LISTED = "This person is not on the team's worklist today"


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    number: int
    pages: int
    total: int
    first: int
    last: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @property
    def person_ids(self) -> list[str]:
        return [row.person_id for row in self.rows]


def _page(
    request: HttpRequest,
    staff: StaffMember,
    team: Team,
    problems: list[FieldError],
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    run = current_run()
    meeting = next_meeting(team)
    with transaction.atomic():
        paginator = Paginator(worklist(team, today, run), PAGE_SIZE)
        chosen = paginator.get_page(request.GET.get("page"))
        scores = list(chosen.object_list)
        objectors = objecting([score.person_id for score in scores])
        page = WorklistPage(
            rows=[
                WorklistRow(
                    score,
                    today,
                    shown_score(staff, score.top_factors or [], score.person_id in objectors),
                )
                for score in scores
            ],
            number=chosen.number,
            pages=paginator.num_pages,
            total=paginator.count,
            first=chosen.start_index() if paginator.count else 0,
            last=chosen.end_index() if paginator.count else 0,
        )
        record_events(
            AuditAction.VIEW,
            user=request.user,
            person_ids=page.person_ids,
            what=f"case-finding worklist of {team.name}",
        )
        openable = openable_person_ids(staff, page.person_ids)
    on_agenda = (
        set(
            AgendaItem.objects.filter(meeting=meeting, person_id__in=page.person_ids).values_list(
                "person_id", flat=True
            )
        )
        if meeting is not None
        else set()
    )
    context: dict[str, Any] = {
        "run": run,
        "stale_days": stale_days(run, today),
        "page": page,
        "today": today,
        "meaning": MEANING,
        "hidden": HIDDEN,
        "some_hidden": SOME_HIDDEN,
        "meeting": meeting,
        "may_add": ADD_FOUND_TO_MDT.allows(staff),
        "on_agenda": on_agenda,
        "openable": openable,
        "why_not": WHY_NOT_OPEN,
        "problems": problems,
    }
    return team_page(request, "teams/case_finding.jinja", team, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def worklist_page(request: HttpRequest, team_id: str) -> HttpResponse:
    """GET: the worklist, 50 people a page. POST (the manager): add one to the next MDT."""
    staff, team = member_of(request.user, team_id)
    if request.method != "POST":
        return _page(request, staff, team, [])
    if not ADD_FOUND_TO_MDT.allows(staff):
        raise PermissionDenied("Only the team manager adds people to the MDT from here.")
    person_id = str(request.POST.get("person_id", ""))
    if "\x00" in person_id:  # no one's id (PostgreSQL refuses NUL in text): not listed
        person_id = ""
    today = timezone.localdate()
    meeting = next_meeting(team)
    if meeting is None:
        problem = FieldError("next-meeting", "No MDT meeting is scheduled: schedule one first")
        return _page(request, staff, team, [problem], status=409)
    with transaction.atomic():
        score = worklist(team, today, current_run()).filter(person_id=person_id).first()
        if score is None:
            if Person.objects.filter(pk=person_id).exists():  # says nothing; audited
                record_event(
                    AuditAction.VIEW,
                    user=request.user,
                    person_id=person_id,
                    what=f"case-finding worklist of {team.name}: add refused",
                )
            refusal = FieldError("who-is-listed", NOT_LISTED)
            return _page(request, staff, team, [refusal], status=400)
        try:
            item = add_person(
                meeting,
                person_id,
                detail=score_line(score),
                reason=AgendaItem.Reason.HIGH_RISK,
                factors=list(score.top_factors or []),
            )
        except MeetingHeldError:
            problem = FieldError(
                "next-meeting", "The meeting has just been held: its agenda is closed"
            )
            return _page(request, staff, team, [problem], status=409)
        if item is not None:
            record_event(
                AuditAction.CREATE,
                user=request.user,
                person_id=person_id,
                what="mdt agenda: added from case finding",
            )
    name, when = person_name(score.person), localtime_text(meeting.starts_at)
    messages.success(
        request,
        f"{name} is on the agenda of the MDT meeting on {when}."
        if item is not None
        else f"{name} was already on the agenda of the MDT meeting on {when}.",
    )
    return redirect(reverse("casefinding:worklist", args=[team.pk]) + f"#person-{person_id}")
