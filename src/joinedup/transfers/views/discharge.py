"""Recording a discharge from the hub (discharge coordinators): where the person went, the
pathway, and the package that follows (joinedup.transfers.discharge starts it, puts the
person on the neighbourhood team's caseload and the team's next MDT agenda)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.access.audit import record_view
from joinedup.access.capabilities import RECORD_DISCHARGES
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import NOT_RELATED, openable_person_ids
from joinedup.forms.dates import DateEntry, read_date, with_error
from joinedup.forms.errors import FieldError
from joinedup.people import record_summary
from joinedup.record.models import HospitalSpell
from joinedup.transfers.discharge import FOLLOW_ON, SERVICE_WORDS, DischargeError, record_discharge
from joinedup.transfers.hub_access import hub_staff
from joinedup.transfers.inpatients import board_day
from joinedup.transfers.models import PATHWAYS
from joinedup.transfers.plan_words import DESTINATION_WORDS
from joinedup.transfers.stay_plan import NUL


def _spell(spell_id: str, day: dt.date) -> HospitalSpell:
    spell = (
        HospitalSpell.objects.select_related("person__neighbourhood", "stay")
        .filter(pk=spell_id, discharge_date__isnull=True, admission_date__lte=day)
        .first()
        if NUL not in spell_id  # PostgreSQL refuses NUL in text: no spell has one
        else None
    )
    if spell is None:
        raise Http404("No such stay in hospital.")
    return spell


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def discharge(request: HttpRequest, spell_id: str) -> HttpResponse:
    """GET: the form. POST: record the discharge (refused naming the field, nothing saved)."""
    staff = hub_staff(request.user)
    if not RECORD_DISCHARGES.allows(staff):
        raise PermissionDenied("Discharge coordinators record discharges.")
    today = timezone.localdate()
    day = board_day(today)
    spell = _spell(spell_id, day)
    stay = getattr(spell, "stay", None)
    date = DateEntry.of(day)
    values: dict[str, Any] = {
        "destination": "usual_residence",
        "pathway": ""
        if stay is None or stay.proposed_pathway is None
        else str(stay.proposed_pathway),
        "follow_on": "",
    }
    problems: list[FieldError] = []
    if request.method == "POST":
        values = {key: str(request.POST.get(key, "")).strip() for key in values}
        date = read_date(request.POST, "discharge_date", "discharge date")
        when = date.date
        pathway = next((p for p in PATHWAYS if str(p) == values["pathway"]), None)
        if date.error:
            problems.append(FieldError("discharge_date-day", date.error))
        if pathway is None:
            problems.append(FieldError("pathway", "Discharge pathway: choose pathway 0, 1, 2 or 3"))
        if not problems and when is not None and pathway is not None:
            try:
                record_discharge(
                    spell,
                    discharge_date=when,
                    destination=values["destination"],
                    pathway=pathway,
                    by=request.user.get_username(),
                    user=request.user,
                    follow_on=values["follow_on"] or None,
                    today=day,  # not past the board's day: the hospital data end there
                )
            except DischargeError as exc:
                field = {
                    "discharge_destination": "destination",
                    "discharge_pathway": "pathway",
                    "discharge_date": "discharge_date-day",
                }
                problems.append(FieldError(field.get(exc.field, exc.field), exc.message))
                if exc.field == "discharge_date":
                    date = with_error(date, exc.message)
            else:
                messages.success(request, "The discharge is recorded.")
                return HttpResponseRedirect(reverse("transfers:stay", args=[spell.pk]))
    record_view(request.user, spell.person_id, f"discharge form of hospital spell {spell.pk}")
    context = {
        "spell": spell,
        "banner": record_summary.banner(spell.person, today),
        "openable": openable_person_ids(staff, [spell.person_id]),
        "not_related": NOT_RELATED,
        "values": values,
        "date": date,
        "problems": problems,
        "destinations": DESTINATION_WORDS,
        "pathways": PATHWAYS,
        "follow_on": {
            p: [(s, SERVICE_WORDS[s]) for s in services] for p, services in FOLLOW_ON.items()
        },
        "day": day,
    }
    return render(request, "transfers/discharge.jinja", context, status=400 if problems else 200)


urlpatterns: list[URLPattern] = [
    path("stay/<spell:spell_id>/discharge/", discharge, name="discharge"),
]
