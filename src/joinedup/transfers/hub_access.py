"""The transfer of care hub's door, what each of its roles may change, what an objection hides.

The board is a direct care activity across health and social care: discharge coordinators
(the acute trust) and social care brokers (the council) work it every day, and team
managers read it to act on escalations. It lists everyone from the area in hospital, so
it does not ask for a care relationship person by person (joinedup.access.policy's rule
for the shared record); instead only these roles see it (the permission table's
WORK_THE_HUB and READ_THE_HUB, joinedup.access.capabilities), everyone else gets 403, and every
person listed and every stay opened or changed is audited.

- Discharge coordinators change the whole plan: ward, expected date of discharge,
  discharge ready date, proposed pathway, delay reason and responsibility, and add and
  close actions.
- Social care brokers work the social care side: they may set the delay reason and the
  organisation responsible (and add a note), and add and close actions; the ward, the
  dates and the pathway are the hospital's clinical decisions and are shown read-only.
- Team managers read the board and stays (the hub manager acts on escalations); they
  change nothing here, so a plan has one set of authors.

A person's objection to sharing between health and social care (joinedup.access.policy)
is kept for what is health or social care detail rather than the hub's shared plan: the
ward is the hospital's (it can tell a diagnosis: a stroke unit, a mental health ward), so
a viewer from the social care side does not see it for a person who objects; a plan note
belongs to the side of whoever wrote it, and is hidden from the other side the same way.
The ready date, pathway, delay reason and responsibility are the hub's shared plan, which
both sides need to get the person home, and are always shown. The diagnosis is never on
the board or a stay's page, for anyone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from joinedup.access.capabilities import READ_THE_HUB, WORK_THE_HUB
from joinedup.access.models import Profession, Sector, StaffMember
from joinedup.access.policy import (
    diagnosis_sensitivity,
    may_read_sensitivity,
    package_sector,
    staff_of,
    staff_sector,
    visible_across_sectors,
)
from joinedup.tasks.owners import staff_described

PLAN_FIELDS = (
    "ward",
    "expected_discharge_date",
    "ready_for_discharge_date",
    "proposed_pathway",
    "delay_reason",
    "delay_responsibility",
    "note",
)
# The plan fields each role that works the hub changes (who works it is the permission
# table's, joinedup.access.capabilities).
EDITABLE: dict[str, frozenset[str]] = {
    Profession.DISCHARGE_COORDINATOR: frozenset(PLAN_FIELDS),
    Profession.SOCIAL_CARE_BROKER: frozenset({"delay_reason", "delay_responsibility", "note"}),
}
assert set(EDITABLE) == WORK_THE_HUB.roles
SYSTEM_SECTOR = Sector.HEALTH  # a change with no staff behind it came from the hospital's feed


def hub_staff(user: Any) -> StaffMember:
    """The viewer's staff record if their role works the hub; else 403."""
    staff = staff_of(user)
    if staff is None or not READ_THE_HUB.allows(staff):
        raise PermissionDenied(
            "The transfer of care hub is for discharge coordinators, social care brokers "
            "and team managers."
        )
    return staff


def editable_fields(staff: StaffMember) -> frozenset[str]:
    return EDITABLE.get(staff.profession, frozenset())


def shows_sensitive(staff: StaffMember, diagnosis: str | None) -> bool:
    """Whether the viewer reads what can tell a stay's purpose (its ward, notes on it): a
    spell whose diagnosis is labelled sensitive (mental health, sexual health) only to the
    professions that read that label, as the record's timeline shows the spell."""
    return may_read_sensitivity(staff.profession, diagnosis_sensitivity(diagnosis))


def shows_ward(staff: StaffMember, objection: bool, diagnosis: str | None = None) -> bool:
    """The ward is health detail (see the module's docstring), and it can tell what the
    stay is for (shows_sensitive)."""
    if not shows_sensitive(staff, diagnosis):
        return False
    return visible_across_sectors(staff_sector(staff), Sector.HEALTH, objection)


@dataclass(frozen=True)
class Author:
    """Who changed a plan, as the page names them, and the side of care they work on."""

    name: str
    sector: str


def authors(usernames: Collection[str]) -> dict[str, Author]:
    """{username: Author} in one query. A username that is no staff member's (the hospital's
    feed, a system) is shown as it is and counts as health, the hospital's side."""
    users = get_user_model()
    found = {
        user.get_username(): Author(
            name=staff_described(user.staff_member),
            sector=staff_sector(user.staff_member),
        )
        for user in users.objects.filter(
            username__in=list(usernames), staff_member__isnull=False
        ).select_related("staff_member__organisation")
    }
    return {name: found.get(name, Author(name, SYSTEM_SECTOR)) for name in usernames}


def shows_package(staff: StaffMember, funder: str | None, objection: bool) -> bool:
    """A care package started after the stay, as the record shows packages: under an
    objection, only to the side that funds it (a pooled package to both)."""
    return visible_across_sectors(staff_sector(staff), package_sector(funder), objection)


def shows_note(
    staff: StaffMember,
    author_sector: str,
    objection: bool,
    diagnosis: str | None = None,
    *,
    own: bool = False,
) -> bool:
    """A note in the plan's history: never across sectors under an objection, and on a stay
    whose diagnosis is labelled sensitive only to the professions that read the label (a
    note can tell what the stay is for, as its ward can), except to whoever wrote it."""
    if not own and not shows_sensitive(staff, diagnosis):
        return False
    return visible_across_sectors(staff_sector(staff), author_sector, objection)
