"""Each risk feature in plain words, for the people who read a score's top factors.

A score's top factors (joinedup.risk.scoring.top_factors) are feature names such as
`emergency_12m`; a team reads "Emergency admissions in the last 12 months". The words name
what the model looked at, not its value or direction: a factor is listed because it
raised this person's score, and the record says what it is. Kept apart from Django so the
analytical side and the pages share one wording (a unit test checks every feature has it).
"""

from __future__ import annotations

from joinedup.risk.features import CONTACT_SERVICES, LONG_TERM, SERVICES_OPEN

_CONDITIONS = {
    "hypertension": "High blood pressure",
    "diabetes": "Diabetes",
    "copd": "COPD (chronic obstructive pulmonary disease)",
    "asthma": "Asthma",
    "heart_failure": "Heart failure",
    "coronary_heart_disease": "Coronary heart disease",
    "atrial_fibrillation": "Atrial fibrillation",
    "stroke": "Stroke",
    "chronic_kidney_disease": "Chronic kidney disease",
    "dementia": "Dementia",
    "depression": "Depression",
    "severe_mental_illness": "Severe mental illness",
    "cancer": "Cancer",
    "osteoarthritis": "Osteoarthritis",
    "parkinsons": "Parkinson's disease",
    "learning_disability": "Learning disability",
}
_SERVICES = {
    "home_care": "Receives home care",
    "reablement": "Receives reablement or intermediate care",
    "care_home": "Lives in a care home (residential or nursing)",
    "telecare": "Has telecare",
    "day_care": "Attends day care",
}
_CONTACTS = {
    "gp": "GP contacts in the last 6 months",
    "community_nursing": "Community nursing contacts in the last 6 months",
    "social_work": "Social work contacts in the last 6 months",
    "mental_health": "Mental health contacts in the last 6 months",
}

FACTOR_WORDS: dict[str, str] = {
    "age": "Age",
    "female": "Sex",
    "deprivation_decile": "Deprivation of the area they live in",
    "lives_alone": "Living alone",
    "has_unpaid_carer": "Unpaid carer",
    **{f"condition_{c}": _CONDITIONS[c] for c in LONG_TERM},
    "condition_count": "Number of long-term conditions",
    "frailty": "Frailty",
    "emergency_6m": "Emergency admissions in the last 6 months",
    "emergency_12m": "Emergency admissions in the last 12 months",
    "elective_12m": "Planned (elective) admissions in the last 12 months",
    "acsc_emergency_12m": (
        "Emergency admissions for conditions usually managed outside hospital, last 12 months"
    ),
    "fall_emergency_12m": "Emergency admissions after a fall in the last 12 months",
    "ae_6m": "A&E attendances in the last 6 months",
    "ae_12m": "A&E attendances in the last 12 months",
    "bed_days_12m": "Days in hospital in the last 12 months",
    "delayed_discharge_12m": "A delayed discharge from hospital in the last 12 months",
    "days_since_emergency": "Time since the last emergency admission",
    **{f"service_{s}": _SERVICES[s] for s in SERVICES_OPEN},
    **{f"contacts_{s}_6m": _CONTACTS[s] for s in CONTACT_SERVICES},
    "on_caseload": "On a team's caseload when scored",
}


def factor_words(name: str) -> str:
    """The words for one feature; an unknown name as itself (never fails a page)."""
    return FACTOR_WORDS.get(name, name.replace("_", " "))


def factors_in_words(names: list[str]) -> str:
    """One line for the page and the MDT agenda: "Frailty; Heart failure"."""
    return "; ".join(factor_words(n) for n in names)
