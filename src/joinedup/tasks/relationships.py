"""The work a task gives its owner: the person it is about, while it is open."""

from __future__ import annotations

from joinedup.access.work import WorkRelationship
from joinedup.tasks.models import Task

RELATIONSHIPS = (
    WorkRelationship(
        "task",
        "you own an open task about the person",
        "when the task is done or cancelled",
        lambda worker, now: Task.objects.filter(
            owner_staff=worker.staff, status=Task.Status.OPEN, person__isnull=False
        ),
    ),
)
