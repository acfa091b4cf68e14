"""The overview's counts, written in SQL of each backend's own, equal a count through the ORM."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Model
from django.utils import timezone

from joinedup.record.load import load_lake
from joinedup.record.models import AeAttendance, Contact
from joinedup.web.overview import ACTIVITIES, compute_overview, count_by_neighbourhood

# The SQL differs on SQLite and PostgreSQL (web/overview.py): each must give the same answer.
pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def direct_count(
    model: type[Model], column: str, start: dt.date, end: dt.date, **where: str
) -> Counter[tuple[str, str | None]]:
    """Rows dated from start to end inclusive, per neighbourhood, counted row by row."""
    counts: Counter[tuple[str, str | None]] = Counter()
    group = where.pop("group", None)
    for row in model.objects.filter(**where).select_related("person"):
        value = getattr(row, column)
        day = timezone.localdate(value) if isinstance(value, dt.datetime) else value
        if start <= day <= end:
            counts[(row.person.neighbourhood_id, getattr(row, group) if group else None)] += 1
    return counts


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2019, 4, 1), dt.date(2025, 3, 31)),  # the whole window
        (dt.date(2020, 1, 10), dt.date(2021, 5, 1)),  # edges on rows' own days
        (dt.date(2021, 5, 2), dt.date(2022, 2, 16)),
    ],
)
def test_every_activity_counted_by_neighbourhood_equals_a_direct_count(
    tiny_lake: Path, start: dt.date, end: dt.date
) -> None:
    load_lake(tiny_lake)
    for activity in ACTIVITIES:
        where = dict([activity.where]) if activity.where else {}
        found = count_by_neighbourhood(
            activity.model, activity.date_column, start, end, where=activity.where
        )
        expected = direct_count(activity.model, activity.date_column, start, end, **where)
        assert found == dict(expected), activity.key
    by_sector = count_by_neighbourhood(Contact, "contact_date", start, end, group="sector")
    assert by_sector == dict(direct_count(Contact, "contact_date", start, end, group="sector"))


def test_an_instant_counts_on_its_day_in_london(tiny_lake: Path) -> None:
    """23:10 UTC on 5 May 2023 is 00:10 on 6 May in London (BST)."""
    load_lake(tiny_lake)
    may_5, may_6 = dt.date(2023, 5, 5), dt.date(2023, 5, 6)
    assert count_by_neighbourhood(AeAttendance, "arrival", may_6, may_6) == {("n-north", None): 1}
    assert count_by_neighbourhood(AeAttendance, "arrival", may_5, may_5) == {}


def test_the_overview_totals_the_tiny_lake(tiny_lake: Path) -> None:
    load_lake(tiny_lake)
    overview = compute_overview(dt.date(2025, 3, 31))
    total = overview.total
    assert total.activity == {
        "emergency_admissions": 3,
        "ae_attendances": 3,
        "referrals": 3,
        "episodes": 2,
        "care_packages": 2,
    }
    assert total.contacts == {"health": 4, "social_care": 2, "voluntary": 1, "not_recorded": 1}
    # Registered and alive on 31 March 2025: p1, p3 (north), p4, p6 (south).
    assert overview.total_population == 4
