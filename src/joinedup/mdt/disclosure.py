"""What an agenda item may say about a person to this viewer.

An item's detail is written when the agenda is built. Two reasons come from hospital data
(a discharge, emergency admissions); for a person who objects to sharing between health
and social care, staff outside health see the reason but not that detail, as on the record
(joinedup.access.policy).
"""

from __future__ import annotations

from joinedup.access.models import StaffMember
from joinedup.access.policy import staff_sector
from joinedup.mdt.models import AgendaItem
from joinedup.people.models import Sector

HEALTH_DETAIL = frozenset({AgendaItem.Reason.DISCHARGED, AgendaItem.Reason.HIGH_RISK})
HIDDEN = "Detail hidden: the person objects to sharing between health and social care."


def shown_detail(item: AgendaItem, staff: StaffMember, objectors: set[str]) -> str:
    if (
        item.reason in HEALTH_DETAIL
        and item.person_id in objectors
        and staff_sector(staff) != Sector.HEALTH
    ):
        return HIDDEN
    return item.detail
