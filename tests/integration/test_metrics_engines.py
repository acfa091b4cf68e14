"""DuckDB and Spark give the same long form on a generated city, for every metric and period.

The spec tests pin each metric's meaning on hand-worked tables; this one shows the two
engines agree on a whole city's worth of events, monthly over six years.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pytest

from joinedup.metrics import METRICS, compute_metrics
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig

pytestmark = [pytest.mark.engines, pytest.mark.spark]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("metrics") / "city"
    generate_city(CityConfig(people=3_000, neighbourhoods=3, seed=11), out)
    return out


def _rows(table: pa.Table) -> dict[tuple[str, str, object], dict[str, object]]:
    return {(r["metric"], r["neighbourhood_id"], r["period_start"]): r for r in table.to_pylist()}


def _same(a: object, b: object) -> bool:
    """Equal, or floats within the relative 1e-9 docs/metrics.md allows between engines."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
    return a == b


@pytest.mark.parametrize("period", ["month", "year"])
def test_both_engines_agree_on_a_city(city: Path, period: str) -> None:
    duck = compute_metrics(city, period, engine="duckdb")
    spark = compute_metrics(city, period, engine="spark")
    assert duck.schema == spark.schema
    a, b = _rows(duck), _rows(spark)
    assert a.keys() == b.keys()
    differences = [
        (key, field, a[key][field], b[key][field])
        for key in a
        for field in ("numerator", "denominator", "value", "suppressed")
        if not _same(a[key][field], b[key][field]) and a[key][field] != b[key][field]
    ]
    assert differences == []
    # The city is not empty: every metric has events somewhere, so agreement means something.
    for metric in METRICS:
        numerators = [r["numerator"] for k, r in a.items() if k[0] == metric.name]
        assert any(n for n in numerators), metric.name
