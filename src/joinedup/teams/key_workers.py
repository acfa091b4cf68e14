"""Allocating and reassigning a person's key worker, with the reason, in one transaction.

The current key worker's allocation ends today and the new one starts today, with the
person's row locked so that two allocations at once queue rather than both ending the
same row (the database also allows only one current key worker a person). Who made the
change is in the audit event, whose `what` names the new allocation (ALLOCATION_PREFIX
and its id) so the page can show who allocated each key worker in the history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from joinedup.access.audit import record_event
from joinedup.access.capabilities import WORK_IN_TEAMS
from joinedup.access.models import AuditAction, AuditEvent, CareTeamMember, StaffMember
from joinedup.access.staff_names import names_of, staff_name
from joinedup.forms.errors import FormErrors
from joinedup.notifications.sending import key_worker_allocated
from joinedup.record.models import Person, Team

ROLE = "Key worker"
ALLOCATION_PREFIX = "key worker allocation "
REASON_MAX_LENGTH = 300  # CareTeamMember.reason
REASON_EXAMPLES = ("Workload", "Skills match", "Staff leaving the team", "Person's request")
_ALLOCATION_ID = re.compile(re.escape(ALLOCATION_PREFIX) + r"(\d+)")


def team_members(team: Team) -> QuerySet[StaffMember]:
    """Who may be a key worker for the team: its staff (never a role that sees no records)."""
    return (
        StaffMember.objects.filter(teams=team)
        .exclude(profession__in=WORK_IN_TEAMS.lacking)
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def current_key_worker(person_id: str, today: dt.date) -> CareTeamMember | None:
    return (
        CareTeamMember.objects.filter(person_id=person_id, key_worker=True, started__lte=today)
        .filter(Q(ended__isnull=True) | Q(ended__gt=today))
        .select_related("staff__user", "staff__organisation")
        .order_by("-started", "-id")
        .first()
    )


@dataclass(frozen=True)
class HistoryLine:
    allocation: CareTeamMember
    allocated_by: str  # who, named from the audit event's username ('' if made elsewhere)


def history(person_id: str, team: Team) -> list[HistoryLine]:
    """The person's key workers from this team, newest first, with who allocated each."""
    rows = list(
        CareTeamMember.objects.filter(person_id=person_id, key_worker=True, staff__teams=team)
        .select_related("staff__user", "staff__organisation")
        .distinct()
        .order_by("-started", "-id")
    )
    by: dict[int, str] = {}
    events = AuditEvent.objects.filter(
        person_id=person_id, action=AuditAction.UPDATE, what__startswith=ALLOCATION_PREFIX
    ).values_list("what", "username")
    for what, username in events:
        found = _ALLOCATION_ID.match(what)
        if found:
            by[int(found.group(1))] = username
    names = names_of(by.values())
    return [HistoryLine(row, names[by[row.pk]] if row.pk in by else "") for row in rows]


@dataclass
class AllocationForm:
    key_worker: str = ""
    reason: str = ""
    errors: FormErrors = field(default_factory=FormErrors)


def read_allocation_form(
    data: Any, team: Team, current: CareTeamMember | None
) -> tuple[AllocationForm, StaffMember | None]:
    """The posted choice checked: the form with its errors, and the chosen member if all is well."""
    form = AllocationForm(key_worker=data.get("key_worker", ""), reason=data.get("reason", ""))
    chosen = None
    if not form.key_worker:
        form.errors.add("key_worker", "Select a key worker from the team")
    elif not form.key_worker.isdecimal() or len(form.key_worker) > 18:
        form.errors.add("key_worker", f"Select a key worker who is a member of {team.name}")
    else:
        chosen = team_members(team).filter(pk=int(form.key_worker)).first()
        if chosen is None:
            form.errors.add("key_worker", f"Select a key worker who is a member of {team.name}")
        elif current is not None and current.staff_id == chosen.pk:
            form.errors.add(
                "key_worker", f"{staff_name(chosen)} is already the key worker: choose someone else"
            )
    reason = form.reason.strip()
    if current is not None and not reason:
        form.errors.add("reason", "Enter the reason for changing the key worker")
    elif len(reason) > REASON_MAX_LENGTH:
        form.errors.add("reason", f"The reason must be {REASON_MAX_LENGTH} characters or fewer")
    return form, (None if form.errors else chosen)


class AllocationChangedError(Exception):
    """Someone else allocated a key worker between the form and the save."""


def allocate(
    user: Any,
    team: Team,
    person: Person,
    chosen: StaffMember,
    reason: str,
    today: dt.date,
    expected_current: int | None,
) -> CareTeamMember:
    """End the current key worker's allocation and start `chosen`'s, audited, in one go.

    `expected_current` is the allocation the form was shown with (None: none): if another
    allocation happened since, nothing changes and AllocationChangedError is raised, so a
    reason given for replacing one key worker is never recorded against another.
    """
    reason = reason.strip()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # queue on the person
        current = current_key_worker(person.pk, today)
        if (current.pk if current else None) != expected_current:
            raise AllocationChangedError
        # Every allocation still open (a current one, or one dated ahead) ends now.
        for row in CareTeamMember.objects.filter(person=person, key_worker=True).filter(
            Q(ended__isnull=True) | Q(ended__gt=today)
        ):
            row.ended = max(today, row.started)
            row.save(update_fields=["ended"])
        new = CareTeamMember.objects.create(
            person=person,
            staff=chosen,
            role=ROLE,
            key_worker=True,
            started=today,
            reason=reason,
        )
        change = "reassigned" if current is not None else "allocated"
        record_event(
            AuditAction.UPDATE,
            user=user,
            person_id=person.pk,
            what=f"{ALLOCATION_PREFIX}{new.pk}: {staff_name(chosen)} {change} in {team.name}",
            reason=reason,
        )
        key_worker_allocated(new, team, by=user)  # the new key worker told
    return new
