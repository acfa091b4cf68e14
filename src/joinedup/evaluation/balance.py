"""Covariate balance: standardised mean differences before and after matching (Austin 2009).

The standardised mean difference is the difference in means over the pooled standard
deviation, sqrt((s_t^2 + s_c^2) / 2), which unlike a p-value does not shrink with sample
size. For a 0/1 variable the variances are p(1 - p), as Austin gives; otherwise the sample
variances. After matching, pass one row per pair (a control used twice appears twice), so
reuse weighs as it does in the estimate. |SMD| >= 0.1 on any variable is flagged: the
matched groups still differ enough to bias the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

THRESHOLD = 0.1


def standardised_mean_difference(treated: ArrayLike, control: ArrayLike) -> float:
    """(mean treated - mean control) / pooled SD; 0 when both groups are constant and equal."""
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    if len(t) == 0 or len(c) == 0:
        raise ValueError("both groups need at least one person")
    binary = bool(np.all(np.isin(t, (0.0, 1.0))) and np.all(np.isin(c, (0.0, 1.0))))
    if binary:
        var_t, var_c = t.mean() * (1 - t.mean()), c.mean() * (1 - c.mean())
    else:
        var_t = float(t.var(ddof=1)) if len(t) > 1 else 0.0
        var_c = float(c.var(ddof=1)) if len(c) > 1 else 0.0
    difference = float(t.mean() - c.mean())
    pooled = float(np.sqrt((var_t + var_c) / 2))
    if pooled == 0:
        return 0.0 if difference == 0 else float(np.copysign(np.inf, difference))
    return difference / pooled


@dataclass(frozen=True)
class BalanceRow:
    variable: str
    before: float
    after: float

    @property
    def balanced(self) -> bool:
        return abs(self.after) < THRESHOLD


@dataclass(frozen=True)
class BalanceTable:
    rows: list[BalanceRow]

    @property
    def imbalanced(self) -> list[str]:
        """The variables still at |SMD| >= 0.1 after matching: the report warns on each."""
        return [r.variable for r in self.rows if not r.balanced]


def balance_table(
    variables: list[str],
    treated_before: ArrayLike,
    control_before: ArrayLike,
    treated_after: ArrayLike,
    control_after: ArrayLike,
) -> BalanceTable:
    """SMDs per variable: each array is people x variables, in the order of `variables`."""
    arrays = [np.asarray(a, dtype=float) for a in (treated_before, control_before)]
    arrays += [np.asarray(a, dtype=float) for a in (treated_after, control_after)]
    for a in arrays:
        if a.ndim != 2 or a.shape[1] != len(variables):
            raise ValueError("each array must be people x variables, one column per variable")
    tb, cb, ta, ca = arrays
    return BalanceTable(
        rows=[
            BalanceRow(
                variable=name,
                before=standardised_mean_difference(tb[:, j], cb[:, j]),
                after=standardised_mean_difference(ta[:, j], ca[:, j]),
            )
            for j, name in enumerate(variables)
        ]
    )
