"""The hub's own records, beside the lake's hospital spell (joinedup.record.HospitalSpell).

The spell keeps the contract's columns (ready-for-discharge date, pathway, delay reason and
responsibility, discharge); the hub adds what the hospital's board needs and the lake does
not hold: the ward, the expected date of discharge, the pathway proposed before discharge,
a version for conditional updates (a stale page gets a conflict, never overwrites), the
history of every change to the discharge plan, the hospital feed's events (idempotent,
in order), actions (tasks linked to the stay) and the capacity brokers report.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from joinedup.lake import schema
from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.models import HospitalSpell, Neighbourhood
from joinedup.referrals.models import SystemClient
from joinedup.tasks.models import Task

PATHWAYS = {
    0: "Pathway 0: home, no new support",
    1: "Pathway 1: home with support",
    2: "Pathway 2: rehabilitation bed",
    3: "Pathway 3: care home",
}


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ").capitalize()) for v in values]


class Stay(ShownById):
    """The hub's working record of one inpatient spell (made when the spell is admitted)."""

    spell = models.OneToOneField(
        HospitalSpell, models.PROTECT, primary_key=True, related_name="stay", db_column="spell_id"
    )
    ward = models.CharField(max_length=100, blank=True, default="")
    expected_discharge_date = models.DateField(null=True, blank=True)
    proposed_pathway = models.SmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Advanced by every change")
    last_event_at = models.DateTimeField(
        null=True, blank=True, help_text="When the latest hospital feed event applied happened"
    )
    updated_at = models.DateTimeField()
    updated_by = copied_username("Username or system, copied")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_pathway__isnull=True) | Q(proposed_pathway__range=(0, 3)),
                name="stay_proposed_pathway_0_3",
            )
        ]


class PlanChange(models.Model):
    """One change to a stay's discharge plan: the plan as it stood after it, who and when.
    Never changed or deleted: the delay reason's history is read from these."""

    spell = models.ForeignKey(
        HospitalSpell, models.PROTECT, related_name="plan_changes", db_column="spell_id"
    )
    changed_at = models.DateTimeField()
    changed_by = copied_username("Username or system, copied")
    ward = models.CharField(max_length=100, blank=True, default="")
    expected_discharge_date = models.DateField(null=True, blank=True)
    ready_for_discharge_date = models.DateField(null=True, blank=True)
    proposed_pathway = models.SmallIntegerField(null=True, blank=True)
    delay_reason = models.CharField(
        max_length=32, choices=_choices(schema.DELAY_REASONS), blank=True, default=""
    )
    delay_responsibility = models.CharField(
        max_length=16, choices=_choices(schema.DELAY_RESPONSIBILITIES), blank=True, default=""
    )
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["spell", "changed_at"], name="plan_change_spell_time")]

    def __str__(self) -> str:
        return f"plan change {self.pk} of {self.spell_id}"

    @classmethod
    def record(
        cls, spell: HospitalSpell, stay: Stay | None, *, by: str, note: str, at: dt.datetime
    ) -> PlanChange:
        """The plan as `spell` and its `stay` hold it now (no stay yet: the hospital's
        pathway), kept as a change by `by`."""
        return cls.objects.create(
            spell=spell,
            changed_at=at,
            changed_by=by,
            ward=stay.ward if stay else "",
            expected_discharge_date=stay.expected_discharge_date if stay else None,
            ready_for_discharge_date=spell.ready_for_discharge_date,
            proposed_pathway=stay.proposed_pathway if stay else spell.discharge_pathway,
            delay_reason=spell.delay_reason or "",
            delay_responsibility=spell.delay_responsibility or "",
            note=note,
        )


class FeedEvent(models.Model):
    """An admit, update or discharge event from the acute hospital's system, as applied.
    A repeat of an applied event (same spell, kind and time) changes nothing; an event
    older than the stay's latest is refused as out of order."""

    class Kind(models.TextChoices):
        ADMIT = "admit", "Admitted"
        UPDATE = "update", "Updated"
        DISCHARGE = "discharge", "Discharged"

    client = models.ForeignKey(SystemClient, models.PROTECT, related_name="feed_events")
    spell_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    body = models.JSONField()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spell_id", "kind", "occurred_at"], name="feed_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.spell_id} at {self.occurred_at}"


class Action(models.Model):
    """A hub action (an owned task with a due date) tied to the stay it is for."""

    task = models.OneToOneField(Task, models.PROTECT, primary_key=True, related_name="hub_action")
    spell = models.ForeignKey(
        HospitalSpell, models.PROTECT, related_name="hub_actions", db_column="spell_id"
    )

    def __str__(self) -> str:
        return f"action {self.pk} for {self.spell_id}"


class Capacity(models.Model):
    """What a broker reports available, by service and area, at a time. The latest report
    for a service and area is the current one; earlier ones are kept."""

    class Service(models.TextChoices):
        HOME_CARE = "home_care", "Home care (hours a week)"
        REABLEMENT = "reablement", "Reablement (slots)"
        INTERMEDIATE_CARE = "intermediate_care", "Intermediate care (beds)"
        RESIDENTIAL_CARE = "residential_care", "Care home vacancies: residential"
        NURSING_CARE = "nursing_care", "Care home vacancies: nursing"

    service = models.CharField(max_length=32, choices=Service.choices)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="capacity_reports",
        help_text="Null: the whole area",
    )
    available = models.FloatField()
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["service", "neighbourhood", "recorded_at"], name="capacity_latest")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="capacity_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.available} at {self.recorded_at}"
