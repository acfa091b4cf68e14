"""Saving a care plan: version base+1, only if nobody saved since the editor's base version.

The plan row's `version` is advanced with one conditional UPDATE (WHERE version = base):
the database lets exactly one of two editors from the same base through, whichever
database it is (SQLite queues writers; PostgreSQL re-checks the condition after the row
lock), and the other is told about the version saved meanwhile instead of overwriting it.
A saved version and its audit event commit together, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction, StaffMember
from joinedup.access.staff_names import staff_name
from joinedup.careplans.models import CarePlan, CarePlanVersion
from joinedup.notifications.sending import care_plan_changed
from joinedup.record.models import Person
from joinedup.save_outcome import SaveOutcome


def latest_version(person: Person) -> CarePlanVersion | None:
    return CarePlanVersion.objects.filter(plan__person=person).order_by("-number").first()


def save_version(
    *,
    user: Any,
    staff: StaffMember,
    person: Person,
    base: int,
    fields: dict[str, Any],
    now: dt.datetime,
) -> SaveOutcome[CarePlanVersion, CarePlanVersion]:
    """Write version base+1 and its audit event, or nothing at all on a conflict.

    Call inside the transaction that opened the record. `fields` are CarePlanVersion's
    (PlanForm.version_fields()). The first save (base 0) creates the plan.
    """
    with transaction.atomic():
        if base == 0:
            CarePlan.objects.get_or_create(
                person=person, defaults={"version": 0, "created_at": now}
            )
        number = base + 1
        moved = CarePlan.objects.filter(person=person, version=base).update(
            version=number, review_date=fields["review_date"]
        )
        if not moved:
            return SaveOutcome(saved=None, latest=latest_version(person))
        user_name = staff_name(staff)
        version = CarePlanVersion.objects.create(
            plan=CarePlan.objects.get(person=person),
            number=number,
            saved_at=now,
            saved_by=staff.user.get_username(),
            saved_by_name=user_name,
            profession=staff.profession,
            organisation=staff.organisation.name,
            **fields,
        )
        record_event(
            AuditAction.CREATE if number == 1 else AuditAction.UPDATE,
            user=user,
            person_id=person.pk,
            what=f"care plan version {number}",
        )
        care_plan_changed(person, number, by=user)  # the plan's owner told
    return SaveOutcome(saved=version)
