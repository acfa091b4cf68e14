"""The daily situation report and the discharge delay metrics of the last 30 days.

The situation report counts the adults delayed in hospital on a day (inpatients.delayed_values:
in hospital at the day's end with a ready date on or before it), in the shape of the
national discharge delays collection: by delay reason and by length of delay, in the
collection's bands (inpatients.DELAY_BANDS), with the total days delayed. Adults only,
18 or over on the day, as the collection counts adults. A delay of 0 days (the ready date
is the day itself) is in the 0-1 band.

The CSV's columns, one row per reason x band (zeros included):
- date: the day counted (ISO 8601);
- delay_reason: the spell's delay reason from docs/lake.md's list, or `unrecorded`;
- delay_band: 0-1, 2-3, 4-6, 7-13, 14-20 or 21+ days;
- people: adults delayed on the day with that reason and length of delay;
- delayed_days: the sum of their days delayed (from the ready date to the day).
Totals follow, marked `all`: each reason's row with delay_band `all`, then each band's
with delay_reason `all`, last `all`, `all`. Sum only the rows without `all`.

The metrics are docs/metrics.md's 6, 7 and 8 over adult delay spells (discharged in the period,
18 or over at discharge, ready date recorded; delay = max(0, discharge - ready) days),
from the operational database, for the whole area and each neighbourhood (the person's).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from joinedup.lake import schema
from joinedup.record.age import age_on
from joinedup.record.models import HospitalSpell, Neighbourhood
from joinedup.transfers.inpatients import DELAY_BANDS, days_delayed_on, delay_band, delayed_values
from joinedup.transfers.plan_words import DELAY_REASON_WORDS

ADULT_AGE = 18
UNRECORDED = "unrecorded"  # a delayed spell with no reason (docs/metrics.md's name for it)
REASONS = (*schema.DELAY_REASONS, UNRECORDED)
BANDS = tuple(name for name, _, _ in DELAY_BANDS)
ALL = "all"
COLUMNS = ("date", "delay_reason", "delay_band", "people", "delayed_days")
METRIC_DAYS = 30  # the page's metrics cover the 30 days to the report's day


def reason_text(reason: str) -> str:
    if reason == UNRECORDED:
        return "No reason recorded"
    return DELAY_REASON_WORDS.get(reason, reason)


@dataclass(frozen=True)
class SituationReport:
    day: dt.date
    people: dict[tuple[str, str], int]  # (reason, band): adults delayed
    days: dict[tuple[str, str], int]  # (reason, band): their days delayed

    def _sum(self, table: dict[tuple[str, str], int], reason: str, band: str) -> int:
        return sum(n for (r, b), n in table.items() if reason in (ALL, r) and band in (ALL, b))

    def people_in(self, reason: str = ALL, band: str = ALL) -> int:
        return self._sum(self.people, reason, band)

    def days_in(self, reason: str = ALL, band: str = ALL) -> int:
        return self._sum(self.days, reason, band)

    def rows(self) -> list[tuple[str, str, str, int, int]]:
        """The CSV's rows (the module's docstring describes them)."""
        day = self.day.isoformat()
        out = []
        for reason in REASONS:
            for band in (*BANDS, ALL):
                out.append(
                    (day, reason, band, self.people_in(reason, band), self.days_in(reason, band))
                )
        for band in (*BANDS, ALL):
            out.append((day, ALL, band, self.people_in(ALL, band), self.days_in(ALL, band)))
        return out

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(self.rows())
        return buffer.getvalue()


def situation_report(day: dt.date) -> SituationReport:
    """The adults delayed in hospital on `day`, by reason and length of delay."""
    people: dict[tuple[str, str], int] = defaultdict(int)
    days: dict[tuple[str, str], int] = defaultdict(int)
    rows = delayed_values(day, "delay_reason", "ready_for_discharge_date", "person__birth_date")
    for reason, ready, birth in rows:
        assert ready is not None  # delayed_values: a ready date on or before the day
        if age_on(birth, day) < ADULT_AGE:
            continue
        delay = days_delayed_on(ready, day)
        key = (reason or UNRECORDED, delay_band(delay))
        people[key] += 1
        days[key] += delay
    return SituationReport(day, dict(people), dict(days))


@dataclass
class DelayMetrics:
    """Metrics 6, 7 and 8 for one area (neighbourhood None: the whole area) and period."""

    neighbourhood_id: str | None
    area: str
    spells: int = 0  # adult delay spells: the denominator of metric 6
    on_ready_date: int = 0  # of those, discharged on the ready date (delay 0)
    delayed: int = 0  # of those, delay > 0: the denominator of metric 7
    delayed_days: int = 0  # metric 8, and the numerator of metric 7
    by_reason: dict[str, int] = field(default_factory=dict)  # metric 8 by reason

    @property
    def on_ready_date_pct(self) -> float | None:
        """Metric 6: discharged on the ready date, % of adult delay spells."""
        return self.on_ready_date * 100 / self.spells if self.spells else None

    @property
    def mean_delay(self) -> float | None:
        """Metric 7: the mean delay in days of those delayed."""
        return self.delayed_days / self.delayed if self.delayed else None

    def add(self, reason: str, delay: int) -> None:
        self.spells += 1
        self.on_ready_date += delay == 0
        self.delayed += delay > 0
        self.delayed_days += delay
        self.by_reason[reason] = self.by_reason.get(reason, 0) + delay


def metric_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The 30 days to `day`, both ends included."""
    return day - dt.timedelta(days=METRIC_DAYS - 1), day


def delay_metrics(start: dt.date, end: dt.date) -> list[DelayMetrics]:
    """Metrics 6, 7, 8 for [start, end]: the whole area first, then every neighbourhood
    (zeros included), as docs/metrics.md defines them."""
    area = DelayMetrics(None, "Whole area")
    places = {
        pk: DelayMetrics(pk, name or pk)
        for pk, name in Neighbourhood.objects.values_list("id", "name")
    }
    rows = HospitalSpell.objects.filter(
        discharge_date__gte=start, discharge_date__lte=end, ready_for_discharge_date__isnull=False
    ).values_list(
        "discharge_date",
        "ready_for_discharge_date",
        "delay_reason",
        "person__birth_date",
        "person__neighbourhood_id",
    )
    for discharged, ready, reason, birth, place in rows.iterator(chunk_size=2000):
        assert discharged is not None and ready is not None  # as filtered
        if age_on(birth, discharged) < ADULT_AGE:
            continue
        delay = max(0, (discharged - ready).days)
        for metrics in (area, places[place]):
            metrics.add(reason or UNRECORDED, delay)
    return [area, *places.values()]
