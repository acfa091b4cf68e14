"""Panels the evaluation tests share: a simulated staggered panel and pyfixest's df_het."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from joinedup.evaluation.staggered_did import StaggeredPanel

# Twelve neighbourhoods over 24 months: three go live in month 6, three in 10, three in 14,
# three never; the effect grows with months since go-live and differs by group.
GO_LIVE = [6, 6, 6, 10, 10, 10, 14, 14, 14, 0, 0, 0]


def simulated(seed: int = 3, go_live: list[int] = GO_LIVE, periods: int = 24) -> pd.DataFrame:
    """Unit and month effects, a trend, noise, and a planted dynamic effect."""
    rng = np.random.default_rng(seed)
    rows = []
    month_effect = rng.normal(0, 1, periods + 1)
    for unit, g in enumerate(go_live, start=1):
        level = rng.normal(30, 5)
        for t in range(1, periods + 1):
            effect = (-2.0 - 0.2 * (t - g) - 0.05 * g) if g and t >= g else 0.0
            y = level + 0.3 * t + month_effect[t] + effect + rng.normal(0, 1)
            rows.append((unit, t, g, y))
    return pd.DataFrame(rows, columns=["unit", "period", "g", "y"])


def as_panel(frame: pd.DataFrame, outcome: str = "y") -> StaggeredPanel:
    """A long frame with g = 0 for never live, as csdid takes it, as a StaggeredPanel."""
    go_live = frame["g"].where(frame["g"] > 0, np.nan)
    return StaggeredPanel.from_long(
        frame["unit"].to_numpy(),
        frame["period"].to_numpy(),
        frame[outcome].to_numpy(),
        go_live.to_numpy(),
    )


def df_het() -> pd.DataFrame:
    """pyfixest's heterogeneous-effects panel: true effect te + te_dynamic per unit-year."""
    path = resources.files("pyfixest") / "did" / "data" / "df_het.csv"
    with resources.as_file(path) as csv:
        return pd.read_csv(csv)
