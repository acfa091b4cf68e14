"""The urgent community response standard: 70% of first visits within two hours.

Counted as docs/metrics.md's two_hour_response_pct counts it (first visits with
response_minutes, the share at 120 minutes or fewer), here per team and over a window of
visit dates, for the operational board rather than the lake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from joinedup.record.models import Contact, Team

STANDARD = 0.70
WITHIN_MINUTES = 120


@dataclass(frozen=True)
class TeamShare:
    team: str
    visits: int
    within: int

    @property
    def share(self) -> float | None:
        return self.within / self.visits if self.visits else None

    @property
    def meets_standard(self) -> bool:
        return self.share is not None and self.share >= STANDARD


def first_visits_by_team(start: dt.date, end: dt.date) -> QuerySet[Contact, Any]:
    """First visits (the contacts with response_minutes) dated start..end, inclusive, grouped
    by team: what every summary of urgent responses counts."""
    return (
        Contact.objects.filter(
            response_minutes__isnull=False, contact_date__gte=start, contact_date__lte=end
        )
        .order_by()
        .values("team_id")
    )


def share_by_team(start: dt.date, end: dt.date) -> list[TeamShare]:
    """Each team's first visits dated start..end (inclusive) and how many were in time."""
    rows = first_visits_by_team(start, end).annotate(
        visits=Count("id"), within=Count("id", filter=Q(response_minutes__lte=WITHIN_MINUTES))
    )
    names = {t.pk: str(t) for t in Team.objects.all()}
    shares = [
        TeamShare(names.get(r["team_id"], "No team recorded"), r["visits"], r["within"])
        for r in rows
    ]
    return sorted(shares, key=lambda s: s.team)


def first_visits_until(today: dt.date) -> dt.date:
    """Today, or the latest first visit on record if earlier (a city loaded from a lake
    whose window has ended), so the board reports the last period that has data and says
    which. One lookup in the index of first visits."""
    latest = Contact.objects.filter(response_minutes__isnull=False).aggregate(
        latest=Max("contact_date")
    )["latest"]
    return min(today, latest) if latest is not None else today


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date
    shares: list[TeamShare]


def shares_to(end: dt.date) -> list[Period]:
    """The last 30 days and the last 12 months to `end`, each team's share."""
    periods = []
    for label, days in (("30 days", 30), ("12 months", 365)):
        start = end - dt.timedelta(days=days - 1)
        periods.append(Period(label, start, end, share_by_team(start, end)))
    return periods
