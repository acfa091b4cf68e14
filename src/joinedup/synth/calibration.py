"""Run-time calibration on a fixed reference cohort: the scales that make hazards hit targets.

Hazards are a base rate by age times each person's multipliers (conditions, frailty,
deprivation, living alone, care home, recent discharge). Which base rate makes a band's
average equal the published figure depends on how those multipliers are spread, so the
generator draws a cohort of people with ages spread evenly (weighted back to the
reference age structure), exactly as it draws the first population, and solves for:
the death base by age and sex, the emergency admission base by age (each reference band
hitting its rate, allowing for deaths in hospital and readmissions), the onset
normalisers, and the scales of the fall and chronic-ACSC shares. The cohort has its own
fixed seed, so every city, whatever its size or seed, uses the same calibration.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from joinedup.synth import assumptions as assume
from joinedup.synth import conditions, population
from joinedup.synth.diagnoses import ACSC_CONDITIONS
from joinedup.synth.parameters import EMERGENCY_BANDS, MAX_AGE, Parameters, build_parameters
from joinedup.synth.people import Index, People
from joinedup.synth.social_care import SocialCare
from joinedup.synth.timeline import NEVER

COHORT_PER_AGE = 1_000
COHORT_SEED = 20_190_401
COHORT_DAY = 18_000  # any day: the cohort only fixes the spread of multipliers


@dataclass(frozen=True)
class Rates:
    """The base hazards in force: yearly deaths by sex group and age, emergency admissions by age.

    Multiplied by each person's own multipliers. The cohort fixes their shape; each 1 April
    (and on the window's first day) `rebase` rescales them by band so that the population
    registered that day, with its own mix of conditions, frailty and care, dies and is
    admitted at the reference rates over the year ahead. Within a year they do not change,
    so the 1 April risk truth is computed with exactly the rates that then apply.
    """

    mortality_base: npt.NDArray[np.float64]  # (3, MAX_AGE): female, male, other/unknown
    emergency_base: npt.NDArray[np.float64]  # (MAX_AGE,)
    fall_scale: float
    acsc_scale: float


@dataclass(frozen=True)
class Calibration:
    params: Parameters
    mortality_base: npt.NDArray[np.float64]  # (3, MAX_AGE): female, male, other/unknown
    emergency_base: npt.NDArray[np.float64]  # (MAX_AGE,) yearly, before multipliers
    onset_norm: conditions.OnsetNorm
    fall_scale: float
    acsc_scale: float
    acsc_weights: npt.NDArray[np.float64]  # per ACSC condition, over assume.LTCS order
    terminal_share: float
    terminal_share_care_home: float
    expected_acsc_share: float
    expected_falls_65plus: float

    @property
    def rates(self) -> Rates:
        return Rates(self.mortality_base, self.emergency_base, self.fall_scale, self.acsc_scale)


def readmission_factor(rate: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Average readmission multiplier of someone admitted at `rate` a year (steady state)."""
    recent = np.minimum(rate * 30 / 365.25, 1.0)
    year = np.minimum(rate * 335 / 365.25, 1.0) * (1 - recent)
    return 1 + (assume.READMISSION_HR_30D - 1) * recent + (assume.READMISSION_HR_365D - 1) * year


def steady_emergency_rate(
    base: npt.NDArray[np.float64], multiplier: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Yearly emergency admission rate including the person's own readmission uplift."""
    rate = base * multiplier
    for _ in range(5):
        rate = base * multiplier * readmission_factor(rate)
    return rate


def acsc_propensity(
    people: People, idx: Index, weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """1 - prod(1 - w_c) over the chronic ACSC conditions each person has (before scaling)."""
    keep = np.ones(len(idx))
    for c, w in enumerate(weights):
        if w > 0:
            keep *= np.where(people.onset[c, idx] != NEVER, 1 - w, 1.0)
    return 1 - keep


@cache
def calibrate() -> Calibration:
    params = build_parameters()
    rng = np.random.default_rng(COHORT_SEED)
    people = People(COHORT_PER_AGE * MAX_AGE, len(assume.LTCS))
    ages = np.repeat(np.arange(MAX_AGE - 5, dtype=np.int16), COHORT_PER_AGE)
    idx = population.enter(people, None, ages, COHORT_DAY, COHORT_DAY, "initial", params, rng, None)
    care = SocialCare(params, 1)
    care.initial_stock(people, idx, ages, COHORT_DAY, rng)
    conditions.log_hazards(people, idx, params)
    weight = params.age_share[ages] / COHORT_PER_AGE

    # deaths: base = life-table hazard / mean multiplier at that age (smoothed over +-2 years)
    mult = people.mort_mult[idx].astype(np.float64)
    mean = np.bincount(ages, weights=mult, minlength=MAX_AGE) / np.maximum(
        np.bincount(ages, minlength=MAX_AGE), 1
    )
    kernel = np.ones(5) / 5
    smooth = np.convolve(np.pad(mean[: MAX_AGE - 5], 2, mode="edge"), kernel, mode="valid")
    mean[: MAX_AGE - 5] = smooth
    mean[MAX_AGE - 5 :] = smooth[-1]
    mortality_base = np.vstack([params.mortality / mean, params.mortality.mean(axis=0) / mean])
    group = np.minimum(people.sex[idx], 2).astype(np.int64)
    death_rate = mortality_base[group, ages] * mult
    in_care = people.residence[idx] > 0
    tau = np.where(
        in_care,
        _ref(params, "care_home_resident_hospital_death_share"),
        _ref(params, "hospital_death_share"),
    )
    terminal = death_rate * tau

    # emergency admissions: per reference band, the scale that gives its rate
    adm_mult = people.adm_mult[idx].astype(np.float64)
    shape = params.emergency_shape[ages]
    emergency_base = params.emergency_shape.copy()
    los = params.clinical_los_mean[ages] * (1 - params.zero_day_share[ages]) + 1.0
    for _, low, high in EMERGENCY_BANDS:
        sel = (ages >= low) & (ages <= high)
        w = weight[sel]
        target = params.emergency_target[low]
        wanted = target - (w * terminal[sel]).sum() / w.sum()
        occupied = 1 - target * los[sel] / 365.25

        def band_rate(
            scale: float,
            sel: npt.NDArray[np.bool_] = sel,
            w: npt.NDArray[np.float64] = w,
            occupied: npt.NDArray[np.float64] = occupied,
        ) -> float:
            rate = steady_emergency_rate(scale * shape[sel], adm_mult[sel]) * occupied
            return float((w * rate).sum() / w.sum())

        lo, hi = 1e-6, 10.0
        for _ in range(60):
            mid = (lo * hi) ** 0.5
            if band_rate(mid) < wanted:
                lo = mid
            else:
                hi = mid
        emergency_base[low : high + 1] = params.emergency_shape[low : high + 1] * (lo * hi) ** 0.5
    rate = steady_emergency_rate(emergency_base[ages], adm_mult) + terminal

    fall_scale, acsc_scale, expected_falls, expected_acsc = diagnosis_scales(
        params, people, idx, ages, weight, rate
    )
    acsc_weights = np.array([assume.ACSC_WEIGHT.get(c, 0.0) for c in assume.LTCS])

    norm = conditions.fit_onset_norm(people, idx, ages, weight)
    return Calibration(
        params=params,
        mortality_base=mortality_base,
        emergency_base=emergency_base,
        onset_norm=norm,
        fall_scale=float(fall_scale),
        acsc_scale=float(acsc_scale),
        acsc_weights=acsc_weights,
        terminal_share=_ref(params, "hospital_death_share"),
        terminal_share_care_home=_ref(params, "care_home_resident_hospital_death_share"),
        expected_acsc_share=expected_acsc,
        expected_falls_65plus=expected_falls,
    )


# The people registered on 1 April are a little riskier than the year's person-time in the
# oldest bands (the riskiest die during the year and younger, healthier people age in), so
# their admission rates are aimed a little high (fitted on 200,000-person runs).
IN_YEAR_ALLOWANCE = {"75-84": 1.03, "85+": 1.07}
# Steady rates overstate how concentrated admissions are in the riskiest people (who spend
# more of the year in hospital and are admitted at most a few times a month), where falls
# and chronic ACSC are commonest; the targets are raised to match (fitted the same way).
DIAGNOSIS_ALLOWANCE = {"falls": 1.07, "acsc": 1.1}
MORTALITY_SHRINK = 10.0  # expected deaths: small bands keep the cohort's rates
EMERGENCY_SHRINK = 30.0  # expected admissions


def rebase(calib: Calibration, people: People, idx: Index, ages: npt.NDArray[np.int16]) -> Rates:
    """Base rates rescaled, band by band, to this population's mix (see Rates)."""
    params = calib.params
    group = np.minimum(people.sex[idx], 2).astype(np.int64)
    mult = people.mort_mult[idx].astype(np.float64)
    expected = calib.mortality_base[group, ages] * mult
    target = np.vstack([params.mortality, params.mortality.mean(axis=0)])[group, ages]
    band = np.minimum(ages // 5, 21).astype(np.int64)
    exp_b = np.bincount(band, weights=expected, minlength=22)
    tgt_b = np.bincount(band, weights=target, minlength=22)
    scale = (tgt_b + MORTALITY_SHRINK) / (exp_b + MORTALITY_SHRINK)
    by_age = scale[np.minimum(np.arange(MAX_AGE) // 5, 21)]
    mortality_base = calib.mortality_base * by_age[None, :]

    death_rate = mortality_base[group, ages] * mult
    in_care = people.residence[idx] > 0
    terminal = death_rate * np.where(in_care, calib.terminal_share_care_home, calib.terminal_share)
    adm_mult = people.adm_mult[idx].astype(np.float64)
    los = params.clinical_los_mean[ages] * (1 - params.zero_day_share[ages]) + 1.0
    target_rate = params.emergency_target[ages]
    occupied = 1 - target_rate * los / 365.25
    rate = steady_emergency_rate(calib.emergency_base[ages], adm_mult) * occupied
    emergency_base = calib.emergency_base.copy()
    for name, low, high in EMERGENCY_BANDS:
        sel = (ages >= low) & (ages <= high)
        allowance = IN_YEAR_ALLOWANCE.get(name, 1.0)
        wanted = float((target_rate[sel] * allowance - terminal[sel]).sum())
        have = float(rate[sel].sum())
        factor = (wanted + EMERGENCY_SHRINK) / (have + EMERGENCY_SHRINK)
        emergency_base[low : high + 1] *= factor
        rate[sel] *= factor
    # a small city keeps the cohort's diagnosis scales (too few admissions to fit them)
    if len(idx) >= 20_000:
        fall, acsc, _, _ = diagnosis_scales(
            params, people, idx, ages, np.ones(len(idx)), rate + terminal
        )
    else:
        fall, acsc = calib.fall_scale, calib.acsc_scale
    return Rates(mortality_base, emergency_base, fall, acsc)


def diagnosis_scales(
    params: Parameters,
    people: People,
    idx: Index,
    ages: npt.NDArray[np.int16],
    weight: npt.NDArray[np.float64],
    rate: npt.NDArray[np.float64],
) -> tuple[float, float, float, float]:
    """Scales of the fall and chronic-ACSC chances that meet the reference, by admissions.

    Returns (fall scale, ACSC scale, falls of people 65+ per person-year, ACSC share).
    """
    hosp = params.reference["hospital"]
    old = ages >= 65
    fall_raw = params.fall_share[ages] * np.array(assume.FALL_FRAILTY_RR)[people.frailty[idx]]
    falls_target = (
        hosp["falls_admissions_65plus_per_100k"]["value"] / 100_000 * DIAGNOSIS_ALLOWANCE["falls"]
    )
    fall_scale = falls_target / max(
        (weight * rate * fall_raw)[old].sum() / max(weight[old].sum(), 1e-12), 1e-12
    )
    p_fall = np.minimum(fall_raw * fall_scale, 0.9)
    acsc_weights = np.array([assume.ACSC_WEIGHT.get(c, 0.0) for c in assume.LTCS])
    assert all(c in assume.ACSC_WEIGHT for c in ACSC_CONDITIONS)
    q = acsc_propensity(people, idx, acsc_weights)
    target = hosp["chronic_acsc_share_of_emergency"]["value"] * DIAGNOSIS_ALLOWANCE["acsc"]
    admissions = weight * rate
    background = (admissions * (1 - p_fall) * assume.ACSC_BACKGROUND).sum()
    acsc_scale = (target * admissions.sum() - background) / max(
        (admissions * (1 - p_fall) * q).sum(), 1e-12
    )
    p_acsc = np.minimum(assume.ACSC_BACKGROUND + acsc_scale * q, 0.9)
    expected_acsc = float((admissions * (1 - p_fall) * p_acsc).sum() / admissions.sum())
    expected_falls = float((weight * rate * p_fall)[old].sum() / max(weight[old].sum(), 1e-12))
    return float(fall_scale), float(acsc_scale), expected_falls, expected_acsc


def _ref(params: Parameters, key: str) -> float:
    return float(params.reference["population"]["mortality"][key]["value"])
