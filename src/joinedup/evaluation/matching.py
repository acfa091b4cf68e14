"""Risk-set (sequential) matching: each month's caseload entrants against people then eligible.

People are taken onto a caseload because something just happened to them, so the fair
comparison is someone who, in the same month, looked the same and could not yet be taken
on (registered in a neighbourhood not yet live). For each month, each entrant is matched to
the eligible control with the nearest prognostic score on the logit scale, among controls
with the same exact-match key (age band and sex), if within the caliper: `caliper_sd`
(0.2 by default, Austin 2011) times the standard deviation of the logit score over all
candidates of all months. Matching is with replacement: a control may serve several
entrants (and months), which the reuse counts show and cluster_bootstrap.py carries into
the intervals. Ties go to the control listed first, so the result does not depend on chance.
The caller decides eligibility; a person is never matched to themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class MatchedPair:
    month: Hashable
    treated: Hashable
    control: Hashable
    distance: float


@dataclass(frozen=True)
class Matching:
    """The pairs, the entrants left unmatched (no control within the caliper), and reuse."""

    pairs: list[MatchedPair]
    unmatched: list[tuple[Hashable, Hashable]]
    caliper: float

    @property
    def control_uses(self) -> Counter[Hashable]:
        """How many pairs each control person serves in (with replacement, can be > 1)."""
        return Counter(p.control for p in self.pairs)


def _logit(score: np.ndarray) -> np.ndarray:
    if np.any((score <= 0) | (score >= 1)):
        raise ValueError("score must be a probability strictly between 0 and 1")
    return np.asarray(np.log(score / (1 - score)), dtype=float)


def risk_set_match(
    month: ArrayLike,
    person: ArrayLike,
    entrant: ArrayLike,
    key: ArrayLike,
    score: ArrayLike,
    caliper_sd: float = 0.2,
) -> Matching:
    """Match entrants to eligible controls, one row per candidate person and month.

    `entrant` is True for a person entering a caseload that month, False for an eligible
    control; `key` the exact-match key (for example "75-79|F"); `score` the prognostic
    score, a probability.
    """
    months = np.asarray(month, dtype=object)
    people = np.asarray(person, dtype=object)
    is_entrant = np.asarray(entrant, dtype=bool)
    keys = np.asarray(key, dtype=object)
    logit = _logit(np.asarray(score, dtype=float))
    if not (len(months) == len(people) == len(is_entrant) == len(keys) == len(logit)):
        raise ValueError("month, person, entrant, key and score must have the same length")
    if caliper_sd <= 0:
        raise ValueError("caliper_sd must be positive")
    sd = float(np.std(logit, ddof=1)) if len(logit) > 1 else 0.0
    caliper = caliper_sd * sd
    pairs: list[MatchedPair] = []
    unmatched: list[tuple[Hashable, Hashable]] = []
    for m in dict.fromkeys(months.tolist()):
        in_month = months == m
        for k in dict.fromkeys(keys[in_month & is_entrant].tolist()):
            cell = in_month & (keys == k)
            treated_rows = np.flatnonzero(cell & is_entrant)
            control_rows = np.flatnonzero(cell & ~is_entrant)
            for row in treated_rows:
                candidates = control_rows[people[control_rows] != people[row]]
                if len(candidates) == 0:
                    unmatched.append((m, people[row]))
                    continue
                distance = np.abs(logit[candidates] - logit[row])
                best = int(np.argmin(distance))
                if distance[best] <= caliper:
                    pairs.append(
                        MatchedPair(m, people[row], people[candidates[best]], float(distance[best]))
                    )
                else:
                    unmatched.append((m, people[row]))
    return Matching(pairs=pairs, unmatched=unmatched, caliper=caliper)
