"""The work the transfer of care hub gives its coordinators and brokers: everyone on the
board, until they are discharged.

Getting someone home means knowing who cares for them, their alerts and their packages,
so the roles that work the hub (not those that only read it) open the records of the
people it lists while they are in hospital.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from joinedup.access.capabilities import WORK_THE_HUB
from joinedup.access.work import Worker, WorkRelationship
from joinedup.transfers.inpatients import board_day, in_hospital


def _on_the_board(worker: Worker, now: dt.datetime) -> QuerySet[Any] | None:
    if not WORK_THE_HUB.allows(worker.staff):
        return None
    return in_hospital(board_day(timezone.localdate(now)))


RELATIONSHIPS = (
    WorkRelationship(
        "hub",
        "the person is in hospital, on the transfer of care hub's board you work",
        "when the person is discharged",
        _on_the_board,
    ),
)
