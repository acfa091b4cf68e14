"""Changing a person's details, and the history of every change to them.

Each page opens the record with joinedup.access.policy.opened_record (a transaction that
audits the view, or the refusal the record page gives, identical for a missing person) and
reads what it shows inside it. A save happens in that same transaction
(joinedup.people.details_saving): the details, their history, the change's audit event and
the view's audit event commit together. A stale save (someone saved since the form was
read) writes nothing and answers 409 with both sets of values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import (
    RecordAccess,
    RecordRefusedError,
    opened_record,
    refuse_write_under_break_glass,
    write_refused,
)
from joinedup.forms.errors import FieldError
from joinedup.people import person_details, record_summary
from joinedup.people.details_form import DetailsValues, read_base, read_details
from joinedup.people.details_saving import (
    SavedDetails,
    current_details,
    parts_changed,
    save_details,
)
from joinedup.people.views.record import record_page, refused
from joinedup.record.models import ResuscitationStatus

STALE_FORM = FieldError(
    "address_line_1", "This form is out of date: open the person's details and change them again"
)
WHAT = "the person's details"


def _form_context(
    access: RecordAccess,
    values: DetailsValues,
    base: int,
    problems: list[FieldError],
    today: dt.date,
) -> dict[str, Any]:
    return {
        "banner": record_summary.banner(access.person, today),
        "values": values,
        "base": base,
        "problems": problems,
        "status_items": ResuscitationStatus.choices,
    }


def _save(
    request: HttpRequest, access: RecordAccess, now: dt.datetime
) -> HttpResponse | SavedDetails:
    """Check the form, then save it or show the conflict (inside the record's transaction):
    what was saved, or the page that says why nothing was."""
    if not access.relationship.legitimate:  # a relationship ended since the check outside
        raise write_refused(WHAT)
    today = timezone.localdate(now)
    values, problems = read_details(request.POST)
    base = read_base(request.POST)
    if base is None:
        problems.insert(0, STALE_FORM)
    if problems:
        context = _form_context(access, values, base or 0, problems, today)
        return render(request, "people/details_edit.jinja", context, status=400)
    assert base is not None
    outcome = save_details(
        user=request.user,
        staff=access.staff,
        person=access.person,
        base=base,
        values=values,
        now=now,
    )
    if outcome.saved is not None:
        return outcome.saved
    latest = outcome.latest or current_details(access.person.pk)
    context = {
        **_form_context(access, values, latest.version, [], today),
        "theirs": latest,
        "theirs_who": person_details.who_text(
            latest.saved_by_name or latest.saved_by, latest.profession, latest.organisation
        ),
        "compared": person_details.compared(latest.values, values),
        "started_from": base,
    }
    return render(request, "people/details_conflict.jinja", context, status=409)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def edit_details(request: HttpRequest, person_id: str) -> HttpResponse:
    """GET: the form with the details as saved now. POST: save them, or show the conflict.

    Only with a care relationship: break-glass opens a record to read in an emergency, not
    to rewrite who the person's next of kin is or where their DNACPR form is kept.
    """
    now = timezone.now()
    refuse_write_under_break_glass(request.user, person_id, WHAT, now)
    saving = request.method == "POST"
    what = "person details save" if saving else "person details edit"
    try:
        with opened_record(request.user, person_id, what=what, now=now) as access:
            if saving:
                result = _save(request, access, now)
            else:
                current = current_details(person_id)
                context = _form_context(
                    access, current.values, current.version, [], timezone.localdate(now)
                )
    except RecordRefusedError:
        return refused(request, person_id)
    if not saving:
        return render(request, "people/details_edit.jinja", context)
    if isinstance(result, HttpResponse):
        return result
    # Only once the save has committed, the confirmation the record page shows.
    if result.fields:
        messages.success(request, f"Details saved: {parts_changed(result.fields)}.")
    else:
        messages.success(request, "Nothing in the details was different, so nothing was saved.")
    return redirect("people:record", person_id=person_id)


@require_safe
@staff_member_required
def details_history(request: HttpRequest, person_id: str) -> HttpResponse:
    """Every change to the person's details: who, when, what it was and what it became."""

    def read(access: RecordAccess, now: dt.datetime) -> dict[str, Any]:
        return {
            "banner": record_summary.banner(access.person, timezone.localdate(now)),
            "saves": person_details.history(person_id),
            "may_edit": access.relationship.legitimate,
        }

    return record_page(
        request, person_id, "people/details_history.jinja", read, what="person details history"
    )
