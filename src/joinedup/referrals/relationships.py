"""The work referrals give: the triage queue to its clinicians, two-hour referrals to the
urgent community response, each while the referral waits on them.

A referral accepted by a team gives that team its relationship (joinedup.access.policy's
open referral); before that, the clinicians deciding it need the person's record to decide
well, and the urgent response team needs it to visit within two hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from joinedup.access.capabilities import TRIAGE
from joinedup.access.work import Worker, WorkRelationship
from joinedup.record import referral_lifecycle as lifecycle
from joinedup.record.models import Referral, Team


def _triage_queue(worker: Worker, now: dt.datetime) -> QuerySet[Any] | None:
    return Referral.objects.filter(status="requested") if TRIAGE.allows(worker.staff) else None


def _two_hour(worker: Worker, now: dt.datetime) -> QuerySet[Any] | None:
    if not worker.team_ids(Team.Kind.URGENT_COMMUNITY_RESPONSE):
        return None
    return Referral.objects.filter(
        urgency="two_hour", status__in=lifecycle.OPEN, closed_at__isnull=True
    )


RELATIONSHIPS = (
    WorkRelationship(
        "triage",
        "a referral for the person is waiting in your triage queue",
        "when the referral is accepted, rejected or cancelled",
        _triage_queue,
    ),
    WorkRelationship(
        "two_hour",
        "the person has an open two-hour referral to your urgent response team",
        "when the referral is completed, failed or cancelled",
        _two_hour,
    ),
)
