"""The validation report's measures on tiny examples worked by hand, and against
scikit-learn where joinedup computes them itself."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_curve

from joinedup.risk import evaluation

Y = np.array([0, 0, 1, 1])
P = np.array([0.1, 0.4, 0.35, 0.8])


def test_auc_average_precision_and_brier_by_hand() -> None:
    # pairs (admitted, not): (0.35 > 0.1) yes, (0.35 > 0.4) no, (0.8 > both) yes, yes: 3/4
    assert evaluation.roc_auc(Y, P) == pytest.approx(0.75)
    # from the top: 0.8 (admitted: precision 1, recall 1/2), 0.4 (no), 0.35 (admitted:
    # precision 2/3, recall 1): AP = 1/2 * 1 + 1/2 * 2/3
    assert evaluation.average_precision(Y, P) == pytest.approx(0.5 + 1 / 3)
    # (0.1^2 + 0.4^2 + 0.65^2 + 0.2^2) / 4
    assert evaluation.brier(Y, P) == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)


def test_brier_matches_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 500)
    y = (rng.uniform(0, 1, 500) < p).astype(int)
    assert evaluation.brier(y, p) == pytest.approx(brier_score_loss(y, p))


def test_measures_that_need_both_outcomes_say_so() -> None:
    assert evaluation.roc_auc([0, 0], [0.2, 0.3]) is None
    assert evaluation.average_precision([0, 0], [0.2, 0.3]) is None
    assert evaluation.calibration([0, 0, 1], [0.2, 0.3, 0.4]) is None
    assert evaluation.top([0, 0], [0.2, 0.3], 0.5) is None
    assert evaluation.roc_points([1, 1], [0.2, 0.3]) == []


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="0 and 1"):
        evaluation.roc_auc([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="probabilities"):
        evaluation.brier([0, 1], [0.1, 1.2])
    with pytest.raises(ValueError, match="one length"):
        evaluation.brier([0, 1], [0.1])


def test_top_takes_exactly_the_ceiling_of_k_n_highest() -> None:
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    p = np.linspace(0.9, 0.0, 10)  # person 0 highest
    one = evaluation.top(y, p, 0.05)  # ceil(0.5) = 1 person: the admitted one
    assert one is not None and (one.people, one.ppv, one.sensitivity) == (1, 1.0, 0.5)
    three = evaluation.top(y, p, 0.3)  # 3 people, 2 admitted: all of them
    assert three is not None and three.people == 3
    assert three.ppv == pytest.approx(2 / 3) and three.sensitivity == 1.0
    # 0.05 * 100 is 5.000000000000001 in floating point: still exactly 5 people
    many = evaluation.top(np.r_[np.ones(5), np.zeros(95)], np.linspace(1, 0, 100), 0.05)
    assert many is not None and (many.people, many.ppv) == (5, 1.0)


def test_ties_at_the_cut_are_shared_whatever_the_order() -> None:
    # two places; four people tied at the top, one of them admitted; one more admitted lower
    y = np.array([0, 0, 0, 1, 0, 1, 0, 0, 0, 0])
    p = np.array([0.5, 0.5, 0.5, 0.5, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1])
    shared = evaluation.top(y, p, 0.2)
    assert shared is not None and shared.people == 2
    assert shared.ppv == pytest.approx(2 * (1 / 4) / 2)  # half an admitted person in 2 places
    assert shared.sensitivity == pytest.approx(0.5 / 2)
    for seed in range(5):
        order = np.random.default_rng(seed).permutation(10)
        again = evaluation.top(y[order], p[order], 0.2)
        assert again == shared


def test_calibration_of_right_probabilities_is_near_slope_1_intercept_0() -> None:
    rng = np.random.default_rng(1)
    p = 1 / (1 + np.exp(-rng.normal(-2.5, 1.0, 20_000)))
    y = (rng.uniform(0, 1, len(p)) < p).astype(int)
    fit = evaluation.calibration(y, p)
    assert fit is not None and fit.slope_low is not None and fit.slope_high is not None
    assert fit.slope_low < 1 < fit.slope_high
    assert abs(fit.intercept) < 0.15
    # too extreme scores (log-odds doubled) have slope about a half
    doubled = 1 / (1 + np.exp(-2 * evaluation.logit(p)))
    extreme = evaluation.calibration(y, doubled)
    assert extreme is not None and extreme.slope == pytest.approx(fit.slope / 2, rel=1e-6)


def test_calibration_matches_an_unpenalised_logistic_regression() -> None:
    rng = np.random.default_rng(2)
    p = rng.uniform(0.01, 0.6, 3_000)
    y = (rng.uniform(0, 1, len(p)) < p**1.3).astype(int)
    fit = evaluation.calibration(y, p)
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(
        evaluation.logit(p)[:, None], y
    )
    assert fit is not None
    assert fit.slope == pytest.approx(reference.coef_[0, 0], abs=1e-5)
    assert fit.intercept == pytest.approx(reference.intercept_[0], abs=1e-5)


def test_the_slopes_interval_is_the_inverse_of_the_likelihoods_curvature() -> None:
    """The covariance against a finite-difference Hessian of the negative log-likelihood."""
    rng = np.random.default_rng(4)
    p = rng.uniform(0.02, 0.5, 2_000)
    y = (rng.uniform(0, 1, len(p)) < p).astype(float)
    x = evaluation.logit(p)
    fit = evaluation.calibration(y, p)
    assert fit is not None and fit.slope_low is not None and fit.slope_high is not None

    def nll(a: float, b: float) -> float:
        eta = a + b * x
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    h, a, b = 1e-4, fit.intercept, fit.slope
    hessian = np.array(
        [
            [
                (nll(a + h, b) - 2 * nll(a, b) + nll(a - h, b)) / h**2,
                (nll(a + h, b + h) - nll(a + h, b - h) - nll(a - h, b + h) + nll(a - h, b - h))
                / (4 * h**2),
            ],
            [0.0, (nll(a, b + h) - 2 * nll(a, b) + nll(a, b - h)) / h**2],
        ]
    )
    hessian[1, 0] = hessian[0, 1]
    se = math.sqrt(np.linalg.inv(hessian)[1, 1])
    assert (fit.slope_high - fit.slope_low) / 2 == pytest.approx(evaluation.Z95 * se, rel=1e-3)


def test_the_interval_covers_the_true_slope_about_95_times_in_100() -> None:
    rng = np.random.default_rng(5)
    covered = 0
    for _ in range(200):
        p = 1 / (1 + np.exp(-rng.normal(-2, 1, 1_000)))
        y = (rng.uniform(0, 1, len(p)) < p).astype(int)
        fit = evaluation.calibration(y, p)
        assert fit is not None and fit.slope_low is not None and fit.slope_high is not None
        covered += fit.slope_low <= 1 <= fit.slope_high
    assert 0.90 <= covered / 200 <= 0.99


def test_calibration_bins_are_tenths_with_ties_together() -> None:
    p = np.arange(1, 21) / 40  # 20 distinct scores: ten groups of two
    y = np.array([0, 1] * 10)
    bins = evaluation.calibration_bins(y, p)
    assert [b.people for b in bins] == [2] * 10
    assert bins[0].mean_predicted == pytest.approx((1 / 40 + 2 / 40) / 2)
    assert all(b.observed == 0.5 and b.admitted == 1 for b in bins)
    tied = evaluation.calibration_bins([0, 0, 1, 0, 1, 1], [0.2, 0.2, 0.2, 0.6, 0.6, 0.6])
    assert [(b.people, b.admitted) for b in tied] == [(3, 1), (3, 2)]
    assert [b.mean_predicted for b in tied] == pytest.approx([0.2, 0.6])


def test_curves_run_end_to_end_and_are_thinned() -> None:
    rng = np.random.default_rng(6)
    p = rng.uniform(0, 1, 50_000)
    y = (rng.uniform(0, 1, len(p)) < p).astype(int)
    roc = evaluation.roc_points(y, p)
    assert roc[0] == (0.0, 0.0) and roc[-1] == (1.0, 1.0)
    assert 50 < len(roc) <= 2 * evaluation.CURVE_POINTS
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in itertools.pairwise(roc))
    pr = evaluation.pr_points(y, p)
    assert pr[-1] == (1.0, pytest.approx(y.mean(), abs=1e-5))
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(pr))
    assert len(pr) <= 2 * evaluation.CURVE_POINTS


def test_rates_read_off_the_curves() -> None:
    # scores from the top: 0.8 (admitted), 0.4 (not), 0.35 (admitted), 0.1 (not)
    assert evaluation.tpr_at(Y, P, (0.0, 0.5, 1.0)) == [0.5, 1.0, 1.0]
    assert evaluation.precision_at(Y, P, (0.5, 1.0)) == pytest.approx([1.0, 2 / 3])
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 1, 2_000)
    y = (rng.uniform(0, 1, len(p)) < p).astype(int)
    fpr, tpr, _ = roc_curve(y, p)
    [read] = evaluation.tpr_at(y, p, (0.2,))
    assert read == pytest.approx(np.max(tpr[fpr <= 0.2]))
