"""Who attended a meeting: staff picked from the partnership's list, and guests typed in.

Name, profession and organisation are copied onto the attendance row, so the minutes
stay as they were when someone later changes job. No person's data here: nothing to audit.
A member of staff attends once: the form checks, and the database's constraint
(attendance_staff_once) catches two people adding the same member at the same moment.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from joinedup.access.decorators import staff_member_required
from joinedup.access.staff_names import staff_name
from joinedup.forms.errors import FieldError
from joinedup.mdt.meeting_access import lock_unheld, meeting_for_member, refuse_held
from joinedup.mdt.models import Attendance, Meeting
from joinedup.tasks.owners import STAFF, parse_owner, partnership_staff, staff_described

ALREADY_ATTENDING = "Staff member: already recorded as attending"

# field id, label, Attendance attribute, its length limit
GUEST_FIELDS = (
    ("guest_name", "Name", "name", 200),
    ("guest_profession", "Profession", "profession", 100),
    ("guest_organisation", "Organisation", "organisation", 200),
)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: who attended. POST form=staff|guest adds one; remove=<id> takes one off."""
    _staff, meeting = meeting_for_member(request.user, pk)
    problems: list[FieldError] = []
    values: dict[str, str] = {}
    if request.method == "POST":
        if meeting.status == Meeting.Status.HELD:
            return refuse_held(request, meeting)
        values = {k: str(v).strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        row = _row(meeting, values, problems)
        with transaction.atomic():
            if not lock_unheld(meeting.pk):
                return refuse_held(request, meeting)
            if values.get("remove", "").isdecimal() and len(values["remove"]) <= 18:
                gone = Attendance.objects.filter(meeting=meeting, pk=int(values["remove"])).first()
                if gone is not None:
                    gone.delete()
                    messages.success(request, f"{gone.name} taken off the attendance.")
                return HttpResponseRedirect(reverse("mdt:attendance", args=[pk]))
            if row is not None:
                try:
                    with transaction.atomic():  # a savepoint: the lock's transaction goes on
                        row.save()
                except IntegrityError:
                    problems.append(FieldError("staff", ALREADY_ATTENDING))
                else:
                    messages.success(request, f"{row.name} recorded as attending.")
                    return HttpResponseRedirect(reverse("mdt:attendance", args=[pk]))
    return render(
        request,
        "mdt/attendance.jinja",
        {
            "meeting": meeting,
            "attendees": list(meeting.attendance.order_by("name", "id")),
            "staff": [
                (f"{STAFF}:{s.pk}", staff_described(s)) for s in partnership_staff(meeting.team)
            ],
            "values": values,
            "held": meeting.status == Meeting.Status.HELD,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _row(meeting: Meeting, values: dict[str, str], problems: list[FieldError]) -> Attendance | None:
    """The attendance the form describes, or None (with problems when it was wrong)."""
    form = values.get("form")
    if form == "staff":
        chosen = values.get("staff", "")
        owner = parse_owner(chosen) if chosen.startswith(f"{STAFF}:") else None
        if owner is None or owner.staff is None:
            problems.append(FieldError("staff", "Staff member: choose someone from the list"))
            return None
        staff = owner.staff
        if Attendance.objects.filter(meeting=meeting, staff=staff).exists():
            problems.append(FieldError("staff", ALREADY_ATTENDING))
            return None
        return Attendance(
            meeting=meeting,
            staff=staff,
            name=staff_name(staff),
            profession=staff.get_profession_display(),
            organisation=staff.organisation.name,
        )
    if form == "guest":
        copied: dict[str, str] = {}
        for field_id, label, attribute, limit in GUEST_FIELDS:
            text = values.get(field_id, "")
            if not text:
                problems.append(FieldError(field_id, f"Enter the guest's {label.lower()}"))
            elif len(text) > limit:
                problems.append(
                    FieldError(field_id, f"{label} must be {limit} characters or fewer")
                )
            copied[attribute] = text
        if problems:
            return None
        return Attendance(meeting=meeting, staff=None, **copied)
    return None
