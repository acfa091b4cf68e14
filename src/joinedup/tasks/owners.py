"""Who can own a task: a named member of the partnership's staff, or an organisation.

One picker serves the task form and the MDT's actions, so an owner is always someone the
partnership knows (never free text that nobody reads). Its values are "staff:<pk>" and
"organisation:<id>"; anything else is not an owner. Commissioners, analysts and system
administrators are left out: they never work with a person.

A task about a person shows their name and NHS number on its owner's "My tasks", so a
member of staff may own one only if they are in the task's team or already care for the
person (a legitimate relationship, joinedup.access.policy): handing someone a task must
not hand them a person they have no reason to see. Organisations may own any task (no one
there sees it until a named person does). The picker lists the team's members first.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.access.capabilities import WORK_IN_TEAMS
from joinedup.access.models import StaffMember
from joinedup.access.policy import related_person_ids
from joinedup.access.staff_names import staff_name
from joinedup.record.models import Organisation, Team

STAFF = "staff"
ORGANISATION = "organisation"
UNRELATED_OWNER = (
    "Choose a member of the team, or someone already caring for this person, "
    "or an organisation, as the owner"
)


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


def partnership_staff(team: Team | None = None) -> list[StaffMember]:
    """Everyone who may own a piece of care work, by name; the team's members first."""
    staff = list(
        StaffMember.objects.exclude(profession__in=WORK_IN_TEAMS.lacking)
        .select_related("user", "organisation")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    if team is None:
        return staff
    members = set(team.staff.values_list("pk", flat=True))
    return sorted(staff, key=lambda s: s.pk not in members)  # stable: by name within each


def may_own(owner: Owner, team: Team | None, person_id: str | None) -> bool:
    """Whether this owner may hold a task of `team` about the person (see the module)."""
    if owner.staff is None or person_id is None:
        return True
    if team is not None and owner.staff.teams.filter(pk=team.pk).exists():
        return True
    return bool(related_person_ids(owner.staff, [person_id]))


def organisations() -> list[Organisation]:
    return list(Organisation.objects.order_by("name", "id"))


@dataclass(frozen=True)
class OwnerOptions:
    """The owner picker's two groups, as (value, text) pairs."""

    staff: list[tuple[str, str]]
    organisations: list[tuple[str, str]]


def owner_options(team: Team | None = None) -> OwnerOptions:
    return OwnerOptions(
        staff=[(Owner(staff=s).value, staff_described(s)) for s in partnership_staff(team)],
        organisations=[(Owner(organisation=o).value, o.name) for o in organisations()],
    )


def parse_owner(value: str) -> Owner | None:
    """The owner a picker value names, or None (empty, malformed or no such owner)."""
    kind, _, key = value.strip().partition(":")
    if kind == STAFF and key.isdecimal() and len(key) <= 18:
        staff = (
            StaffMember.objects.exclude(profession__in=WORK_IN_TEAMS.lacking)
            .select_related("user", "organisation")
            .filter(pk=int(key))
            .first()
        )
        return Owner(staff=staff) if staff is not None else None
    if kind == ORGANISATION and key:
        organisation = Organisation.objects.filter(pk=key).first()
        return Owner(organisation=organisation) if organisation is not None else None
    return None
