"""Staff members: whose a login is, what they do, who employs them and which teams they work in.

Every later access decision (legitimate relationship, sensitive labels, break-glass) starts
from these three facts, so an account without a StaffMember sees nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from joinedup.record.models import Organisation, Team


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
    TEAM_MANAGER = "team_manager", "Team manager"
    COMMISSIONER = "commissioner", "Commissioner"
    ANALYST = "analyst", "Analyst"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_member"
    )
    profession = models.CharField(max_length=32, choices=Profession.choices)
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="staff")
    teams = models.ManyToManyField(Team, blank=True, related_name="staff")

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_profession_display()})"
