"""Breaking the glass: opening a record without a care relationship, for a stated reason.

The form is the same for any id, existing or not (the refusal it follows must not confirm
that a person exists). joinedup.access.policy.break_glass records the use and its audit
event in one transaction; the record then opens until the use expires, and the team
manager sees it in the break-glass review.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from joinedup.access.capabilities import BREAK_GLASS
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import (
    RecordRefusedError,
    break_glass_duration,
    staff_of,
)
from joinedup.access.policy import break_glass as open_by_breaking_glass
from joinedup.forms.errors import FieldError
from joinedup.people.views.record import refused

REASON_MAX_LENGTH = 2000


def _reason_error(reason: str) -> str:
    if not reason.strip():
        return "Enter the reason you need to see this record"
    if len(reason) > REASON_MAX_LENGTH:
        return f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer"
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def break_glass(request: HttpRequest, person_id: str) -> HttpResponse:
    """GET: the form. POST: a reason opens the record and redirects to it; none, the form again."""
    if not BREAK_GLASS.allows(staff_of(request.user)):
        return refused(request, person_id)
    reason, error = "", ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        error = _reason_error(reason)
        if not error:
            try:
                with transaction.atomic():
                    open_by_breaking_glass(request.user, person_id, reason)
            except RecordRefusedError:
                return refused(request, person_id)
            return redirect("people:record", person_id=person_id)
    hours = break_glass_duration().total_seconds() / 3600
    context = {
        "person_id": person_id,
        "reason": reason,
        "errors": [FieldError("reason", error)] if error else [],
        "hours": f"{hours:g}",
        "max_length": REASON_MAX_LENGTH,
    }
    return render(request, "people/break_glass.jinja", context, status=400 if error else 200)
