"""The person-cluster bootstrap: clusters right, seeded, and honest coverage on a null."""

from __future__ import annotations

import numpy as np
import pytest

from joinedup.evaluation.cluster_bootstrap import cluster_bootstrap, person_clusters


def test_pairs_sharing_any_person_share_a_cluster() -> None:
    # c1 serves t1 and t2; t2 re-enters and is matched to c2; t3 and c3 stand alone.
    clusters = person_clusters(["t1", "t2", "t2", "t3"], ["c1", "c1", "c2", "c3"])
    assert clusters[0] == clusters[1] == clusters[2]
    assert clusters[3] != clusters[0]
    # A person who was a control and later entered a caseload links the two pairs.
    linked = person_clusters(["t1", "c1"], ["c1", "c9"])
    assert linked[0] == linked[1]


def test_estimates_by_hand_and_seeded() -> None:
    treated = [f"t{i}" for i in range(40)]
    control = [f"c{i % 10}" for i in range(40)]  # each control used four times
    y_t = np.tile([0, 1, 2, 1], 10)
    y_c = np.tile([1, 2, 2, 1], 10)
    a = cluster_bootstrap(treated, control, y_t, y_c, draws=500, seed=7)
    b = cluster_bootstrap(treated, control, y_t, y_c, draws=500, seed=7)
    assert a == b
    assert a.rate_ratio.value == pytest.approx(40 / 60)
    assert a.difference_per_100.value == pytest.approx(100 * (40 - 60) / 40)
    assert a.clusters == 10
    assert a.largest_cluster == 4
    assert a.rate_ratio.lower <= a.rate_ratio.value <= a.rate_ratio.upper


def test_reused_controls_widen_the_interval() -> None:
    rng = np.random.default_rng(1)
    y_t = rng.poisson(1.0, 200)
    # Ten controls serve twenty entrants each: their outcomes count twenty times.
    control_outcome = rng.poisson(1.0, 10)
    y_c = np.repeat(control_outcome, 20)
    treated = [f"t{i}" for i in range(200)]
    reused = cluster_bootstrap(treated, [f"c{i // 20}" for i in range(200)], y_t, y_c, seed=2)
    distinct = cluster_bootstrap(treated, [f"c{i}" for i in range(200)], y_t, y_c, seed=2)
    width = lambda e: e.upper - e.lower  # noqa: E731
    assert width(reused.difference_per_100) > 1.5 * width(distinct.difference_per_100)


def test_coverage_under_the_null_is_near_95_percent() -> None:
    rng = np.random.default_rng(3)
    covered = 0
    runs = 100
    for run in range(runs):
        frailty = rng.gamma(2.0, 0.5, 150)
        controls = rng.integers(0, 100, 150)  # controls drawn with replacement from 100
        control_frailty = rng.gamma(2.0, 0.5, 100)
        y_t = rng.poisson(frailty)
        y_c = rng.poisson(control_frailty)[controls]
        result = cluster_bootstrap(
            [f"t{i}" for i in range(150)],
            [f"c{j}" for j in controls],
            y_t,
            y_c,
            draws=400,
            seed=run,
        )
        covered += not result.difference_per_100.excludes(0.0)
    assert 88 <= covered <= 100


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="no events"):
        cluster_bootstrap(["a"], ["b"], [1], [0])
    with pytest.raises(ValueError, match="one treated person"):
        cluster_bootstrap(["a"], ["b", "c"], [1], [0])
    with pytest.raises(ValueError, match="zero or more"):
        cluster_bootstrap(["a"], ["b"], [-1], [1])
