"""Dates typed into a form, and dates written as text: the one parser.

Every form takes a date in the NHS.UK date input (day, month and year boxes), read by
read_date (read_optional_date where it may be left out), whose every message names the
field (the label staff see), so the error summary and the message beside the boxes say the
same thing, as the NHS.UK pattern asks. A date written as text (what a page stored as
text, a JSON API's ISO date) is read by parse_date in the formats its caller accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

# The NHS.UK date input's boxes, in the order people fill them in (<prefix>_day, ...).
DATE_PARTS = ("day", "month", "year")
# A format that is not strptime's: datetime.date.fromisoformat (2025-03-14, also 20250314).
ISO_8601 = "ISO 8601"
# What a date input sends (2025-03-14), or a date written the British way (14/03/2025).
ISO_OR_DAY_FIRST = ("%Y-%m-%d", "%d/%m/%Y")
# As ISO_OR_DAY_FIRST, and the ways people type a date without slashes (14-03-2025, 14 03 2025).
TYPED = (*ISO_OR_DAY_FIRST, "%d-%m-%Y", "%d %m %Y")


def parse_date(text: str, formats: tuple[str, ...] = TYPED) -> dt.date | None:
    """The date in `text` (spaces around it ignored), in the first of `formats` that fits;
    None when none does or it is not a real date (31/02/2025)."""
    text = text.strip()
    for fmt in formats:
        try:
            if fmt == ISO_8601:
                return dt.date.fromisoformat(text)
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


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

    @classmethod
    def blank(cls) -> DateEntry:
        """Empty boxes, for a form shown before anything was typed."""
        return cls("", "", "", None, "")

    @classmethod
    def of_optional(cls, date: dt.date | None) -> DateEntry:
        """A saved date that may be missing (a plan's review, a stay's ready date)."""
        return cls.of(date) if date else cls.blank()

    @property
    def typed(self) -> bool:
        """Whether any box holds anything."""
        return bool(self.day or self.month or self.year)


def read_date(
    data: Mapping[str, str], prefix: str, label: str, *, example: str = "27 3 2025"
) -> DateEntry:
    """Read `<prefix>_day`, `<prefix>_month` and `<prefix>_year`; `label` names the field
    in every message, and `example` is the real date a message shows."""
    day, month, year = (data.get(f"{prefix}_{part}", "").strip() for part in DATE_PARTS)
    if not (day or month or year):
        return DateEntry(day, month, year, None, f"Enter the {label}")
    missing = [
        name for name, value in (("day", day), ("month", month), ("year", year)) if not value
    ]
    if missing:
        return DateEntry(day, month, year, None, f"The {label} must include a {missing[0]}")
    not_real = f"The {label} must be a real date, like {example}"
    if not (day.isdecimal() and month.isdecimal() and year.isdecimal()) or len(year) != 4:
        return DateEntry(day, month, year, None, not_real)
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return DateEntry(day, month, year, None, not_real)
    return DateEntry(day, month, year, date, "")


def read_optional_date(
    data: Mapping[str, str], prefix: str, label: str, *, example: str = "27 3 2025"
) -> DateEntry:
    """As read_date, for a date a form may leave out: three blank boxes are no date (and no
    problem); anything typed is read and checked."""
    entry = read_date(data, prefix, label, example=example)
    return entry if entry.typed else DateEntry.blank()


def with_error(entry: DateEntry, error: str) -> DateEntry:
    """The same entry with a problem found later (in the future, before the start)."""
    return DateEntry(entry.day, entry.month, entry.year, entry.date, error)
