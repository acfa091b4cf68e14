"""Risk-set matching and the balance table: keys, caliper, reuse, and Austin's SMD by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from joinedup.evaluation.balance import balance_table, standardised_mean_difference
from joinedup.evaluation.matching import risk_set_match


def candidates() -> dict[str, list[object]]:
    """Two months; entrants t1-t4, controls c1-c4 (c1 eligible in both months)."""
    rows = [
        # month, person, entrant, key, score
        (1, "t1", True, "75-79|F", 0.30),
        (1, "t2", True, "75-79|F", 0.31),
        (1, "t3", True, "80-84|M", 0.50),
        (1, "c1", False, "75-79|F", 0.305),
        (1, "c2", False, "80-84|F", 0.50),  # same score as t3, other sex: never matched
        (1, "c3", False, "80-84|M", 0.90),  # same key as t3 but far outside the caliper
        (2, "t4", True, "75-79|F", 0.29),
        (2, "c1", False, "75-79|F", 0.30),
        (2, "c4", False, "75-79|F", 0.60),
        (2, "t1", False, "75-79|F", 0.291),  # t1 is not a control for anyone in month 1
    ]
    return {
        name: [r[i] for r in rows]
        for i, name in enumerate(["month", "person", "entrant", "key", "score"])
    }


def test_exact_keys_caliper_and_reuse() -> None:
    c = candidates()
    result = risk_set_match(c["month"], c["person"], c["entrant"], c["key"], c["score"])
    logit = np.log(np.array(c["score"], dtype=float) / (1 - np.array(c["score"], dtype=float)))
    assert result.caliper == pytest.approx(0.2 * float(np.std(logit, ddof=1)))
    matched = {(p.month, p.treated): p.control for p in result.pairs}
    assert matched == {(1, "t1"): "c1", (1, "t2"): "c1", (2, "t4"): "t1"}
    assert (1, "t3") in result.unmatched  # c2 is the wrong sex, c3 beyond the caliper
    assert result.control_uses["c1"] == 2
    key = dict(zip(zip(c["month"], c["person"], strict=True), c["key"], strict=True))
    for pair in result.pairs:
        assert key[(pair.month, pair.treated)] == key[(pair.month, pair.control)]
        assert pair.distance <= result.caliper
        assert pair.treated != pair.control


def test_a_narrower_caliper_matches_fewer() -> None:
    c = candidates()
    narrow = risk_set_match(
        c["month"], c["person"], c["entrant"], c["key"], c["score"], caliper_sd=0.001
    )
    assert len(narrow.pairs) < 3


def test_bad_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="probability"):
        risk_set_match([1], ["a"], [True], ["k"], [1.0])
    with pytest.raises(ValueError, match="caliper_sd"):
        risk_set_match([1, 1], ["a", "b"], [True, False], ["k", "k"], [0.2, 0.3], caliper_sd=0)


def test_standardised_mean_difference_by_hand() -> None:
    # Continuous: means 3 and 2, sample variances 2.5 and 1: pooled sqrt(1.75).
    assert standardised_mean_difference([1, 2, 3, 4, 5], [1, 2, 3]) == pytest.approx(
        1 / math.sqrt(1.75)
    )
    # Binary: 0.5 and 0.25; variances p(1 - p) = 0.25 and 0.1875.
    expected = 0.25 / math.sqrt((0.25 + 0.1875) / 2)
    assert standardised_mean_difference([1, 0, 1, 0], [1, 0, 0, 0]) == pytest.approx(expected)
    assert standardised_mean_difference([2, 2], [2, 2]) == 0.0


def test_balance_table_flags_variables_at_or_over_a_tenth() -> None:
    tb = np.array([[80, 1], [82, 1], [84, 0], [86, 1]], dtype=float)
    cb = np.array([[70, 0], [72, 0], [74, 1], [76, 0]], dtype=float)
    # After matching, one row per pair: age nearly equal, sex still different.
    ta = tb
    ca = np.array([[80.1, 0], [82, 1], [84, 0], [86, 0]], dtype=float)
    table = balance_table(["age", "female"], tb, cb, ta, ca)
    age, female = table.rows
    assert age.before > 1 and abs(age.after) < 0.1
    assert female.after == pytest.approx(standardised_mean_difference([1, 1, 0, 1], [0, 1, 0, 0]))
    assert table.imbalanced == ["female"]
    with pytest.raises(ValueError, match="variables"):
        balance_table(["age"], tb, cb, ta, ca)
