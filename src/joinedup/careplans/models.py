"""A person's shared care plan and every version of it.

A version is never changed: saving writes version n+1, and only when the editor started
from version n (the plan's `version` is advanced with a conditional UPDATE, so of two
people saving from the same version exactly one succeeds and the other sees a conflict
with both versions side by side). Nothing anyone wrote is ever lost.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.models import Person


class CarePlan(ShownById):
    person = models.OneToOneField(Person, models.PROTECT, related_name="care_plan")
    version = models.PositiveIntegerField(default=0, help_text="The current version's number")
    review_date = models.DateField(null=True, blank=True, help_text="Of the current version")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["review_date"], name="care_plan_review_date")]


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NO_LONGER_WANTED = "no_longer_wanted", "No longer wanted"


class ActionOwner(models.TextChoices):
    """Who an action belongs to: any side of the partnership, the person or their carer."""

    NHS = "nhs", "NHS"
    COUNCIL = "council", "Council"
    VOLUNTARY = "voluntary", "Voluntary sector"
    PERSON = "person", "The person"
    CARER = "carer", "Their carer"


class CarePlanVersion(models.Model):
    """One saved version: the whole plan as it stood, who saved it and when.

    goals: [{"goal": str, "status": GoalStatus}]; actions: [{"action": str, "owner":
    ActionOwner, "who": str (a name or role), "due": "YYYY-MM-DD" or ""}].
    """

    plan = models.ForeignKey(CarePlan, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    what_matters = models.TextField("What matters to me", blank=True, default="")
    goals = models.JSONField(default=list)
    actions = models.JSONField(default=list)
    review_date = models.DateField(null=True, blank=True)
    saved_at = models.DateTimeField()
    saved_by = copied_username()
    saved_by_name = models.CharField(max_length=300, blank=True, default="")
    profession = models.CharField(max_length=32, blank=True, default="")
    organisation = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="care_plan_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="care_plan_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"care plan {self.plan_id} version {self.number}"
