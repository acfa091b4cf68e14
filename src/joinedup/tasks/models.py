"""A task: an action with an owner and a due date, wherever it was agreed (an MDT, a plan).

An owner is either a named member of staff or an organisation (a care provider, the
council's brokerage team): MDT actions are often handed to an organisation before anyone
there is named. The team is whose task list it appears on.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.access.models import StaffMember
from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.models import Organisation, Person, Team


class Task(ShownById):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True, default="")
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="tasks", db_index=False
    )
    team = models.ForeignKey(Team, models.PROTECT, null=True, blank=True, related_name="tasks")
    owner_staff = models.ForeignKey(
        StaffMember, models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    owner_organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    due = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(
        max_length=200, blank=True, default="", help_text="Where it was agreed, in words"
    )
    created_at = models.DateTimeField()
    created_by = copied_username()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["owner_staff", "status", "due"], name="task_owner_status_due"),
            models.Index(fields=["team", "status", "due"], name="task_team_status_due"),
            models.Index(fields=["person", "status"], name="task_person_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_staff__isnull=False) | Q(owner_organisation__isnull=False),
                name="task_has_an_owner",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="task_closed_when_not_open",
            ),
        ]
