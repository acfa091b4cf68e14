"""The generator's own modelling assumptions: shapes and ratios no published figure pins down.

Published targets (prevalence, admission rates, delay shares, unit costs, ...) come from
joinedup/reference/england.toml. What is here is how the model gets there: age shapes of
each condition, hazard ratios of conditions on admission and death, durations, service
mixes. They are estimates chosen to be plausible, named here in one place so that nobody
mistakes them for observed figures (docs/synthetic-city.md lists them).
"""

from __future__ import annotations

from joinedup.lake.schema import CONDITIONS

# Long-term conditions (every condition of the contract except the three frailty levels).
LTCS: tuple[str, ...] = tuple(c for c in CONDITIONS if not c.startswith("frailty_"))
FRAILTY_LEVELS: tuple[str, ...] = ("frailty_mild", "frailty_moderate", "frailty_severe")

SNOMED = {
    "hypertension": "38341003",
    "diabetes": "73211009",
    "copd": "13645005",
    "asthma": "195967001",
    "heart_failure": "84114007",
    "coronary_heart_disease": "414545008",
    "atrial_fibrillation": "49436004",
    "stroke": "230690007",
    "chronic_kidney_disease": "709044004",
    "dementia": "52448006",
    "depression": "35489007",
    "severe_mental_illness": "69322001",
    "cancer": "363346000",
    "osteoarthritis": "396275006",
    "parkinsons": "49049000",
    "learning_disability": "110359009",
    "frailty_mild": "925791000000100",
    "frailty_moderate": "925831000000107",
    "frailty_severe": "925861000000102",
}

# Prevalence (%) at anchor ages, interpolated linearly between anchors; only the shape
# matters, the level is scaled to the reference prevalence.
PREVALENCE_SHAPE: dict[str, dict[int, float]] = {
    "hypertension": {0: 0, 17: 0.2, 25: 1, 35: 3, 45: 9, 55: 20, 65: 35, 75: 48, 85: 55, 109: 55},
    "diabetes": {
        0: 0.05,
        17: 0.5,
        25: 1.2,
        35: 2.5,
        45: 5.5,
        55: 10,
        65: 15,
        75: 19,
        85: 17,
        109: 14,
    },
    "copd": {0: 0, 35: 0.1, 45: 0.6, 55: 2, 65: 4.5, 75: 7, 85: 7.5, 109: 6},
    "asthma": {0: 1, 5: 7, 12: 9, 18: 6.5, 30: 6, 50: 6.5, 70: 7.5, 85: 6.5, 109: 5},
    "heart_failure": {0: 0, 40: 0.05, 50: 0.3, 60: 0.8, 70: 2.2, 80: 5, 90: 9, 109: 10},
    "coronary_heart_disease": {0: 0, 35: 0.1, 45: 0.8, 55: 2.5, 65: 6, 75: 11, 85: 16, 109: 17},
    "atrial_fibrillation": {0: 0, 40: 0.2, 50: 0.6, 60: 1.8, 70: 5, 80: 11, 90: 16, 109: 17},
    "stroke": {0: 0, 30: 0.1, 45: 0.5, 55: 1.3, 65: 3, 75: 6, 85: 10, 109: 11},
    "chronic_kidney_disease": {
        0: 0,
        18: 0.1,
        40: 0.4,
        50: 1.2,
        60: 4,
        70: 11,
        80: 25,
        90: 38,
        109: 42,
    },
    "dementia": {0: 0, 55: 0.05, 65: 0.9, 70: 2, 75: 4.5, 80: 9, 85: 17, 90: 28, 109: 40},
    "depression": {0: 0, 12: 1, 18: 8, 25: 12, 40: 14, 55: 14, 70: 11, 85: 10, 109: 10},
    "severe_mental_illness": {0: 0, 15: 0.1, 20: 0.6, 30: 1.0, 50: 1.2, 70: 1.0, 85: 0.8, 109: 0.7},
    "cancer": {0: 0.05, 20: 0.2, 35: 0.6, 45: 1.5, 55: 3, 65: 6, 75: 10, 85: 13, 109: 13},
    "osteoarthritis": {0: 0, 35: 0.5, 45: 3, 55: 8, 65: 15, 75: 21, 85: 25, 109: 25},
    "parkinsons": {0: 0, 45: 0.02, 55: 0.1, 65: 0.4, 75: 1.0, 85: 1.6, 109: 1.6},
    "learning_disability": {0: 0.3, 10: 0.6, 20: 0.7, 40: 0.6, 60: 0.4, 75: 0.2, 109: 0.1},
}
# Conditions that can resolve (prevalence falls with age through remission, not only death).
RESOLVING = frozenset({"asthma", "depression"})
# Conditions more common in deprived areas: relative risk in the most deprived decile vs the least.
DEPRIVATION_GRADIENT = {
    "diabetes": 1.8,
    "copd": 2.5,
    "severe_mental_illness": 2.0,
    "depression": 1.4,
    "coronary_heart_disease": 1.6,
    "heart_failure": 1.5,
    "stroke": 1.4,
    "asthma": 1.3,
}
# How strongly conditions cluster in the same people (Gaussian copula correlation).
CONDITION_CORRELATION = 0.45
# How much more likely people with a high latent burden are to develop a condition.
ONSET_HETEROGENEITY = 0.5

# Hazard ratios of each condition on emergency admission and on death.
ADMISSION_HR = {
    "hypertension": 1.1,
    "diabetes": 1.4,
    "copd": 2.0,
    "asthma": 1.4,
    "heart_failure": 2.2,
    "coronary_heart_disease": 1.4,
    "atrial_fibrillation": 1.4,
    "stroke": 1.4,
    "chronic_kidney_disease": 1.4,
    "dementia": 1.6,
    "depression": 1.3,
    "severe_mental_illness": 1.7,
    "cancer": 1.8,
    "osteoarthritis": 1.1,
    "parkinsons": 1.6,
    "learning_disability": 1.6,
}
MORTALITY_HR = {
    "hypertension": 1.05,
    "diabetes": 1.4,
    "copd": 1.9,
    "asthma": 1.1,
    "heart_failure": 2.3,
    "coronary_heart_disease": 1.3,
    "atrial_fibrillation": 1.4,
    "stroke": 1.6,
    "chronic_kidney_disease": 1.5,
    "dementia": 2.0,
    "depression": 1.2,
    "severe_mental_illness": 1.8,
    "cancer": 2.0,
    "osteoarthritis": 1.0,
    "parkinsons": 1.8,
    "learning_disability": 2.0,
}
DEPRIVATION_ADMISSION_HR = 1.5  # most deprived decile vs least, log-linear between
DEPRIVATION_MORTALITY_HR = 1.45
LIVES_ALONE_ADMISSION_HR = 1.15
LIVES_ALONE_MORTALITY_HR = 1.1
CARE_HOME_ADMISSION_HR = 1.3
CARE_HOME_MORTALITY_HR = {"residential": 1.5, "nursing": 2.0}
MAX_ADMISSION_MULTIPLIER = 30.0  # the product of all ratios is capped here

# Readmission: hazard ratio in the 30 days after a discharge, and days 31-365.
READMISSION_HR_30D = 4.5
READMISSION_HR_365D = 1.4

# Any-frailty prevalence (%) at anchor ages before scaling to the 65+ reference, and the
# share of the frail who are moderate-or-severe and severe (shapes, scaled to the split).
FRAILTY_SHAPE = {
    0: 0,
    49: 0,
    50: 4,
    55: 7,
    60: 12,
    65: 20,
    70: 28,
    75: 38,
    80: 50,
    85: 62,
    90: 73,
    95: 80,
    109: 84,
}
FRAILTY_MODERATE_PLUS_SHAPE = {0: 0.15, 65: 0.2, 75: 0.28, 85: 0.38, 95: 0.45, 109: 0.5}
FRAILTY_SEVERE_SHAPE = {0: 0.03, 65: 0.04, 75: 0.06, 85: 0.1, 95: 0.14, 109: 0.16}
FRAILTY_CORRELATION = 0.5  # with the latent condition burden

# Emergency admission hazard relative shape by single year of age (anchors, log-linear);
# each reference band is then scaled to its published rate.
EMERGENCY_AGE_SHAPE = {
    0: 4.0,
    1: 1.8,
    5: 0.7,
    10: 0.55,
    15: 0.8,
    20: 0.95,
    30: 0.85,
    44: 0.9,
    50: 1.0,
    60: 1.3,
    65: 1.6,
    70: 2.0,
    75: 2.7,
    80: 4.0,
    85: 5.5,
    90: 7.5,
    109: 10.0,
}

# Length of stay of emergency overnight stays: lognormal, mean by age (days, before any
# discharge delay), and the share of stays discharged the day they were admitted.
CLINICAL_LOS_MEAN = {0: 2.9, 15: 4.4, 45: 6.2, 65: 7.7, 75: 8.9, 85: 9.9, 109: 10.1}
CLINICAL_LOS_SIGMA = 0.85
ZERO_DAY_SHARE = {0: 0.50, 15: 0.44, 45: 0.37, 65: 0.30, 75: 0.24, 85: 0.21, 109: 0.19}
TERMINAL_LOS_MEAN = 9.0  # days in hospital before an in-hospital death (geometric)
OTHER_HOSPITAL_SHARE = 0.02  # overnight emergency stays ending in a transfer
OTHER_DESTINATION_SHARE = 0.005

# Falls: probability that an emergency admission is a fall injury, by age, and a frailty multiplier.
FALL_SHARE = {0: 0.015, 18: 0.015, 50: 0.02, 65: 0.05, 75: 0.09, 85: 0.14, 109: 0.16}
FALL_FRAILTY_RR = (1.0, 1.3, 1.6, 1.9)
NON_FALL_INJURY_SHARE = {0: 0.08, 15: 0.09, 30: 0.06, 50: 0.04, 70: 0.02, 109: 0.02}

# Chronic ACSC: chance an emergency admission of someone with the condition is for it
# (relative weights; scaled at run time so acsc is the reference share of admissions).
ACSC_WEIGHT = {
    "copd": 0.30,
    "heart_failure": 0.25,
    "asthma": 0.12,
    "diabetes": 0.05,
    "atrial_fibrillation": 0.06,
    "coronary_heart_disease": 0.08,
    "hypertension": 0.015,
    "dementia": 0.04,
}
ACSC_BACKGROUND = 0.006  # epilepsy, iron-deficiency anaemia etc. without a recorded condition

# Discharge: mean delay (days, before capacity and go-live) by reason; delay probability by
# pathway; which pathways each reason can follow (prior weights for the fitted table).
DELAY_MEAN_DAYS = {
    "awaiting_care_package": 6.5,
    "awaiting_further_nhs_care": 4.7,
    "awaiting_nursing_home": 17.9,
    "patient_family_choice": 7.8,
    "awaiting_residential_home": 16.2,
    "awaiting_assessment": 4.0,
    "housing": 9.5,
    "awaiting_public_funding": 10.1,
    "awaiting_equipment_adaptation": 5.4,
    "other": 3.4,
    "dispute": 13.4,
}
DELAY_PROBABILITY_BY_PATHWAY = (0.035, 0.19, 0.5, 0.9)
REASON_PATHWAY_PRIOR = {
    "awaiting_care_package": (0.0, 1.0, 0.2, 0.0),
    "awaiting_further_nhs_care": (0.6, 0.5, 1.0, 0.1),
    "awaiting_nursing_home": (0.0, 0.0, 0.6, 1.0),
    "patient_family_choice": (0.2, 0.6, 0.6, 1.0),
    "awaiting_residential_home": (0.0, 0.0, 0.6, 1.0),
    "awaiting_assessment": (0.4, 1.0, 0.6, 0.4),
    "housing": (0.6, 0.6, 0.2, 0.0),
    "awaiting_public_funding": (0.0, 0.2, 0.4, 1.0),
    "awaiting_equipment_adaptation": (0.1, 1.0, 0.3, 0.0),
    "other": (1.0, 0.5, 0.3, 0.2),
    "dispute": (0.0, 0.2, 0.5, 1.0),
}
RESPONSIBILITY_PRIOR = {  # nhs, social_care, both
    "awaiting_care_package": (0.25, 0.65, 0.10),
    "awaiting_further_nhs_care": (1.0, 0.0, 0.0),
    "awaiting_nursing_home": (0.45, 0.40, 0.15),
    "patient_family_choice": (0.75, 0.15, 0.10),
    "awaiting_residential_home": (0.35, 0.55, 0.10),
    "awaiting_assessment": (0.65, 0.25, 0.10),
    "housing": (0.6, 0.3, 0.1),
    "awaiting_public_funding": (0.05, 0.9, 0.05),
    "awaiting_equipment_adaptation": (0.6, 0.3, 0.1),
    "other": (0.8, 0.1, 0.1),
    "dispute": (0.25, 0.25, 0.5),
}
CAPACITY_SENSITIVE = {
    "awaiting_care_package": "home_care",
    "awaiting_residential_home": "care_home",
    "awaiting_nursing_home": "care_home",
}
CAPACITY_DELAY_SLOPE = 2.5  # delay multiplier changes by this per unit of occupancy ...
CAPACITY_REFERENCE_OCCUPANCY = 0.93  # ... away from the usual occupancy (where it is 1)

# Care after discharge.
REABLEMENT_SHARE_OF_PATHWAY_1 = {0: 0.0, 18: 0.03, 65: 0.10, 75: 0.16, 85: 0.2, 109: 0.2}
REABLEMENT_WEEKS = 5.0
INTERMEDIATE_CARE_WEEKS = 3.0
CARE_HOME_AFTER_INTERMEDIATE_CARE = 0.18
REABLEMENT_AFTER_INTERMEDIATE_CARE = 0.25
CARE_HOME_AFTER_REABLEMENT = 0.06
HOME_CARE_AFTER_REABLEMENT = 0.25
NEW_HOME_CARE_ON_PATHWAY_1 = 0.03
NURSING_SHARE_OF_PLACEMENTS = 0.4
PERMANENT_SHARE_OF_PATHWAY_3 = 0.85
# Who pays for a permanent placement: council, nhs (continuing healthcare), pooled, self.
PLACEMENT_FUNDER_SHARE = {"council": 0.52, "nhs": 0.05, "pooled": 0.10, "self": 0.33}
COMMUNITY_FUNDER_SHARE = {"council": 0.62, "nhs": 0.05, "pooled": 0.13, "self": 0.20}
PERSONAL_BUDGET_SHARE = 0.9  # of council-supported community packages
BUDGET_MODE_SHARE = {"notional": 0.66, "third_party": 0.08, "direct_payment": 0.26}

# Long-term care stock at the start (share of each age band, all funders) and yearly exits.
CARE_HOME_STOCK = {0: 0.0, 18: 0.0005, 65: 0.004, 75: 0.025, 85: 0.10, 90: 0.2, 109: 0.3}
HOME_CARE_STOCK = {0: 0.0, 18: 0.002, 50: 0.003, 65: 0.008, 75: 0.025, 85: 0.07, 109: 0.09}
TELECARE_STOCK = {0: 0.0, 18: 0.001, 65: 0.02, 75: 0.07, 85: 0.18, 109: 0.22}
DAY_CARE_STOCK = {0: 0.0, 18: 0.002, 65: 0.002, 75: 0.004, 85: 0.006, 109: 0.006}
HOME_CARE_END_PER_YEAR = 0.15
HOME_CARE_COMMUNITY_START_SCALE = 0.15  # most new home care follows a hospital stay or reablement
TELECARE_END_PER_YEAR = 0.05
DAY_CARE_END_PER_YEAR = 0.2
COMMUNITY_CARE_HOME_PER_YEAR_65PLUS = (
    0.0023  # tuned so council-supported admissions meet the reference
)
CARE_HOME_RISK = {"severe": 8.0, "moderate": 3.0, "mild": 1.3, "dementia": 5.0, "alone": 1.5}
CARER_SUPPORT_PER_YEAR = 0.08  # of people with an unpaid carer who are frail or have dementia
EQUIPMENT_PER_YEAR = 0.08  # of people aged 65+ who are moderately or severely frail
EQUIPMENT_ON_PATHWAY_1 = 0.10
CARER_SUPPORT_WEEKS = 36.0
HOME_CARE_CAPACITY_SLACK = (0.0, 0.2)  # spare places per neighbourhood at the start
CARE_HOME_CAPACITY_SLACK = (0.0, 0.15)
CAPACITY_GROWTH_PER_YEAR = 0.01
HOME_CARE_HOURS_MEAN = 13.5

# Single point of access: referrals a year per 1,000 people by age (two-hour, urgent, routine).
REFERRAL_RATE_SHAPE = {0: 0.1, 18: 0.3, 45: 0.6, 65: 1.5, 75: 4.0, 85: 9.0, 109: 11.0}
URGENT_PER_YEAR = 0.012
ROUTINE_PER_YEAR = 0.03
REJECTED_SHARE = {"two_hour": 0.01, "urgent": 0.03, "routine": 0.06}
RESPONSE_WITHIN_MINUTES = 120
REFERRAL_SOURCE_SHARE = {
    "two_hour": {
        "gp": 0.30,
        "nhs111": 0.15,
        "ambulance": 0.25,
        "self": 0.07,
        "family_carer": 0.08,
        "social_care": 0.05,
        "telecare": 0.06,
        "other": 0.04,
    },
    "urgent": {
        "gp": 0.35,
        "hospital": 0.20,
        "social_care": 0.10,
        "self": 0.10,
        "family_carer": 0.12,
        "nhs111": 0.05,
        "voluntary": 0.03,
        "other": 0.05,
    },
    "routine": {
        "gp": 0.35,
        "hospital": 0.15,
        "self": 0.15,
        "family_carer": 0.10,
        "social_care": 0.12,
        "voluntary": 0.08,
        "other": 0.05,
    },
}
REFERRAL_REASONS = {
    "two_hour": (
        "fall without serious injury",
        "sudden loss of mobility",
        "acute confusion",
        "carer breakdown",
        "exacerbation of long-term condition",
        "urgent catheter care",
    ),
    "urgent": (
        "wound care",
        "post-discharge support",
        "end of life care",
        "medication problems",
        "falls assessment",
        "carer under strain",
    ),
    "routine": (
        "care needs assessment",
        "falls prevention",
        "social isolation",
        "equipment assessment",
        "memory concerns",
        "long-term condition review",
    ),
}

# Integrated teams: case finding and episodes.
CASELOAD_SHARE_OF_ADULTS = 0.015
CASEFINDING_RAMP_MONTHS = 4
CASEFINDING_DECLINE_SHARE = 0.15
CASEFINDING_SCORE_NOISE = 0.5  # the risk tool is imperfect: log-score noise
CASELOAD_MONTHS_MEAN = 9.0
POST_DISCHARGE_EPISODE_SHARE = 0.3
POST_DISCHARGE_EPISODE_WEEKS = 6.0
REFERRAL_EPISODE_SHARE = 0.25
REFERRAL_EPISODE_WEEKS = 10.0
REOFFER_AFTER_DAYS = 365
GOLIVE_FIRST_MONTH = 9  # months after the window starts: the earliest go-live
NEVER_LIVE_SHARE = 0.25  # teams still not integrated at the window's end

# Community contacts a year by age (anchors) and drivers.
GP_RATE_SHAPE = {0: 5.0, 5: 2.4, 15: 2.6, 25: 3.2, 45: 4.2, 65: 5.6, 75: 7.2, 85: 8.2, 109: 8.2}
GP_PER_CONDITION = 0.12  # relative increase per long-term condition
COMMUNITY_NURSING_BY_FRAILTY = (0.04, 1.2, 5.0, 18.0)
THERAPY_BY_FRAILTY = (0.02, 0.3, 0.9, 1.5)
MENTAL_HEALTH_RATE = {"severe_mental_illness": 6.0, "depression": 0.4, "dementia": 1.5}
PHARMACY_RATE_MULTIMORBID = 0.8  # medication reviews a year with 4+ conditions, 65+
CARE_NAVIGATION_ALONE_65PLUS = 0.15
TELECARE_RESPONSES_PER_YEAR = 0.8
SOCIAL_WORK_REVIEWS_PER_YEAR = 1.0
OTHER_CONTACTS_PER_YEAR = 0.05
CASELOAD_CONTACTS_PER_MONTH = {
    "community_nursing": 1.0,
    "social_work": 0.3,
    "care_navigation": 0.3,
    "mdt_review": 0.34,
}
POST_DISCHARGE_NURSING_VISITS = 3.0
