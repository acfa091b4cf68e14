"""Path attributions add up to the trees' log-odds, person by person, and name what drives it."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

from joinedup.risk.attribution import CHUNK, attributions, leaf_credits


def _booster(seed: int) -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4_000, 5))
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values follow the trees' default paths
    logit = 2.0 * np.nan_to_num(x[:, 0]) - 1.0 * np.nan_to_num(x[:, 3]) ** 2
    y = (rng.random(len(x)) < 1 / (1 + np.exp(-logit))).astype(float)
    params = {"objective": "binary", "num_leaves": 15, "verbosity": -1, "num_threads": 1}
    return lgb.train(params, lgb.Dataset(x, label=y), 40), x


def test_attributions_sum_to_the_log_odds_less_the_bias() -> None:
    booster, x = _booster(1)
    credits = leaf_credits(booster)
    credit = attributions(booster, x, credits)
    raw = booster.predict(x, raw_score=True)
    assert credit.shape == x.shape
    np.testing.assert_allclose(credit.sum(axis=1) + credits.bias, raw, atol=1e-9)


def test_a_feature_the_outcome_ignores_gets_little_credit() -> None:
    booster, x = _booster(2)
    credit = np.abs(attributions(booster, x))
    mean = credit.mean(axis=0)
    assert mean.argmax() == 0  # x0 drives the outcome most
    assert mean[1] < mean[0] / 5 and mean[2] < mean[0] / 5  # x1, x2 are noise


def test_chunks_change_nothing() -> None:
    booster, x = _booster(3)
    many = np.concatenate([x] * (CHUNK // len(x) + 2))  # crosses a chunk boundary
    whole = attributions(booster, many)
    np.testing.assert_array_equal(whole[: len(x)], whole[-len(x) :])
