"""What the generator knows and a lake cannot say: the planted effects and each person's true risk.

truth/risk.parquet holds, for every person registered and alive on each 1 April whose
following twelve months lie inside the window, the probability under the generator's own
hazards of at least one emergency admission in those twelve months. It is computed from
the person's state on that day, month by month over the next twelve: the emergency hazard
of hospital.emergency_rate (age advancing, the readmission uplift fading as the last
discharge recedes, any caseload episode already planned, days already booked in hospital
left out) and the death hazard compete; a death outside hospital brings a terminal
admission with the reference share. So, with lambda_k and mu_k the month's expected
admissions and deaths and tau the terminal share,

    P = sum_k S_(k-1) * (lambda_k + tau mu_k) / (lambda_k + mu_k) * (1 - exp(-(lambda_k + mu_k))),
    S_k = S_(k-1) * exp(-(lambda_k + mu_k)).

New conditions and frailty steps during the year enter through their expected effect on
the log hazards (onset rate x log hazard ratio, to first order). Not counted: future case
finding, care home moves and moves away (the probability is for someone who stays).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import numpy.typing as npt

from joinedup.synth.calibration import Calibration, Rates
from joinedup.synth.conditions import OnsetTables, onset_weight
from joinedup.synth.hospital import emergency_rate, exposure_start, overlap
from joinedup.synth.people import Index, People
from joinedup.synth.population import ages_for, mortality_rate
from joinedup.synth.timeline import NEVER, Month


def drifts(
    people: People, idx: Index, ages: npt.NDArray[np.int16], calib: Calibration, tables: OnsetTables
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Expected yearly growth of the log admission and death hazards (new conditions, frailty)."""
    params = calib.params
    weight = onset_weight(people.burden[idx])
    key = ages.astype(np.int64) * 10 + people.decile[idx].astype(np.int64) - 1
    onset = tables.conditions[:, key] * (people.onset[:, idx] == NEVER)
    adm = np.expm1(params.admission_log_hr).astype(np.float32) @ onset * weight
    mort = np.expm1(params.mortality_log_hr).astype(np.float32) @ onset * weight
    del onset
    state = people.frailty[idx]
    level = np.minimum(state, 2).astype(np.int64)
    up = tables.frailty[level, ages] * weight * (state < 3)
    step_adm = np.expm1(
        params.frailty_admission_log_hr[level + 1] - params.frailty_admission_log_hr[level]
    )
    step_mort = np.expm1(
        params.frailty_mortality_log_hr[level + 1] - params.frailty_mortality_log_hr[level]
    )
    return adm + up * step_adm, mort + up * step_mort


def admission_risk(
    calib: Calibration,
    tables: OnsetTables,
    rates: Rates,
    people: People,
    idx: Index,
    months: list[Month],
    caseload_ratio: float,
    ready: npt.NDArray[np.int32],
) -> npt.NDArray[np.float64]:
    """P(at least one emergency admission) over `months` for people registered on the first day.

    `ready` is the ready-for-discharge day of anyone in hospital whose discharge day is not
    settled yet (NEVER for everyone else): they are taken to leave hospital that day.
    """
    with _discharged_when_ready(people, idx, ready):
        ages0 = ages_for(people, idx, months[0])
        adm_drift, mort_drift = drifts(people, idx, ages0, calib, tables)
        tau0 = np.where(
            people.residence[idx] > 0, calib.terminal_share_care_home, calib.terminal_share
        )
        survive = np.ones(len(idx))
        risk = np.zeros(len(idx))
        start = months[0].start
        for month in months:
            ages = ages_for(people, idx, month)
            first = np.full(len(idx), month.start, dtype=np.int32)
            last = np.full(len(idx), month.end, dtype=np.int32)
            lo = exposure_start(people, idx, first)
            elapsed = ((month.start + month.end) / 2 - start) / 365.25
            lam = emergency_rate(
                rates.emergency_base, people, idx, ages, lo, last, caseload_ratio
            ) * np.exp(adm_drift * elapsed)
            mu = mortality_rate(people, idx, ages, rates.mortality_base) * np.exp(
                mort_drift * elapsed
            )
            mu = mu * month.days / 365.25
            out = (last - np.minimum(lo, month.end + 1) + 1).clip(0) / month.days
            on = (
                overlap(first, last, people.episode_start[idx], people.episode_end[idx])
                / month.days
            )
            tau = tau0 * (1 + (caseload_ratio - 1) * on)
            total = lam + mu
            event = -np.expm1(-total)
            share = np.where(total > 0, (lam + tau * out * mu) / np.maximum(total, 1e-300), 0.0)
            risk += survive * share * event
            survive *= np.exp(-total)
        return np.clip(risk, 0.0, 1.0)


@contextmanager
def _discharged_when_ready(
    people: People, idx: Index, ready: npt.NDArray[np.int32]
) -> Iterator[None]:
    """Within: anyone still in hospital is taken to leave on their ready day (then restored)."""
    pending = people.busy_until[idx] == NEVER
    saved = people.busy_until[idx[pending]].copy(), people.last_discharge[idx[pending]].copy()
    people.busy_until[idx[pending]] = ready[pending]
    people.last_discharge[idx[pending]] = ready[pending]
    try:
        yield
    finally:
        people.busy_until[idx[pending]], people.last_discharge[idx[pending]] = saved
