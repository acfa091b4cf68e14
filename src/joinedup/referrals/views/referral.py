"""One referral: who it is for, what they need, where it is, its history, and what is next.

The page is for the referrer, the triage clinicians and the team the referral is with;
each sees the actions their part allows (routing for triage; accepting, starting, holding
and closing for the team; withdrawing for the referrer; the first visit and what came of
it for the urgent response team). Showing it is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from joinedup.access.audit import record_view
from joinedup.access.capabilities import TRIAGE
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import StaffMember
from joinedup.access.policy import NOT_RELATED, has_objection, openable_person_ids, staff_of
from joinedup.access.staff_names import names_of
from joinedup.forms.dates import DateEntry, read_date, with_error
from joinedup.forms.times import TimeEntry, read_time
from joinedup.record import referral_lifecycle as lifecycle
from joinedup.record.models import Referral, Team
from joinedup.referrals.models import ReferralConsent, VisitOutcome
from joinedup.referrals.permissions import (
    DETAIL_HIDDEN,
    REFERRER_NOT_RELATED,
    in_team,
    may_read_words,
    may_see_referral,
    records_urgent_visits_for,
)
from joinedup.referrals.submission import URGENCY_LABELS
from joinedup.referrals.views.form_data import field_errors
from joinedup.referrals.visit_outcomes import in_words
from joinedup.referrals.workflow import (
    TWO_HOURS,
    Actor,
    ReferralConflictError,
    ReferralError,
    change_status,
    first_visit_minutes,
    record_first_visit,
    redirect_to_team,
    stale_message,
    suggested_team,
    unaccepted_too_long,
)

STATUS_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    # status -> (new status, button text) offered to the team holding it
    "requested": (("accepted", "Accept"), ("rejected", "Reject")),
    "accepted": (("in-progress", "Start work"), ("cancelled", "Cancel")),
    "in-progress": (
        ("completed", "Complete"),
        ("on-hold", "Put on hold"),
        ("failed", "Could not be done"),
        ("cancelled", "Cancel"),
    ),
    "on-hold": (
        ("in-progress", "Resume"),
        ("failed", "Could not be done"),
        ("cancelled", "Cancel"),
    ),
}


def shown_referral(referral_id: str, user: Any) -> Referral:
    """The referral, for those it is shown to (404 for none, 403 for anyone else)."""
    referral = (
        Referral.objects.select_related("person", "team", "person__practice", "referred_by")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404("No such referral.")
    if not may_see_referral(user, referral):
        raise PermissionDenied("This referral is for its referrer, triage and the team it is with.")
    return referral


def _actions(
    staff: StaffMember, referral: Referral, user: Any, visit_minutes: int | None
) -> dict[str, Any]:
    status = referral.status or ""
    triage = TRIAGE.allows(staff)
    holder = in_team(staff, referral.team_id)
    team_actions = list(STATUS_ACTIONS.get(status, ())) if (holder or triage) else []
    referrer_may_withdraw = referral.referred_by_id == user.pk and status in (
        "requested",
        "accepted",
    )
    records_visits = referral.urgency == "two_hour" and records_urgent_visits_for(staff)(referral)
    return {
        "status_actions": team_actions,
        "may_route": status == "requested" and (triage or holder),
        "may_withdraw": referrer_may_withdraw and not team_actions,
        "may_mark_error": status in lifecycle.OPEN and (triage or holder),
        "may_record_visit": records_visits
        and visit_minutes is None
        and status in lifecycle.VISITABLE,
        "may_record_outcome": records_visits
        and visit_minutes is not None
        and status == "in-progress"
        and not VisitOutcome.objects.filter(referral=referral).exists(),
    }


def render_referral(
    request: HttpRequest,
    referral: Referral,
    problems: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    staff = staff_of(request.user)
    assert staff is not None
    now = timezone.now()
    with transaction.atomic():
        events = list(referral.events.select_related("from_team", "to_team").order_by("at", "id"))
        record_view(request.user, referral.person_id, f"referral {referral.pk}")
        openable = openable_person_ids(staff, [referral.person_id], now)
    words = may_read_words(staff, referral, has_objection(referral.person_id))
    deadline = referral.received_at + TWO_HOURS if referral.urgency == "two_hour" else None
    visit_minutes = first_visit_minutes(referral) if deadline else None
    outcome = VisitOutcome.objects.filter(referral=referral).select_related("referred_to_team")
    visit_outcome = outcome.first() if deadline else None
    consent = ReferralConsent.objects.filter(referral=referral).first()
    context = {
        "referral": referral,
        "person": referral.person,
        "openable": openable,
        "why_not": REFERRER_NOT_RELATED
        if referral.referred_by_id == request.user.pk
        else NOT_RELATED,
        "events": events,
        "staff_names": names_of(
            [e.username for e in events] + ([visit_outcome.recorded_by] if visit_outcome else [])
        ),
        "visit_outcome": visit_outcome,
        "visit_outcome_words": in_words(visit_outcome) if visit_outcome else "",
        "consent": consent.get_answer_display() if consent else "Not recorded",
        "words": words,
        "hidden": DETAIL_HIDDEN,
        "urgency_label": URGENCY_LABELS.get(referral.urgency or "", "Not recorded"),
        "flagged": unaccepted_too_long(referral, now),
        "waited": now - referral.received_at,
        "deadline": deadline,
        "remaining": (deadline - now) if deadline and visit_minutes is None else None,
        "visit_minutes": visit_minutes,
        "suggested": suggested_team(referral.person, referral.urgency),
        "teams": list(Team.objects.order_by("kind", "name", "id")),
        **_arrival_entries(request, now, problems or []),
        "problems": field_errors(problems),
        **_actions(staff, referral, request.user, visit_minutes),
    }
    return render(request, "referrals/referral.jinja", context, status=status)


@staff_member_required
def referral(request: HttpRequest, referral_id: str) -> HttpResponse:
    return render_referral(request, shown_referral(referral_id, request.user))


def _team(value: str) -> Team | None:
    """The team chosen on the form; None when none was chosen; refused when unknown."""
    if not value:
        return None
    team = Team.objects.filter(pk=value).first()
    if team is None:
        raise ReferralError(f"team: there is no team {value!r}; choose one from the list")
    return team


@require_POST
@staff_member_required
def act(request: HttpRequest, referral_id: str) -> HttpResponse:
    """Change the referral's status or team, as the page offered; refusals explain why."""
    found = shown_referral(referral_id, request.user)
    staff = staff_of(request.user)
    assert staff is not None
    allowed = _actions(staff, found, request.user, first_visit_minutes(found))
    action = request.POST.get("action", "")
    new_status = request.POST.get("status", "")
    reason = request.POST.get("reason", "")
    expected = request.POST.get("expected_status") or None
    expected_team = request.POST.get("expected_team")  # "" for none; absent: not checked
    actor = Actor(user=request.user)
    try:
        if (expected is not None and found.status != expected) or (
            expected_team is not None and (found.team_id or "") != expected_team
        ):
            raise ReferralConflictError(stale_message(found))
        if action == "redirect":
            if not allowed["may_route"]:
                raise PermissionDenied("You cannot redirect this referral.")
            team = _team(request.POST.get("team", ""))
            if team is None:
                raise ReferralError("team: choose the team to redirect the referral to")
            redirect_to_team(
                found.pk, team, actor=actor, reason=reason, expected_status=expected,
                expected_team=expected_team,
            )  # fmt: skip
            done = f"The referral is redirected to {team.name}."
        elif action == "status":
            offered = {s for s, _ in allowed["status_actions"]}
            if allowed["may_withdraw"]:
                offered.add("cancelled")
            if allowed["may_mark_error"]:
                offered.add("entered-in-error")
            if new_status not in offered:
                lifecycle.check_transition(found.status or "requested", new_status)
                raise PermissionDenied("You cannot make this change to this referral.")
            team = None
            if new_status == "accepted":
                team = _team(request.POST.get("team", "")) or found.team
                if team is not None and not TRIAGE.allows(staff) and not in_team(staff, team.pk):
                    raise PermissionDenied("Only triage can accept a referral for another team.")
            change_status(
                found.pk, new_status, actor=actor, reason=reason, team=team,
                expected_status=expected, expected_team=expected_team,
            )  # fmt: skip
            done = STATUS_DONE.get(new_status, "The referral is updated") + (
                f" for {team.name}." if team is not None else "."
            )
        elif action == "first_visit":
            if not allowed["may_record_visit"]:
                raise PermissionDenied("You cannot record a visit for this referral.")
            arrived = _arrival(request.POST)
            contact = record_first_visit(found.pk, arrived, actor=actor)
            done = f"First visit recorded, {contact.response_minutes} minutes after the referral."
        else:
            raise ReferralError("action: choose what to do with the referral")
    except ReferralConflictError as conflict:
        return render_referral(request, shown_referral(referral_id, request.user),
                               [("status", str(conflict))], status=409)  # fmt: skip
    except (ReferralError, lifecycle.IllegalTransitionError) as error:
        name = str(error).split(":", 1)[0]
        return render_referral(request, found, [(name, str(error))], status=400)
    messages.success(request, done)
    return redirect("referrals:referral", found.pk)


# What each status a person may set says once it is set (the confirmation).
STATUS_DONE = {
    "accepted": "The referral is accepted",
    "rejected": "The referral is rejected",
    "in-progress": "The referral is in progress",
    "on-hold": "The referral is on hold",
    "completed": "The referral is completed",
    "cancelled": "The referral is withdrawn",
    "entered-in-error": "The referral is marked as entered in error",
}


# The first visit's arrival: the NHS.UK date input (boxes ARRIVAL_day, _month, _year) and the
# one time box beside it (joinedup.forms.times), named so their ids are the field ids the
# workflow's errors name ("arrived_at: ..." shows on the date).
ARRIVAL = "arrived-at"
ARRIVAL_TIME = "arrived-at-time"
_ARRIVAL_LABELS = ("date of the first visit", "time the responder arrived")


def _arrival(data: Any) -> dt.datetime:
    """The arrival, in the service's time zone, or the problem naming its box."""
    date = read_date(data, ARRIVAL, _ARRIVAL_LABELS[0])
    time = read_time(data, ARRIVAL_TIME, _ARRIVAL_LABELS[1])
    if date.date is None:
        raise ReferralError(f"arrived_at: {date.error}")
    if time.time is None:
        raise ReferralError(f"{ARRIVAL_TIME}: {time.error}")
    return timezone.make_aware(dt.datetime.combine(date.date, time.time))


def _arrival_entries(
    request: HttpRequest, now: dt.datetime, problems: list[tuple[str, str]]
) -> dict[str, Any]:
    """The first-visit boxes: as typed when the form came back with a problem (shown on its
    box), else now."""
    if request.method == "POST" and request.POST.get("action") == "first_visit":
        date = read_date(request.POST, ARRIVAL, _ARRIVAL_LABELS[0])
        time = read_time(request.POST, ARRIVAL_TIME, _ARRIVAL_LABELS[1])
        for name, message in problems:
            if name == "arrived_at" and not date.error:
                date = with_error(date, field_errors([(name, message)])[0].text)
    else:
        local = timezone.localtime(now)
        date, time = DateEntry.of(local.date()), TimeEntry(f"{local:%H:%M}", local.time(), "")
    return {"arrival_date": date, "arrival_time": time}
