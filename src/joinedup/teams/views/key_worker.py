"""A caseload person's key worker: allocate or reassign (with a reason), and the history.

Only for people on the team's current caseload (anyone else: 404, the same whether or
not the person exists). Any member of the team may allocate; the audit event records who.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.access.audit import record_view
from joinedup.access.decorators import staff_member_required
from joinedup.access.staff_names import staff_name
from joinedup.access.team_membership import member_of
from joinedup.record.age import age_on
from joinedup.record.models import Person
from joinedup.record.nhs_number import spaced
from joinedup.teams.caseload import current_episodes, on_caseload
from joinedup.teams.episodes import REASONS, person_name
from joinedup.teams.key_workers import (
    REASON_EXAMPLES,
    REASON_MAX_LENGTH,
    AllocationChangedError,
    AllocationForm,
    allocate,
    current_key_worker,
    history,
    read_allocation_form,
    team_members,
)
from joinedup.teams.views.pages import team_page


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def key_worker(request: HttpRequest, team_id: str, person_id: str) -> HttpResponse:
    """GET: the person's key worker, the form and the history. POST: allocate or reassign."""
    _, team = member_of(request.user, team_id)
    today = timezone.localdate()
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not on_caseload(team, person_id, today):
        raise Http404("This person is not on the team's current caseload.")
    current = current_key_worker(person_id, today)
    form = AllocationForm()
    if request.method == "POST":
        form, chosen = read_allocation_form(request.POST, team, current)
        if chosen is not None:
            expected = request.POST.get("current", "")
            try:
                allocate(
                    request.user,
                    team,
                    person,
                    chosen,
                    form.reason,
                    today,
                    int(expected) if expected.isdecimal() and len(expected) <= 18 else None,
                )
            except AllocationChangedError:
                form.errors.add(
                    "key_worker",
                    "Someone else changed the key worker while you were choosing: check the "
                    "current key worker below and choose again",
                )
                current = current_key_worker(person_id, today)
            else:
                verb = "is now" if current is not None else "has been allocated as"
                messages.success(
                    request, f"{staff_name(chosen)} {verb} {person_name(person)}'s key worker."
                )
                return redirect("teams:key_worker", team_id=team.pk, person_id=person.pk)
    with transaction.atomic():
        context = {
            "person": person,
            "name": person_name(person),
            "nhs_number": spaced(person.nhs_number) if person.nhs_number else "",
            "age": age_on(person.birth_date, today),
            "episodes": list(
                current_episodes(team, today).filter(person=person).order_by("start_date")
            ),
            "reasons": dict(REASONS),
            "current": current,
            "members": list(team_members(team)),
            "history": history(person_id, team),
            "form": form,
            "reason_examples": REASON_EXAMPLES,
            "reason_max_length": REASON_MAX_LENGTH,
            "staff_name": staff_name,
            "today": today,
        }
        record_view(request.user, person.pk, f"key worker page of {team.name}")
    return team_page(
        request,
        "teams/key_worker.jinja",
        team,
        context,
        status=400 if form.errors else 200,
    )
