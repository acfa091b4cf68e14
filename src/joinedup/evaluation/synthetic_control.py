"""Synthetic control (Abadie, Diamond and Hainmueller 2010) for one neighbourhood alone.

A weighted average of not-yet-live neighbourhoods, weights non-negative and summing to one,
chosen to follow the treated neighbourhood's outcome before go-live as closely as possible
(least mean squared gap over the pre-period, solved by SLSQP from an NNLS start). The gap
after go-live is the estimate. Weights that are convex keep the comparison an interpolation
between real places, never an extrapolation.

There is no sampling distribution to lean on with one treated unit, so the p-value is
placebo-in-space: each donor is treated in turn (its own donors being the other donors),
and the treated unit's ratio of post- to pre-period root mean squared gap is ranked among
all: p = (number of units with a ratio at least as large) / (donors + 1). The smallest
possible p is 1 / (donors + 1), which with a dozen neighbourhoods is about 0.08: the report
must say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SyntheticControl:
    """The fitted weights, the synthetic series and the gap (treated minus synthetic)."""

    weights: FloatArray
    synthetic: FloatArray
    gap: FloatArray
    pre_periods: int

    @property
    def pre_rmspe(self) -> float:
        return float(np.sqrt(np.mean(self.gap[: self.pre_periods] ** 2)))

    @property
    def post_rmspe(self) -> float:
        return float(np.sqrt(np.mean(self.gap[self.pre_periods :] ** 2)))

    @property
    def mean_post_gap(self) -> float:
        return float(np.mean(self.gap[self.pre_periods :]))

    @property
    def rmspe_ratio(self) -> float:
        pre = self.pre_rmspe
        return float("inf") if pre == 0 else self.post_rmspe / pre


@dataclass(frozen=True)
class PlaceboTest:
    """The treated unit's fit, each donor's placebo ratio, and the permutation p-value."""

    fit: SyntheticControl
    placebo_ratios: FloatArray
    p_value: float


def _convex_weights(target: FloatArray, donors: FloatArray) -> FloatArray:
    """argmin_w mean (target - donors @ w)^2 subject to w >= 0, sum w = 1."""
    j = donors.shape[1]
    if j == 1:
        return np.ones(1)
    scale = max(float(np.abs(donors).max()), 1.0)
    # NNLS on the system augmented with a heavily weighted row for sum(w) = 1: a good start.
    big = 1e3 * scale
    a = np.vstack([donors, np.full((1, j), big)])
    b = np.concatenate([target, [big]])
    start, _ = optimize.nnls(a, b)
    start = start / start.sum() if start.sum() > 0 else np.full(j, 1.0 / j)

    def loss(w: FloatArray) -> float:
        r = target - donors @ w
        return float(r @ r) / scale**2

    def grad(w: FloatArray) -> FloatArray:
        return np.asarray(-2.0 * donors.T @ (target - donors @ w) / scale**2, dtype=float)

    solved = optimize.minimize(
        loss,
        start,
        jac=grad,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * j,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones(j)}],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    w = np.clip(solved.x if loss(solved.x) <= loss(start) else start, 0.0, None)
    return np.asarray(w / w.sum(), dtype=float)


def synthetic_control(treated: ArrayLike, donors: ArrayLike, pre_periods: int) -> SyntheticControl:
    """Fit on the first `pre_periods` periods; `donors` is periods x donor units."""
    y = np.asarray(treated, dtype=float)
    x = np.asarray(donors, dtype=float)
    if x.ndim != 2 or x.shape[0] != len(y):
        raise ValueError("donors must be periods x units, with as many periods as treated")
    if x.shape[1] == 0:
        raise ValueError("no donor unit: there is no not-yet-live neighbourhood to compare")
    if not 1 <= pre_periods < len(y):
        raise ValueError("pre_periods must leave at least one period before and after go-live")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(x))):
        raise ValueError("outcomes have missing or infinite values")
    w = _convex_weights(y[:pre_periods], x[:pre_periods])
    synthetic = x @ w
    return SyntheticControl(
        weights=w, synthetic=synthetic, gap=y - synthetic, pre_periods=pre_periods
    )


def placebo_in_space(treated: ArrayLike, donors: ArrayLike, pre_periods: int) -> PlaceboTest:
    """The treated unit's fit and the rank p-value of its post/pre RMSPE ratio."""
    y = np.asarray(treated, dtype=float)
    x = np.asarray(donors, dtype=float)
    fit = synthetic_control(y, x, pre_periods)
    ratios = []
    for j in range(x.shape[1]):
        others = np.delete(x, j, axis=1)
        if others.shape[1] == 0:
            continue
        ratios.append(synthetic_control(x[:, j], others, pre_periods).rmspe_ratio)
    placebo = np.asarray(ratios)
    as_large = int(np.sum(placebo >= fit.rmspe_ratio * (1 - 1e-12)))
    return PlaceboTest(fit=fit, placebo_ratios=placebo, p_value=(1 + as_large) / (1 + len(placebo)))
