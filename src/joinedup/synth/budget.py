"""The pooled budget: one line per scheme per financial year, planned and spent.

Spending is what the city actually used: each package's weekly cost for its days in the
year (a one-off equipment item at its unit cost), urgent community response visits, and
each live team's contacts. Plans are last year's pattern with the usual planning error
(a plan for a year the window cuts short is still a whole year's plan).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from joinedup.synth.budget_schemes import SCHEME_INDEX, SCHEMES
from joinedup.synth.care_packages import SERVICE as PACKAGE_SERVICE
from joinedup.synth.contact_stream import SERVICE
from joinedup.synth.eventlog import EventLog
from joinedup.synth.identifiers import make_ids
from joinedup.synth.timeline import NEVER, day_number


class BudgetLines:
    """Which line pays for each (scheme, financial year, neighbourhood), and the table of lines."""

    def __init__(self, years: list[tuple[dt.date, dt.date]], golive_day: npt.NDArray[np.int64]):
        self.years = years
        self.starts = np.array([day_number(a) for a, _ in years], dtype=np.int64)
        self.ends = np.array([day_number(b) for _, b in years], dtype=np.int64)
        keys: list[tuple[int, int, int]] = []  # scheme, year, neighbourhood (-1: area-wide)
        for y in range(len(years)):
            for s, plan in enumerate(SCHEMES):
                if plan.per_neighbourhood:
                    for team in np.flatnonzero(golive_day <= self.ends[y]).tolist():
                        keys.append((s, y, team))
                else:
                    keys.append((s, y, -1))
        self.keys = keys
        self.index = {key: i for i, key in enumerate(keys)}
        self.area_line = np.full((len(SCHEMES), len(years)), -1, dtype=np.int64)
        for i, (s, y, nb) in enumerate(keys):
            if nb < 0:
                self.area_line[s, y] = i

    def year_of(self, day: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
        """Index of the financial year holding each day (-1 outside every year)."""
        y = np.searchsorted(self.starts, day, side="right") - 1
        inside = (y >= 0) & (day <= self.ends[np.maximum(y, 0)])
        return np.where(inside, y, -1)

    def package_lines(self, packages: EventLog) -> npt.NDArray[np.int64]:
        """The line of each package: its scheme in the financial year it started (-1: none)."""
        scheme = packages["scheme"].astype(np.int64)
        year = self.year_of(packages["start"])
        ok = (scheme >= 0) & (year >= 0)
        return np.where(ok, self.area_line[np.maximum(scheme, 0), np.maximum(year, 0)], -1)

    def table(
        self,
        packages: EventLog,
        contact_year_costs: npt.NDArray[np.float64],
        team_year_costs: npt.NDArray[np.float64],
        window_start: int,
        window_end: int,
        equipment_cost: float,
        neighbourhood_ids: pa.Array,
        width: int,
        rng: np.random.Generator,
    ) -> pa.Table:
        spent = np.zeros(len(self.keys))
        scheme = packages["scheme"].astype(np.int64)
        has = scheme >= 0
        start = np.maximum(packages["start"][has].astype(np.int64), window_start)
        end = np.minimum(packages["end"][has].astype(np.int64), window_end)
        weekly = np.nan_to_num(packages["weekly_cost"][has].astype(np.float64))
        service = packages["service"][has]
        one_off = service == PACKAGE_SERVICE["equipment_adaptation"]
        for y in range(len(self.years)):
            lo = np.maximum(start, self.starts[y])
            hi = np.minimum(end, self.ends[y])
            days = np.maximum(hi - lo + 1, 0)
            cost = np.where(
                one_off,
                np.where((start >= self.starts[y]) & (start <= self.ends[y]), equipment_cost, 0.0),
                weekly * days / 7,
            )
            by_scheme = np.bincount(scheme[has], weights=cost, minlength=len(SCHEMES))
            for s in range(len(SCHEMES)):
                line = self.area_line[s, y]
                if line >= 0:
                    spent[line] += by_scheme[s]
            line = self.area_line[SCHEME_INDEX["rapid_response"], y]
            spent[line] += contact_year_costs[y]
        for i, (_, y, nb) in enumerate(self.keys):
            if nb >= 0:
                spent[i] += team_year_costs[y, nb]
        days_in = np.array(
            [
                max(0, min(self.ends[y], window_end) - max(self.starts[y], window_start) + 1)
                for y, _ in enumerate(self.years)
            ]
        )
        full = (self.ends - self.starts + 1).astype(np.float64)
        year_of_line = np.array([y for _, y, _ in self.keys], dtype=np.int64)
        annualised = spent * full[year_of_line] / np.maximum(days_in[year_of_line], 1)
        planned = np.maximum(
            np.round(annualised * rng.uniform(0.92, 1.1, len(self.keys)), -3), 1000.0
        )
        nb_index = np.array([nb for _, _, nb in self.keys], dtype=np.int64)
        names = [
            SCHEMES[s].name if nb < 0 else f"{SCHEMES[s].name}: {neighbourhood_ids[nb].as_py()}"
            for s, _, nb in self.keys
        ]
        return pa.table(
            {
                "line_id": make_ids("B", len(self.keys), width),
                "scheme": pa.array(names),
                "scheme_type": pa.array([SCHEMES[s].scheme_type for s, _, _ in self.keys]),
                "funder": pa.array([SCHEMES[s].funder for s, _, _ in self.keys]),
                "neighbourhood_id": neighbourhood_ids.take(pa.array(nb_index, mask=nb_index < 0)),
                "period_start": pa.array(
                    self.starts[year_of_line].astype(np.int32), pa.int32()
                ).cast(pa.date32()),
                "period_end": pa.array(self.ends[year_of_line].astype(np.int32), pa.int32()).cast(
                    pa.date32()
                ),
                "planned": pa.array(planned),
                "spent": pa.array(np.round(spent, 2)),
            }
        )


__all__ = ["NEVER", "SERVICE", "BudgetLines"]
