"""The long form of docs/metrics.md made from an engine's counts, the same way for every engine.

Every neighbourhood and the whole area ('ALL', the sum of its neighbourhoods: each person
belongs to exactly one) gets a row for every period, zero counts included, and values are
divided here in float64 so engines cannot differ in rounding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from joinedup.metrics.catalogue import MEAN, PERCENTAGE, RATE, TOTAL, Metric
from joinedup.metrics.periods import Period

AREA = "ALL"

SCHEMA = pa.schema(
    [
        ("metric", pa.string()),
        ("neighbourhood_id", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),
        ("suppressed", pa.bool_()),
    ]
)

Key = tuple[str, str, dt.date]  # row name, group, period start


def value_of(kind: str, numerator: float, denominator: float | None) -> float | None:
    """Rate per 100,000, percentage, mean or total; null for a zero or missing denominator."""
    if kind == TOTAL:
        return numerator
    if not denominator:
        return None
    scale = {RATE: 100_000.0, PERCENTAGE: 100.0, MEAN: 1.0}[kind]
    return numerator * scale / denominator


def _sums(rows: Iterable[Mapping[str, Any]], metric: Metric) -> dict[Key, list[float]]:
    """Counts by (row name, group, period), with the area's totals added up."""
    sums: dict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in rows:
        name = f"{metric.name}:{row['part']}" if row["part"] else metric.name
        for group in {row["neighbourhood_id"], AREA}:
            total = sums[(name, group, row["period_start"])]
            total[0] += row["numerator"] or 0.0
            total[1] += row["denominator"] or 0.0  # null where the metric has none
    return sums


def assemble(
    metric: Metric,
    counts: pa.Table,
    population: Mapping[tuple[str, dt.date], Mapping[str, int]],
    neighbourhoods: list[str],
    periods: list[Period],
) -> list[dict[str, Any]]:
    """The long-form rows of one metric (all its row names, groups and periods)."""
    sums = _sums(counts.to_pylist(), metric)
    groups = [AREA] if metric.area_only else [*neighbourhoods, AREA]
    rows: list[dict[str, Any]] = []
    for name in metric.row_names:
        for group in groups:
            for period in periods:
                numerator, count = sums.get((name, group, period.start), (0.0, 0.0))
                denominator: float | None = count
                if metric.population is not None:
                    denominator = float(population[(group, period.start)][metric.population])
                elif metric.denominator is None:
                    denominator = None
                rows.append(
                    {
                        "metric": name,
                        "neighbourhood_id": group,
                        "period_start": period.start,
                        "period_end": period.end,
                        "numerator": numerator,
                        "denominator": denominator,
                        "value": value_of(metric.kind, numerator, denominator),
                        "suppressed": False,
                    }
                )
    return rows


def population_by_group(
    counts: pa.Table, neighbourhoods: list[str], periods: list[Period]
) -> dict[tuple[str, dt.date], dict[str, int]]:
    """Population and population aged 65+ on each period's midpoint, per group and area."""
    result: dict[tuple[str, dt.date], dict[str, int]] = {
        (group, period.start): {"population": 0, "population_65": 0}
        for group in [*neighbourhoods, AREA]
        for period in periods
    }
    for row in counts.to_pylist():
        for group in (row["neighbourhood_id"], AREA):
            result[(group, row["period_start"])][row["measure"]] += int(row["people"])
    return result


def to_table(rows: list[dict[str, Any]]) -> pa.Table:
    rows.sort(key=lambda r: (r["metric"], r["neighbourhood_id"], r["period_start"]))
    return pa.Table.from_pylist(rows, schema=SCHEMA)
