"""Intervals for a matched comparison: a seeded bootstrap over clusters of people.

Matched pairs are not independent: a control used for several entrants (matching with
replacement) and a person entering a caseload more than once appear in several pairs. So
the unit resampled is the person cluster: pairs are joined whenever they share a person,
treated or control (the connected groups of the graph of people and pairs), and whole
clusters are drawn with replacement. Each draw recomputes

- the rate ratio: total outcome events of the treated over those of their controls (equal
  follow-up per pair), and
- the difference per 100 people: 100 x (treated events - control events) / pairs,

and the 95% interval is the 2.5th to 97.5th percentile of the draws. The seed fixes the
draws, so a report can be made again to the digit.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from joinedup.evaluation.estimates import Estimate

METHOD = "matched cohort, person-cluster bootstrap (percentile)"


@dataclass(frozen=True)
class MatchedEffect:
    """Both effect measures, and how many independent clusters stand behind them."""

    rate_ratio: Estimate
    difference_per_100: Estimate
    clusters: int
    largest_cluster: int


def person_clusters(treated: Sequence[Hashable], control: Sequence[Hashable]) -> NDArray[np.int64]:
    """The cluster of each pair: pairs sharing any person (either side) share a cluster."""
    if len(treated) != len(control):
        raise ValueError("treated and control must give one person each per pair")
    parent: dict[Hashable, Hashable] = {}

    def root(x: Hashable) -> Hashable:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(treated, control, strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    labels: dict[Hashable, int] = {}
    return np.array([labels.setdefault(root(a), len(labels)) for a in treated], dtype=np.int64)


def cluster_bootstrap(
    treated_person: Sequence[Hashable],
    control_person: Sequence[Hashable],
    treated_events: ArrayLike,
    control_events: ArrayLike,
    draws: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> MatchedEffect:
    """The rate ratio and difference per 100 people with percentile intervals."""
    y_t = np.asarray(treated_events, dtype=float)
    y_c = np.asarray(control_events, dtype=float)
    if not (len(treated_person) == len(control_person) == len(y_t) == len(y_c)):
        raise ValueError("one treated person, control person and outcome each per pair")
    if len(y_t) == 0:
        raise ValueError("no matched pairs")
    if np.any(y_t < 0) or np.any(y_c < 0) or not np.all(np.isfinite(y_t + y_c)):
        raise ValueError("outcomes must be counts or amounts of zero or more")
    if draws < 100:
        raise ValueError("draws must be at least 100 for a percentile interval")
    if y_c.sum() == 0:
        raise ValueError("the controls had no events: a rate ratio cannot be estimated")
    cluster = person_clusters(treated_person, control_person)
    k = int(cluster.max()) + 1
    sum_t = np.bincount(cluster, weights=y_t, minlength=k)
    sum_c = np.bincount(cluster, weights=y_c, minlength=k)
    size = np.bincount(cluster, minlength=k).astype(float)
    rng = np.random.default_rng(seed)
    ratios = np.empty(draws)
    differences = np.empty(draws)
    chunk = max(1, 2_000_000 // k)
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        pick = rng.integers(0, k, size=(stop - start, k))
        t, c, n = sum_t[pick].sum(axis=1), sum_c[pick].sum(axis=1), size[pick].sum(axis=1)
        with np.errstate(divide="ignore"):
            ratios[start:stop] = t / c
        differences[start:stop] = 100 * (t - c) / n
    tails = [(1 - level) / 2, (1 + level) / 2]
    pairs = len(y_t)
    ratio = float(y_t.sum() / y_c.sum())
    difference = float(100 * (y_t.sum() - y_c.sum()) / pairs)
    r_low, r_high = np.quantile(ratios, tails, method="inverted_cdf")
    d_low, d_high = np.quantile(differences, tails, method="inverted_cdf")
    return MatchedEffect(
        rate_ratio=Estimate(ratio, float(r_low), float(r_high), METHOD, pairs, level=level),
        difference_per_100=Estimate(
            difference, float(d_low), float(d_high), METHOD, pairs, level=level
        ),
        clusters=k,
        largest_cluster=int(size.max()),
    )
