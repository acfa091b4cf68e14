"""Lists of open tasks, due soonest first (so overdue ones, due before today, lead).

A list shows people's names, so it is read a page at a time (PAGE_SIZE) and each page's
people are audited as viewed in the same transaction by the view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from joinedup.record.nhs_number import is_valid, spaced
from joinedup.tasks.models import Task
from joinedup.tasks.owners import Owner

PAGE_SIZE = 50


def person_name(task: Task) -> str:
    return str(task.person) if task.person is not None else ""


def nhs_number_text(number: str | None) -> str:
    return spaced(number) if number and is_valid(number) else ""


@dataclass(frozen=True)
class TaskLine:
    task: Task
    overdue: bool
    owner: str
    person_name: str
    nhs_number: str


def line(task: Task, today: dt.date) -> TaskLine:
    owner = Owner(staff=task.owner_staff, organisation=task.owner_organisation)
    return TaskLine(
        task=task,
        overdue=task.status == Task.Status.OPEN and task.due < today,
        owner=owner.text,
        person_name=person_name(task),
        nhs_number=nhs_number_text(task.person.nhs_number if task.person else None),
    )


def open_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Open ones only, overdue first then by due date (overdue is due before today)."""
    return (
        tasks.filter(status=Task.Status.OPEN)
        .select_related(
            "person",
            "team",
            "owner_staff__user",
            "owner_staff__organisation",
            "owner_organisation",
        )
        .order_by("due", "id")
    )


@dataclass(frozen=True)
class TaskPage:
    lines: list[TaskLine]
    number: int
    pages: int
    total: int
    overdue: int
    previous: int | None
    next: int | None

    @property
    def person_ids(self) -> list[str]:
        return list(dict.fromkeys(x.task.person_id for x in self.lines if x.task.person_id))


def task_page(tasks: QuerySet[Task], page: str | None, today: dt.date) -> TaskPage:
    paginator = Paginator(tasks, PAGE_SIZE)
    current: Page[Task] = paginator.get_page(page)
    return TaskPage(
        lines=[line(task, today) for task in current.object_list],
        number=current.number,
        pages=paginator.num_pages,
        total=paginator.count,
        overdue=tasks.filter(due__lt=today).count(),
        previous=current.previous_page_number() if current.has_previous() else None,
        next=current.next_page_number() if current.has_next() else None,
    )
