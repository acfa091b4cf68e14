"""What the demo's made-up rows say: each profession's role, alert details, case notes.

Kept apart from how joinedup.people.demo chooses who gets what, so the words can be read
(and changed) as the text they are.
"""

from __future__ import annotations

from joinedup.access.models import Profession, Sensitivity
from joinedup.people.models import Alert

P = Profession
# The role each demo profession plays in a person's care team.
ROLES: dict[str, str] = {
    P.DISTRICT_NURSE: "District nursing: wound care and medicines at home",
    P.COMMUNITY_NURSE: "Community nursing: long-term conditions review",
    P.SOCIAL_WORKER: "Social worker: care and support plan",
    P.OCCUPATIONAL_THERAPIST: "Occupational therapy: equipment and home adaptations",
    P.PHYSIOTHERAPIST: "Physiotherapy: mobility and falls prevention",
    P.GP: "Registered GP",
    P.PHARMACIST: "Practice pharmacist: medication review",
    P.MENTAL_HEALTH_PRACTITIONER: "Community mental health support",
    P.CARE_NAVIGATOR: "Care navigation: community groups and carers' support",
}

# Alert kind -> details to choose from (code-free: a key safe's code is never written down).
ALERT_DETAILS: dict[str, tuple[str, ...]] = {
    Alert.Kind.KEY_SAFE: (
        "Key safe by the back door; code from the care coordinator",
        "Key safe to the left of the front door; code from the care coordinator",
        "Key safe in the porch; ask the key worker for the code",
    ),
    Alert.Kind.FALLS_RISK: (
        "Two falls in the past year; uses a walking frame indoors",
        "Unsteady on the stairs; wears a pendant alarm",
        "Falls risk: rugs removed and a night light fitted",
    ),
    Alert.Kind.DO_NOT_VISIT_ALONE: (
        "Visit in pairs: a visitor to the house has been hostile to staff",
        "Visit in pairs after an incident at the house; see the team manager",
    ),
    Alert.Kind.COMMUNICATION: (
        "Hard of hearing: face the person and speak clearly",
        "Prefers to speak Polish: book an interpreter",
        "Partially sighted: say who you are at the door",
    ),
    Alert.Kind.DNACPR: ("DNACPR form in the folder by the front door",),
    Alert.Kind.ANIMALS: (
        "A dog that is shut in the kitchen for visits",
        "Two cats: keep the front door closed",
    ),
    Alert.Kind.OXYGEN: ("Home oxygen: no smoking or naked flames near the concentrator",),
}

# Case note texts by the author's profession (bland, synthetic).
NOTES: dict[str, tuple[str, ...]] = {
    P.DISTRICT_NURSE: (
        "Visited at home. Leg ulcer dressing changed; healing well. Next visit in three days.",
        "Insulin given and blood sugar checked; stable. Carer shown how to record readings.",
        "Pressure areas checked, skin intact. Mattress working; reviewed the turning chart.",
    ),
    P.COMMUNITY_NURSE: (
        "Blood pressure and weight checked; both stable. Inhaler technique reviewed.",
        "Heart failure review: ankles less swollen, weight down 1 kg. Continue as planned.",
    ),
    P.SOCIAL_WORKER: (
        "Reviewed the care and support plan with the person and their daughter by phone.",
        "Care package increased to three calls a day after the review meeting.",
        "Carer's assessment offered to the person's husband; he would like one next month.",
    ),
    P.OCCUPATIONAL_THERAPIST: (
        "Assessed the bathroom: ordered a bath board and two grab rails.",
        "Stair rail fitted. Managing the stairs safely with supervision.",
    ),
    P.PHYSIOTHERAPIST: (
        "Strength and balance exercises reviewed; walking further with the frame.",
        "Home exercise programme agreed; review in four weeks.",
    ),
    P.GP: (
        "Medication review at home: no changes. Bloods due next month.",
        "Discussed the results with the person; referred to the frailty clinic.",
    ),
    P.PHARMACIST: (
        "Structured medication review: stopped one duplicate, blister pack arranged.",
        "Reconciled medicines after discharge; community pharmacy informed.",
    ),
    P.MENTAL_HEALTH_PRACTITIONER: (
        "Memory clinic follow-up booked; the person and their family know the date.",
    ),
    P.CARE_NAVIGATOR: (
        "Linked with the lunch club on Tuesdays and a befriending volunteer.",
        "Helped apply for Attendance Allowance; form sent.",
    ),
}
SENSITIVE_NOTES: dict[str, tuple[str, str]] = {  # label -> (author's profession, text)
    Sensitivity.SAFEGUARDING: (
        P.SOCIAL_WORKER,
        "Safeguarding concern raised by a home carer; enquiry opened and a protection plan "
        "agreed with the person.",
    ),
    Sensitivity.SEXUAL_HEALTH: (
        P.GP,
        "Letter from the sexual health clinic received; follow-up arranged at the clinic.",
    ),
    Sensitivity.MENTAL_HEALTH: (
        P.MENTAL_HEALTH_PRACTITIONER,
        "Low mood reviewed; engaging with talking therapy, safety plan unchanged.",
    ),
}

# Shares of the demo team's caseload (plain demo assumptions, not published rates).
