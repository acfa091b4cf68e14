"""One agenda item: the notes and decisions on a person, and the actions agreed for them.

An action becomes a task of the meeting's team about the person, owned by a named member
of staff (of the team, or already caring for the person: joinedup.tasks.owners.may_own)
or an organisation, with a due date; the item keeps a link to it. Viewing the
item audits the person as viewed; every change (notes, decisions, an action) is audited
with the person's id in the same transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.access.audit import record_event, record_view
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import AuditAction
from joinedup.access.policy import objecting, openable_person_ids
from joinedup.access.team_membership import member_of
from joinedup.formatting import long_date
from joinedup.forms.dates import DateEntry
from joinedup.forms.errors import FieldError
from joinedup.mdt.agenda_lines import agenda_items, agenda_line
from joinedup.mdt.meeting_access import lock_unheld, refuse_held, why_not_open
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.tasks.entry import create_task, due_entry, read_action
from joinedup.tasks.owners import UNRELATED_OWNER, may_own, owner_options

TEXT_MAX = 20_000
SAVED = {
    "notes": "Notes and decisions saved.",
    "action": "Action added: it is now a task of the team.",
}


def origin(meeting: Meeting) -> str:
    """Where an action was agreed, as its task says: "MDT 3 March 2027"."""
    return f"MDT {long_date(timezone.localdate(meeting.starts_at))}"


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the item. POST form=notes saves notes and decisions; form=action adds an action."""
    found = get_object_or_404(AgendaItem.objects.select_related("meeting__team"), pk=pk)
    staff, _team = member_of(request.user, found.meeting.team_id)
    meeting = found.meeting
    problems: list[FieldError] = []
    values = {"notes": found.notes, "decisions": found.decisions}
    if request.method == "POST":
        if meeting.status == Meeting.Status.HELD:
            return refuse_held(request, meeting)
        if request.POST.get("form") == "action":
            values.update(
                {k: str(request.POST.get(k, "")).strip() for k in ("action_title", "action_owner")}
            )
            saved = _add_action(request, found, problems)
        else:
            values = {
                k: str(request.POST.get(k, "")).replace("\r\n", "\n").strip()
                for k in ("notes", "decisions")
            }
            saved = _save_notes(request, found, values, problems)
        if saved == "held":
            return refuse_held(request, meeting)
        if saved:
            messages.success(request, SAVED[saved])
            return HttpResponseRedirect(reverse("mdt:item", args=[pk]))
    today = timezone.localdate()
    with transaction.atomic():
        fresh = agenda_items(meeting).get(pk=pk)
        shown = agenda_line(fresh, staff, objecting([fresh.person_id]), today)
        record_view(request.user, fresh.person_id, f"mdt item {fresh.pk}")
        openable = openable_person_ids(staff, [fresh.person_id])
    return render(
        request,
        "mdt/item.jinja",
        {
            "meeting": meeting,
            "line": shown,
            "openable": openable,
            "why_not": why_not_open(meeting),
            "values": values,
            "options": owner_options(meeting.team),
            "held": meeting.status == Meeting.Status.HELD,
            "due": due_entry(request.POST, problems, "action_")
            if request.POST.get("form") == "action"
            else DateEntry.blank(),
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _save_notes(
    request: HttpRequest, found: AgendaItem, values: dict[str, str], problems: list[FieldError]
) -> str:
    for field, label in (("notes", "Notes"), ("decisions", "Decisions")):
        if len(values[field]) > TEXT_MAX:
            problems.append(FieldError(field, f"{label} must be {TEXT_MAX:,} characters or fewer"))
    if problems:
        return ""
    with transaction.atomic():
        if not lock_unheld(found.meeting_id):
            return "held"
        locked = AgendaItem.objects.select_for_update().get(pk=found.pk)
        locked.notes = values["notes"]
        locked.decisions = values["decisions"]
        locked.discussed = bool(locked.notes or locked.decisions or locked.tasks.exists())
        locked.save(update_fields=["notes", "decisions", "discussed"])
        record_event(
            AuditAction.UPDATE,
            user=request.user,
            person_id=locked.person_id,
            what=f"mdt item {locked.pk}: notes and decisions",
        )
    return "notes"


def _add_action(request: HttpRequest, found: AgendaItem, problems: list[FieldError]) -> str:
    action, found_problems = read_action(request.POST, today=timezone.localdate(), prefix="action_")
    problems.extend(found_problems)
    if action is None:
        return ""
    meeting = found.meeting
    if not may_own(action.owner, meeting.team, found.person_id):
        problems.append(FieldError("action_owner", UNRELATED_OWNER))
        return ""
    with transaction.atomic():
        if not lock_unheld(meeting.pk):
            return "held"
        task = create_task(
            request.user,
            action,
            team=meeting.team,
            person=found.person,
            origin=origin(meeting),
            what=f"task: MDT action (mdt item {found.pk})",
        )
        found.tasks.add(task)
        AgendaItem.objects.filter(pk=found.pk).update(discussed=True)
    return "action"
