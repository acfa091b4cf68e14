"""A stay's actions: owned tasks with due dates, agreed at the hub, listed on the stay's page.

An action is an ordinary task (joinedup.tasks), read and created by the same code as an
MDT's actions (joinedup.tasks.entry.read_action and create_task), so it shows on its
owner's "My tasks" and is checked the same way; the hub's Action row ties it to the stay.

Whose task list it is on: the person's neighbourhood team's when the owner is a member of
that team (their team's work, which the team can also close); otherwise no team's, so it
is the owner's (or, for an organisation, the hub's: the stay's page and the board's count).
Who may own one: an organisation; anyone who works the hub (they see the person on the
board anyway); or, as for any task about a person, a member of the neighbourhood team or
someone already caring for the person (joinedup.tasks.owners.may_own). Handing an action
to anyone else would hand them a person they have no reason to see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.capabilities import READ_THE_HUB
from joinedup.access.models import AuditAction
from joinedup.access.staff_names import names_of
from joinedup.record.models import HospitalSpell, Team
from joinedup.tasks.entry import ActionInput, create_task
from joinedup.tasks.models import Task
from joinedup.tasks.owners import Owner, may_own
from joinedup.transfers.models import Action

ORIGIN = "Transfer of care hub"
CLOSE_OUTCOMES = {"done": Task.Status.DONE, "cancelled": Task.Status.CANCELLED}


def neighbourhood_team(spell: HospitalSpell) -> Team | None:
    """The integrated team of the person's neighbourhood (the first, if there are several)."""
    return (
        Team.objects.filter(
            kind=Team.Kind.NEIGHBOURHOOD, neighbourhood_id=spell.person.neighbourhood_id
        )
        .order_by("pk")
        .first()
    )


def may_own_action(owner: Owner, team: Team | None, person_id: str) -> bool:
    """See the module's docstring."""
    if READ_THE_HUB.allows(owner.staff):
        return True
    return may_own(owner, team, person_id)


def add_action(user: Any, spell: HospitalSpell, action: ActionInput) -> Task:
    """The task and the hub's link to the stay, audited as a change to the person's record."""
    team = neighbourhood_team(spell)
    if team is not None and (
        action.owner.staff is None or not action.owner.staff.teams.filter(pk=team.pk).exists()
    ):
        team = None
    with transaction.atomic():
        task = create_task(
            user,
            action,
            team=team,
            person=spell.person,
            origin=ORIGIN,
            what=f"task: transfer of care action (hospital spell {spell.pk})",
        )
        Action.objects.create(task=task, spell=spell)
    return task


@dataclass(frozen=True)
class ActionLine:
    task_id: int
    title: str
    owner: str
    due: dt.date
    status: str
    status_text: str
    overdue: bool
    closed_at: dt.datetime | None
    closed_by: str
    created_by: str


def stay_actions(spell_id: str, today: dt.date) -> list[ActionLine]:
    """The stay's actions: open ones by due date, then the closed, latest closed first;
    who added and closed each by name."""
    tasks = list(
        Task.objects.filter(hub_action__spell_id=spell_id)
        .select_related("owner_staff__user", "owner_staff__organisation", "owner_organisation")
        .order_by("due", "pk")
    )
    names = names_of([task.created_by for task in tasks] + [task.closed_by for task in tasks])
    lines = [
        ActionLine(
            task_id=task.pk,
            title=task.title,
            owner=Owner(staff=task.owner_staff, organisation=task.owner_organisation).text,
            due=task.due,
            status=task.status,
            status_text=task.get_status_display(),
            overdue=task.status == Task.Status.OPEN and task.due < today,
            closed_at=task.closed_at,
            closed_by=names[task.closed_by],
            created_by=names[task.created_by],
        )
        for task in tasks
    ]
    open_lines = [line for line in lines if line.status == Task.Status.OPEN]
    closed = sorted(
        (line for line in lines if line.status != Task.Status.OPEN),
        key=lambda line: line.closed_at or timezone.now(),
        reverse=True,
    )
    return open_lines + closed


def close_action(user: Any, spell: HospitalSpell, task_id: int, status: str) -> bool:
    """Mark one of the stay's open actions done or cancelled; False when it was not open
    (closed meanwhile, or not this stay's)."""
    with transaction.atomic():
        changed = Task.objects.filter(
            pk=task_id, hub_action__spell=spell, status=Task.Status.OPEN
        ).update(status=status, closed_at=timezone.now(), closed_by=user.get_username())
        if changed:
            record_event(
                AuditAction.UPDATE,
                user=user,
                person_id=spell.person_id,
                what=f"task {task_id} {status} (transfer of care action, spell {spell.pk})",
            )
    return bool(changed)
