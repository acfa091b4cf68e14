"""Features (and the outcome, for training and evaluation) of a lake at an as-of date.

The lake is checked against the contract first; the engine computes one table, returned as
Arrow with one row per person, sorted by person_id so that both engines' answers compare
row for row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from joinedup.errors import UserError
from joinedup.lake.manifest import Manifest
from joinedup.lake.reader import open_lake
from joinedup.lake.schema import TABLES
from joinedup.metrics.engines import connect, read_parquet
from joinedup.risk.features import FeatureSources, features, outcome

SOURCE_TABLES = {
    "person": "person",
    "condition": "condition",
    "spell": "hospital_spell",
    "ae": "ae_attendance",
    "contact": "contact",
    "package": "care_package",
    "episode": "episode",
}


class RiskError(UserError):
    """A request that cannot be met; the message names the option."""


def check_as_of(lake: Path, as_of: dt.date) -> tuple[Manifest, dict[str, Path]]:
    """The lake, checked, if `as_of` has history before it inside the lake's window."""
    manifest, paths = open_lake(lake)
    if not manifest.observation_start < as_of <= manifest.observation_end + dt.timedelta(days=1):
        raise RiskError(
            f"{as_of} is outside the lake's window "
            f"({manifest.observation_start} to {manifest.observation_end})",
            field="as_of",
        )
    return manifest, paths


def compute_features(
    lake: Path,
    as_of: dt.date,
    *,
    engine: str = "duckdb",
    with_outcome: bool = False,
    spark_master: str | None = None,
    checked: tuple[Manifest, dict[str, Path]] | None = None,
) -> pa.Table:
    """person_id, as_of and every feature (and `admitted` when asked) for `lake` on `as_of`.

    `checked` is check_as_of's answer when the caller has it already: checking a lake reads
    every column of it (about a minute for three million people), so it is done once."""
    _, paths = checked or check_as_of(lake, as_of)
    con = connect(engine, spark_master)
    try:
        src = FeatureSources(
            **{
                key: read_parquet(con, paths[name], TABLES[name].column_names)
                for key, name in SOURCE_TABLES.items()
            }
        )
        table = features(src, as_of)
        if with_outcome:
            table = table.join(outcome(src, as_of), "person_id")
        result = con.to_pyarrow(table.order_by("person_id"))
    finally:
        if engine == "duckdb":
            con.disconnect()
    return result
