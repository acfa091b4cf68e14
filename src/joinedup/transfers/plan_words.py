"""The discharge plan's coded values in the words staff read on the board and the forms.

docs/lake.md's delay reasons and responsibilities are codes (the national discharge
delays collection's list); staff pick and read them as words. One table each, checked
against the contract's lists, so a new code in the contract fails here at import rather
than showing a raw code on a page.
"""

from __future__ import annotations

from joinedup.lake import schema
from joinedup.transfers.models import PATHWAYS

DELAY_REASON_WORDS: dict[str, str] = {
    "awaiting_assessment": "Awaiting an assessment",
    "awaiting_public_funding": "Awaiting public funding",
    "awaiting_further_nhs_care": "Awaiting further NHS care",
    "awaiting_residential_home": "Awaiting a residential home place",
    "awaiting_nursing_home": "Awaiting a nursing home place",
    "awaiting_care_package": "Awaiting a care package at home",
    "awaiting_equipment_adaptation": "Awaiting equipment or adaptations",
    "patient_family_choice": "Patient or family choice",
    "dispute": "Disagreement about the plan",
    "housing": "Housing",
    "other": "Another reason",
}
assert tuple(DELAY_REASON_WORDS) == schema.DELAY_REASONS

RESPONSIBILITY_WORDS: dict[str, str] = {
    "nhs": "NHS",
    "social_care": "Social care",
    "both": "Both NHS and social care",
}
assert tuple(RESPONSIBILITY_WORDS) == schema.DELAY_RESPONSIBILITIES


def pathway_words(pathway: int | None) -> str:
    """'Pathway 1: home with support', or 'Not set'."""
    return PATHWAYS.get(pathway, "Not set") if pathway is not None else "Not set"


def reason_words(reason: str | None) -> str:
    return DELAY_REASON_WORDS.get(reason or "", reason or "")


def responsibility_words(responsibility: str | None) -> str:
    return RESPONSIBILITY_WORDS.get(responsibility or "", responsibility or "")


DESTINATION_WORDS: dict[str, str] = {
    "usual_residence": "Usual residence (where they lived before, a care home included)",
    "care_home_new": "A care home, newly",
    "temporary": "Temporary accommodation",
    "other_hospital": "Another hospital",
    "died": "Died",
    "other": "Somewhere else",
}
assert set(DESTINATION_WORDS) == set(schema.DISCHARGE_DESTINATIONS)
