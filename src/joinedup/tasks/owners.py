"""Who can own a task: a named member of the partnership's staff, or an organisation.

One picker serves the task form and the MDT's actions, so an owner is always someone the
partnership knows (never free text that nobody reads). Its values are "staff:<pk>" and
"organisation:<id>"; anything else is not an owner. Commissioners, analysts and system
administrators are left out: they never work with a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.access.models import StaffMember
from joinedup.access.policy import NO_RECORD
from joinedup.record.models import Organisation

STAFF = "staff"
ORGANISATION = "organisation"


def staff_name(staff: StaffMember) -> str:
    return staff.user.get_full_name() or staff.user.get_username()


def staff_described(staff: StaffMember) -> str:
    """ "Nia Hart, District nurse, Casterbridge Community Health NHS Trust"."""
    return f"{staff_name(staff)}, {staff.get_profession_display()}, {staff.organisation.name}"


@dataclass(frozen=True)
class Owner:
    staff: StaffMember | None = None
    organisation: Organisation | None = None

    @property
    def value(self) -> str:
        if self.staff is not None:
            return f"{STAFF}:{self.staff.pk}"
        if self.organisation is not None:
            return f"{ORGANISATION}:{self.organisation.pk}"
        return ""

    @property
    def text(self) -> str:
        if self.staff is not None:
            return staff_described(self.staff)
        if self.organisation is not None:
            return self.organisation.name
        return ""


def partnership_staff() -> list[StaffMember]:
    """Everyone who may own a piece of care work, by name."""
    return list(
        StaffMember.objects.exclude(profession__in=NO_RECORD)
        .select_related("user", "organisation")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def organisations() -> list[Organisation]:
    return list(Organisation.objects.order_by("name", "id"))


@dataclass(frozen=True)
class OwnerOptions:
    """The owner picker's two groups, as (value, text) pairs."""

    staff: list[tuple[str, str]]
    organisations: list[tuple[str, str]]


def owner_options() -> OwnerOptions:
    return OwnerOptions(
        staff=[(Owner(staff=s).value, staff_described(s)) for s in partnership_staff()],
        organisations=[(Owner(organisation=o).value, o.name) for o in organisations()],
    )


def parse_owner(value: str) -> Owner | None:
    """The owner a picker value names, or None (empty, malformed or no such owner)."""
    kind, _, key = value.strip().partition(":")
    if kind == STAFF and key.isdigit():
        staff = (
            StaffMember.objects.exclude(profession__in=NO_RECORD)
            .select_related("user", "organisation")
            .filter(pk=int(key))
            .first()
        )
        return Owner(staff=staff) if staff is not None else None
    if kind == ORGANISATION and key:
        organisation = Organisation.objects.filter(pk=key).first()
        return Owner(organisation=organisation) if organisation is not None else None
    return None
