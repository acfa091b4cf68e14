"""Who provides care and where: organisations, neighbourhoods, their teams and GP practices."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.record.model_fields import key_field, optional_link, text_field


class Organisation(models.Model):
    """An employer or provider in the partnership (NHS trust, GP practice, council, ICB, ...)."""

    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        GP_PRACTICE = "gp_practice", "GP practice"
        COUNCIL = "council", "Council"
        VOLUNTARY = "voluntary", "Voluntary organisation"
        CARE_PROVIDER = "care_provider", "Care provider"
        ICB = "icb", "Integrated care board"

    id = key_field("organisation_id")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    ods_code = models.CharField(
        "ODS code",
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        help_text="NHS Organisation Data Service code",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"], name="organisation_kind_name")]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    id = key_field("neighbourhood_id")
    name = text_field(200)
    population = models.IntegerField(
        null=True, blank=True, help_text="Informational; never a metric denominator"
    )
    postcode_district = text_field(8)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.id


class Team(models.Model):
    """A team that takes referrals and holds a caseload.

    Most are integrated neighbourhood teams (the lake's team table). The operational side
    also has area-wide services that take referrals from the single point of access, such
    as the urgent community response (two-hour) team: they have no neighbourhood, hold no
    caseload episodes, and `joinedup extract` leaves them out of the lake.
    """

    class Kind(models.TextChoices):
        NEIGHBOURHOOD = "neighbourhood", "Integrated neighbourhood team"
        URGENT_COMMUNITY_RESPONSE = "urgent_community_response", "Urgent community response"

    id = key_field("team_id")
    kind = models.CharField(
        max_length=32,
        choices=Kind.choices,
        default=Kind.NEIGHBOURHOOD,
        db_default=Kind.NEIGHBOURHOOD,
    )
    neighbourhood = optional_link(
        Neighbourhood,
        "neighbourhood_id",
        "teams",
        help_text="Null only for an area-wide service (never for a neighbourhood team)",
    )
    name = text_field(200)
    go_live_date = models.DateField(null=True, blank=True, help_text="Null: not integrated yet")
    organisation = optional_link(
        Organisation, "organisation_id", "teams", help_text="The organisation hosting the team"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="neighbourhood") | Q(neighbourhood__isnull=False),
                name="team_neighbourhood_team_has_neighbourhood",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.id


class GpPractice(models.Model):
    id = key_field("practice_id")
    neighbourhood = models.ForeignKey(
        Neighbourhood, models.PROTECT, db_column="neighbourhood_id", related_name="practices"
    )
    name = text_field(200)
    organisation = models.OneToOneField(
        Organisation, models.PROTECT, db_column="organisation_id", related_name="gp_practice"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "GP practice"

    def __str__(self) -> str:
        return self.name or self.id
