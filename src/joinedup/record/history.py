"""What happened to a person, as the lake records it: conditions, stays, A&E, referrals,
contacts, care packages and the pooled budget's lines, and caseload episodes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.lake import schema
from joinedup.record.model_fields import (
    ShownById,
    enum_field,
    key_field,
    optional_link,
    ordered,
    person_link,
    text_field,
)
from joinedup.record.providers import Neighbourhood, Organisation, Team


class Condition(ShownById):
    """A long-term condition (the lake table has no id of its own)."""

    person = person_link("conditions")
    condition = enum_field(schema.CONDITIONS, null=False)
    snomed_code = text_field(32)
    onset_date = models.DateField()
    recorded_date = models.DateField(
        null=True, blank=True, help_text="Null: recorded on the onset date"
    )
    resolved_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "onset_date"], name="condition_person_onset")]
        constraints = [
            ordered("resolved_date", "onset_date", name="condition_resolved_after_onset")
        ]


class HospitalSpell(ShownById):
    """An acute inpatient stay."""

    id = key_field("spell_id")
    person = person_link("hospital_spells")
    admission_date = models.DateField()
    admission_method = enum_field(schema.ADMISSION_METHODS, null=True)
    primary_diagnosis = text_field(32, "primary diagnosis (ICD-10)")
    acsc = models.BooleanField("ambulatory care sensitive condition")
    fall = models.BooleanField()
    ready_for_discharge_date = models.DateField(null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True, help_text="Null: still in hospital")
    discharge_pathway = models.SmallIntegerField(null=True, blank=True)
    discharge_destination = enum_field(schema.DISCHARGE_DESTINATIONS, null=True)
    delay_reason = enum_field(schema.DELAY_REASONS, null=True)
    delay_responsibility = enum_field(schema.DELAY_RESPONSIBILITIES, null=True)
    cost = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            # Covers "a person's spells" and the overview's emergency admissions per neighbourhood.
            models.Index(
                fields=["person", "admission_date", "admission_method"],
                name="spell_person_admission",
            ),
            # Admissions by date, for everyone: the latest on record and the last year's
            # emergency admissions (joinedup.casefinding.interim_risk).
            models.Index(fields=["admission_date", "admission_method"], name="spell_admission"),
            # Who is in hospital now: the transfer of care board's spells (a few thousand
            # among millions), without reading every discharged spell.
            models.Index(
                fields=["admission_date"],
                name="spell_in_hospital",
                condition=Q(discharge_date__isnull=True),
            ),
            # Spells discharged after a day: who was still in hospital then (the hub's
            # situation report and capacity for a past day).
            models.Index(fields=["discharge_date"], name="spell_discharge_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharge_pathway__isnull=True) | Q(discharge_pathway__range=(0, 3)),
                name="spell_discharge_pathway_0_3",
            ),
            ordered("discharge_date", "admission_date", name="spell_discharge_after_admission"),
        ]


class AeAttendance(ShownById):
    """An attendance at an accident and emergency department."""

    id = key_field("attendance_id")
    person = person_link("ae_attendances")
    arrival = models.DateTimeField()
    admitted = models.BooleanField()
    cost = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "A&E attendance"
        indexes = [models.Index(fields=["person", "arrival"], name="ae_person_arrival")]


class Referral(ShownById):
    """A referral through the single point of access (status: FHIR Task.status)."""

    id = key_field("referral_id")
    person = person_link("referrals")
    received_at = models.DateTimeField()
    source = enum_field(schema.REFERRAL_SOURCES, null=True)
    urgency = enum_field(schema.URGENCIES, null=True)
    reason = text_field()
    team = optional_link(Team, "team_id", "referrals")
    status = enum_field(schema.TASK_STATUSES, null=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    referrer_organisation = optional_link(
        Organisation,
        "referrer_organisation_id",
        "referrals_made",
        help_text="The organisation the referral came from, when known",
        db_index=False,
    )
    # Operational only (not in the lake): who referred and what for, so the referrer can
    # follow the referral and the team can call back; a loaded lake leaves them empty.
    needs = models.TextField(blank=True, db_default="", default="")
    referrer_name = models.CharField(max_length=200, blank=True, db_default="", default="")
    referrer_role = models.CharField(max_length=200, blank=True, db_default="", default="")
    referrer_phone = models.CharField(max_length=40, blank=True, db_default="", default="")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_made",
        help_text="The member of staff who made the referral through the form",
    )
    source_system = models.CharField(
        max_length=100,
        blank=True,
        db_default="",
        default="",
        help_text="The system that sent it through the referral endpoint",
    )
    external_id = models.CharField(  # noqa: DJ001 - null: none given (unique when given)
        max_length=100,
        null=True,
        blank=True,
        help_text="The sending system's own id: a repeated submission is recognised by it",
    )
    outcome = models.TextField(
        blank=True, db_default="", default="", help_text="The latest decision, in words"
    )
    first_visit_at = models.DateTimeField(
        null=True, blank=True, help_text="Arrival of the first visit (urgent community response)"
    )

    class Meta:
        indexes = [
            models.Index(fields=["person", "received_at"], name="referral_person_received"),
            models.Index(fields=["received_at"], name="referral_received"),
            models.Index(fields=["status", "received_at"], name="referral_status_received"),
            models.Index(
                fields=["referred_by", "received_at"],
                condition=Q(referred_by__isnull=False),
                name="referral_referred_by",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=Q(external_id__isnull=False),
                name="referral_external_id_once_per_system",
            )
        ]


class Contact(ShownById):
    """A contact by any service, health or social care."""

    id = key_field("contact_id")
    person = person_link("contacts")
    contact_date = models.DateField()
    service = enum_field(schema.SERVICES, null=True)
    sector = enum_field(schema.SECTORS, null=True)
    team = optional_link(Team, "team_id", "contacts", db_index=False)
    referral = optional_link(Referral, "referral_id", "contacts", db_index=False)
    urgent = models.BooleanField()
    response_minutes = models.IntegerField(
        null=True,
        blank=True,
        help_text="Set only on the first visit responding to a two-hour referral",
    )
    cost = models.FloatField(null=True, blank=True)
    organisation = optional_link(
        Organisation,
        "organisation_id",
        "contacts",
        help_text="The organisation whose staff made the contact",
        db_index=False,
    )

    class Meta:
        # Contacts are the biggest table (millions of rows): few indexes, each earning its
        # keep. (person, date, sector) serves a person's timeline and covers the overview's
        # contacts by sector; team and referral are indexed only where set (most GP
        # contacts have neither).
        indexes = [
            models.Index(fields=["person", "contact_date", "sector"], name="contact_person_date"),
            models.Index(fields=["team"], condition=Q(team__isnull=False), name="contact_team"),
            models.Index(
                fields=["referral"], condition=Q(referral__isnull=False), name="contact_referral"
            ),
            # First visits of the urgent response (a fraction of a percent of contacts),
            # for the two-hour standard on the urgent board.
            models.Index(
                fields=["contact_date"],
                condition=Q(response_minutes__isnull=False),
                name="contact_first_urgent_visit",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_minutes__isnull=True) | Q(response_minutes__gte=0),
                name="contact_response_minutes_not_negative",
            )
        ]


class BudgetLine(ShownById):
    """A line of a pooled fund (e.g. a Better Care Fund scheme)."""

    id = key_field("line_id")
    scheme = text_field(200)
    scheme_type = text_field(64)
    funder = enum_field(schema.BUDGET_FUNDERS, null=True)
    neighbourhood = optional_link(
        Neighbourhood, "neighbourhood_id", "budget_lines", help_text="Null: area-wide"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    planned = models.FloatField(null=True, blank=True)
    spent = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [ordered("period_end", "period_start", name="budget_line_period_ordered")]


class CarePackage(ShownById):
    """Social care or another long-running service."""

    id = key_field("package_id")
    person = person_link("care_packages")
    service_type = enum_field(schema.SERVICE_TYPES, null=True)
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="The last day of service; null: continuing"
    )
    hours_per_week = models.FloatField(null=True, blank=True)
    weekly_cost = models.FloatField(null=True, blank=True)
    funder = enum_field(schema.PACKAGE_FUNDERS, null=True)
    personal_budget = models.BooleanField()
    budget_mode = enum_field(schema.BUDGET_MODES, null=True)
    permanent = models.BooleanField(help_text="A permanent care home placement")
    after_spell = optional_link(HospitalSpell, "after_spell_id", "care_packages_after")
    budget_line = optional_link(BudgetLine, "budget_line_id", "care_packages")

    class Meta:
        indexes = [models.Index(fields=["person", "start_date"], name="package_person_start")]
        constraints = [ordered("end_date", "start_date", name="package_end_after_start")]


class Episode(ShownById):
    """A period on an integrated team's caseload (FHIR EpisodeOfCare)."""

    id = key_field("episode_id")
    person = person_link("episodes")
    team = models.ForeignKey(Team, models.PROTECT, db_column="team_id", related_name="episodes")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = enum_field(schema.EPISODE_REASONS, null=True)
    end_reason = enum_field(schema.EPISODE_END_REASONS, null=True)

    class Meta:
        indexes = [models.Index(fields=["person", "start_date"], name="episode_person_start")]
        constraints = [ordered("end_date", "start_date", name="episode_end_after_start")]
