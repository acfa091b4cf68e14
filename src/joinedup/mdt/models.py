"""An MDT meeting of a team, its agenda (one item per person discussed) and who attended.

The agenda is built when the meeting is scheduled (joinedup.mdt.agenda) and may be rebuilt
until the meeting is held; each item keeps why the person is on it. Actions agreed for a
person become tasks (joinedup.tasks) owned by a named person or organisation.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.access.models import StaffMember
from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.models import Person, Team
from joinedup.tasks.models import Task


class Meeting(ShownById):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    team = models.ForeignKey(Team, models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    summary = models.TextField(blank=True, default="", help_text="Written after the meeting")
    created_at = models.DateTimeField()
    created_by = copied_username()
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        indexes = [models.Index(fields=["team", "starts_at"], name="meeting_team_starts")]


class AgendaItem(ShownById):
    """A person to discuss, why they are on the agenda, and what the meeting said and decided."""

    class Reason(models.TextChoices):
        NEW_REFERRAL = "new_referral", "Newly accepted referral"
        DISCHARGED = "discharged", "Discharged from hospital since the last meeting"
        HIGH_RISK = "high_risk", "High risk and known to no team"
        REVIEW_OVERDUE = "review_overdue", "Care plan review overdue"
        ADDED = "added", "Added by the team"

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="items")
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", db_index=False)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True, default="")
    factors = models.JSONField(
        default=list, blank=True, help_text="A risk score's top factors, shown per viewer"
    )
    position = models.PositiveIntegerField()
    notes = models.TextField(blank=True, default="")
    decisions = models.TextField(blank=True, default="")
    discussed = models.BooleanField(default=False)
    tasks = models.ManyToManyField(Task, blank=True, related_name="agenda_items")

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="agenda_person_once"),
        ]


class Attendance(ShownById):
    """Who attended, by profession and organisation (copied: the minutes never change)."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="attendance")
    staff = models.ForeignKey(StaffMember, models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200)
    profession = models.CharField(max_length=100)
    organisation = models.CharField(max_length=200)

    class Meta:
        ordering = ["meeting", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "staff"],
                condition=Q(staff__isnull=False),
                name="attendance_staff_once",
            ),
        ]
