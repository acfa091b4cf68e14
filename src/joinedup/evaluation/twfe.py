"""Two-way fixed effects: the regression most evaluations still run, shown beside the right one.

y_it = a_i + b_t + beta * live_it (static), or with one dummy per event time instead of
live_it (event study, e = -1 the reference), fitted by OLS on the two-way demeaned panel
(exact on a balanced panel) with standard errors clustered by unit (statsmodels' small-sample
factor) and t intervals with (clusters - 1) degrees of freedom, as few clusters need.

**Biased under staggered timing.** When units go live at different times and the effect
changes with time since go-live or differs between groups, the static beta is a weighted
average of 2x2 comparisons in which already-live units serve as controls for later ones,
some with negative weights (Goodman-Bacon 2021; de Chaisemartin and D'Haultfoeuille 2020);
the event-study dummies are contaminated by effects at other event times (Sun and Abraham
2021). The report shows it, labelled so, only so a board sees why the answer differs from
staggered_did.py's.
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from numpy.typing import NDArray
from scipy import stats

from joinedup.evaluation.estimates import Estimate
from joinedup.evaluation.staggered_did import StaggeredPanel

BIASED = "two-way fixed effects (biased under staggered go-live)"


def _within(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unit and period means swept out (units x periods x columns): the two-way within
    transformation, which on a balanced panel gives exactly the dummy regression's
    coefficients (Frisch-Waugh-Lovell) without a column per unit."""
    return np.asarray(
        matrix
        - matrix.mean(axis=1, keepdims=True)
        - matrix.mean(axis=0, keepdims=True)
        + matrix.mean(axis=(0, 1), keepdims=True),
        dtype=float,
    )


def _fit(panel: StaggeredPanel, columns: NDArray[np.float64], level: float) -> list[Estimate]:
    n, t = panel.outcome.shape
    k = columns.shape[1]
    y = _within(panel.outcome[:, :, None]).ravel()
    x = _within(columns.reshape(n, t, k)).reshape(n * t, k)
    unit = np.repeat(np.arange(n), t)
    fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": unit}, use_t=True)
    clusters = n
    t_crit = float(stats.t.ppf(0.5 + level / 2, clusters - 1))
    result = []
    for j in range(k):
        beta, se = float(fit.params[j]), float(fit.bse[j])
        result.append(
            Estimate(
                value=beta,
                lower=beta - t_crit * se,
                upper=beta + t_crit * se,
                method=BIASED,
                n=clusters,
                se=se,
                p_value=float(fit.pvalues[j]),
                level=level,
            )
        )
    return result


def twfe_static(panel: StaggeredPanel, level: float = 0.95) -> Estimate:
    """The single 'effect of being live' coefficient."""
    live = panel.periods[None, :] >= panel.go_live[:, None]
    if not live.any():
        raise ValueError("no unit is live in the window")
    return _fit(panel, live.ravel().astype(float)[:, None], level)[0]


def twfe_event_study(panel: StaggeredPanel, level: float = 0.95) -> dict[int, Estimate]:
    """One coefficient per event time, e = -1 the reference.

    Without a never-live unit the leads and lags are collinear with the period effects, so
    the earliest lead is dropped too (and not reported).
    """
    event = panel.periods[None, :] - panel.go_live[:, None]
    finite = np.isfinite(event)
    times = np.unique(event[finite]).astype(np.int64)
    times = times[times != -1]
    if np.all(np.isfinite(panel.go_live)):
        times = times[1:]
    if len(times) == 0:
        raise ValueError("no event time to estimate")
    columns = np.column_stack([(event == e).ravel().astype(float) for e in times])
    fitted = _fit(panel, columns, level)
    return {int(e): est for e, est in zip(times, fitted, strict=True)}
