"""Days and months as the generator counts them: int32 days since 1970-01-01 (Arrow's date32).

Working in day numbers keeps every date a plain integer array, so events are drawn and
compared with numpy, and converted to Parquet dates without a Python loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

EPOCH = dt.date(1970, 1, 1)
NEVER = np.int32(2**31 - 1)  # "not (yet)": a day after every real day
LONG_AGO = np.int32(-(2**30))  # "never happened": a day before every real day
DAY_US = 86_400 * 1_000_000  # microseconds in a day (for instants)
MAX_AGE = 110  # hazard tables run over ages 0..MAX_AGE-1; older people use the last age

Days = npt.NDArray[np.int32]


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def to_date(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


@dataclass(frozen=True)
class Month:
    """One calendar month of the window: [start, end] in day numbers, end clipped to the window."""

    index: int
    year: int
    month: int
    start: int
    end: int

    @property
    def days(self) -> int:
        return self.end - self.start + 1

    @property
    def calendar_days(self) -> int:
        """Days in the whole calendar month (the hazards are monthly rates over these)."""
        nxt = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return (nxt - dt.date(self.year, self.month, 1)).days

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def fraction(self) -> float:
        """Share of the calendar month inside the window (1 except perhaps the last month)."""
        return self.days / self.calendar_days


def window_months(start: dt.date, end: dt.date) -> list[Month]:
    """Every calendar month from start (a first of the month) to the month holding end."""
    months = []
    year, month = start.year, start.month
    last = day_number(end)
    index = 0
    while True:
        first = dt.date(year, month, 1)
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        months.append(Month(index, year, month, day_number(first), min(day_number(nxt) - 1, last)))
        if day_number(nxt) > last:
            return months
        year, month = nxt.year, nxt.month
        index += 1


def split_days(days: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    """Year and month*100+day of each day number (for ages in completed years)."""
    d = days.astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) + 1970
    months = d.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return years.astype(np.int16), (month * 100 + day).astype(np.int16)


def ages_on(
    birth_year: npt.NDArray[np.int16], birth_md: npt.NDArray[np.int16], on: dt.date
) -> npt.NDArray[np.int16]:
    """Age in completed years on a date, as docs/lake.md defines it (capped at MAX_AGE - 1)."""
    md = on.month * 100 + on.day
    age = (on.year - birth_year.astype(np.int32)) - (md < birth_md)
    return np.clip(age, 0, MAX_AGE - 1).astype(np.int16)


def ages_at(
    birth_year: npt.NDArray[np.int16],
    birth_md: npt.NDArray[np.int16],
    days: npt.NDArray[np.int32],
) -> npt.NDArray[np.int16]:
    """Age in completed years of each person on their own day."""
    year, md = split_days(days)
    age = (year.astype(np.int32) - birth_year) - (md < birth_md)
    return np.clip(age, 0, MAX_AGE - 1).astype(np.int16)


def financial_years(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Every financial year (1 April to 31 March) that overlaps [start, end]."""
    first = start.year if start.month >= 4 else start.year - 1
    years = []
    year = first
    while dt.date(year, 4, 1) <= end:
        years.append((dt.date(year, 4, 1), dt.date(year + 1, 3, 31)))
        year += 1
    return years


def uniform_days(
    rng: np.random.Generator, first: npt.NDArray[np.integer], last: npt.NDArray[np.integer]
) -> Days:
    """A day drawn uniformly from each [first, last] (one draw each; `first` when empty)."""
    span = np.maximum(last.astype(np.int64) - first.astype(np.int64) + 1, 1)
    return (first + (rng.random(len(span)) * span).astype(np.int64)).astype(np.int32)
