"""The Audit Commission calculation: what the area would gain if every neighbourhood did as well
as its best quarter.

For a measure where lower is better (emergency admissions, delayed days, permanent care
home admissions), per 100,000 people: the *best quartile* rate is the 25th percentile of
the neighbourhoods' rates; each neighbourhood with a higher rate would have had
(rate - best quartile rate) x its population / 100,000 fewer events at the best quartile's
rate; the sum over neighbourhoods is the area's gap, and the gap times a unit cost is what
that activity costs. The Audit Commission used this "if everyone matched the best quartile"
benchmark in its value-for-money studies of councils and the NHS.

Percentile method: linear interpolation between the sorted rates (Hyndman and Fan's type
7, as Excel's PERCENTILE.INC and numpy's default): position (n - 1) x 0.25 counting from 0.

Pure Python (no Django, no engine) so the arithmetic is tested with hand-worked numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from joinedup.outcomes.catalogue import PER_100K
from joinedup.reference import figure

BEST_QUARTILE = 0.25
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class UnitCost:
    gbp: float
    per: str  # what one unit is ("emergency admission")
    basis: str  # how the figure was made from england.toml, in words
    source: str


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    metric: str  # docs/metrics.md base name whose figures are used
    events: str  # what is counted, plural ("emergency admissions")
    population: str  # what the rate is per ("people", "people aged 65 and over")
    cost: UnitCost


def unit_costs() -> dict[str, UnitCost]:
    """The three unit costs, from reference/england.toml's [costs_gbp]."""
    source = str(figure("costs_gbp.source"))
    admission = float(figure("costs_gbp.emergency_admission_average"))
    bed_day = float(figure("costs_gbp.excess_bed_day"))
    care_home_week = float(figure("costs_gbp.residential_home_week_65plus"))
    return {
        "emergency_admission": UnitCost(
            admission,
            "emergency admission",
            "the average cost of an emergency admission (derived from the long- and short-stay "
            "costs)",
            source,
        ),
        "delayed_day": UnitCost(
            bed_day,
            "delayed day",
            "the cost of an excess bed day (2016-17 prices, not uprated)",
            source,
        ),
        "care_home_admission": UnitCost(
            care_home_week * WEEKS_PER_YEAR,
            "permanent care home admission",
            f"one year's residential care placement for a person aged 65 or over: "
            f"£{care_home_week:,.0f} a week x {WEEKS_PER_YEAR} "
            "weeks; nursing homes cost more, so this errs low",
            source,
        ),
    }


def measures() -> tuple[Measure, ...]:
    costs = unit_costs()
    return (
        Measure(
            "emergency_admissions",
            "Emergency admissions",
            "emergency_admissions_per_100k",
            "emergency admissions",
            "people",
            costs["emergency_admission"],
        ),
        Measure(
            "delayed_days",
            "Delayed days",
            "delayed_days",
            "delayed days",
            "people",
            costs["delayed_day"],
        ),
        Measure(
            "care_home_admissions",
            "Permanent care home admissions, 65 and over",
            "care_home_admissions_65plus_per_100k",
            "permanent care home admissions",
            "people aged 65 and over",
            costs["care_home_admission"],
        ),
    )


@dataclass(frozen=True)
class NeighbourhoodCount:
    """One neighbourhood's events and population over the year."""

    neighbourhood_id: str
    events: float
    population: float

    @property
    def rate(self) -> float | None:
        """Events per 100,000 people; None with no population."""
        if not self.population:
            return None
        return self.events * PER_100K / self.population


@dataclass(frozen=True)
class Gap:
    neighbourhood_id: str
    events: float
    population: float
    rate: float | None
    fewer: float  # events saved at the best quartile's rate (0 when at or better than it)
    gbp: float


@dataclass(frozen=True)
class Saving:
    measure: Measure
    best_quartile_rate: float
    gaps: tuple[Gap, ...]  # every neighbourhood, in the order given

    @property
    def fewer(self) -> float:
        return math.fsum(g.fewer for g in self.gaps)

    @property
    def gbp(self) -> float:
        return self.fewer * self.measure.cost.gbp

    @property
    def neighbourhoods_above(self) -> int:
        return sum(1 for g in self.gaps if g.fewer > 0)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` percentile by linear interpolation between order statistics (type 7)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= fraction <= 1:
        raise ValueError(f"percentile: fraction {fraction} is not between 0 and 1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def best_quartile_saving(measure: Measure, counts: Sequence[NeighbourhoodCount]) -> Saving | None:
    """The gap to the best quartile for each neighbourhood and in total; None when no
    neighbourhood has a population to make a rate from."""
    rates = [c.rate for c in counts if c.rate is not None]
    if not rates:
        return None
    best = percentile(rates, BEST_QUARTILE)
    gaps = []
    for count in counts:
        rate = count.rate
        fewer = 0.0
        if rate is not None and rate > best:
            fewer = (rate - best) * count.population / PER_100K
        gaps.append(
            Gap(
                neighbourhood_id=count.neighbourhood_id,
                events=count.events,
                population=count.population,
                rate=rate,
                fewer=fewer,
                gbp=fewer * measure.cost.gbp,
            )
        )
    return Saving(measure=measure, best_quartile_rate=best, gaps=tuple(gaps))
