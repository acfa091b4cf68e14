"""Two-way fixed effects: the same numbers as pyfixest, and biased where CS is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from evaluation_panels import as_panel, df_het, simulated

from joinedup.evaluation.staggered_did import event_study, group_time_effects, overall_effect
from joinedup.evaluation.twfe import BIASED, twfe_event_study, twfe_static


def test_static_estimate_equals_pyfixest() -> None:
    pf = pytest.importorskip("pyfixest")
    frame = simulated()
    frame["live"] = ((frame["g"] > 0) & (frame["period"] >= frame["g"])).astype(float)
    theirs = pf.feols("y ~ live | unit + period", data=frame, vcov={"CRV1": "unit"})
    ours = twfe_static(as_panel(frame))
    assert ours.value == pytest.approx(float(theirs.coef()["live"]), abs=1e-8)
    # Small-sample corrections differ a little between the two (fixed effects counted or not).
    assert ours.se == pytest.approx(float(theirs.se()["live"]), rel=0.1)
    assert ours.method == BIASED
    assert ours.n == 12


def test_event_study_equals_pyfixest_dummies() -> None:
    pf = pytest.importorskip("pyfixest")
    frame = simulated()
    ours = twfe_event_study(as_panel(frame))
    event = np.where(frame["g"] > 0, frame["period"] - frame["g"], -1000)
    names = {}
    for e in ours:
        name = f"e_{'m' if e < 0 else ''}{abs(e)}"
        frame[name] = (event == e).astype(float)
        names[e] = name
    theirs = pf.feols(
        "y ~ " + " + ".join(names.values()) + " | unit + period", data=frame, vcov={"CRV1": "unit"}
    )
    for e, name in names.items():
        assert ours[e].value == pytest.approx(float(theirs.coef()[name]), abs=1e-8)
    assert -1 not in ours


def test_static_twfe_is_biased_on_df_het_where_callaway_santanna_is_not() -> None:
    data = df_het()
    frame = pd.DataFrame(
        {"unit": data["unit"], "period": data["year"], "g": data["g"], "y": data["dep_var"]}
    )
    panel = as_panel(frame)
    truth = float(
        (data["te"] + data["te_dynamic"])[data["g"].gt(0) & data["year"].ge(data["g"])].mean()
    )
    static = twfe_static(panel)
    cs = overall_effect(event_study(group_time_effects(panel)))
    # The dynamic effects put already-live units in the control group: TWFE is pulled down.
    assert static.value < truth - 0.15
    assert static.excludes(truth)
    assert abs(cs.att[0] - truth) < abs(static.value - truth)


def test_no_never_live_unit_drops_the_earliest_lead() -> None:
    frame = simulated()
    frame = frame[frame["g"] > 0]
    ours = twfe_event_study(as_panel(frame))
    earliest = int((frame["period"] - frame["g"]).min())
    assert earliest not in ours
    assert earliest + 1 in ours
