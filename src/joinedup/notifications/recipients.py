"""Who is told about a person, and whether what they are told may name them.

Decided here once for every event (docs/user-guide/notifications.md says it in words):

- **Whom a hospital admission or discharge concerns** ("a person on your caseload"): the
  person's current care team, every member of staff with a current row in it, the key
  worker among them. When no key worker is allocated, also the team managers of every team
  with the person on its caseload, so an unallocated person's admission still reaches
  someone who can act on it (docs/hazard-log.md H38).
- **Who owns a care plan**: the person's current key worker. The plan records no owner of
  its own; the key worker is the one named to coordinate the person's care, which the plan
  sets down. A plan of someone with no key worker has no owner to tell.
- **Who may be told about a person at all**: only a member of staff with a legitimate
  relationship with them now (joinedup.access.policy: a caseload, an open referral, the
  key worker, open work; a break-glass does not count), so a notification never discloses
  a person the record would not open to. News of a hospital stay also needs what the
  record needs to show the stay: the label of its diagnosis readable by the recipient's
  profession, and the recipient's side allowed it under an objection to sharing.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from joinedup.access.models import CareTeamMember, Profession, Sector, StaffMember
from joinedup.access.policy import (
    current_on,
    diagnosis_sensitivity,
    has_objection,
    may_read_sensitivity,
    relationship,
    staff_sector,
    visible_across_sectors,
)
from joinedup.record.models import Episode, HospitalSpell


def _staff(query: Q) -> list[StaffMember]:
    return list(StaffMember.objects.filter(query).select_related("user", "organisation").distinct())


def key_worker(person_id: str, today: dt.date) -> StaffMember | None:
    """The person's current key worker, if one is allocated."""
    allocation = (
        CareTeamMember.objects.filter(current_on(today, "started", "ended"))
        .filter(person_id=person_id, key_worker=True)
        .select_related("staff__user", "staff__organisation")
        .order_by("-started", "-id")
        .first()
    )
    return allocation.staff if allocation is not None else None


def caseload_of(person_id: str, today: dt.date) -> list[StaffMember]:
    """Whom news of the person's hospital stay concerns (see the module's docstring)."""
    care_team = CareTeamMember.objects.filter(current_on(today, "started", "ended")).filter(
        person_id=person_id
    )
    concerned = Q(pk__in=care_team.values("staff_id"))
    if not care_team.filter(key_worker=True).exists():
        holding = Episode.objects.filter(current_on(today, "start_date", "end_date")).filter(
            person_id=person_id
        )
        concerned |= Q(profession=Profession.TEAM_MANAGER, teams__in=holding.values("team_id"))
    return _staff(concerned)


def may_know(staff: StaffMember, person_id: str) -> bool:
    """Whether the person's record would open to this member of staff through their work."""
    return relationship(staff, person_id).legitimate


def may_hear_of_stay(staff: StaffMember, spell: HospitalSpell, objection: bool) -> bool:
    """Whether the record would show this member of staff the stay (its label, its side)."""
    return may_read_sensitivity(
        staff.profession, diagnosis_sensitivity(spell.primary_diagnosis)
    ) and visible_across_sectors(staff_sector(staff), Sector.HEALTH, objection)


def told_of_stay(spell: HospitalSpell, today: dt.date) -> list[StaffMember]:
    """Everyone concerned by the person's stay who may know of it (see the module)."""
    concerned = caseload_of(spell.person_id, today)
    if not concerned:
        return []
    objection = has_objection(spell.person_id)
    return [
        staff
        for staff in concerned
        if may_hear_of_stay(staff, spell, objection) and may_know(staff, spell.person_id)
    ]
