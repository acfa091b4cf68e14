"""Reading a task from a form, and creating it with its audit event.

Shared by the task form and the MDT's actions, so an action agreed at a meeting and a task
typed in by hand are checked the same way: a title, an owner the partnership knows, and a
real due date that has not passed. Every problem names its field, for the error summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.forms.dates import DateEntry, read_date, with_error
from joinedup.forms.errors import FieldError, error_text
from joinedup.notifications.sending import task_given
from joinedup.record.models import Person, Team
from joinedup.tasks.models import Task
from joinedup.tasks.owners import Owner, parse_owner

TITLE_MAX = Task._meta.get_field("title").max_length or 300
DUE_EXAMPLE = "14 3 2027"
DETAIL_MAX = 20_000  # as an MDT item's notes: room for a full handover, not a document dump


@dataclass(frozen=True)
class ActionInput:
    title: str
    owner: Owner
    due: dt.date


def read_action(
    data: Mapping[str, Any], *, today: dt.date, prefix: str = ""
) -> tuple[ActionInput | None, list[FieldError]]:
    """The title, owner and due date of a task or action, or the problems with them.

    Field names are `<prefix>title`, `<prefix>owner` and the NHS.UK date input's
    `<prefix>due_day`, `_month`, `_year`; the ids the problems point at are `<prefix>title`,
    `<prefix>owner` and `<prefix>due-day`.
    """
    problems: list[FieldError] = []
    title = str(data.get(f"{prefix}title", "")).strip()
    if not title:
        problems.append(FieldError(f"{prefix}title", "Enter a title: what needs to be done"))
    elif len(title) > TITLE_MAX:
        problems.append(
            FieldError(f"{prefix}title", f"Title must be {TITLE_MAX} characters or fewer")
        )
    owner_value = str(data.get(f"{prefix}owner", "")).strip()
    owner = parse_owner(owner_value) if owner_value else None
    if not owner_value:
        problems.append(
            FieldError(f"{prefix}owner", "Owner: choose a member of staff or an organisation")
        )
    elif owner is None:
        problems.append(
            FieldError(
                f"{prefix}owner",
                "Owner: choose a member of staff or an organisation from the list "
                "(the one given is not known)",
            )
        )
    entry = read_date(data, f"{prefix}due", "due date", example=DUE_EXAMPLE)
    due = entry.date
    if entry.error:
        problems.append(FieldError(f"{prefix}due-day", entry.error))
    elif due is not None and due < today:
        problems.append(FieldError(f"{prefix}due-day", "The due date must be today or later"))
    if problems or owner is None or due is None:
        return None, problems
    return ActionInput(title=title, owner=owner, due=due), []


def due_entry(data: Mapping[str, Any], problems: list[FieldError], prefix: str = "") -> DateEntry:
    """The due date as typed, with its problem, to draw the date input again."""
    entry = read_date(data, f"{prefix}due", "due date")
    return with_error(entry, error_text(problems, f"{prefix}due-day"))


def create_task(
    user: Any,
    action: ActionInput,
    *,
    team: Team | None,
    person: Person | None,
    origin: str,
    detail: str = "",
    what: str = "task",
) -> Task:
    """Save the task; a task about a person is a change to their record, so it is audited."""
    with transaction.atomic():
        task = Task.objects.create(
            title=action.title,
            detail=detail,
            person=person,
            team=team,
            owner_staff=action.owner.staff,
            owner_organisation=action.owner.organisation,
            due=action.due,
            origin=origin,
            created_at=timezone.now(),
            created_by=user.get_username(),
        )
        if person is not None:
            record_event(AuditAction.CREATE, user=user, person_id=person.pk, what=what)
        task_given(action.owner.staff, person, action.due, by=user)  # its owner told
    return task
