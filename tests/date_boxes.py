"""What a browser sends from the NHS.UK date input (and the time box beside it): the three
boxes <prefix>_day, _month, _year, as joinedup.forms.dates.read_date reads them."""

from __future__ import annotations

import datetime as dt


def date_boxes(prefix: str, date: dt.date | dt.datetime) -> dict[str, str]:
    """The boxes filled with `date`, written as people type it (no leading zeros)."""
    return {
        f"{prefix}_day": str(date.day),
        f"{prefix}_month": str(date.month),
        f"{prefix}_year": str(date.year),
    }


def typed_boxes(prefix: str, day: str, month: str, year: str) -> dict[str, str]:
    """The boxes as typed, right or wrong."""
    return {f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year}
