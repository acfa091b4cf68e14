"""What an agenda item may say about a person to this viewer.

An item's detail is written when the agenda is built. Two reasons come from hospital data
(a discharge, emergency admissions); for a person who objects to sharing between health
and social care, staff outside health see the reason but not that detail, as on the record
(joinedup.access.policy). A risk score's factors are kept on the item by name and shown
to each viewer as the record's rules allow (joinedup.casefinding.disclosure).
"""

from __future__ import annotations

from joinedup.access.models import StaffMember
from joinedup.casefinding.disclosure import HIDDEN, SOME_HIDDEN, score_hidden, shown_score
from joinedup.mdt.models import AgendaItem

HEALTH_DETAIL = frozenset({AgendaItem.Reason.DISCHARGED, AgendaItem.Reason.HIGH_RISK})


def shown_detail(item: AgendaItem, staff: StaffMember, objectors: set[str]) -> str:
    objection = item.person_id in objectors
    if item.reason in HEALTH_DETAIL and score_hidden(staff, objection):
        return HIDDEN
    if not item.factors:
        return item.detail
    shown = shown_score(staff, item.factors, objection)
    text = f"{item.detail}: {'; '.join(shown.factors)}" if shown.factors else item.detail
    return f"{text}. {SOME_HIDDEN}" if shown.some_hidden else text
