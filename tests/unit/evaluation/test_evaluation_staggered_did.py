"""Callaway-Sant'Anna: by hand, against csdid, and recovering pyfixest's df_het truth."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from evaluation_panels import GO_LIVE, as_panel, df_het, simulated

from joinedup.evaluation.staggered_did import (
    StaggeredPanel,
    callaway_santanna,
    event_study,
    group_time_effects,
    multiplier_bootstrap,
    overall_effect,
    randomisation_p_value,
)


def hand_panel() -> StaggeredPanel:
    """A live in 2, B live in 3, C and D never; three periods."""
    y = {"A": [1, 4, 6], "B": [2, 3, 9], "C": [0, 1, 2], "D": [1, 1, 3]}
    g = {"A": 2, "B": 3, "C": np.nan, "D": np.nan}
    units = [u for u in y for _ in range(3)]
    return StaggeredPanel.from_long(
        units, [1, 2, 3] * 4, [v for u in y for v in y[u]], [g[u] for u in units]
    )


def test_group_time_effects_by_hand() -> None:
    gt = group_time_effects(hand_panel())
    cells = {(int(g), int(t)): a for g, t, a in zip(gt.groups, gt.times, gt.att, strict=True)}
    # ATT(2,2): A's change 3 against B, C, D (not yet live in 2): 3 - (1 + 1 + 0) / 3.
    # ATT(2,3): base 1; B is live by 3, so C and D only: 5 - (2 + 2) / 2.
    # ATT(3,2): pre-period, base 1 (varying): B's 1 against C and D's (1 + 0) / 2; A is live.
    # ATT(3,3): base 2: 6 - (1 + 2) / 2.
    assert cells == pytest.approx({(2, 2): 3 - 2 / 3, (2, 3): 3.0, (3, 2): 0.5, (3, 3): 4.5})
    study = event_study(gt)
    by_e = dict(zip(study.labels.tolist(), study.att, strict=True))
    # Equal group sizes: e = 0 averages ATT(2,2) and ATT(3,3).
    assert by_e == pytest.approx({-1: 0.5, 0: (7 / 3 + 4.5) / 2, 1: 3.0})
    assert overall_effect(study).att[0] == pytest.approx(((7 / 3 + 4.5) / 2 + 3.0) / 2)


def test_unequal_groups_weigh_by_size() -> None:
    frame = simulated(go_live=[4, 4, 4, 8, 0, 0], periods=10)
    study = event_study(group_time_effects(as_panel(frame)))
    gt = group_time_effects(as_panel(frame))
    at_zero = {
        int(g): a for g, a, e in zip(gt.groups, gt.att, gt.event_times, strict=True) if e == 0
    }
    e0 = study.att[list(study.labels).index(0)]
    assert e0 == pytest.approx(0.75 * at_zero[4] + 0.25 * at_zero[8])


def _csdid(frame: pd.DataFrame, bootstrap: bool) -> object:
    csdid = pytest.importorskip("csdid.att_gt")
    np.random.seed(11)  # csdid draws from numpy's global generator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = csdid.ATTgt(
            yname="y",
            gname="g",
            idname="unit",
            tname="period",
            data=frame,
            control_group="notyettreated",
        ).fit(est_method="reg", bstrap=bootstrap)
        out.aggte(typec="dynamic", bstrap=bootstrap, biters=999)
    return out


@pytest.mark.parametrize("never_live", [True, False], ids=["never-live units", "all go live"])
def test_agrees_with_csdid(never_live: bool) -> None:
    frame = simulated()
    if not never_live:
        frame = frame[frame["g"] > 0]
    theirs = _csdid(frame, bootstrap=False)
    gt = group_time_effects(as_panel(frame))
    results = theirs.results  # type: ignore[attr-defined]
    assert np.array(results["group"], dtype=float) == pytest.approx(gt.groups)
    assert np.array(results["year"]) == pytest.approx(gt.times)
    np.testing.assert_allclose(gt.att, np.array(results["att"], dtype=float), atol=1e-6, rtol=0)
    np.testing.assert_allclose(gt.analytic_se, np.array(results["se"]), atol=1e-6, rtol=0)
    study = event_study(gt)
    atte = theirs.atte  # type: ignore[attr-defined]
    assert study.labels == pytest.approx(np.array(atte["egt"], dtype=float))
    np.testing.assert_allclose(study.att, np.array(atte["att_egt"], dtype=float), atol=1e-6)
    np.testing.assert_allclose(
        study.analytic_se, np.array(atte["se_egt"], dtype=float).ravel(), atol=1e-6
    )
    overall = overall_effect(study)
    assert overall.att[0] == pytest.approx(float(atte["overall_att"]), abs=1e-6)
    assert overall.analytic_se[0] == pytest.approx(float(atte["overall_se"]), abs=1e-6)


def test_bootstrap_intervals_are_the_size_of_csdids() -> None:
    frame = simulated()
    theirs = _csdid(frame, bootstrap=True)
    their_se = np.array(theirs.atte["se_egt"], dtype=float).ravel()  # type: ignore[attr-defined]
    ours = callaway_santanna(as_panel(frame), draws=999, seed=5)
    our_se = np.array([e.se for e in ours.event_study.values()], dtype=float)
    assert np.all(np.abs(our_se / their_se - 1) < 0.2)
    analytic = event_study(group_time_effects(as_panel(frame))).analytic_se
    # Where only three units move a cell the Rademacher draws are coarse: typical, not all.
    assert np.median(np.abs(our_se / analytic - 1)) < 0.1


def test_recovers_df_het_true_effects() -> None:
    data = df_het()
    frame = pd.DataFrame(
        {"unit": data["unit"], "period": data["year"], "g": data["g"], "y": data["dep_var"]}
    )
    gt = group_time_effects(as_panel(frame))
    study = event_study(gt)
    truth_cells = (
        data.assign(effect=data["te"] + data["te_dynamic"])
        .loc[data["g"] > 0]
        .groupby(["g", "year"])["effect"]
        .mean()
    )
    share = data.loc[data["year"] == data["year"].min()].groupby("g")["unit"].count()
    for e, estimate, se in zip(study.labels, study.att, study.analytic_se, strict=True):
        cells = [(g, g + e) for g in (2000, 2010) if (g, g + e) in truth_cells.index]
        weights = np.array([share[g] for g, _ in cells], dtype=float)
        truth = float(np.array([truth_cells[c] for c in cells]) @ weights / weights.sum())
        # About 500 units a group, noise sd about 1: se about 0.07. Four se is a miss that
        # happens by chance once in 15,000 event times; 0.25 is an eighth of the effect.
        assert abs(estimate - truth) < max(4 * se, 0.01), (e, estimate, truth, se)
        assert abs(estimate - truth) < 0.25
    # The planted effects are large (1 to 3): the test would fail if the method were off.
    assert study.att[study.labels == 10][0] > 1.5


def test_bootstrap_is_seeded_and_mammen_differs() -> None:
    panel = as_panel(simulated())
    a = callaway_santanna(panel, draws=499, seed=1)
    b = callaway_santanna(panel, draws=499, seed=1)
    c = callaway_santanna(panel, draws=499, seed=1, multipliers="mammen")
    assert a.overall == b.overall
    assert a.overall.se != c.overall.se
    assert a.overall.se == pytest.approx(c.overall.se, rel=0.3)


def test_uniform_band_is_wider_than_pointwise() -> None:
    panel = as_panel(simulated())
    pointwise = callaway_santanna(panel, draws=999, seed=2)
    uniform = callaway_santanna(panel, draws=999, seed=2, uniform_band=True)
    for e, est in pointwise.event_study.items():
        band = uniform.event_study[e]
        assert band.value == est.value
        assert band.upper - band.lower > est.upper - est.lower


def test_clustered_bootstrap_sums_units_in_a_cluster() -> None:
    influence = np.array([[1.0], [-1.0], [2.0], [-2.0]])
    # Two clusters whose influences cancel: every draw is exactly zero.
    together = multiplier_bootstrap(influence, draws=200, clusters=["x", "x", "y", "y"])
    apart = multiplier_bootstrap(influence, draws=200)
    assert together.se[0] == 0
    assert apart.se[0] > 0


def test_randomisation_inference_finds_a_planted_effect_and_not_a_null() -> None:
    frame = simulated()
    observed, p = randomisation_p_value(as_panel(frame), permutations=199, seed=4)
    assert observed < -2
    assert p < 0.05
    # The same design with no effect planted: the go-live dates are labels only.
    null_frame = simulated(seed=8, go_live=[0] * 12)
    null_frame["g"] = [g for g in GO_LIVE for _ in range(24)]
    _, p_null = randomisation_p_value(as_panel(null_frame), permutations=199, seed=4)
    assert p_null > 0.05
    result = callaway_santanna(as_panel(frame), draws=199, permutations=99, seed=4)
    assert "randomisation" in result.overall.method
    assert result.overall.p_value is not None and result.overall.p_value < 0.05


def test_bad_panels_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="not balanced"):
        StaggeredPanel.from_long(["a", "a", "b"], [1, 2, 1], [1.0, 2.0, 3.0], [2, 2, np.nan])
    with pytest.raises(ValueError, match="first period"):
        StaggeredPanel.from_long(["a", "a", "b", "b"], [1, 2, 1, 2], [1.0] * 4, [1, 1, 2, 2])
    with pytest.raises(ValueError, match="more than one row"):
        StaggeredPanel.from_long(["a", "a"], [1, 1], [1.0, 2.0], [np.nan, np.nan])
    with pytest.raises(ValueError, match="whole numbers"):
        StaggeredPanel.from_long(["a"], [1.5], [1.0], [np.nan])
    alone = StaggeredPanel.from_long(["a", "a", "b", "b"], [1, 2, 1, 2], [1.0] * 4, [2, 2, 2, 2])
    with pytest.raises(ValueError, match="not-yet-live"):
        group_time_effects(alone)


def test_after_the_window_counts_as_never_live() -> None:
    panel = StaggeredPanel.from_long(["a", "a", "b", "b"], [1, 2, 1, 2], [1.0] * 4, [2, 2, 9, 9])
    assert np.isinf(panel.go_live[1])
