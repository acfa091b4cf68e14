"""A meeting's agenda as the pages show it, a page at a time.

Each line carries the person's name and NHS number, the reason and its detail (as this
viewer may see it), what has been written and the actions agreed. Pages are PAGE_SIZE
items, so the people each page shows (and audits as viewed) stay bounded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from joinedup.access.models import StaffMember
from joinedup.access.policy import objecting
from joinedup.mdt.disclosure import shown_detail
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.tasks.lists import TaskLine, line, nhs_number_text
from joinedup.tasks.models import Task

PAGE_SIZE = 50


@dataclass(frozen=True)
class AgendaLine:
    item: AgendaItem
    name: str
    nhs_number: str
    reason: str
    detail: str
    actions: list[TaskLine]

    @property
    def status(self) -> str:
        """What has been recorded for this person, in words."""
        parts = []
        if self.item.notes.strip():
            parts.append("notes")
        if self.item.decisions.strip():
            parts.append("decisions")
        if self.actions:
            n = len(self.actions)
            parts.append(f"{n} action{'' if n == 1 else 's'}")
        if not parts:
            return "Not discussed yet" if not self.item.discussed else "Discussed"
        text = ", ".join(parts)
        return text[0].upper() + text[1:]


@dataclass(frozen=True)
class AgendaPage:
    lines: list[AgendaLine]
    number: int
    pages: int
    total: int
    previous: int | None
    next: int | None

    @property
    def person_ids(self) -> list[str]:
        return [x.item.person_id for x in self.lines]


def agenda_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    tasks = Task.objects.select_related(
        "owner_staff__user", "owner_staff__organisation", "owner_organisation", "person"
    ).order_by("due", "id")
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("person")
        .prefetch_related(Prefetch("tasks", queryset=tasks))
        .order_by("position", "id")
    )


def agenda_line(
    item: AgendaItem, staff: StaffMember, objectors: set[str], today: dt.date
) -> AgendaLine:
    return AgendaLine(
        item=item,
        name=str(item.person),
        nhs_number=nhs_number_text(item.person.nhs_number),
        reason=item.get_reason_display(),
        detail=shown_detail(item, staff, objectors),
        actions=[line(task, today) for task in item.tasks.all()],
    )


def agenda_page(
    meeting: Meeting, staff: StaffMember, page: str | None, today: dt.date
) -> AgendaPage:
    paginator = Paginator(agenda_items(meeting), PAGE_SIZE)
    current: Page[AgendaItem] = paginator.get_page(page)
    items = list(current.object_list)
    objectors = objecting([i.person_id for i in items])
    return AgendaPage(
        lines=[agenda_line(i, staff, objectors, today) for i in items],
        number=current.number,
        pages=paginator.num_pages,
        total=paginator.count,
        previous=current.previous_page_number() if current.has_previous() else None,
        next=current.next_page_number() if current.has_next() else None,
    )
