"""The shared care plan pages: the plan, its versions, editing, the conflict, the print.

Every page opens the person's record with joinedup.access.policy.opened_record (a
transaction that audits the view, or refuses exactly as the record page does), reads all
it shows into plain data inside it, and renders after. A save happens in that same
transaction (joinedup.careplans.saving), so the new version, its audit event and the
view's audit event commit together. A conflict saves nothing and shows both versions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import (
    RecordAccess,
    RecordRefusedError,
    opened_record,
    refuse_write_under_break_glass,
)
from joinedup.careplans.changes import changes
from joinedup.careplans.models import CarePlanVersion, GoalStatus
from joinedup.careplans.plan_form import (
    PlanForm,
    form_from_version,
    read_base,
    read_form,
)
from joinedup.careplans.plan_view import (
    OWNER_LABELS,
    STATUS_LABELS,
    plan_view,
    plan_view_of_form,
    version_line,
)
from joinedup.careplans.saving import latest_version, save_version
from joinedup.forms.errors import FieldError
from joinedup.people import record_summary
from joinedup.people.views.record import record_page, refused

MAX_VERSION = 2**31 - 1
STALE_FORM = FieldError(
    "what_matters", "This form is out of date: open the care plan and edit it again"
)


def _versions(person_id: str) -> list[CarePlanVersion]:
    return list(CarePlanVersion.objects.filter(plan__person_id=person_id).order_by("-number"))


def _form_choices() -> dict[str, Any]:
    """The select boxes' options, each with an empty first choice (a new row has none)."""

    def items(first: str, labels: dict[str, str]) -> list[dict[str, str]]:
        return [{"value": "", "text": first}] + [
            {"value": value, "text": label} for value, label in labels.items()
        ]

    return {
        "status_items": items("Choose a status", STATUS_LABELS),
        "owner_items": items("Choose who", OWNER_LABELS),
    }


@require_safe
@staff_member_required
def plan(request: HttpRequest, person_id: str) -> HttpResponse:
    """The current plan and every version's who and when."""

    def read(access: RecordAccess, now: dt.datetime) -> dict[str, Any]:
        today = timezone.localdate(now)
        versions = _versions(person_id)
        return {
            "banner": record_summary.banner(access.person, today),
            "current": plan_view(versions[0], today, access) if versions else None,
            "versions": [version_line(v, access) for v in versions],
            "may_edit": access.relationship.legitimate,
        }

    return record_page(request, person_id, "careplans/plan.jinja", read, what="care plan")


@require_safe
@staff_member_required
def version(request: HttpRequest, person_id: str, number: int) -> HttpResponse:
    """One version, read-only, with what changed from the one before."""
    if number > MAX_VERSION:  # no plan has that many, and the database could not compare it
        raise Http404("No such version.")

    def read(access: RecordAccess, now: dt.datetime) -> dict[str, Any]:
        today = timezone.localdate(now)
        wanted = {
            v.number: v
            for v in CarePlanVersion.objects.filter(
                plan__person_id=person_id, number__in=[number - 1, number]
            )
        }
        latest = latest_version(access.person)
        shown = wanted.get(number)
        return {
            "banner": record_summary.banner(access.person, today),
            "number": number,
            "shown": plan_view(shown, today, access) if shown else None,
            "changes": changes(wanted.get(number - 1), shown) if shown else [],
            "is_current": latest is not None and latest.number == number,
        }

    return record_page(
        request,
        person_id,
        "careplans/version.jinja",
        read,
        what=f"care plan version {number}",
        status=lambda context: 200 if context["shown"] else 404,
    )


def _edit_context(
    access: RecordAccess, form: PlanForm, base: int, today: dt.date
) -> dict[str, Any]:
    return {
        "banner": record_summary.banner(access.person, today),
        "form": form,
        "base": base,
        "today": today,
        **_form_choices(),
    }


def _save(request: HttpRequest, access: RecordAccess, now: dt.datetime) -> HttpResponse:
    """Check the form, then save it or show the conflict (inside the record's transaction)."""
    today = timezone.localdate(now)
    form = read_form(request.POST, today)
    base = read_base(request.POST)
    if base is None:
        form.errors.insert(0, STALE_FORM)
    if form.errors:
        context = _edit_context(access, form, base or 0, today)
        return render(request, "careplans/edit.jinja", context, status=400)
    assert base is not None
    outcome = save_version(
        user=request.user,
        staff=access.staff,
        person=access.person,
        base=base,
        fields=form.version_fields(),
        now=now,
    )
    if not outcome.conflict:
        assert outcome.saved is not None
        messages.success(request, f"Care plan saved as version {outcome.saved.number}.")
        return redirect("careplans:plan", person_id=access.person.pk)
    latest = outcome.latest
    context = {
        **_edit_context(access, form, latest.number if latest else 0, today),
        "theirs": plan_view(latest, today, access) if latest else None,
        "mine": plan_view_of_form(form, today),
        "started_from": base,
    }
    return render(request, "careplans/conflict.jinja", context, status=409)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def edit(request: HttpRequest, person_id: str) -> HttpResponse:
    """GET: the form from the current version. POST: save version base+1, or a conflict.

    Only with a care relationship: break-glass opens a record to read in an emergency, not
    to rewrite the plan the person's team agreed with them.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    refuse_write_under_break_glass(request.user, person_id, "its care plan", now)
    saving = request.method == "POST"
    what = "care plan save" if saving else "care plan edit"
    try:
        with opened_record(request.user, person_id, what=what, now=now) as access:
            if saving:
                return _save(request, access, now)
            latest = latest_version(access.person)
            form = form_from_version(latest)
            context = _edit_context(access, form, latest.number if latest else 0, today)
    except RecordRefusedError:
        return refused(request, person_id)
    return render(request, "careplans/edit.jinja", context)


@require_safe
@staff_member_required
def print_plan(request: HttpRequest, person_id: str) -> HttpResponse:
    """The plan written for the person, to print and give them."""

    def read(access: RecordAccess, now: dt.datetime) -> dict[str, Any]:
        today = timezone.localdate(now)
        latest = latest_version(access.person)
        key_workers = [m for m in record_summary.care_team(access, today) if m.key_worker]
        return {
            "banner": record_summary.banner(access.person, today),
            "current": plan_view(latest, today, access) if latest else None,
            "key_worker": key_workers[0] if key_workers else None,
            "achieved": GoalStatus.ACHIEVED.value,
        }

    return record_page(request, person_id, "careplans/print.jinja", read, what="care plan print")
