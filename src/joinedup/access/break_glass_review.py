"""The team manager's review of break-glass uses: who opened which record, why, and until when.

Which uses a manager sees is joinedup.access.policy.break_glass_under_review; everyone
but a team manager is refused. The list names each person by their identity only (name and
NHS number, what search confirms to anyone who may find people: docs/security.md), so the
manager can judge whether the reason fitted the person, and links a name to the record only
when the manager may open it. It shows unreviewed uses first, and each view of it is
audited against the people it lists, since it shows the reasons given about them. Marking a
use reviewed is a POST (CSRF-protected) and audited too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from joinedup.access.audit import record_event, record_events
from joinedup.access.capabilities import REVIEW_BREAK_GLASS
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import AuditAction, BreakGlass, StaffMember
from joinedup.access.policy import (
    NOT_RELATED,
    break_glass_under_review,
    openable_person_ids,
    staff_of,
)
from joinedup.access.staff_names import StaffNames, names_of, staff_name
from joinedup.formatting import nhs_number_text
from joinedup.record.models import Person

PAGE_SIZE = 50


def _manager(request: HttpRequest) -> StaffMember:
    staff = staff_of(request.user)
    if staff is None or not REVIEW_BREAK_GLASS.allows(staff):
        raise PermissionDenied("Only team managers review break-glass uses.")
    return staff


def uses_to_review(staff: StaffMember, now: dt.datetime | None = None) -> QuerySet[BreakGlass]:
    """The manager's break-glass uses: unreviewed first, then newest first."""
    return (
        BreakGlass.objects.filter(break_glass_under_review(staff, now))
        .select_related("staff__user", "staff__organisation")
        .annotate(
            unreviewed=ExpressionWrapper(Q(reviewed_at__isnull=True), output_field=BooleanField())
        )
        .order_by("-unreviewed", "-started_at", "-pk")
    )


@dataclass(frozen=True)
class UseLine:
    pk: int
    who: str
    profession: str
    organisation: str
    person_id: str
    person_name: str  # "" when the id matches no one (breaking the glass does not check)
    nhs_number: str
    reason: str
    started_at: dt.datetime
    expires_at: dt.datetime
    active: bool
    reviewed_by: str
    reviewed_at: dt.datetime | None


def _line(
    use: BreakGlass, people: dict[str, Person], names: StaffNames, now: dt.datetime
) -> UseLine:
    person = people.get(use.person_id)
    return UseLine(
        pk=use.pk,
        who=staff_name(use.staff),
        profession=use.staff.get_profession_display(),
        organisation=use.staff.organisation.name,
        person_id=use.person_id,
        person_name=str(person) if person is not None else "",
        nhs_number=nhs_number_text(person.nhs_number) if person is not None else "",
        reason=use.reason,
        started_at=use.started_at,
        expires_at=use.expires_at,
        active=use.expires_at > now,
        reviewed_by=names[use.reviewed_by],
        reviewed_at=use.reviewed_at,
    )


def _lines(uses: list[BreakGlass], now: dt.datetime) -> list[UseLine]:
    """A page of uses, their people and reviewers each read in one query."""
    people = Person.objects.only("id", "given_name", "family_name", "nhs_number").in_bulk(
        {use.person_id for use in uses}
    )
    names = names_of(use.reviewed_by for use in uses)
    return [_line(use, people, names, now) for use in uses]


@require_safe
@staff_member_required
def review(request: HttpRequest) -> HttpResponse:
    """Every break-glass use by the manager's teams or on their teams' people."""
    staff = _manager(request)
    now = timezone.now()
    context: dict[str, Any]
    with transaction.atomic():
        paginator = Paginator(uses_to_review(staff, now), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        lines = _lines(list(page.object_list), now)
        person_ids = list(dict.fromkeys(line.person_id for line in lines))
        record_events(
            AuditAction.VIEW, user=request.user, person_ids=person_ids, what="break-glass review"
        )
        context = {
            "lines": lines,
            "openable": openable_person_ids(staff, person_ids, now),
            "why_not": NOT_RELATED,
            "page": page.number,
            "pages": paginator.num_pages,
            "total": paginator.count,
            "unreviewed": sum(1 for line in lines if line.reviewed_at is None),
            "previous": page.previous_page_number() if page.has_previous() else None,
            "next": page.next_page_number() if page.has_next() else None,
        }
    return render(request, "access/break_glass_review.jinja", context)


@require_POST
@staff_member_required
def mark_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the manager has reviewed one use (the first review stands)."""
    staff = _manager(request)
    with transaction.atomic():
        use = (
            BreakGlass.objects.select_for_update()
            .filter(break_glass_under_review(staff), pk=pk)
            .first()
        )
        if use is None:
            raise Http404("No such break-glass use to review.")
        if use.reviewed_at is None:
            use.reviewed_by = request.user.get_username()
            use.reviewed_at = timezone.now()
            use.save(update_fields=["reviewed_by", "reviewed_at"])
            record_event(
                AuditAction.UPDATE,
                user=request.user,
                person_id=use.person_id,
                what=f"break-glass {use.pk} reviewed",
            )
    page = request.POST.get("page", "")
    target = redirect("access:break_glass_review")
    if page.isdecimal() and page != "1":
        target["Location"] += f"?page={page}"
    return target
