"""A team's meetings, scheduling one, its agenda, holding it and its summary.

Every page is for the team's members only. Pages that show people (the agenda, the
summary) audit exactly the people on the page as viewed; putting people on an agenda
(building, rebuilding, adding one) is audited as a change, in the same transaction.
Adding by NHS number accepts only people registered in the team's neighbourhood or held by
the team (joinedup.access.known_people), with one refusal for everyone else and for numbers
that match no one, so the form confirms nothing about strangers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from joinedup.access.audit import record_event, record_events, record_view, record_views
from joinedup.access.decorators import staff_member_required
from joinedup.access.known_people import held_by, in_neighbourhood
from joinedup.access.models import AuditAction, StaffMember
from joinedup.access.policy import openable_person_ids
from joinedup.access.team_membership import member_of
from joinedup.formatting import long_date
from joinedup.forms.errors import FieldError
from joinedup.mdt.agenda import MeetingHeldError, add_person, build_agenda, high_risk_rule
from joinedup.mdt.agenda_lines import agenda_page
from joinedup.mdt.meeting_access import meeting_for_member, refuse_held, why_not_open
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.mdt.scheduling import ScheduleForm, read_schedule
from joinedup.record.models import Person
from joinedup.record.nhs_number import is_valid, normalise

PAST_SHOWN = 20
SUMMARY_MAX = 20_000  # as an agenda item's notes
NOT_KNOWN = (
    "NHS number: no one with this NHS number lives in the team's neighbourhood "
    "or is known to the team"
)


def rebuild(user: Any, meeting: Meeting) -> int:
    """(Re)build the agenda and audit each person it adds; how many were added."""
    with transaction.atomic():
        before = set(AgendaItem.objects.filter(meeting=meeting).values_list("person_id", flat=True))
        items = build_agenda(meeting)
        added = [i.person_id for i in items if i.person_id not in before]
        record_events(AuditAction.CREATE, user=user, person_ids=added, what="mdt agenda")
    return len(added)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def meetings(request: HttpRequest, team_id: str) -> HttpResponse:
    """The team's upcoming and past meetings, and the form to schedule one."""
    _staff, team = member_of(request.user, team_id)
    form = ScheduleForm.blank()
    if request.method == "POST":
        schedule, form = read_schedule(request.POST, now=timezone.now())
        if schedule is not None:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    team=team,
                    starts_at=schedule.starts_at,
                    location=schedule.location,
                    created_at=timezone.now(),
                    created_by=request.user.get_username(),
                )
                added = rebuild(request.user, meeting)
            messages.success(
                request,
                f"Meeting scheduled for {timezone.localtime(meeting.starts_at):%H:%M} on "
                f"{long_date(timezone.localdate(meeting.starts_at))}: {_people(added)} "
                "on its agenda.",
            )
            return HttpResponseRedirect(reverse("mdt:meeting", args=[meeting.pk]))
    counted = Meeting.objects.filter(team=team).annotate(items_count=Count("items"))
    return render(
        request,
        "mdt/meetings.jinja",
        {
            "team": team,
            "upcoming": counted.filter(status=Meeting.Status.SCHEDULED).order_by("starts_at"),
            "past": counted.exclude(status=Meeting.Status.SCHEDULED).order_by("-starts_at")[
                :PAST_SHOWN
            ],
            "form": form,
            "problems": form.problems,
        },
        status=400 if form.problems else 200,
    )


def _agenda_context(
    request: HttpRequest, staff: StaffMember, meeting: Meeting, what: str
) -> dict[str, Any]:
    """The page of the agenda asked for, its people audited as viewed."""
    today = timezone.localdate()
    with transaction.atomic():
        page = agenda_page(meeting, staff, request.GET.get("page"), today)
        record_views(request.user, page.person_ids, f"{what} {meeting.pk}")
        openable = openable_person_ids(staff, page.person_ids)
    return {
        "openable": openable,
        "why_not": why_not_open(meeting),
        "meeting": meeting,
        "page": page,
        "rule": high_risk_rule(),
        "attendance": list(meeting.attendance.order_by("name", "id")),
        "held": meeting.status == Meeting.Status.HELD,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda; POST rebuilds it or adds one person by NHS number."""
    staff, the_meeting = meeting_for_member(request.user, pk)
    problems: list[FieldError] = []
    nhs_typed = ""
    if request.method == "POST":
        if the_meeting.status == Meeting.Status.HELD:
            return refuse_held(request, the_meeting)
        try:
            if request.POST.get("action") == "rebuild":
                added = rebuild(request.user, the_meeting)
                messages.success(
                    request,
                    f"Agenda rebuilt: {_people(added)} added. Notes already written are kept.",
                )
                return HttpResponseRedirect(reverse("mdt:meeting", args=[pk]))
            nhs_typed = str(request.POST.get("nhs_number", "")).strip()
            item = _add_by_nhs_number(request, the_meeting, nhs_typed, problems)
        except MeetingHeldError:
            return refuse_held(request, the_meeting)
        if item is not None:
            messages.success(request, "Person added to the agenda.")
            return HttpResponseRedirect(reverse("mdt:meeting", args=[pk]) + f"#item-{item.pk}")
    context = _agenda_context(request, staff, the_meeting, "mdt agenda")
    context.update(
        {
            "problems": problems,
            "nhs_typed": nhs_typed,
        }
    )
    return render(request, "mdt/meeting.jinja", context, status=400 if problems else 200)


def _add_by_nhs_number(
    request: HttpRequest, meeting: Meeting, typed: str, problems: list[FieldError]
) -> AgendaItem | None:
    number = normalise(typed)
    if not typed:
        problems.append(FieldError("nhs_number", "Enter the NHS number of the person to add"))
        return None
    if not is_valid(number):
        problems.append(
            FieldError("nhs_number", "NHS number must be 10 digits with a valid check digit")
        )
        return None
    person = Person.objects.filter(nhs_number=number).first()
    team = meeting.team
    if person is None or not (
        in_neighbourhood(team, person) or held_by(team, person.pk, timezone.localdate())
    ):
        problems.append(FieldError("nhs_number", NOT_KNOWN))
        if person is not None:  # refused, and says nothing; audited like any refusal
            record_view(request.user, person.pk, f"mdt agenda {meeting.pk}: add refused")
        return None
    with transaction.atomic():
        item = add_person(meeting, person.pk)
        if item is None:
            problems.append(
                FieldError("nhs_number", "NHS number: this person is already on the agenda")
            )
            return None
        record_event(
            AuditAction.CREATE, user=request.user, person_id=person.pk, what="mdt agenda: added"
        )
    return item


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _audit_held(user: Any, meeting: Meeting) -> None:
    """Holding a meeting closes the notes on everyone on its agenda: a change for each of
    them (one event for the meeting itself when no one is on it)."""
    what = f"mdt meeting {meeting.pk}: held"
    people = list(AgendaItem.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    if people:
        record_events(AuditAction.UPDATE, user=user, person_ids=people, what=what)
    else:
        record_event(AuditAction.UPDATE, user=user, what=what)


def not_started(meeting: Meeting, now: dt.datetime) -> str:
    """Why a meeting cannot be held yet, in words for the page ("" once it has started)."""
    if meeting.starts_at <= now:
        return ""
    local = timezone.localtime(meeting.starts_at)
    return (
        f"This meeting starts at {local:%H:%M} on {long_date(local.date())}: "
        "you can record it once it has started"
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the summary and mark the meeting held: from then on its record is read-only.
    Before the meeting starts the page says when it may be held instead of offering the form,
    and a POST is refused with the same words (409), not taken and silently dropped."""
    _staff, the_meeting = meeting_for_member(request.user, pk)
    problems: list[FieldError] = []
    summary = the_meeting.summary
    now = timezone.now()
    too_early = not_started(the_meeting, now)
    if request.method == "POST":
        if the_meeting.status == Meeting.Status.HELD:
            return refuse_held(request, the_meeting)
        summary = str(request.POST.get("summary", "")).strip()
        if too_early:  # the error summary links to the words that say when it can be
            problems.append(FieldError("not-started", too_early))
        elif not summary:
            problems.append(FieldError("summary", "Enter a summary of the meeting"))
        elif len(summary) > SUMMARY_MAX:
            problems.append(
                FieldError("summary", f"Summary must be {SUMMARY_MAX:,} characters or fewer")
            )
        if not problems:
            with transaction.atomic():
                changed = Meeting.objects.filter(pk=pk, status=Meeting.Status.SCHEDULED).update(
                    status=Meeting.Status.HELD, held_at=now, summary=summary
                )
                if changed:
                    _audit_held(request.user, the_meeting)
            if not changed:
                return refuse_held(request, the_meeting)
            messages.success(
                request, "Meeting marked held: its agenda, notes and actions are its record now."
            )
            return HttpResponseRedirect(reverse("mdt:summary", args=[pk]))
    items = AgendaItem.objects.filter(meeting=the_meeting)
    return render(
        request,
        "mdt/hold.jinja",
        {
            "meeting": the_meeting,
            "summary": summary,
            "held": the_meeting.status == Meeting.Status.HELD,
            "not_started": too_early,
            "not_discussed": items.filter(discussed=False).count(),
            "total": items.count(),
            "attendance": the_meeting.attendance.count(),
            "problems": problems,
        },
        status=409 if too_early and problems else 400 if problems else 200,
    )


@require_safe
@staff_member_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's record: who attended, each case's decisions and actions."""
    staff, the_meeting = meeting_for_member(request.user, pk)
    context = _agenda_context(request, staff, the_meeting, "mdt summary")
    return render(request, "mdt/summary.jinja", context)
