"""Care packages as the generator holds them: the log's columns, and who pays and how.

Every kind of package (home care, placements, reablement, equipment, ...) is one row of
the same log, so what each row holds and how funders and personal budgets are drawn live
here, apart from the rules of when care starts and ends (social_care.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from joinedup.lake.schema import BUDGET_MODES, PACKAGE_FUNDERS, SERVICE_TYPES
from joinedup.lake.vocabulary import COUNCIL_SUPPORTED_FUNDERS
from joinedup.synth import assumptions as assume
from joinedup.synth.eventlog import EventLog
from joinedup.synth.timeline import NEVER

SERVICE = {name: np.int8(i) for i, name in enumerate(SERVICE_TYPES)}
FUNDER = {name: np.int8(i) for i, name in enumerate(PACKAGE_FUNDERS)}
MODE = {name: np.int8(i) for i, name in enumerate(BUDGET_MODES)}


def new_package_log() -> EventLog:
    nan = np.float32(np.nan)
    return EventLog(
        {
            "person": np.int32,
            "service": np.int8,
            "start": np.int32,
            "end": np.int32,
            "hours": np.float32,
            "weekly_cost": np.float32,
            "funder": np.int8,
            "personal_budget": np.bool_,
            "budget_mode": np.int8,
            "permanent": np.bool_,
            "after_spell": np.int64,
            "scheme": np.int8,
        },
        fill={
            "end": NEVER,
            "hours": nan,
            "weekly_cost": nan,
            "funder": -1,
            "budget_mode": -1,
            "after_spell": -1,
            "scheme": -1,
        },
    )


def draw_funders(
    shares: dict[str, float], n: int, rng: np.random.Generator
) -> npt.NDArray[np.int8]:
    names = list(shares)
    p = np.array([shares[k] for k in names])
    codes = np.array([FUNDER[k] for k in names], dtype=np.int8)
    return codes[rng.choice(len(names), size=n, p=p / p.sum())]


def draw_budgets(
    funder: npt.NDArray[np.int8], ages: npt.NDArray[np.int16], rng: np.random.Generator
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int8]]:
    """Personal budgets of community packages and how each is held (more direct payments < 65)."""
    n = len(funder)
    supported = np.isin(funder, [FUNDER[f] for f in COUNCIL_SUPPORTED_FUNDERS])
    health = funder == FUNDER["nhs"]
    has = (supported & (rng.random(n) < assume.PERSONAL_BUDGET_SHARE)) | (
        health & (rng.random(n) < 0.2)
    )
    dp = assume.BUDGET_MODE_SHARE["direct_payment"] * np.where(ages < 65, 1.6, 0.85)
    tp = np.full(n, assume.BUDGET_MODE_SHARE["third_party"])
    u = rng.random(n)
    mode = np.where(
        u < dp, MODE["direct_payment"], np.where(u < dp + tp, MODE["third_party"], MODE["notional"])
    )
    return has, np.where(has, mode, -1).astype(np.int8)


def draw_payment(
    shares: dict[str, float], ages: npt.NDArray[np.int16], rng: np.random.Generator
) -> dict[str, npt.NDArray[Any]]:
    """The funder, personal budget and budget mode columns of new community packages."""
    funder = draw_funders(shares, len(ages), rng)
    personal_budget, budget_mode = draw_budgets(funder, ages, rng)
    return {"funder": funder, "personal_budget": personal_budget, "budget_mode": budget_mode}
