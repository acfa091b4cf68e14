"""The professions staff are recorded with: the roles of the permission table.

Apart from the models so that the table of who may do what (joinedup.access.capabilities)
and the documentation rendered from it need neither Django's settings nor its apps.
"""

from __future__ import annotations

from django.db import models


class Profession(models.TextChoices):
    COMMUNITY_NURSE = "community_nurse", "Community nurse"
    DISTRICT_NURSE = "district_nurse", "District nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    GP = "gp", "GP"
    PHARMACIST = "pharmacist", "Pharmacist"
    MENTAL_HEALTH_PRACTITIONER = "mental_health_practitioner", "Mental health practitioner"
    CARE_NAVIGATOR = "care_navigator", "Care navigator"
    SPA_TRIAGE_CLINICIAN = "spa_triage_clinician", "Single point of access triage clinician"
    DISCHARGE_COORDINATOR = "discharge_coordinator", "Discharge coordinator"
    SOCIAL_CARE_BROKER = "social_care_broker", "Social care broker"
    TEAM_MANAGER = "team_manager", "Team manager"
    COMMISSIONER = "commissioner", "Commissioner"
    ANALYST = "analyst", "Analyst"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"
