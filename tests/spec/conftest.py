"""Both engines for every spec case, and each hand-written lake computed once per engine.

Spark takes seconds per computation, so results are cached for the session by (lake,
engine, arguments); tests are grouped by the session-scoped engine parameter, so the Spark
session starts once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from joinedup.metrics import ENGINES, compute_metrics

from .lakes import Lake, Result

Compute = Callable[..., Result]


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def lake_path(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Lake], Path]:
    """Each lake written once per session, under its name."""
    written: dict[str, Path] = {}

    def path(lake: Lake) -> Path:
        if lake.name not in written:
            written[lake.name] = lake.write(tmp_path_factory.mktemp(lake.name))
        return written[lake.name]

    return path


@pytest.fixture(scope="session")
def _results() -> dict[tuple[object, ...], Result | Exception]:
    return {}


@pytest.fixture
def compute(
    engine: str,
    lake_path: Callable[[Lake], Path],
    _results: dict[tuple[object, ...], Result | Exception],
) -> Compute:
    """compute_metrics on a hand-written lake with the current engine, at most once per
    set of arguments (a failure is remembered too, so a broken engine fails fast)."""

    def run(
        lake: Lake,
        period: str = "month",
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        metrics: Sequence[str] | None = None,
        publish: bool = False,
    ) -> Result:
        key = (lake.name, engine, period, start, end, tuple(metrics or ()), publish)
        if key not in _results:
            try:
                table = compute_metrics(
                    lake_path(lake),
                    period,
                    start=start,
                    end=end,
                    engine=engine,
                    metrics=metrics,
                    publish=publish,
                )
                _results[key] = Result(table)
            except Exception as exc:
                _results[key] = exc
        outcome = _results[key]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return run
