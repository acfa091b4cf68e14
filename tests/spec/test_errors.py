"""Bad requests get MetricsError (a ValueError) with one line naming what is wrong; a lake
that breaks the contract gets the lake's LakeError, naming the table and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from joinedup.lake.reader import LakeError
from joinedup.metrics import ENGINES, MetricsError, compute_metrics

from .lakes import Lake, day, person, spell

pytestmark = pytest.mark.engines

LAKE = Lake(
    name="errors",
    window=("2025-01-01", "2025-03-31"),
    neighbourhoods=("n-a",),
    people=(person("p1", "n-a", "1950-01-01"),),
    spells=(spell("s1", "p1", "2025-01-05"),),
)
# A spell of someone with no person row.
BROKEN = Lake(
    name="broken",
    window=("2025-01-01", "2025-03-31"),
    neighbourhoods=("n-a",),
    people=(person("p1", "n-a", "1950-01-01"),),
    spells=(spell("s1", "nobody", "2025-01-05"),),
)

LakePath = Callable[[Lake], Path]


def _one_line(error: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(error.value)
    assert message.strip(), "an empty message"
    assert "\n" not in message, f"more than one line: {message!r}"
    return message


def test_the_engines_are_duckdb_and_spark() -> None:
    assert set(ENGINES) == {"duckdb", "spark"}
    assert issubclass(MetricsError, ValueError)


def test_unknown_metric(engine: str, lake_path: LakePath) -> None:
    with pytest.raises(MetricsError) as error:
        compute_metrics(lake_path(LAKE), "month", engine=engine, metrics=["no_such_metric"])
    assert "no_such_metric" in _one_line(error)


def test_unknown_engine(lake_path: LakePath) -> None:
    # Not parametrised over the engines: the engine is what is wrong.
    with pytest.raises(MetricsError) as error:
        compute_metrics(lake_path(LAKE), "month", engine="pandas")
    assert "pandas" in _one_line(error)


def test_unknown_period_kind(engine: str, lake_path: LakePath) -> None:
    with pytest.raises(MetricsError) as error:
        compute_metrics(lake_path(LAKE), "week", engine=engine)
    assert "week" in _one_line(error)


def test_from_before_the_observation_window(engine: str, lake_path: LakePath) -> None:
    with pytest.raises(MetricsError) as error:
        compute_metrics(lake_path(LAKE), "month", start=day("2024-12-31"), engine=engine)
    assert "2024-12-31" in _one_line(error)


def test_to_after_the_observation_window(engine: str, lake_path: LakePath) -> None:
    with pytest.raises(MetricsError) as error:
        compute_metrics(lake_path(LAKE), "month", end=day("2025-04-01"), engine=engine)
    assert "2025-04-01" in _one_line(error)


def test_no_whole_period_inside_the_observation_window(engine: str, lake_path: LakePath) -> None:
    # January-March 2025 holds no whole financial year.
    with pytest.raises(MetricsError) as error:
        compute_metrics(lake_path(LAKE), "year", engine=engine)
    _one_line(error)


def test_a_lake_breaking_the_contract(engine: str, lake_path: LakePath) -> None:
    with pytest.raises(LakeError) as error:
        compute_metrics(lake_path(BROKEN), "month", engine=engine)
    assert "hospital_spell.person_id" in _one_line(error)
