"""What a risk score may say about a person to this viewer.

A score is worked out from health and social care records alike, and its top factors
name what raised it ("Severe mental illness", "Receives home care"). The factors follow
the record's rules (joinedup.access.policy): a factor from a mental health entry only for
the professions that read mental health detail; for a person who objects to sharing
between health and social care, a factor from the other sector's records is left out, and
staff outside health see neither the score nor its factors (the score is mostly hospital
data), only that the person is listed, as the MDT agenda shows other hospital detail.

The worklist is the summary the team works from; it does not open the records of the
people on it. They are known to no team, and until the team decides to act (puts them on
its MDT agenda, where their GP agrees to contact them, or refers them) nobody caring for
them has asked for their record to be read: a risk score alone is not a care relationship
(docs/security.md, "Case finding").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from joinedup.access.models import Sector, StaffMember
from joinedup.access.policy import (
    condition_sensitivity,
    contact_sensitivity,
    may_read_sensitivity,
    staff_sector,
    visible_across_sectors,
)
from joinedup.risk.factor_words import factor_words
from joinedup.risk.features import CONTACT_SERVICES, FEATURES, LONG_TERM, SERVICES_OPEN

HIDDEN = "Detail hidden: the person objects to sharing between health and social care."
SOME_HIDDEN = "Other factors are not shown to you."
WHY_NOT_OPEN = (
    "known to no team yet; it opens to the team once they are on its MDT agenda, "
    "referred or on its caseload"
)

# Which sector's records each feature comes from; None: who the person is and where they
# live (age, sex, deprivation, household), which every member of the team may know.
_SOCIAL_CARE = {f"service_{s}" for s in SERVICES_OPEN} | {"contacts_social_work_6m"}
_PERSONAL = {"age", "female", "deprivation_decile", "lives_alone", "has_unpaid_carer"}
FACTOR_SECTOR: dict[str, str | None] = {
    name: None
    if name in _PERSONAL
    else Sector.SOCIAL_CARE
    if name in _SOCIAL_CARE
    else Sector.HEALTH
    for name in FEATURES
}
FACTOR_SENSITIVITY: dict[str, str | None] = {
    **{f"condition_{c}": condition_sensitivity(c) for c in LONG_TERM},
    **{f"contacts_{s}_6m": contact_sensitivity(s) for s in CONTACT_SERVICES},
}


@dataclass(frozen=True)
class ShownScore:
    hidden: bool  # the score and every factor withheld (an objection)
    factors: list[str]  # in words, those this viewer may see
    some_hidden: bool  # factors left out for this viewer


def score_hidden(staff: StaffMember, objection: bool) -> bool:
    """Hospital detail (a score, an agenda item's reason) for a person who objects: withheld
    from staff outside health."""
    return objection and staff_sector(staff) != Sector.HEALTH


def shown_score(staff: StaffMember, factors: Iterable[str], objection: bool) -> ShownScore:
    """The score's factors as this viewer may see them."""
    names = list(factors)
    if score_hidden(staff, objection):
        return ShownScore(True, [], bool(names))
    viewer = staff_sector(staff)

    def visible(name: str) -> bool:
        if not may_read_sensitivity(staff.profession, FACTOR_SENSITIVITY.get(name)):
            return False
        sector = FACTOR_SECTOR.get(name, Sector.HEALTH)  # an unknown feature: as health
        return sector is None or visible_across_sectors(viewer, sector, objection)

    kept = [name for name in names if visible(name)]
    return ShownScore(False, [factor_words(n) for n in kept], len(kept) < len(names))
