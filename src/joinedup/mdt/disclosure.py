"""What an agenda item may say about a person to this viewer.

An item's detail is written when the agenda is built. Two reasons come from hospital data
(a discharge, emergency admissions); for a person who objects to sharing between health
and social care, staff outside health see the reason but not that detail, as on the record
(joinedup.access.policy).
"""

from __future__ import annotations

from collections.abc import Collection

from joinedup.access.models import StaffMember
from joinedup.access.policy import staff_sector
from joinedup.mdt.models import AgendaItem
from joinedup.people.models import Consent, Sector

HEALTH_DETAIL = frozenset({AgendaItem.Reason.DISCHARGED, AgendaItem.Reason.HIGH_RISK})
HIDDEN = "Detail hidden: the person objects to sharing between health and social care."


def objecting(person_ids: Collection[str]) -> set[str]:
    """Which of these people have a current objection to sharing."""
    return set(
        Consent.objects.filter(
            person_id__in=list(person_ids),
            kind=Consent.Kind.SHARING_OBJECTION,
            ended_at__isnull=True,
        ).values_list("person_id", flat=True)
    )


def shown_detail(item: AgendaItem, staff: StaffMember, objectors: set[str]) -> str:
    if (
        item.reason in HEALTH_DETAIL
        and item.person_id in objectors
        and staff_sector(staff) != Sector.HEALTH
    ):
        return HIDDEN
    return item.detail
