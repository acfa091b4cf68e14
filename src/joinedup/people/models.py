"""What the integrated team records about a person beyond the lake's history.

The lake brings events (admissions, contacts, referrals, packages); the team adds alerts a
visitor must know before the door opens and case notes, each note with the sector that
wrote it and, when it holds safeguarding, sexual health or mental health detail, a
sensitivity label. Who cares for the person and their consent decisions are recorded too,
but in joinedup.access.models: joinedup.access.policy decides who sees each of these from
them, and the policy stands below the pages that ask it.
"""

from __future__ import annotations

from django.db import models

from joinedup.access.models import Sector, Sensitivity, StaffMember
from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.models import Organisation, Person


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
    ended_by = copied_username("Username, copied when it was ended; empty while it applies")

    class Meta:
        ordering = ["kind", "recorded_at"]
        indexes = [models.Index(fields=["person", "ended_at"], name="alert_person")]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.kind})"


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
