"""My people: the people the viewer is key worker for, each one audited as viewed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from joinedup.access.audit import record_views
from joinedup.access.capabilities import WORK_IN_TEAMS
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import NOT_RELATED, openable_person_ids, staff_of
from joinedup.teams.my_people import my_people as people_of

AUDIT_WHAT = "my people"


@require_safe
@staff_member_required
def my_people(request: HttpRequest) -> HttpResponse:
    """Everyone the viewer is key worker for today: only roles that can be key workers."""
    staff = staff_of(request.user)
    if staff is None or not WORK_IN_TEAMS.allows(staff):
        raise PermissionDenied("My people is for staff who can be a person's key worker.")
    now = timezone.now()
    with transaction.atomic():
        lines = people_of(staff, now)
        person_ids = [line.person_id for line in lines]
        record_views(request.user, person_ids, AUDIT_WHAT)
        openable = openable_person_ids(staff, person_ids, now)
    return render(
        request,
        "teams/my_people.jinja",
        {
            "lines": lines,
            "today": timezone.localdate(now),
            "in_hospital": sum(1 for line in lines if line.in_hospital),
            "openable": openable,
            "not_related": NOT_RELATED,
        },
    )
