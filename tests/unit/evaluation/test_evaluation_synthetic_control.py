"""Synthetic control: exact convex combinations are recovered, placebos rank a real gap."""

from __future__ import annotations

import numpy as np
import pytest

from joinedup.evaluation.synthetic_control import placebo_in_space, synthetic_control


def donors(seed: int = 1, periods: int = 30, units: int = 8) -> np.ndarray:
    """Donor series with their own trends and wiggles, so no two are alike."""
    rng = np.random.default_rng(seed)
    t = np.arange(periods)[:, None]
    return (
        50
        + rng.normal(0, 5, units)
        + rng.normal(0, 0.5, units) * t
        + rng.normal(0, 1, (periods, units))
    )


def test_recovers_the_weights_and_the_planted_gap() -> None:
    x = donors()
    weights = np.array([0.5, 0.3, 0.2, 0, 0, 0, 0, 0])
    treated = x @ weights
    treated[20:] -= 7.0
    fit = synthetic_control(treated, x, pre_periods=20)
    np.testing.assert_allclose(fit.weights, weights, atol=1e-4)
    assert fit.weights.sum() == pytest.approx(1.0)
    assert np.all(fit.weights >= 0)
    assert fit.pre_rmspe == pytest.approx(0.0, abs=1e-3)
    np.testing.assert_allclose(fit.gap[20:], -7.0, atol=1e-3)
    assert fit.mean_post_gap == pytest.approx(-7.0, abs=1e-3)


def test_a_unit_outside_the_donors_hull_gets_the_nearest_convex_fit() -> None:
    x = donors()
    treated = x.max(axis=1) + 10  # above every donor: no convex combination reaches it
    fit = synthetic_control(treated, x, pre_periods=20)
    assert np.all(fit.weights >= 0)
    assert fit.weights.sum() == pytest.approx(1.0)
    assert fit.pre_rmspe > 5


def test_placebo_p_value_is_the_smallest_possible_for_a_large_effect() -> None:
    x = donors(seed=2)
    treated = x @ np.array([0.25, 0.25, 0.25, 0.25, 0, 0, 0, 0]) + np.random.default_rng(3).normal(
        0, 0.3, 30
    )
    treated[20:] -= 25.0
    test = placebo_in_space(treated, x, pre_periods=20)
    assert len(test.placebo_ratios) == 8
    assert test.p_value == pytest.approx(1 / 9)


def test_placebo_p_value_is_large_without_an_effect() -> None:
    x = donors(seed=4)
    treated = x @ np.array([0.25, 0.25, 0.25, 0.25, 0, 0, 0, 0]) + np.random.default_rng(5).normal(
        0, 1, 30
    )
    assert placebo_in_space(treated, x, pre_periods=20).p_value > 0.2


def test_bad_input_is_refused() -> None:
    x = donors()
    with pytest.raises(ValueError, match="pre_periods"):
        synthetic_control(x[:, 0], x[:, 1:], pre_periods=30)
    with pytest.raises(ValueError, match="no donor"):
        synthetic_control(x[:, 0], x[:, :0], pre_periods=10)
    with pytest.raises(ValueError, match="periods"):
        synthetic_control(x[:10, 0], x[:, 1:], pre_periods=5)
