"""The work that gives a member of staff a relationship with a person, declared by each app.

A record opens to a viewer with a legitimate relationship (joinedup.access.policy). The
team's caseload, its open referrals and the key worker are the policy's own; the platform
also hands out work about people: a task, a referral in the triage queue, a two-hour
referral on the urgent board, a stay on the hub's board, a person on the agenda of an MDT
not yet held. Each such piece of work is a legitimate relationship for exactly as long as
it is open, so a link the platform gives to act on leads to the record, and the
relationship ends with the work (task closed, referral closed, meeting held, person
discharged).

An app declares the relationships its work gives in a `relationships` module holding
RELATIONSHIPS, as it declares its menu entries: this package sits below the apps and never
imports them, and a new kind of work says in its own app who it lets in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.module_loading import module_has_submodule

from joinedup.access.models import StaffMember


@dataclass(frozen=True)
class Worker:
    """The viewer as every relationship asks about them, read once per decision: their
    staff record and their teams (id -> kind), so no relationship queries them again."""

    staff: StaffMember
    teams: dict[str, str]

    @classmethod
    def of(cls, staff: StaffMember) -> Worker:
        return cls(staff, dict(staff.teams.values_list("id", "kind")))

    def team_ids(self, kind: str | None = None) -> list[str]:
        return [team for team, its_kind in self.teams.items() if kind in (None, its_kind)]


Rows = Callable[[Worker, dt.datetime], "QuerySet[Any] | None"]


@dataclass(frozen=True)
class WorkRelationship:
    """One kind of work that lets its holder open the record of the person it is about.

    `rows(worker, now)` is the open work the viewer holds (None: none of this kind for this
    viewer, decided without a query), and `person` names the person's id in those rows.
    """

    key: str
    because: str  # completes "You can see this record because ..."
    ends: str  # when it ends, in words for docs/security.md
    rows: Rows
    person: str = "person_id"

    def holds(self, worker: Worker, person_id: str, now: dt.datetime) -> bool:
        rows = self.rows(worker, now)
        return rows is not None and rows.filter(**{self.person: person_id}).exists()

    def among(self, worker: Worker, person_ids: Collection[str], now: dt.datetime) -> set[str]:
        """Which of these people the viewer holds work about (one query)."""
        rows = self.rows(worker, now)
        if rows is None or not person_ids:
            return set()
        found = rows.filter(**{f"{self.person}__in": list(person_ids)})
        return set(found.values_list(self.person, flat=True))


@cache
def app_relationships() -> tuple[WorkRelationship, ...]:
    """Every installed app's RELATIONSHIPS (its `relationships` module), in app order."""
    found: list[WorkRelationship] = []
    for config in apps.get_app_configs():
        if config.module is not None and module_has_submodule(config.module, "relationships"):
            found.extend(import_module(f"{config.name}.relationships").RELATIONSHIPS)
    keys = [r.key for r in found]
    assert len(keys) == len(set(keys)), f"a relationship is declared twice: {keys}"
    return tuple(found)
