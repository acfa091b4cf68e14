"""Staggered difference in differences: Callaway and Sant'Anna (2021) group-time effects.

Neighbourhoods go live one after another, so a single before/after or a two-way fixed
effects regression mixes up early and late starters (twfe.py). Callaway and Sant'Anna
estimate one effect per go-live group g and period t, ATT(g, t), each from a clean 2x2
comparison, then average them with explicit weights. The choices here are those of R's
`did` and Python's `csdid` defaults, so the numbers can be checked against them
(tests/unit/evaluation):

- **Controls: not yet treated.** For ATT(g, t) the comparison units are those not live by
  the later of t and the base period (and never-treated units), never group g itself. With
  no never-treated unit, the last group to go live serves only as a control and periods
  from its go-live on are not estimated, as `did` does.
- **Base period: "varying"** (the `did`/`csdid` default). After go-live (t >= g) the base
  is the last period before g (g - 1 for consecutive months); before go-live the base is
  t - 1, so each pre-period estimate is a one-period placebo change, the check of parallel
  trends.
- **No covariates.** The outcome-regression estimator then reduces to the simple
  difference of mean changes between group g and its controls, which is what this computes.
- **Aggregation.** The event study averages ATT(g, g + e) over groups with weights equal to
  group size (the share of units in each group), with the extra influence-function term for
  estimated weights, exactly as `aggte(type = "dynamic")`. The overall effect is the
  **dynamic** aggregation: the plain mean of the event-study effects for e >= 0 (`did`'s
  `aggte` defaults to "group"; we report the dynamic summary because the board reads the
  event study, and the overall figure is its average).
- **Inference.** Analytic standard errors from the influence functions; the multiplier
  (wild) bootstrap over clusters (units by default) on the same influence functions,
  Rademacher weights by default (as `did` and `csdid`) or Mammen's, seeded, with the
  bootstrap standard error the interquartile range over 1.349 as in `did`, and an optional
  uniform band over the event study. With a dozen neighbourhoods a normal approximation can
  mislead, so `randomisation_p_value` also permutes which unit has which go-live date and
  asks how often the overall effect is as large as the one observed.

Units live in or before the first period have no pre-period and are refused; units going
live after the last period are counted as never treated (as `did` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from joinedup.evaluation.estimates import Estimate

FloatArray = NDArray[np.float64]
Multipliers = Literal["rademacher", "mammen"]

# The interquartile range of a standard normal: the bootstrap's robust scale, as in `did`.
_NORMAL_IQR = float(stats.norm.ppf(0.75) - stats.norm.ppf(0.25))


@dataclass(frozen=True)
class StaggeredPanel:
    """A balanced unit x period panel: one outcome per unit and period, one go-live per unit.

    `go_live` is the first live period of each unit, `inf` for never live in the window.
    """

    units: NDArray[np.object_]
    periods: NDArray[np.int64]
    outcome: FloatArray
    go_live: FloatArray

    @classmethod
    def from_long(
        cls,
        unit: ArrayLike,
        period: ArrayLike,
        outcome: ArrayLike,
        go_live: ArrayLike,
    ) -> StaggeredPanel:
        """From one row per unit and period; `go_live` NaN (or after the window) for never."""
        unit_a = np.asarray(unit, dtype=object)
        period_a = np.asarray(period)
        y = np.asarray(outcome, dtype=float)
        g = np.asarray(go_live, dtype=float)
        if not (len(unit_a) == len(period_a) == len(y) == len(g)):
            raise ValueError("unit, period, outcome and go_live must have the same length")
        if len(y) == 0:
            raise ValueError("the panel has no rows")
        if not np.issubdtype(period_a.dtype, np.integer):
            raise ValueError("period must be whole numbers (for example months since a start)")
        if not np.all(np.isfinite(y)):
            raise ValueError("outcome has missing or infinite values")
        units, unit_idx = np.unique(unit_a, return_inverse=True)
        periods, period_idx = np.unique(period_a.astype(np.int64), return_inverse=True)
        counts = np.zeros((len(units), len(periods)), dtype=np.int64)
        np.add.at(counts, (unit_idx, period_idx), 1)
        if np.any(counts > 1):
            raise ValueError("a unit has more than one row for the same period")
        if np.any(counts == 0):
            missing = [str(u) for u in units[np.any(counts == 0, axis=1)]]
            raise ValueError(f"the panel is not balanced: units {missing} miss periods")
        y_matrix = np.empty((len(units), len(periods)))
        y_matrix[unit_idx, period_idx] = y
        g_unit = np.full(len(units), np.nan)
        g_unit[unit_idx] = g
        for u in range(len(units)):
            rows = g[unit_idx == u]
            if not (np.all(rows == rows[0]) or np.all(np.isnan(rows))):
                raise ValueError(f"unit {units[u]} has more than one go_live")
        g_unit = np.where(np.isnan(g_unit) | (g_unit > periods[-1]), np.inf, g_unit)
        early = units[g_unit <= periods[0]]
        if len(early):
            raise ValueError(
                f"units {[str(u) for u in early]} are live in the first period: no pre-period"
            )
        return cls(units=units, periods=periods, outcome=y_matrix, go_live=g_unit)

    def with_go_live(self, go_live: FloatArray) -> StaggeredPanel:
        """The same outcomes with other go-live dates (randomisation inference)."""
        return StaggeredPanel(self.units, self.periods, self.outcome, go_live)


@dataclass(frozen=True)
class GroupTimeEffects:
    """ATT(g, t) for every estimable group and period, with each unit's influence on each.

    `influence` is units x cells, scaled as in `did` so that the analytic variance of a cell
    is sum(influence**2) / n**2.
    """

    groups: FloatArray
    times: NDArray[np.int64]
    att: FloatArray
    influence: FloatArray
    go_live: FloatArray

    @property
    def n_units(self) -> int:
        return int(self.influence.shape[0])

    @property
    def event_times(self) -> NDArray[np.int64]:
        return (self.times - self.groups).astype(np.int64)

    @property
    def analytic_se(self) -> FloatArray:
        return analytic_se(self.influence)


@dataclass(frozen=True)
class Aggregate:
    """An aggregation of ATT(g, t): effects by event time, or one overall effect."""

    labels: NDArray[np.int64]
    att: FloatArray
    influence: FloatArray

    @property
    def analytic_se(self) -> FloatArray:
        return analytic_se(self.influence)


@dataclass(frozen=True)
class BootstrapResult:
    """Multiplier bootstrap standard errors, and the critical value of a uniform band."""

    se: FloatArray
    critical_value: float


@dataclass(frozen=True)
class StaggeredDidResult:
    """The whole Callaway-Sant'Anna analysis: group-time effects, event study, overall."""

    group_time: GroupTimeEffects
    event_study: dict[int, Estimate]
    overall: Estimate
    uniform_band: bool


def analytic_se(influence: FloatArray) -> FloatArray:
    """Standard errors from influence functions (units x estimates), as `did` computes."""
    n = influence.shape[0]
    return np.asarray(np.sqrt(np.sum(influence**2, axis=0)) / n, dtype=float)


def group_time_effects(panel: StaggeredPanel, influence: bool = True) -> GroupTimeEffects:
    """ATT(g, t) with not-yet-treated controls and the varying base period (module doc)."""
    y, g_unit, periods = panel.outcome, panel.go_live, panel.periods
    n = len(g_unit)
    groups = np.unique(g_unit[np.isfinite(g_unit)])
    last_time = np.inf
    if not np.any(np.isinf(g_unit)):
        # No never-treated unit: the last group is a control only, up to its go-live.
        last_time = groups[-1]
        groups = groups[:-1]
    cells_g: list[float] = []
    cells_t: list[int] = []
    atts: list[float] = []
    columns: list[FloatArray] = []
    for g in groups:
        treated = g_unit == g
        n_treated = int(treated.sum())
        before_g = np.flatnonzero(periods < g)
        post_base = int(before_g[-1])
        for ti in range(1, len(periods)):
            t = int(periods[ti])
            if t >= last_time:
                break
            base = post_base if t >= g else ti - 1
            later = max(t, int(periods[base]))
            control = (g_unit > later) & ~treated
            n_control = int(control.sum())
            if n_control == 0:
                continue
            change = y[:, ti] - y[:, base]
            mean_t = float(change[treated].mean())
            mean_c = float(change[control].mean())
            cells_g.append(float(g))
            cells_t.append(t)
            atts.append(mean_t - mean_c)
            if influence:
                n_sub = n_treated + n_control
                column = np.zeros(n)
                column[treated] = (change[treated] - mean_t) / (n_treated / n_sub)
                column[control] = -(change[control] - mean_c) / (n_control / n_sub)
                columns.append(column * (n / n_sub))
    if not atts:
        raise ValueError("no group-time effect can be estimated: no not-yet-live comparison")
    return GroupTimeEffects(
        groups=np.asarray(cells_g),
        times=np.asarray(cells_t, dtype=np.int64),
        att=np.asarray(atts),
        influence=np.column_stack(columns) if influence else np.zeros((n, 0)),
        go_live=g_unit,
    )


def _weights_influence(
    keep: NDArray[np.int64], share: FloatArray, go_live: FloatArray, groups: FloatArray
) -> FloatArray:
    """The influence of estimating group-size weights (`did`'s wif), units x kept cells."""
    in_group = (go_live[:, None] == groups[keep][None, :]).astype(float) - share[keep][None, :]
    total = share[keep].sum()
    numerator = in_group / total
    denominator = in_group.sum(axis=1)[:, None] * (share[keep] / total**2)[None, :]
    return np.asarray(numerator - denominator, dtype=float)


def event_study(gt: GroupTimeEffects) -> Aggregate:
    """Effects by event time e = t - g, groups weighted by size (`aggte(type="dynamic")`)."""
    share = np.array([np.mean(gt.go_live == g) for g in gt.groups])
    e_cells = gt.event_times
    labels = np.unique(e_cells)
    att = np.empty(len(labels))
    inf = np.empty((gt.n_units, len(labels)))
    for k, e in enumerate(labels):
        keep = np.flatnonzero(e_cells == e)
        w = share[keep] / share[keep].sum()
        att[k] = float(gt.att[keep] @ w)
        if gt.influence.shape[1]:
            wif = _weights_influence(keep, share, gt.go_live, gt.groups)
            inf[:, k] = gt.influence[:, keep] @ w + wif @ gt.att[keep]
    return Aggregate(labels=labels, att=att, influence=inf)


def overall_effect(study: Aggregate) -> Aggregate:
    """The dynamic overall effect: the mean of the event-study effects for e >= 0."""
    post = study.labels >= 0
    if not np.any(post):
        raise ValueError("no period after go-live to estimate an overall effect")
    att = float(study.att[post].mean())
    inf = study.influence[:, post].mean(axis=1)
    return Aggregate(labels=np.array([0]), att=np.array([att]), influence=inf[:, None])


def _multipliers(rng: np.random.Generator, shape: tuple[int, int], kind: Multipliers) -> FloatArray:
    if kind == "rademacher":
        return np.asarray(rng.integers(0, 2, size=shape) * 2.0 - 1.0, dtype=float)
    if kind == "mammen":
        root5 = np.sqrt(5.0)
        low, high = -(root5 - 1) / 2, (root5 + 1) / 2
        p_low = (root5 + 1) / (2 * root5)
        return np.where(rng.random(shape) < p_low, low, high)
    raise ValueError(f"multipliers must be 'rademacher' or 'mammen', not {kind!r}")


def multiplier_bootstrap(
    influence: FloatArray,
    draws: int = 999,
    seed: int = 0,
    multipliers: Multipliers = "rademacher",
    clusters: ArrayLike | None = None,
    level: float = 0.95,
) -> BootstrapResult:
    """Wild bootstrap of estimates from their influence functions (units x estimates).

    Each draw multiplies every cluster's summed influence by one random weight, so units in
    a cluster move together; the scale is the interquartile range of the draws over that of
    a normal, and the uniform band's critical value the `level` quantile of the largest
    standardised deviation across the estimates (as `did`'s mboot).
    """
    if draws < 2:
        raise ValueError("draws must be at least 2")
    n = influence.shape[0]
    if clusters is None:
        summed = influence
    else:
        labels = np.asarray(clusters)
        if len(labels) != n:
            raise ValueError("clusters must give one cluster per unit")
        _, codes = np.unique(labels, return_inverse=True)
        summed = np.zeros((int(codes.max()) + 1, influence.shape[1]))
        np.add.at(summed, codes, influence)
    rng = np.random.default_rng(seed)
    deviations = _multipliers(rng, (draws, summed.shape[0]), multipliers) @ summed / n
    q75 = np.quantile(deviations, 0.75, axis=0, method="inverted_cdf")
    q25 = np.quantile(deviations, 0.25, axis=0, method="inverted_cdf")
    se = np.asarray((q75 - q25) / _NORMAL_IQR, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        standardised = np.abs(deviations / se)
    standardised[~np.isfinite(standardised)] = 0.0
    crit = float(np.quantile(standardised.max(axis=1), level, method="inverted_cdf"))
    return BootstrapResult(se=se, critical_value=crit)


def randomisation_p_value(
    panel: StaggeredPanel, permutations: int = 999, seed: int = 0
) -> tuple[float, float]:
    """The overall effect, and how often one as large comes from go-live dates shuffled.

    The go-live dates are permuted across units (the same dates, other units) and the
    dynamic overall effect recomputed each time; the two-sided p-value counts the observed
    order too, (1 + #{|perm| >= |observed|}) / (1 + permutations), so it is never zero.
    Units whose permuted order leaves no estimable effect count as no effect.
    """
    observed = _overall_point(panel)
    if observed is None:
        raise ValueError("no overall effect can be estimated for this panel")
    rng = np.random.default_rng(seed)
    as_large = 0
    for _ in range(permutations):
        shuffled = panel.with_go_live(rng.permutation(panel.go_live))
        value = _overall_point(shuffled)
        if value is not None and abs(value) >= abs(observed) - 1e-12:
            as_large += 1
    return observed, (1 + as_large) / (1 + permutations)


def _overall_point(panel: StaggeredPanel) -> float | None:
    try:
        gt = group_time_effects(panel, influence=False)
        return float(overall_effect(event_study(gt)).att[0])
    except ValueError:
        return None


def callaway_santanna(
    panel: StaggeredPanel,
    draws: int = 999,
    seed: int = 0,
    multipliers: Multipliers = "rademacher",
    clusters: ArrayLike | None = None,
    uniform_band: bool = False,
    level: float = 0.95,
    permutations: int = 0,
) -> StaggeredDidResult:
    """Group-time effects, the event study and the overall effect with bootstrap intervals.

    Event-study intervals are pointwise, or a uniform band over all event times when
    `uniform_band`. With `permutations` > 0 the overall effect's p-value is the
    randomisation-inference one (go-live orders shuffled); otherwise from the bootstrap.
    """
    gt = group_time_effects(panel)
    study = event_study(gt)
    overall = overall_effect(study)
    method = f"Callaway-Sant'Anna, not-yet-treated controls, {multipliers} multiplier bootstrap"
    boot = multiplier_bootstrap(
        np.column_stack([study.influence, overall.influence]),
        draws=draws,
        seed=seed,
        multipliers=multipliers,
        clusters=clusters,
        level=level,
    )
    study_se, overall_se = boot.se[:-1], float(boot.se[-1])
    z = float(stats.norm.ppf(0.5 + level / 2))
    crit = (
        multiplier_bootstrap(
            study.influence, draws, seed, multipliers, clusters, level
        ).critical_value
        if uniform_band
        else z
    )
    n = gt.n_units
    effects = {
        int(e): Estimate(
            value=float(a),
            lower=float(a - crit * s),
            upper=float(a + crit * s),
            method=method + (", uniform band" if uniform_band else ""),
            n=n,
            se=float(s),
            level=level,
        )
        for e, a, s in zip(study.labels, study.att, study_se, strict=True)
    }
    value = float(overall.att[0])
    if permutations:
        _, p_value = randomisation_p_value(panel, permutations, seed)
        p_method = method + f"; p-value by randomisation inference over {permutations} orders"
    else:
        p_value = float(2 * stats.norm.sf(abs(value) / overall_se))
        p_method = method
    return StaggeredDidResult(
        group_time=gt,
        event_study=effects,
        overall=Estimate(
            value=value,
            lower=value - z * overall_se,
            upper=value + z * overall_se,
            method=p_method,
            n=n,
            se=overall_se,
            p_value=p_value,
            level=level,
        ),
        uniform_band=uniform_band,
    )
