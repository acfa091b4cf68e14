"""Running the metrics on a lake with one engine: check, count, assemble, publish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from joinedup.lake import Manifest, open_lake, read_table
from joinedup.lake.schema import TABLES
from joinedup.metrics import definitions as d
from joinedup.metrics.catalogue import BY_NAME, METRICS, Metric
from joinedup.metrics.engines import check_engine, connect, read_parquet
from joinedup.metrics.errors import MetricsError
from joinedup.metrics.long_form import assemble, population_by_group, to_table
from joinedup.metrics.periods import PERIOD_KINDS, PeriodError, periods
from joinedup.metrics.publication import publish_row


@dataclass(frozen=True)
class CheckedLake:
    """A lake that has passed the contract check, so several runs on it check it once."""

    path: Path
    manifest: Manifest
    tables: dict[str, Path]


def check_lake_for_metrics(lake: Path) -> CheckedLake:
    """The lake, checked (LakeError naming every problem when it breaks the contract)."""
    manifest, tables = open_lake(lake)
    return CheckedLake(Path(lake), manifest, tables)


LAKE_TABLES = {
    "person": "person",
    "spell": "hospital_spell",
    "package": "care_package",
    "contact": "contact",
    "budget_line": "budget_line",
}


def chosen_metrics(names: Sequence[str] | None) -> list[Metric]:
    """The metrics named (base names, as in docs/metrics.md), in catalogue order; all if None."""
    if not names:
        return list(METRICS)
    unknown = [name for name in names if name not in BY_NAME]
    if unknown:
        raise MetricsError(
            f"unknown metric {unknown[0]!r}; expected one of {', '.join(BY_NAME)}",
            field="metric",
        )
    return [metric for metric in METRICS if metric.name in names]


def check_request(period: str, engine: str, metrics: Sequence[str] | None) -> list[Metric]:
    """The metrics asked for, after refusing an unknown period kind, engine or metric."""
    check_engine(engine)
    if period not in PERIOD_KINDS:
        raise PeriodError(
            f"expected one of {', '.join(PERIOD_KINDS)}, found {period!r}", field="period"
        )
    return chosen_metrics(metrics)


def compute_metrics(
    lake: Path | CheckedLake,
    period: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    engine: str = "duckdb",
    metrics: Sequence[str] | None = None,
    spark_master: str | None = None,
    publish: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> pa.Table:
    """The long form of docs/metrics.md for `lake` (see docs/metrics.md); raises MetricsError or
    LakeError with one clear line before any work when the request or the lake is wrong.

    `on_step` is told the name of each step done: "checked" (the lake and the periods),
    "population", then "metrics"."""
    wanted = check_request(period, engine, metrics)
    checked = lake if isinstance(lake, CheckedLake) else check_lake_for_metrics(lake)
    manifest, paths = checked.manifest, checked.tables
    reported = periods(period, (manifest.observation_start, manifest.observation_end), start, end)
    neighbourhoods = sorted(
        read_table(checked.path, "neighbourhood", ["neighbourhood_id"]).column(0).to_pylist()
    )

    if on_step:
        on_step("checked")
    con = connect(engine, spark_master)
    try:
        tables = {
            key: read_parquet(con, paths[name], TABLES[name].column_names)
            for key, name in LAKE_TABLES.items()
        }
        src = d.Sources(
            periods=d.periods_table(reported),
            kind=period,
            observation_end=manifest.observation_end,
            **tables,
        )
        people = population_by_group(con.to_pyarrow(d.population(src)), neighbourhoods, reported)
        if on_step:
            on_step("population")
        # One query for every metric: Spark pays its per-job cost once, not per metric.
        everything = ibis.union(
            *(metric.query(src).mutate(metric=ibis.literal(metric.name)) for metric in wanted)
        )
        counts = con.to_pyarrow(everything)
        if on_step:
            on_step("metrics")
    finally:
        if engine == "duckdb":
            con.disconnect()
    rows = []
    for metric in wanted:
        mine = counts.filter(pc.equal(counts.column("metric"), metric.name))
        for row in assemble(metric, mine, people, neighbourhoods, reported):
            rows.append(publish_row(metric, row) if publish else row)
    return to_table(rows)
