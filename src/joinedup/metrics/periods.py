"""Reporting periods: calendar months, quarters and financial years, [start, end] inclusive.

Only periods wholly inside the lake's observation window are reported (docs/metrics.md), so a
window that starts mid-month loses that month rather than reporting part of one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joinedup.metrics.errors import MetricsError

PERIOD_KINDS = ("month", "quarter", "year")


class PeriodError(MetricsError):
    """The periods asked for do not fit the lake's observation window."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def midpoint(self) -> dt.date:
        """start + floor((end - start) / 2) days: the day a denominator population is taken."""
        return self.start + dt.timedelta(days=(self.end - self.start).days // 2)


def period_start(day: dt.date, kind: str) -> dt.date:
    """The first day of the period of `kind` that contains `day`."""
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if kind == "year":
        return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    raise PeriodError(f"period: expected one of {', '.join(PERIOD_KINDS)}, found {kind!r}")


def _next_start(start: dt.date, kind: str) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods(
    kind: str,
    window: tuple[dt.date, dt.date],
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[Period]:
    """Whole periods inside `window`, from the one containing `first` to the one containing
    `last`; a clear PeriodError when the dates fall outside the window or no period fits."""
    observation_start, observation_end = window
    period_start(observation_start, kind)  # validates kind
    for option, day in (("first", first), ("last", last)):
        if day is not None and not observation_start <= day <= observation_end:
            raise PeriodError(
                f"`{option}` {day.isoformat()} is outside the lake's observation window "
                f"{observation_start.isoformat()} to {observation_end.isoformat()}",
                field=option,
            )
    if first is not None and last is not None and last < first:
        raise PeriodError(
            f"`last` {last.isoformat()} is before `first` {first.isoformat()}",
            field="last",
            mentions=["first"],
        )
    start = period_start(first or observation_start, kind)
    stop = last or observation_end
    result: list[Period] = []
    while start <= stop:
        following = _next_start(start, kind)
        period = Period(start, following - dt.timedelta(days=1))
        if period.start >= observation_start and period.end <= observation_end:
            result.append(period)
        start = following
    if not result:
        span = f"{(first or observation_start).isoformat()} to {stop.isoformat()}"
        raise PeriodError(
            f"no whole {kind} lies inside {span} and the lake's observation window "
            f"{observation_start.isoformat()} to {observation_end.isoformat()}"
        )
    return result
