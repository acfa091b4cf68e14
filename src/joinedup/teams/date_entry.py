"""Dates typed into the NHS.UK date input (day, month, year boxes), checked with a message.

Every message names the field (the label staff see), so the error summary and the message
beside the boxes say the same thing, as the NHS.UK pattern asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DateEntry:
    """What was typed, as typed (to show back on the form), and the date or the problem."""

    day: str
    month: str
    year: str
    date: dt.date | None
    error: str

    def values(self) -> dict[str, str]:
        return {"day": self.day, "month": self.month, "year": self.year}

    @classmethod
    def of(cls, date: dt.date) -> DateEntry:
        """A date shown on a form before anything was typed (today, usually)."""
        return cls(str(date.day), str(date.month), str(date.year), date, "")


def read_date(data: Mapping[str, str], prefix: str, label: str) -> DateEntry:
    """Read `<prefix>_day`, `<prefix>_month` and `<prefix>_year`; `label` names the field."""
    day, month, year = (
        data.get(f"{prefix}_{part}", "").strip() for part in ("day", "month", "year")
    )
    if not (day or month or year):
        return DateEntry(day, month, year, None, f"Enter the {label}")
    missing = [
        name for name, value in (("day", day), ("month", month), ("year", year)) if not value
    ]
    if missing:
        return DateEntry(day, month, year, None, f"The {label} must include a {missing[0]}")
    if not (day.isdecimal() and month.isdecimal() and year.isdecimal()) or len(year) != 4:
        return DateEntry(day, month, year, None, f"The {label} must be a real date, like 27 3 2025")
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return DateEntry(day, month, year, None, f"The {label} must be a real date, like 27 3 2025")
    return DateEntry(day, month, year, date, "")


def with_error(entry: DateEntry, error: str) -> DateEntry:
    """The same entry with a problem found later (in the future, before the start)."""
    return DateEntry(entry.day, entry.month, entry.year, entry.date, error)
