"""The integrated record: every table of DATA_MODEL.md, plus identities and organisations.

Column names follow the lake (db_column), so a lake table loads straight into its model's
table and `joinedup extract` reads it back without a mapping. Enumerations come from
joinedup.lake.schema; nullability matches the contract exactly (a test checks both).
Keys are the lake's ids. Every foreign key PROTECTs: a person's history is never deleted
as a side effect of deleting something else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from joinedup.lake import schema
from joinedup.record.name_sounds import soundex
from joinedup.record.nhs_number import NhsNumberField, nhs_number_check_constraint

ID_LENGTH = 64


# Contract values whose words are acronyms, which capitalising would spoil ("Gp", "Nhs111").
LABELS: dict[str, str] = {
    "gp": "GP",
    "nhs111": "NHS 111",
    "mdt_review": "Multidisciplinary team review",
    "nhs": "NHS",
}


def _label(value: str) -> str:
    return LABELS.get(value) or value.replace("_", " ").replace("-", " ").capitalize()


def enum_choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """Django choices for a contract enumeration, labelled for people ("Awaiting assessment")."""
    return [(v, _label(v)) for v in values]


def _enum(values: tuple[str, ...], *, null: bool, **kwargs: Any) -> models.CharField[Any, Any]:
    return models.CharField(
        max_length=max(len(v) for v in values),
        choices=enum_choices(values),
        null=null,
        blank=null,
        **kwargs,
    )


def _text(max_length: int | None = None, verbose_name: str | None = None) -> Any:
    """A string the contract allows to be null: null means unknown, which "" would not say."""
    if max_length is None:
        return models.TextField(verbose_name, null=True, blank=True)
    return models.CharField(verbose_name, max_length=max_length, null=True, blank=True)


def _key(column: str) -> models.CharField[Any, Any]:
    return models.CharField(primary_key=True, max_length=ID_LENGTH, db_column=column)


def _ordered(later: str, earlier: str, *, name: str) -> models.CheckConstraint:
    """`later` is null or not before `earlier` (an end never precedes its start)."""
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True}) | Q(**{f"{later}__gte": F(earlier)}), name=name
    )


class LakeRow(models.Model):
    """A row of a lake table; shown by its table and id (never by anything identifying)."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Organisation(models.Model):
    """An employer or provider in the partnership (NHS trust, GP practice, council, ICB, ...)."""

    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        GP_PRACTICE = "gp_practice", "GP practice"
        COUNCIL = "council", "Council"
        VOLUNTARY = "voluntary", "Voluntary organisation"
        CARE_PROVIDER = "care_provider", "Care provider"
        ICB = "icb", "Integrated care board"

    id = _key("organisation_id")
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
    id = _key("neighbourhood_id")
    name = _text(200)
    population = models.IntegerField(
        null=True, blank=True, help_text="Informational; never a metric denominator"
    )
    postcode_district = _text(8)

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

    id = _key("team_id")
    kind = models.CharField(
        max_length=32,
        choices=Kind.choices,
        default=Kind.NEIGHBOURHOOD,
        db_default=Kind.NEIGHBOURHOOD,
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        models.PROTECT,
        db_column="neighbourhood_id",
        related_name="teams",
        null=True,
        blank=True,
        help_text="Null only for an area-wide service (never for a neighbourhood team)",
    )
    name = _text(200)
    go_live_date = models.DateField(null=True, blank=True, help_text="Null: not integrated yet")
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        db_column="organisation_id",
        null=True,
        blank=True,
        related_name="teams",
        help_text="The organisation hosting the team",
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
    id = _key("practice_id")
    neighbourhood = models.ForeignKey(
        Neighbourhood, models.PROTECT, db_column="neighbourhood_id", related_name="practices"
    )
    name = _text(200)
    organisation = models.OneToOneField(
        Organisation, models.PROTECT, db_column="organisation_id", related_name="gp_practice"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "GP practice"

    def __str__(self) -> str:
        return self.name or self.id


class Person(models.Model):
    """A resident: the lake's columns plus the identity staff need to find and contact them."""

    id = _key("person_id")
    birth_date = models.DateField()
    sex = _enum(schema.SEX, null=True)
    deprivation_decile = models.SmallIntegerField(
        null=True, blank=True, help_text="Index of Multiple Deprivation decile: 1 = most deprived"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, models.PROTECT, db_column="neighbourhood_id", related_name="people"
    )
    practice = models.ForeignKey(
        GpPractice, models.PROTECT, db_column="practice_id", related_name="people"
    )
    lives_alone = models.BooleanField()
    has_unpaid_carer = models.BooleanField()
    registered_from = models.DateField()
    registered_to = models.DateField(null=True, blank=True, help_text="Null: still registered")
    death_date = models.DateField(null=True, blank=True)

    nhs_number = NhsNumberField("NHS number", unique=True, null=True, blank=True)
    given_name = models.CharField(max_length=100, blank=True, default="")
    family_name = models.CharField(max_length=100, blank=True, default="")
    address_line_1 = models.CharField(max_length=200, blank=True, default="")
    address_line_2 = models.CharField(max_length=200, blank=True, default="")
    town = models.CharField(max_length=100, blank=True, default="")
    postcode = models.CharField(max_length=8, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    # Phonetic keys of the names (joinedup.people.search), so a search tolerant of typos
    # finds its candidates through an index instead of reading every person.
    family_name_sound = models.CharField(max_length=12, blank=True, default="")
    given_name_sound = models.CharField(max_length=12, blank=True, default="")

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["family_name", "birth_date"], name="person_family_name_birth"),
            models.Index(fields=["postcode"], name="person_postcode"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(
                fields=["family_name_sound", "given_name_sound"], name="person_name_sounds"
            ),
        ]
        constraints = [
            nhs_number_check_constraint("nhs_number", name="person_nhs_number_ten_digits"),
            models.CheckConstraint(
                condition=Q(deprivation_decile__isnull=True) | Q(deprivation_decile__range=(1, 10)),
                name="person_deprivation_decile_1_10",
            ),
            _ordered("registered_to", "registered_from", name="person_registered_to_after_from"),
        ]

    def __str__(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or self.id

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the phonetic keys in step with the names (the loader fills them in bulk)."""
        self.family_name_sound = soundex(self.family_name)
        self.given_name_sound = soundex(self.given_name)
        super().save(*args, **kwargs)


class Condition(LakeRow):
    """A long-term condition (the lake table has no id of its own)."""

    person = models.ForeignKey(
        Person, models.PROTECT, db_column="person_id", related_name="conditions", db_index=False
    )
    condition = _enum(schema.CONDITIONS, null=False)
    snomed_code = _text(32)
    onset_date = models.DateField()
    recorded_date = models.DateField(
        null=True, blank=True, help_text="Null: recorded on the onset date"
    )
    resolved_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "onset_date"], name="condition_person_onset")]
        constraints = [
            _ordered("resolved_date", "onset_date", name="condition_resolved_after_onset")
        ]


class HospitalSpell(LakeRow):
    """An acute inpatient stay."""

    id = _key("spell_id")
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        db_column="person_id",
        related_name="hospital_spells",
        db_index=False,
    )
    admission_date = models.DateField()
    admission_method = _enum(schema.ADMISSION_METHODS, null=True)
    primary_diagnosis = _text(32, "primary diagnosis (ICD-10)")
    acsc = models.BooleanField("ambulatory care sensitive condition")
    fall = models.BooleanField()
    ready_for_discharge_date = models.DateField(null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True, help_text="Null: still in hospital")
    discharge_pathway = models.SmallIntegerField(null=True, blank=True)
    discharge_destination = _enum(schema.DISCHARGE_DESTINATIONS, null=True)
    delay_reason = _enum(schema.DELAY_REASONS, null=True)
    delay_responsibility = _enum(schema.DELAY_RESPONSIBILITIES, null=True)
    cost = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            # Covers "a person's spells" and the overview's emergency admissions per neighbourhood.
            models.Index(
                fields=["person", "admission_date", "admission_method"],
                name="spell_person_admission",
            ),
            # Admissions by date, for everyone: the latest on record and the last year's
            # emergency admissions (joinedup.teams.interim_risk).
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
            _ordered("discharge_date", "admission_date", name="spell_discharge_after_admission"),
        ]


class AeAttendance(LakeRow):
    """An attendance at an accident and emergency department."""

    id = _key("attendance_id")
    person = models.ForeignKey(
        Person, models.PROTECT, db_column="person_id", related_name="ae_attendances", db_index=False
    )
    arrival = models.DateTimeField()
    admitted = models.BooleanField()
    cost = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "A&E attendance"
        indexes = [models.Index(fields=["person", "arrival"], name="ae_person_arrival")]


class Referral(LakeRow):
    """A referral through the single point of access (status: FHIR Task.status)."""

    id = _key("referral_id")
    person = models.ForeignKey(
        Person, models.PROTECT, db_column="person_id", related_name="referrals", db_index=False
    )
    received_at = models.DateTimeField()
    source = _enum(schema.REFERRAL_SOURCES, null=True)
    urgency = _enum(schema.URGENCIES, null=True)
    reason = _text()
    team = models.ForeignKey(
        Team, models.PROTECT, db_column="team_id", null=True, blank=True, related_name="referrals"
    )
    status = _enum(schema.TASK_STATUSES, null=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    referrer_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        db_column="referrer_organisation_id",
        null=True,
        blank=True,
        related_name="referrals_made",
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


class Contact(LakeRow):
    """A contact by any service, health or social care."""

    id = _key("contact_id")
    person = models.ForeignKey(
        Person, models.PROTECT, db_column="person_id", related_name="contacts", db_index=False
    )
    contact_date = models.DateField()
    service = _enum(schema.SERVICES, null=True)
    sector = _enum(schema.SECTORS, null=True)
    team = models.ForeignKey(
        Team,
        models.PROTECT,
        db_column="team_id",
        null=True,
        blank=True,
        related_name="contacts",
        db_index=False,
    )
    referral = models.ForeignKey(
        Referral,
        models.PROTECT,
        db_column="referral_id",
        null=True,
        blank=True,
        related_name="contacts",
        db_index=False,
    )
    urgent = models.BooleanField()
    response_minutes = models.IntegerField(
        null=True,
        blank=True,
        help_text="Set only on the first visit responding to a two-hour referral",
    )
    cost = models.FloatField(null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        db_column="organisation_id",
        null=True,
        blank=True,
        related_name="contacts",
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


class BudgetLine(LakeRow):
    """A line of a pooled fund (e.g. a Better Care Fund scheme)."""

    id = _key("line_id")
    scheme = _text(200)
    scheme_type = _text(64)
    funder = _enum(schema.BUDGET_FUNDERS, null=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        models.PROTECT,
        db_column="neighbourhood_id",
        null=True,
        blank=True,
        related_name="budget_lines",
        help_text="Null: area-wide",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    planned = models.FloatField(null=True, blank=True)
    spent = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [_ordered("period_end", "period_start", name="budget_line_period_ordered")]


class CarePackage(LakeRow):
    """Social care or another long-running service."""

    id = _key("package_id")
    person = models.ForeignKey(
        Person, models.PROTECT, db_column="person_id", related_name="care_packages", db_index=False
    )
    service_type = _enum(schema.SERVICE_TYPES, null=True)
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="The last day of service; null: continuing"
    )
    hours_per_week = models.FloatField(null=True, blank=True)
    weekly_cost = models.FloatField(null=True, blank=True)
    funder = _enum(schema.PACKAGE_FUNDERS, null=True)
    personal_budget = models.BooleanField()
    budget_mode = _enum(schema.BUDGET_MODES, null=True)
    permanent = models.BooleanField(help_text="A permanent care home placement")
    after_spell = models.ForeignKey(
        HospitalSpell,
        models.PROTECT,
        db_column="after_spell_id",
        null=True,
        blank=True,
        related_name="care_packages_after",
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        models.PROTECT,
        db_column="budget_line_id",
        null=True,
        blank=True,
        related_name="care_packages",
    )

    class Meta:
        indexes = [models.Index(fields=["person", "start_date"], name="package_person_start")]
        constraints = [_ordered("end_date", "start_date", name="package_end_after_start")]


class Episode(LakeRow):
    """A period on an integrated team's caseload (FHIR EpisodeOfCare)."""

    id = _key("episode_id")
    person = models.ForeignKey(
        Person, models.PROTECT, db_column="person_id", related_name="episodes", db_index=False
    )
    team = models.ForeignKey(Team, models.PROTECT, db_column="team_id", related_name="episodes")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = _enum(schema.EPISODE_REASONS, null=True)
    end_reason = _enum(schema.EPISODE_END_REASONS, null=True)

    class Meta:
        indexes = [models.Index(fields=["person", "start_date"], name="episode_person_start")]
        constraints = [_ordered("end_date", "start_date", name="episode_end_after_start")]


class LoadedLake(models.Model):
    """A lake loaded into this database: its fingerprint refuses a second load of the same lake."""

    fingerprint = models.CharField(max_length=64, unique=True)
    path = models.CharField(max_length=1000)
    purpose = models.CharField(max_length=16, choices=enum_choices(schema.PURPOSES))
    source = models.CharField(max_length=100)
    observation_start = models.DateField()
    observation_end = models.DateField()
    manifest = models.JSONField()
    seed = models.IntegerField(help_text="Seed of the synthetic identities")
    rows = models.JSONField(help_text="Rows loaded per table")
    seconds = models.FloatField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loaded_at"]

    def __str__(self) -> str:
        return f"{self.path} ({self.fingerprint[:12]})"


# Lake table name -> the model that holds it (the loader and the contract test use this).
LAKE_MODELS: dict[str, type[models.Model]] = {
    "neighbourhood": Neighbourhood,
    "team": Team,
    "gp_practice": GpPractice,
    "person": Person,
    "condition": Condition,
    "hospital_spell": HospitalSpell,
    "ae_attendance": AeAttendance,
    "referral": Referral,
    "contact": Contact,
    "budget_line": BudgetLine,
    "care_package": CarePackage,
    "episode": Episode,
}
assert set(LAKE_MODELS) == set(schema.TABLES)
