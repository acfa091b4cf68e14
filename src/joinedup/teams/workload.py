"""Workload per member of a team: key worker allocations on its caseload, open and overdue tasks.

Each count is a correlated subquery over an index (no join that would multiply rows, no
query per member). Aggregates about staff, not people: the page writes no audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from joinedup.access.models import StaffMember
from joinedup.access.staff_names import staff_name
from joinedup.record.models import Team
from joinedup.tasks.models import Task
from joinedup.teams.caseload import current_episodes, current_key_workers
from joinedup.teams.key_workers import team_members

BAR_STEPS = 20  # bars are drawn in 5% steps (CSS classes, no inline style)


def _count(rows: QuerySet[Any], by: str) -> Coalesce:
    counted = rows.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class WorkloadLine:
    staff: StaffMember
    key_worker_for: int
    open_tasks: int
    overdue_tasks: int
    bar: int  # 0..BAR_STEPS, the key worker count against the team's largest

    @property
    def name(self) -> str:
        return staff_name(self.staff)


@dataclass(frozen=True)
class Workload:
    lines: list[WorkloadLine]
    key_worker_for: int
    open_tasks: int
    overdue_tasks: int
    caseload: int
    unallocated: int


def workload(team: Team, today: dt.date) -> Workload:
    caseload = current_episodes(team, today)
    people = caseload.values("person_id")
    members = team_members(team).annotate(
        key_worker_for=_count(
            current_key_workers(today).filter(staff_id=OuterRef("pk"), person_id__in=people),
            "staff_id",
        ),
        open_tasks=_count(
            Task.objects.filter(owner_staff_id=OuterRef("pk"), status=Task.Status.OPEN),
            "owner_staff_id",
        ),
        overdue_tasks=_count(
            Task.objects.filter(
                owner_staff_id=OuterRef("pk"), status=Task.Status.OPEN, due__lt=today
            ),
            "owner_staff_id",
        ),
    )
    rows = sorted(
        members,
        key=lambda s: (-s.key_worker_for, staff_name(s).lower(), s.pk),
    )
    most = max((s.key_worker_for for s in rows), default=0)
    lines = [
        WorkloadLine(
            staff=s,
            key_worker_for=s.key_worker_for,
            open_tasks=s.open_tasks,
            overdue_tasks=s.overdue_tasks,
            bar=round(BAR_STEPS * s.key_worker_for / most) if most else 0,
        )
        for s in rows
    ]
    total_people = caseload.values("person_id").distinct().count()
    allocated = (
        current_key_workers(today)
        .filter(person_id__in=people)
        .values("person_id")
        .distinct()
        .count()
    )
    return Workload(
        lines=lines,
        key_worker_for=sum(line.key_worker_for for line in lines),
        open_tasks=sum(line.open_tasks for line in lines),
        overdue_tasks=sum(line.overdue_tasks for line in lines),
        caseload=total_people,
        unallocated=total_people - allocated,
    )
