"""The outcome metrics: name, kind of value, what their counts are, definition and query.

The publication rule treats counts of people or events, day totals and money differently,
so each metric says which its numerator and denominator are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis.expr.types as ir

from joinedup.lake.schema import BUDGET_FUNDERS, DELAY_REASONS
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
    definition: str = ""  # what is counted, in words: docs/metrics.md is made from it

    @property
    def row_names(self) -> tuple[str, ...]:
        return (self.name, *(f"{self.name}:{part}" for part in self.parts))


METRICS: tuple[Metric, ...] = (
    Metric(1, "emergency_admissions_65plus_per_100k", RATE, d.emergency_admissions_65plus,
           COUNT, COUNT, POPULATION_65,
           definition=(
               "Emergency hospital admissions (spells with admission method `emergency`) of "
               "people aged 65 or over on the admission date, admitted in the period, per "
               "100,000 people aged 65 or over."
           )),
    Metric(2, "emergency_admissions_per_100k", RATE, d.emergency_admissions_all, COUNT, COUNT,
           POPULATION,
           definition=(
               "Emergency hospital admissions of people of any age, admitted in the period, per "
               "100,000 people."
           )),
    Metric(3, "avoidable_admissions_per_100k", RATE, d.avoidable_admissions, COUNT, COUNT,
           POPULATION,
           definition=(
               "Emergency admissions for ambulatory care sensitive conditions (spells flagged "
               "`acsc`), admitted in the period, per 100,000 people. Crude: the national figure "
               "is indirectly standardised."
           )),
    Metric(4, "falls_admissions_65plus_per_100k", RATE, d.falls_admissions_65plus, COUNT,
           COUNT, POPULATION_65,
           definition=(
               "Emergency admissions after a fall (spells flagged `fall`) of people aged 65 or "
               "over on the admission date, admitted in the period, per 100,000 people aged 65 "
               "or over. Crude: the national figure is directly age-standardised."
           )),
    Metric(5, "discharge_to_usual_residence_pct", PERCENTAGE, d.discharge_to_usual_residence,
           COUNT, COUNT,
           definition=(
               "Of the hospital spells ending in the period with a recorded discharge "
               "destination other than death, the share discharged to their usual place of "
               "residence."
           )),
    Metric(6, "discharged_on_ready_date_pct", PERCENTAGE, d.discharged_on_ready_date, COUNT,
           COUNT,
           definition=(
               "Of the adult delay spells (discharged in the period, 18 or over at discharge, "
               "ready-for-discharge date recorded), the share discharged on the day they were "
               "ready (a delay of 0 days). Delay is the whole days from the ready date to the "
               "discharge date, never below 0, and counts entirely in the period of discharge."
           )),
    Metric(7, "mean_discharge_delay_days", MEAN, d.mean_delay_of_delayed, DAYS, COUNT,
           definition=(
               "The mean delay of the adult delay spells that were delayed: the days of delay "
               "summed over spells with a delay over 0, divided by the number of those spells."
           )),
    Metric(8, "delayed_days", TOTAL, d.delayed_days, DAYS, None,
           parts=(*DELAY_REASONS, d.UNRECORDED),
           definition=(
               "The days of delay summed over adult delay spells, with no denominator; also one "
               "row per delay reason as `delayed_days:<reason>`, and `delayed_days:unrecorded` "
               "for delayed spells with no reason given."
           )),
    Metric(9, "care_home_admissions_65plus_per_100k", RATE, d.care_home_admissions_65plus,
           COUNT, COUNT, POPULATION_65,
           definition=(
               "People aged 65 or over starting a permanent residential or nursing care package "
               "funded by the council (or the pooled fund) in the period, each person once per "
               "period, per 100,000 people aged 65 or over (the shape of ASCOF 2A). A package "
               "that starts while, or the day after, another permanent residential or nursing "
               "package of the same person was in place is a move between homes and is not "
               "counted."
           )),
    Metric(10, "reablement_at_home_91d_pct", PERCENTAGE, d.reablement_at_home_91d, COUNT,
           COUNT,
           definition=(
               "Of the discharges in the period of people aged 65 or over (not by death) "
               "followed by a reablement or intermediate care package linked to that spell, the "
               "share who on the 91st day after discharge are alive, not in hospital and not in "
               "a residential or nursing care package (the shape of ASCOF 2B(1)). A discharge "
               "whose 91st day falls after the lake's observation end is left out of both "
               "counts; every period counts, not only October to December."
           )),
    Metric(11, "two_hour_response_pct", PERCENTAGE, d.two_hour_response, COUNT, COUNT,
           definition=(
               "Of the rapid response contacts in the period with a response time recorded, the "
               "share reached within 120 minutes (the urgent community response standard asks "
               "for 70%)."
           )),
    Metric(12, "pooled_budget_spent_pct", PERCENTAGE, d.pooled_budget_spent, MONEY, MONEY,
           parts=BUDGET_FUNDERS, area_only=True,
           definition=(
               "Money spent (a missing figure counts as 0) as a share of money planned, over the "
               "budget lines whose dates overlap the period (whole lines, not pro-rated); whole "
               "area only, in total and per funder as `pooled_budget_spent_pct:<funder>`."
           )),
    Metric(13, "mean_discharge_delay_all_days", MEAN, d.mean_delay_of_all, DAYS, COUNT,
           definition=(
               "The mean delay over all adult delay spells, delayed or not: the days of delay "
               "summed, divided by the number of adult delay spells (the Better Care Fund "
               "2025-26 shape)."
           )),
)  # fmt: skip

BY_NAME = {metric.name: metric for metric in METRICS}
