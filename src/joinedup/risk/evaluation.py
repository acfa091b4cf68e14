"""How well predicted probabilities match what happened: the measures of the validation report.

Everything takes `y` (1: admitted in the year, 0: not) and `p` (the predicted probability)
as numpy arrays, one entry per person, and returns plain floats, or None where a measure
cannot be worked out (one outcome only, too few people), so that a report never shows a
number that means nothing.

- ROC AUC and average precision come from scikit-learn.
- The calibration slope and intercept are a logistic regression of the outcome on the
  predicted log-odds (`model.platt`, the same fit that calibrates the model): slope 1 and
  intercept 0 when the probabilities are right; a slope below 1 means the scores are too
  spread out (too extreme), above 1 too timid. The slope's 95% confidence interval comes
  from the same Newton fit's information matrix.
- PPV and sensitivity in the top k% take exactly ceil(k * n) people, highest scores first.
  Where people with the same score straddle the cut, each of them counts as the same
  fraction of a person (the places left over, shared equally): what a random choice among
  them would give on average. So the figure is deterministic and does not depend on the
  order of the people or their ids (a model with few distinct scores, such as prior
  admissions alone, is not flattered or penalised by how its ties happen to be ordered).
- Calibration bins are tenths of the people by predicted risk (ten groups of equal size,
  lowest risk first); people with the same score stay together, so a model with few
  distinct scores has fewer, unequal groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from joinedup.risk.model import platt

Floats = npt.NDArray[np.float64]

CLIP = 1e-9
TOPS = (0.01, 0.05)
CURVE_POINTS = 250  # about this many points per drawn curve
MIN_EACH_OUTCOME = 10  # fewer admitted (or not admitted) people: no calibration fit
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Calibration:
    intercept: float
    slope: float
    slope_low: float | None  # the slope's 95% confidence interval
    slope_high: float | None


@dataclass(frozen=True)
class Top:
    share: float  # 0.01: the top 1%
    people: int  # ceil(share * n)
    ppv: float  # of those people, the share admitted
    sensitivity: float  # of everyone admitted, the share among those people


@dataclass(frozen=True)
class Bin:
    people: int
    admitted: int
    mean_predicted: float
    observed: float


def _arrays(y: npt.ArrayLike, p: npt.ArrayLike) -> tuple[Floats, Floats]:
    ya = np.asarray(y, dtype=np.float64)
    pa_ = np.asarray(p, dtype=np.float64)
    if ya.shape != pa_.shape or ya.ndim != 1:
        raise ValueError(f"y and p must be 1-d of one length ({ya.shape} and {pa_.shape})")
    if not np.isin(ya, (0.0, 1.0)).all():
        raise ValueError("y must hold 0 and 1 only")
    if not ((pa_ >= 0) & (pa_ <= 1)).all():
        raise ValueError("p must hold probabilities between 0 and 1")
    return ya, pa_


def _both_outcomes(y: Floats) -> bool:
    return 0 < y.sum() < len(y)


def logit(p: Floats) -> Floats:
    clipped = np.clip(p, CLIP, 1 - CLIP)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


def roc_auc(y: npt.ArrayLike, p: npt.ArrayLike) -> float | None:
    """The chance that a person admitted scores higher than one not admitted (ties: half)."""
    ya, pa_ = _arrays(y, p)
    return float(roc_auc_score(ya, pa_)) if _both_outcomes(ya) else None


def average_precision(y: npt.ArrayLike, p: npt.ArrayLike) -> float | None:
    """The area under the precision-recall curve, as scikit-learn sums it (no interpolation)."""
    ya, pa_ = _arrays(y, p)
    return float(average_precision_score(ya, pa_)) if ya.sum() > 0 else None


def brier(y: npt.ArrayLike, p: npt.ArrayLike) -> float | None:
    """The mean squared difference between the probability and the outcome (0 is perfect)."""
    ya, pa_ = _arrays(y, p)
    return float(np.mean((pa_ - ya) ** 2)) if len(ya) else None


def platt_covariance(raw: Floats, y: Floats, intercept: float, slope: float) -> Floats:
    """The 2x2 covariance of (intercept, slope) of `model.platt`'s fit: the inverse of the
    information matrix (the Newton Hessian) at the estimate."""
    q = 1.0 / (1.0 + np.exp(-(intercept + slope * raw)))
    w = q * (1 - q)
    information = np.array([[np.sum(w), np.sum(w * raw)], [np.sum(w * raw), np.sum(w * raw * raw)]])
    return np.asarray(np.linalg.inv(information), dtype=np.float64)


def calibration(y: npt.ArrayLike, p: npt.ArrayLike) -> Calibration | None:
    """Slope and intercept of the outcome's logistic regression on logit(p), with the slope's
    95% confidence interval; None with fewer than MIN_EACH_OUTCOME of either outcome or when
    every score is the same (no slope to fit)."""
    ya, pa_ = _arrays(y, p)
    raw = logit(pa_)
    if min(ya.sum(), len(ya) - ya.sum()) < MIN_EACH_OUTCOME or np.ptp(raw) == 0:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            intercept, slope = platt(raw, ya)
            covariance = platt_covariance(raw, ya, intercept, slope)
        except np.linalg.LinAlgError:
            return None
    if not (math.isfinite(intercept) and math.isfinite(slope)):
        return None
    variance = covariance[1, 1]
    if not (math.isfinite(variance) and variance >= 0):
        return Calibration(intercept, slope, None, None)
    half = Z95 * math.sqrt(variance)
    return Calibration(intercept, slope, slope - half, slope + half)


def top(y: npt.ArrayLike, p: npt.ArrayLike, share: float) -> Top | None:
    """PPV and sensitivity among the ceil(share * n) highest scores (ties shared, see above)."""
    ya, pa_ = _arrays(y, p)
    n = len(ya)
    if n == 0 or ya.sum() == 0:
        return None
    chosen = math.ceil(share * n - 1e-9)
    order = np.argsort(-pa_, kind="stable")
    cut = pa_[order[chosen - 1]]  # the lowest score that is in
    above = pa_ > cut
    tied = pa_ == cut
    slots = chosen - int(above.sum())  # places left for the tied people
    admitted = ya[above].sum() + slots * ya[tied].sum() / tied.sum()
    return Top(
        share=share,
        people=chosen,
        ppv=float(admitted / chosen),
        sensitivity=float(admitted / ya.sum()),
    )


def calibration_bins(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = 10) -> list[Bin]:
    """Mean predicted risk against the share admitted, in tenths of the people by predicted
    risk (ties kept together, empty groups left out)."""
    ya, pa_ = _arrays(y, p)
    if len(ya) == 0:
        return []
    ordered = np.sort(pa_)
    # the upper edge of each group: the score at each tenth of the people
    edges = ordered[np.ceil(np.arange(1, bins) * len(ya) / bins).astype(int) - 1]
    group = np.searchsorted(edges, pa_, side="left")
    out = []
    for g in range(bins):
        members = group == g
        count = int(members.sum())
        if count:
            out.append(
                Bin(
                    people=count,
                    admitted=int(ya[members].sum()),
                    mean_predicted=float(pa_[members].mean()),
                    observed=float(ya[members].mean()),
                )
            )
    return out


def _thin(xs: Floats, ys: Floats, points: int) -> list[tuple[float, float]]:
    """Keep a point when it has moved at least 1/points from the last one kept (in either
    direction), and always the first and the last: the curve's shape in a few hundred
    points."""
    step = 1.0 / points
    kept = [(float(xs[0]), float(ys[0]))]
    for x, y in zip(xs[1:-1], ys[1:-1], strict=True):
        if max(abs(x - kept[-1][0]), abs(y - kept[-1][1])) >= step:
            kept.append((float(x), float(y)))
    if len(xs) > 1:
        kept.append((float(xs[-1]), float(ys[-1])))
    return [(round(x, 5), round(y, 5)) for x, y in kept]


def roc_points(
    y: npt.ArrayLike, p: npt.ArrayLike, points: int = CURVE_POINTS
) -> list[tuple[float, float]]:
    """(false positive rate, true positive rate) from (0, 0) to (1, 1), thinned for drawing."""
    ya, pa_ = _arrays(y, p)
    if not _both_outcomes(ya):
        return []
    fpr, tpr, _ = roc_curve(ya, pa_)
    return _thin(np.asarray(fpr), np.asarray(tpr), points)


def pr_points(
    y: npt.ArrayLike, p: npt.ArrayLike, points: int = CURVE_POINTS
) -> list[tuple[float, float]]:
    """(recall, precision) from the highest scores (low recall) to everyone (recall 1),
    thinned for drawing."""
    ya, pa_ = _arrays(y, p)
    if ya.sum() == 0:
        return []
    precision, recall, _ = precision_recall_curve(ya, pa_)
    # scikit-learn lists them from recall 1 down to (recall 0, precision 1): turn them round
    # and leave out that last point, which no threshold reaches
    return _thin(np.asarray(recall[::-1][1:]), np.asarray(precision[::-1][1:]), points)


def tpr_at(y: npt.ArrayLike, p: npt.ArrayLike, rates: tuple[float, ...]) -> list[float | None]:
    """The true positive rate at each false positive rate in `rates` (the highest reached
    without passing it), for a table beside the ROC chart."""
    ya, pa_ = _arrays(y, p)
    if not _both_outcomes(ya):
        return [None for _ in rates]
    fpr, tpr, _ = roc_curve(ya, pa_, drop_intermediate=False)
    return [float(tpr[np.searchsorted(fpr, rate, side="right") - 1]) for rate in rates]


def precision_at(
    y: npt.ArrayLike, p: npt.ArrayLike, recalls: tuple[float, ...]
) -> list[float | None]:
    """The precision of the highest scores that reach each recall in `recalls`, for a table
    beside the precision-recall chart."""
    ya, pa_ = _arrays(y, p)
    if ya.sum() == 0:
        return [None for _ in recalls]
    precision, recall, _ = precision_recall_curve(ya, pa_, drop_intermediate=False)
    recall, precision = recall[::-1][1:], precision[::-1][1:]  # rising recall
    return [float(precision[np.searchsorted(recall, r - 1e-12, side="left")]) for r in recalls]
