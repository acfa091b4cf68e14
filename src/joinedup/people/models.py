"""What the integrated team records about a person beyond the lake's history.

The lake brings events (admissions, contacts, referrals, packages); the team adds who is
caring for the person and who their key worker is, alerts a visitor must know before
the door opens, the person's consent and objections, and case notes, each note with the
sector that wrote it and, when it holds safeguarding, sexual health or mental health
detail, a sensitivity label. joinedup.access.policy decides who sees each of these.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.access.models import StaffMember
from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.models import Organisation, Person


class Sector(models.TextChoices):
    """Which side of the partnership an entry or a member of staff belongs to."""

    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    VOLUNTARY = "voluntary", "Voluntary sector"


class Sensitivity(models.TextChoices):
    """Labels that restrict an entry to the professions allowed to see it."""

    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    MENTAL_HEALTH = "mental_health", "Mental health detail"


class CareTeamMember(ShownById):
    """A member of staff caring for the person; at most one current key worker per person."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="care_team")
    staff = models.ForeignKey(StaffMember, models.PROTECT, related_name="care_of")
    role = models.CharField(max_length=200, help_text="What they do for this person")
    key_worker = models.BooleanField(default=False)
    started = models.DateField()
    ended = models.DateField(null=True, blank=True, help_text="Null: still caring for them")
    reason = models.CharField(
        max_length=300, blank=True, default="", help_text="Why they were allocated or changed"
    )

    class Meta:
        ordering = ["-key_worker", "started", "id"]
        indexes = [
            models.Index(fields=["staff", "person"], name="care_team_staff_person"),
            models.Index(fields=["person", "started"], name="care_team_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(key_worker=True, ended__isnull=True),
                name="care_team_one_current_key_worker",
            ),
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gte=models.F("started")),
                name="care_team_ended_after_started",
            ),
        ]


class Alert(models.Model):
    """Something everyone visiting or calling the person must know first."""

    class Kind(models.TextChoices):
        KEY_SAFE = "key_safe", "Key safe"
        DO_NOT_VISIT_ALONE = "do_not_visit_alone", "Do not visit alone"
        FALLS_RISK = "falls_risk", "Falls risk"
        COMMUNICATION = "communication", "Communication needs"
        DNACPR = "dnacpr", "Do not attempt CPR decision"
        ANIMALS = "animals", "Animals in the home"
        OXYGEN = "oxygen", "Oxygen in the home"

    person = models.ForeignKey(Person, models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = copied_username()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Null: still applies")

    class Meta:
        ordering = ["kind", "recorded_at"]
        indexes = [models.Index(fields=["person", "ended_at"], name="alert_person")]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.kind})"


class Consent(models.Model):
    """A person's consent decision or objection, from when it was recorded until it ended."""

    class Kind(models.TextChoices):
        SHARING_OBJECTION = (
            "sharing_objection",
            "Objects to sharing between health and social care",
        )
        NATIONAL_DATA_OPT_OUT = (
            "national_data_opt_out",
            "National Data Opt-out (no secondary use)",
        )
        CONSENT_TO_SHARE = "consent_to_share", "Consents to sharing with the integrated team"

    person = models.ForeignKey(Person, models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    recorded_at = models.DateTimeField()
    recorded_by = copied_username()
    note = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Null: still in force")

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["person", "kind", "ended_at"], name="consent_person")]

    def __str__(self) -> str:
        return f"consent {self.pk} ({self.kind})"


class CaseNote(ShownById):
    """A note written by a member of staff, labelled when it holds sensitive detail."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="case_notes")
    written_at = models.DateTimeField()
    author = models.ForeignKey(StaffMember, models.PROTECT, related_name="case_notes")
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="case_notes", help_text="Author's, copied"
    )
    sector = models.CharField(max_length=16, choices=Sector.choices)
    sensitivity = models.CharField(  # noqa: DJ001 - null means "not sensitive", not unknown
        max_length=16, choices=Sensitivity.choices, null=True, blank=True
    )
    text = models.TextField()

    class Meta:
        ordering = ["written_at", "id"]
        indexes = [models.Index(fields=["person", "written_at"], name="case_note_person")]
