"""The outcome metrics as the dashboards present them: titles, units and which way is better.

The definitions themselves are docs/metrics.md's (computed by joinedup.metrics); this is what a
commissioner reads beside them. `direction` says which way a neighbourhood is better than
the area: "lower" (admissions, delays), "higher" (good outcomes) or None (budget spend,
where neither way is better in itself). Pure Python: no Django, so the calculation
module and tests can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["lower", "higher"] | None

# The delayed-days count becomes a rate for comparison: days per 100,000 people, using
# the population that metric 2 (all ages) takes as its denominator on the same dates.
POPULATION_METRIC = "emergency_admissions_per_100k"
PER_100K = 100_000


@dataclass(frozen=True)
class MetricInfo:
    name: str  # docs/metrics.md's base name
    number: int  # its number in docs/metrics.md
    title: str  # a heading, sentence case
    unit: str  # what a value is, for axes and tables ("per 100,000 people")
    counts: str  # the numerator and denominator in words
    direction: Direction
    numerator_label: str = "Numerator"
    denominator_label: str = "Denominator"
    # How a 95% confidence interval is made from the counts: "rate" (events over a
    # population, Byar's method), "proportion" (Wilson's score interval), or None when the
    # stored figures cannot give one (day totals and means, whose spread is not stored).
    interval: Literal["rate", "proportion"] | None = None
    decimals: int = 1
    area_only: bool = False  # reported for the whole area ('ALL') only
    per_population: bool = False  # a count shown per 100,000 people (delayed days)

    @property
    def better(self) -> str:
        if self.direction == "lower":
            return "Lower is better."
        if self.direction == "higher":
            return "Higher is better."
        return "Neither higher nor lower is better in itself."


METRIC_CATALOGUE: tuple[MetricInfo, ...] = (
    MetricInfo(
        "emergency_admissions_65plus_per_100k", 1, "Emergency admissions, people 65 and over",
        "admissions per 100,000 people aged 65 and over",
        "emergency admissions of people aged 65 or over / people aged 65 or over", "lower",
        "Admissions", "People 65 and over", "rate", decimals=0,
    ),
    MetricInfo(
        "emergency_admissions_per_100k", 2, "Emergency admissions, all ages",
        "admissions per 100,000 people",
        "emergency admissions / registered population", "lower",
        "Admissions", "Population", "rate", decimals=0,
    ),
    MetricInfo(
        "avoidable_admissions_per_100k", 3,
        "Emergency admissions for ambulatory care sensitive conditions",
        "admissions per 100,000 people",
        "emergency admissions for a chronic ambulatory care sensitive condition / "
        "registered population", "lower",
        "Admissions", "Population", "rate", decimals=0,
    ),
    MetricInfo(
        "falls_admissions_65plus_per_100k", 4, "Emergency admissions after a fall, 65 and over",
        "admissions per 100,000 people aged 65 and over",
        "emergency admissions after a fall, aged 65 or over / people aged 65 or over", "lower",
        "Admissions", "People 65 and over", "rate", decimals=0,
    ),
    MetricInfo(
        "discharge_to_usual_residence_pct", 5, "Discharges to the usual place of residence",
        "% of discharges",
        "discharges to the usual place of residence / discharges with a known destination "
        "(deaths left out)", "higher",
        "To usual residence", "Discharges", "proportion",
    ),
    MetricInfo(
        "discharged_on_ready_date_pct", 6, "Adults discharged on their discharge ready date",
        "% of adult discharges",
        "adults discharged on the day they were ready / adults discharged with a ready date",
        "higher",
        "On the ready date", "Adult discharges", "proportion",
    ),
    MetricInfo(
        "mean_discharge_delay_days", 7, "Average delay of those delayed",
        "days per delayed discharge",
        "delayed days / adult discharges with a delay", "lower",
        "Delayed days", "Delayed discharges",
    ),
    MetricInfo(
        "delayed_days", 8, "Delayed days", "delayed days per 100,000 people",
        "days adults stayed in hospital after their discharge ready date / registered "
        "population (the population of metric 2)", "lower",
        "Delayed days", "Population", decimals=0, per_population=True,
    ),
    MetricInfo(
        "care_home_admissions_65plus_per_100k", 9,
        "Permanent care home admissions, 65 and over",
        "admissions per 100,000 people aged 65 and over",
        "people aged 65 or over starting a council-supported permanent care home placement / "
        "people aged 65 or over", "lower",
        "Admissions", "People 65 and over", "rate", decimals=0,
    ),
    MetricInfo(
        "reablement_at_home_91d_pct", 10, "At home 91 days after reablement",
        "% of people discharged to reablement",
        "people 65 or over at home 91 days after a discharge to reablement or intermediate care"
        " / such discharges", "higher",
        "At home at 91 days", "Discharges", "proportion",
    ),
    MetricInfo(
        "two_hour_response_pct", 11, "Urgent community response within two hours",
        "% of urgent responses",
        "rapid response contacts reached within two hours / rapid response contacts with a "
        "response time", "higher",
        "Within two hours", "Responses", "proportion",
    ),
    MetricInfo(
        "pooled_budget_spent_pct", 12, "Pooled budget spent", "% of the planned budget",
        "money spent / money planned, over budget lines overlapping the period", None,
        "Spent (£)", "Planned (£)", area_only=True,
    ),
    MetricInfo(
        "mean_discharge_delay_all_days", 13, "Average delay over all adult discharges",
        "days per adult discharge",
        "delayed days / adult discharges with a ready date", "lower",
        "Delayed days", "Adult discharges", decimals=2,
    ),
)  # fmt: skip

METRICS_BY_NAME: dict[str, MetricInfo] = {m.name: m for m in METRIC_CATALOGUE}


def base_name(metric: str) -> str:
    """'delayed_days:awaiting_care_package' -> 'delayed_days'."""
    return metric.split(":", 1)[0]


def variant_label(metric: str) -> str:
    """What a per-reason or per-funder row is about, in words ('' for the metric itself)."""
    _, _, variant = metric.partition(":")
    labels = {"nhs": "NHS", "council": "Council", "pooled": "Pooled"}
    return labels.get(variant) or variant.replace("_", " ").capitalize()


def compare(
    value: float | None,
    area: float | None,
    direction: Direction,
    interval: tuple[float, float] | None = None,
) -> str:
    """'better', 'worse' or 'same' than the area, or '' when it cannot be said.

    With a 95% confidence `interval` for the value, one that contains the area's value
    gives 'similar': the difference may well be chance.
    """
    if value is None or area is None or direction is None:
        return ""
    if interval is not None and interval[0] <= area <= interval[1]:
        return "similar"
    if value == area:
        return "same"
    lower = value < area
    return "better" if lower == (direction == "lower") else "worse"
