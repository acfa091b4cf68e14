"""The metrics of METRICS.md: name, kind of value, what their counts are, and their query.

The publication rule treats counts of people or events, day totals and money differently,
so each metric says which its numerator and denominator are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis.expr.types as ir

from joinedup.lake.schema import DELAY_REASONS
from joinedup.metrics import definitions as d

RATE, PERCENTAGE, MEAN, TOTAL = "rate", "percentage", "mean", "total"
COUNT, DAYS, MONEY = "count", "days", "money"
POPULATION, POPULATION_65 = "population", "population_65"


@dataclass(frozen=True)
class Metric:
    number: int
    name: str
    kind: str  # rate, percentage, mean or total
    query: Callable[[d.Sources], ir.Table]
    numerator: str  # count, days or money
    denominator: str | None  # count, money, or None (no denominator)
    population: str | None = None  # the denominator is this population on the midpoint
    parts: tuple[str, ...] = ()  # sub-metrics, reported as name:part
    area_only: bool = False

    @property
    def row_names(self) -> tuple[str, ...]:
        return (self.name, *(f"{self.name}:{part}" for part in self.parts))


METRICS: tuple[Metric, ...] = (
    Metric(1, "emergency_admissions_65plus_per_100k", RATE, d.emergency_admissions_65plus,
           COUNT, COUNT, POPULATION_65),
    Metric(2, "emergency_admissions_per_100k", RATE, d.emergency_admissions_all, COUNT, COUNT,
           POPULATION),
    Metric(3, "avoidable_admissions_per_100k", RATE, d.avoidable_admissions, COUNT, COUNT,
           POPULATION),
    Metric(4, "falls_admissions_65plus_per_100k", RATE, d.falls_admissions_65plus, COUNT,
           COUNT, POPULATION_65),
    Metric(5, "discharge_to_usual_residence_pct", PERCENTAGE, d.discharge_to_usual_residence,
           COUNT, COUNT),
    Metric(6, "discharged_on_ready_date_pct", PERCENTAGE, d.discharged_on_ready_date, COUNT,
           COUNT),
    Metric(7, "mean_discharge_delay_days", MEAN, d.mean_delay_of_delayed, DAYS, COUNT),
    Metric(8, "delayed_days", TOTAL, d.delayed_days, DAYS, None,
           parts=(*DELAY_REASONS, d.UNRECORDED)),
    Metric(9, "care_home_admissions_65plus_per_100k", RATE, d.care_home_admissions_65plus,
           COUNT, COUNT, POPULATION_65),
    Metric(10, "reablement_at_home_91d_pct", PERCENTAGE, d.reablement_at_home_91d, COUNT,
           COUNT),
    Metric(11, "two_hour_response_pct", PERCENTAGE, d.two_hour_response, COUNT, COUNT),
    Metric(12, "pooled_budget_spent_pct", PERCENTAGE, d.pooled_budget_spent, MONEY, MONEY,
           parts=d.BUDGET_FUNDERS, area_only=True),
    Metric(13, "mean_discharge_delay_all_days", MEAN, d.mean_delay_of_all, DAYS, COUNT),
)  # fmt: skip

BY_NAME = {metric.name: metric for metric in METRICS}
