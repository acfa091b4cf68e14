"""Recording what came of an urgent response's first visit, on a page of its own.

A page rather than a form on the referral, so the nurse reaches it in one tap from the
urgent board's row on a phone. It is for those who record the first visit (triage, or the
urgent response team the referral is with); the outcome is recorded once, and a second
attempt (or one after someone else changed the referral) is refused with 409 and who did
what. Showing the page is audited, as it names the person.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from joinedup.access.audit import record_view
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import staff_of
from joinedup.record.models import Referral, Team
from joinedup.referrals.models import Outcome
from joinedup.referrals.permissions import records_urgent_visits_for
from joinedup.referrals.views.form_data import field_errors
from joinedup.referrals.views.referral import shown_referral
from joinedup.referrals.visit_outcomes import DESTINATION_LIMIT, in_words
from joinedup.referrals.workflow import (
    Actor,
    ReferralConflictError,
    ReferralError,
    first_visit_minutes,
    record_visit_outcome,
    visit_outcome_refusal,
)


def _destination_team(value: str) -> Team | None:
    if not value:
        return None
    team = Team.objects.filter(pk=value).first()
    if team is None:
        raise ReferralError(
            f"referred_to_team: there is no team {value!r}; choose one from the list"
        )
    return team


def _page(
    request: HttpRequest,
    referral: Referral,
    *,
    problems: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    record_view(request.user, referral.person_id, f"visit outcome of referral {referral.pk}")
    refusal = visit_outcome_refusal(referral)  # then the page explains, with no form
    return render(
        request,
        "referrals/visit_outcome.jinja",
        {
            "referral": referral,
            "person": referral.person,
            "visit_minutes": first_visit_minutes(referral),
            "refusal": str(refusal).split(": ", 1)[-1] if refusal else "",
            "problems": field_errors(problems),
            "outcomes": Outcome.choices,
            "teams": [(t.pk, str(t)) for t in Team.objects.order_by("kind", "name", "id")],
            "data": request.POST if request.method == "POST" else {},
            "limit": DESTINATION_LIMIT,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_member_required
def visit_outcome(request: HttpRequest, referral_id: str) -> HttpResponse:
    found = shown_referral(referral_id, request.user)
    staff = staff_of(request.user)
    assert staff is not None
    if found.urgency != "two_hour" or not records_urgent_visits_for(staff)(found):
        raise PermissionDenied(
            "A visit's outcome is recorded by the urgent response team the referral is with."
        )
    if request.method != "POST":
        return _page(request, found)
    try:
        recorded = record_visit_outcome(
            found.pk,
            request.POST.get("outcome", ""),
            actor=Actor(user=request.user),
            referred_to_team=_destination_team(request.POST.get("referred_to_team", "")),
            referred_to=request.POST.get("referred_to", ""),
            expected_status=request.POST.get("expected_status") or None,
        )
    except ReferralConflictError as conflict:
        fresh = shown_referral(referral_id, request.user)
        return _page(request, fresh, problems=[("outcome", str(conflict))], status=409)
    except ReferralError as error:
        name = str(error).split(":", 1)[0]
        return _page(request, found, problems=[(name, str(error))], status=400)
    found.refresh_from_db()
    ended = "completed" if found.status == "completed" else "cancelled"
    messages.success(
        request,
        f"Outcome saved for {found.person}: {in_words(recorded)}. The referral is {ended}.",
    )
    return redirect("referrals:referral", found.pk)
