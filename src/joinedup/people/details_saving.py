"""Saving a person's details: version base+1, only if nobody saved since the editor's base.

As joinedup.careplans.saving does for a plan: the details row's `version` is advanced with
one conditional UPDATE (WHERE version = base), so of two editors from the same version
exactly one gets through, on SQLite and PostgreSQL alike, and the other is shown what was
saved meanwhile instead of overwriting it. Only then are the fields written, each change
kept as a PersonDetailChange with its old and new text, and one audit event naming what
changed; all of it commits with the caller's transaction, or none of it does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction, StaffMember
from joinedup.access.staff_names import staff_name
from joinedup.people.details_form import DetailsValues, values_of
from joinedup.record.models import Person, PersonDetailChange, PersonDetails
from joinedup.save_outcome import SaveOutcome

# How the audit log names a changed field: by what it is part of, in the form's order.
AUDIT_NAMES: dict[str, str] = {
    "address_line_1": "address",
    "address_line_2": "address",
    "town": "address",
    "postcode": "address",
    "phone": "phone",
    "preferred_name": "preferred name",
    "next_of_kin_name": "next of kin",
    "next_of_kin_relationship": "next of kin",
    "next_of_kin_phone": "next of kin",
    "emergency_contact_name": "emergency contact",
    "emergency_contact_relationship": "emergency contact",
    "emergency_contact_phone": "emergency contact",
    "communication_needs": "communication needs",
    "interpreter_needed": "interpreter",
    "interpreter_language": "interpreter",
    "resuscitation_status": "ReSPECT/DNACPR status",
    "resuscitation_held_where": "ReSPECT/DNACPR status",
}


@dataclass(frozen=True)
class SavedDetails:
    """What a save did: the version it made (the base, when nothing changed) and the fields."""

    version: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CurrentDetails:
    """The details as saved now, and who saved them last (nobody, before a first save)."""

    version: int
    values: DetailsValues
    saved_at: dt.datetime | None = None
    saved_by: str = ""
    saved_by_name: str = ""
    profession: str = ""
    organisation: str = ""


def current_details(person_id: str) -> CurrentDetails:
    """Read afresh from the database (not from an instance read earlier in the request)."""
    person = Person.objects.get(pk=person_id)
    details = PersonDetails.objects.filter(person_id=person_id).first()
    values = values_of(person, details)
    if details is None:
        return CurrentDetails(version=0, values=values)
    return CurrentDetails(
        version=details.version,
        values=values,
        saved_at=details.saved_at,
        saved_by=details.saved_by,
        saved_by_name=details.saved_by_name,
        profession=details.profession,
        organisation=details.organisation,
    )


def parts_changed(changed: list[str] | tuple[str, ...]) -> str:
    """'address, phone': each part of the details a change touched, named once."""
    return ", ".join(dict.fromkeys(AUDIT_NAMES[name] for name in changed))


def audit_what(changed: list[str]) -> str:
    """What the audit event says: 'person details: address, phone'."""
    return f"person details: {parts_changed(changed)}"


def save_details(
    *,
    user: Any,
    staff: StaffMember,
    person: Person,
    base: int,
    values: DetailsValues,
    now: dt.datetime,
) -> SaveOutcome[SavedDetails, CurrentDetails]:
    """Write version base+1, its history and its audit event, or nothing on a conflict.

    Call inside the transaction that opened the record. A form that changes nothing from
    what is saved now writes nothing (not even a version), whatever its base: nobody's
    change is lost by it.
    """
    with transaction.atomic():
        if not values.changed_from(current_details(person.pk).values):
            return SaveOutcome(saved=SavedDetails(version=base, fields=()))
        if base == 0:
            PersonDetails.objects.get_or_create(person=person)
        number = base + 1
        who = {
            "profession": staff.profession,
            "organisation": staff.organisation.name,
        }
        user_name = staff_name(staff)
        moved = PersonDetails.objects.filter(person=person, version=base).update(
            version=number,
            saved_at=now,
            saved_by=staff.user.get_username(),
            saved_by_name=user_name,
            **who,
        )
        if not moved:
            return SaveOutcome(saved=None, latest=current_details(person.pk))
        # Read again under the version's lock: these are the values of version `base`.
        before = current_details(person.pk).values
        changed = values.changed_from(before)
        if person_columns := values.person_columns(changed):
            Person.objects.filter(pk=person.pk).update(**person_columns)
        if details_columns := values.details_columns(changed):
            PersonDetails.objects.filter(person=person).update(**details_columns)
        PersonDetailChange.objects.bulk_create(
            PersonDetailChange(
                person=person,
                version=number,
                field=name,
                old_value=getattr(before, name),
                new_value=getattr(values, name),
                changed_at=now,
                changed_by=staff.user.get_username(),
                changed_by_name=user_name,
                **who,
            )
            for name in changed
        )
        record_event(AuditAction.UPDATE, user=user, person_id=person.pk, what=audit_what(changed))
    return SaveOutcome(saved=SavedDetails(version=number, fields=tuple(changed)))
