"""Who is in hospital on the board's day, and how long each has waited to leave.

The board's day is today while the hospital's data are live (an admission in the last
LIVE_WITHIN_DAYS days: a quiet weekend is not a gap), else the day of the last admission on
record (a city loaded from a lake whose window has ended, or a feed that stopped), so the
board never shows people as waiting through a gap in the data
(joinedup.casefinding.interim_risk.hospital_data_until reads the same last admission). Days
delayed count from the discharge ready date (the day the person no longer met the criteria
to reside): 0 on that day, as docs/metrics.md counts a delay (discharge date - ready date).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from joinedup.casefinding.interim_risk import hospital_data_until
from joinedup.record.models import HospitalSpell

# Lengths of delay as the national discharge delays collection groups them (days).
DELAY_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-1", 0, 1),
    ("2-3", 2, 3),
    ("4-6", 4, 6),
    ("7-13", 7, 13),
    ("14-20", 14, 20),
    ("21+", 21, None),
)


LIVE_WITHIN_DAYS = 7
EARLIEST_YEAR = 1900  # a day or event before it is a mistake (and overflows date arithmetic)


def board_day(today: dt.date) -> dt.date:
    """The day the board describes (see the module's docstring)."""
    latest = hospital_data_until(today)
    return today if (today - latest).days <= LIVE_WITHIN_DAYS else latest


def in_hospital(day: dt.date) -> QuerySet[HospitalSpell]:
    """Spells under way on the board's day (the latest day with data): admitted on or
    before it and not discharged (the partial index on spells without a discharge date
    serves it). For an earlier day, see delayed_values."""
    return HospitalSpell.objects.filter(admission_date__lte=day, discharge_date__isnull=True)


def delayed_values(day: dt.date, *fields: str, **filters: Any) -> list[tuple[Any, ...]]:
    """`fields` of every spell delayed on `day` (and matching `filters`), by spell id.

    Delayed on a day, any day: in hospital at its end (docs/metrics.md's "inside a hospital
    spell": admitted on or before it, not discharged by it; someone discharged on the day
    is no longer delayed on it) with a ready date on or before it. Read in two queries,
    each served by an index: those not yet discharged (the in-hospital index, by admission
    date) and those discharged since (the discharge date's index; their admission date is
    checked here, since given it in SQL, SQLite's planner may walk every spell by
    admission date instead). One query with "not discharged or discharged later" has
    SQLite read every spell. The ready date and reason are the spell's as they stand now:
    for a past day a reason changed since is read as it is today (each change is kept in
    PlanChange)."""
    delayed = HospitalSpell.objects.filter(ready_for_discharge_date__lte=day, **filters).order_by()
    rows: list[tuple[Any, ...]] = list(
        delayed.filter(discharge_date__isnull=True, admission_date__lte=day).values_list(
            "id", *fields
        )
    )
    rows += [
        row[1:]
        for row in delayed.filter(discharge_date__gt=day).values_list(
            "admission_date", "id", *fields
        )
        if row[0] <= day
    ]
    return [row[1:] for row in sorted(rows, key=lambda row: str(row[0]))]


def days_delayed_on(ready: dt.date, day: dt.date) -> int:
    """Days from the ready date to `day` (0 on the ready date itself)."""
    return max(0, (day - ready).days)


def days_delayed(spell: HospitalSpell, day: dt.date) -> int | None:
    """Days since the discharge ready date (to the discharge, or to `day` while still in
    hospital); None when no ready date is recorded or it is still to come."""
    ready = spell.ready_for_discharge_date
    if ready is None or ready > day:
        return None
    end = spell.discharge_date or day
    return max(0, (end - ready).days)


def delay_band(days: int) -> str:
    """The collection's band of a delay of `days` days."""
    for name, low, high in DELAY_BANDS:
        if days >= low and (high is None or days <= high):
            return name
    raise ValueError(f"days: expected 0 or more, found {days}")
