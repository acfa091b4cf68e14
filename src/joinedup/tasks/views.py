"""My tasks, my team's tasks, closing a task and creating one.

Tasks show people's names, so every list audits the people on its page as viewed; closing
or creating a task about a person is audited as a change. Team lists are for the team's
members only (joinedup.access.team_membership.member_of); a task is closed by its owner or a
member of its team, nobody else. Roles that never see a person get 403 everywhere here.
A task added by hand names only a person its team holds (caseload or open referral), and a
staff owner of such a task must be in the team or already care for the person
(joinedup.tasks.owners.may_own).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from joinedup.access.audit import record_event, record_views
from joinedup.access.capabilities import WORK_IN_TEAMS
from joinedup.access.decorators import staff_member_required
from joinedup.access.known_people import held_by
from joinedup.access.models import AuditAction, StaffMember
from joinedup.access.policy import NOT_RELATED, openable_person_ids, staff_of
from joinedup.access.team_membership import member_of, teams_of
from joinedup.forms.dates import DateEntry
from joinedup.forms.errors import FieldError
from joinedup.record.models import Organisation, Person, Team
from joinedup.record.nhs_number import is_valid, normalise
from joinedup.tasks.entry import DETAIL_MAX, create_task, due_entry, read_action
from joinedup.tasks.lists import open_tasks, task_page
from joinedup.tasks.models import Task
from joinedup.tasks.owners import UNRELATED_OWNER, Owner, may_own, owner_options, parse_owner

CLOSE_OUTCOMES = {"done": Task.Status.DONE, "cancelled": Task.Status.CANCELLED}


def _worker(request: HttpRequest) -> StaffMember:
    """The viewer's staff record, if their role works with people; else 403."""
    staff = staff_of(request.user)
    if staff is None or not WORK_IN_TEAMS.allows(staff):
        raise PermissionDenied("Tasks are for staff who work with people.")
    return staff


@require_safe
@staff_member_required
def mine(request: HttpRequest) -> HttpResponse:
    """My open tasks, overdue first then by due date."""
    staff = _worker(request)
    today = timezone.localdate()
    with transaction.atomic():
        page = task_page(
            open_tasks(Task.objects.filter(owner_staff=staff)), request.GET.get("page"), today
        )
        record_views(request.user, page.person_ids, "my tasks")
        openable = openable_person_ids(staff, page.person_ids)
    return render(
        request,
        "tasks/mine.jinja",
        {
            "page": page,
            "today": today,
            "openable": openable,
            "not_related": NOT_RELATED,
        },
    )


@require_safe
@staff_member_required
def team(request: HttpRequest, team_id: str) -> HttpResponse:
    """The team's open tasks, optionally those of one owner."""
    staff, the_team = member_of(request.user, team_id)
    today = timezone.localdate()
    tasks = Task.objects.filter(team=the_team)
    owner_value = request.GET.get("owner", "").strip()
    owner: Owner | None = None
    problems: list[FieldError] = []
    if owner_value:
        owner = parse_owner(owner_value)
        if owner is None:
            problems.append(FieldError("owner", "Owner: choose an owner from the list"))
    owners = _owners_of(open_tasks(tasks))
    if owner is not None and owner.staff is not None:
        tasks = tasks.filter(owner_staff=owner.staff)
    elif owner is not None:
        tasks = tasks.filter(owner_staff__isnull=True, owner_organisation=owner.organisation)
    with transaction.atomic():
        page = task_page(open_tasks(tasks), request.GET.get("page"), today)
        record_views(request.user, page.person_ids, f"team tasks {the_team.pk}")
        openable = openable_person_ids(staff, page.person_ids)
    return render(
        request,
        "tasks/team.jinja",
        {
            "team": the_team,
            "page": page,
            "today": today,
            "owners": owners,
            "owner": owner.value if owner else "",
            "problems": problems,
            "openable": openable,
            "not_related": NOT_RELATED,
        },
        status=400 if problems else 200,
    )


def _owners_of(tasks: QuerySet[Task]) -> list[tuple[str, str]]:
    """The distinct owners of these tasks, by name, for the filter."""
    pairs = set(tasks.order_by().values_list("owner_staff_id", "owner_organisation_id"))
    staff_ids = {s for s, _ in pairs if s is not None}
    org_ids = {o for s, o in pairs if s is None and o is not None}
    owners = [
        Owner(staff=s)
        for s in StaffMember.objects.filter(pk__in=staff_ids).select_related("user", "organisation")
    ] + [Owner(organisation=o) for o in Organisation.objects.filter(pk__in=org_ids)]
    return sorted(((o.value, o.text) for o in owners), key=lambda item: item[1])


def may_close(staff: StaffMember, task: Task) -> bool:
    """The owner, or a member of the task's team."""
    if task.owner_staff_id == staff.pk:
        return True
    return task.team_id is not None and staff.teams.filter(pk=task.team_id).exists()


@require_POST
@staff_member_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a task done or cancelled (once: a closed task stays closed)."""
    staff = _worker(request)
    task = get_object_or_404(Task, pk=pk)
    if not may_close(staff, task):
        raise PermissionDenied("Only the task's owner or its team can close it.")
    status = CLOSE_OUTCOMES.get(request.POST.get("outcome", ""))
    if status is None:
        return render(
            request,
            "tasks/problem.jinja",
            {"heading": "Outcome: choose done or cancelled", "back": _next_url(request)},
            status=400,
        )
    with transaction.atomic():
        changed = Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
            status=status, closed_at=timezone.now(), closed_by=request.user.get_username()
        )
        if changed and task.person_id:
            record_event(
                AuditAction.UPDATE,
                user=request.user,
                person_id=task.person_id,
                what=f"task {task.pk} {status}",
            )
    if not changed:
        return render(
            request,
            "tasks/problem.jinja",
            {"heading": "This task is already closed", "back": _next_url(request)},
            status=409,
        )
    done = "done" if status == Task.Status.DONE else "cancelled"
    messages.success(request, f"Task {done}: {task.title}.")
    return HttpResponseRedirect(_next_url(request))


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("tasks:mine")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def new(request: HttpRequest) -> HttpResponse:
    """A task typed in by hand: title, optional person, owner, team, due date."""
    _worker(request)
    my_teams = teams_of(request.user)
    values: dict[str, str] = {"team": request.GET.get("team", my_teams[0].pk if my_teams else "")}
    problems: list[FieldError] = []
    the_team = next((t for t in my_teams if t.pk == values["team"]), None)
    if request.method == "POST":
        values = {
            name: str(request.POST.get(name, "")).strip()
            for name in ("title", "nhs_number", "owner", "team", "detail")
        }
        today = timezone.localdate()
        action, problems = read_action(request.POST, today=today)
        the_team = next((t for t in my_teams if t.pk == values["team"]), None)
        if the_team is None:
            problems.append(FieldError("team", "Team: choose one of your teams"))
        person = _person(the_team, values["nhs_number"], today, problems)
        if (
            action is not None
            and person is not None
            and not may_own(action.owner, the_team, person.pk)
        ):
            problems.append(FieldError("owner", UNRELATED_OWNER))
        if len(values["detail"]) > DETAIL_MAX:
            problems.append(
                FieldError("detail", f"Detail must be {DETAIL_MAX:,} characters or fewer")
            )
        problems.sort(key=lambda p: list(FIELDS).index(p.field_id))
        if not problems and action is not None and the_team is not None:
            task = create_task(
                request.user,
                action,
                team=the_team,
                person=person,
                origin="Added by hand",
                detail=values["detail"],
                what="task: added",
            )
            messages.success(request, f"Task added: {task.title}.")
            return HttpResponseRedirect(reverse("tasks:team", args=[the_team.pk]))
    return render(
        request,
        "tasks/new.jinja",
        {
            "teams": my_teams,
            "options": owner_options(the_team),
            "values": values,
            "due": due_entry(request.POST, problems) if problems else DateEntry.blank(),
            "problems": problems,
        },
        status=400 if problems else 200,
    )


FIELDS = ("title", "nhs_number", "owner", "team", "due-day", "detail")


def _person(
    team: Team | None, typed: str, today: dt.date, problems: list[FieldError]
) -> Person | None:
    """The person an NHS number names, if the task's team holds them (else a problem).

    The task goes on `team`'s list, so it is the team (not the viewer's other teams) that
    must have the person on its caseload today or an open referral for them. The message
    is the same whether or not the number belongs to anyone, so the form never confirms
    that a stranger is known to the partnership. Without a valid team nothing is looked up.
    """
    if not typed:
        return None
    number = normalise(typed)
    if not is_valid(number):
        problems.append(
            FieldError("nhs_number", "NHS number must be 10 digits with a valid check digit")
        )
        return None
    if team is None:
        return None
    person = Person.objects.filter(nhs_number=number).first()
    if person is None or not held_by(team, person.pk, today):
        problems.append(
            FieldError(
                "nhs_number",
                "NHS number: no one with this NHS number is known to your teams",
            )
        )
        return None
    return person
