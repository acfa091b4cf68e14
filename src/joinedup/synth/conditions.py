"""Long-term conditions and frailty: who has them on arrival, who develops them month by month.

On arrival (the first day of the window, a birth, a move in) each condition is drawn at
its prevalence for the person's age and deprivation, through a Gaussian copula on one
latent "burden" per person so that conditions cluster in the same people. Each month
people without a condition develop it at the onset hazard derived in parameters.py
(scaled up for a high burden, normalised so the age's average is unchanged); frailty moves
up one level at a time (fit -> mild -> moderate -> severe), each change closing the
previous level's row with a resolved date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.lake.schema import CONDITIONS
from joinedup.synth import assumptions as assume
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.eventlog import EventLog
from joinedup.synth.parameters import MAX_AGE, Parameters
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import NEVER, uniform_days

CONDITION_CODE = {name: np.int8(i) for i, name in enumerate(CONDITIONS)}
FRAILTY_CODE = np.array(
    [-1, *(CONDITIONS.index(level) for level in assume.FRAILTY_LEVELS)], dtype=np.int8
)
RESOLVING_INDEX = {assume.LTCS.index(c) for c in assume.RESOLVING}
AGE_BINS = 11  # ten-year bins for the onset normalisers
DAYS_PER_YEAR = 365.25


def new_condition_log() -> EventLog:
    return EventLog(
        {
            "person": np.int32,
            "condition": np.int8,
            "onset": np.int32,
            "recorded": np.int32,
            "resolved": np.int32,
        },
        fill={"recorded": NEVER, "resolved": NEVER},
    )


def normal_cdf(z: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Standard normal CDF (Abramowitz and Stegun 7.1.26; error below 1.5e-7): numpy has no erf."""
    x = np.abs(np.asarray(z, dtype=np.float64)) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1.0 - poly * np.exp(-x * x)
    return 0.5 * (1.0 + np.sign(z) * erf)


def _first_age(condition: str) -> int:
    shape = assume.PREVALENCE_SHAPE[condition]
    positive = [a for a, v in shape.items() if v > 0]
    return max(0, min(positive) - 5) if positive else 0


FIRST_AGE = np.array([_first_age(c) for c in assume.LTCS], dtype=np.int32)


@dataclass(frozen=True)
class OnsetNorm:
    """Mean heterogeneity weight among people without each condition, by ten-year age bin.

    Dividing an individual's weight by it keeps each age's average onset at the derived rate
    although people with a high burden have already developed the condition more often.
    """

    conditions: npt.NDArray[np.float64]  # (n LTCs, AGE_BINS)
    frailty: npt.NDArray[np.float64]  # (3, AGE_BINS)

    @staticmethod
    def neutral() -> OnsetNorm:
        return OnsetNorm(np.ones((len(assume.LTCS), AGE_BINS)), np.ones((3, AGE_BINS)))


def onset_weight(burden: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    beta = assume.ONSET_HETEROGENEITY
    return np.exp(beta * burden.astype(np.float64) - beta * beta / 2)


def fit_onset_norm(
    people: People, idx: Index, ages: npt.NDArray[np.int16], weights: npt.NDArray[np.float64]
) -> OnsetNorm:
    """Weighted mean onset weight of those without each condition / at each frailty level."""
    w = onset_weight(people.burden[idx])
    bins = np.minimum(ages // 10, AGE_BINS - 1)
    cond = np.ones((len(assume.LTCS), AGE_BINS))
    for c in range(len(assume.LTCS)):
        without = people.onset[c, idx] == NEVER
        num = np.bincount(bins[without], weights=(w * weights)[without], minlength=AGE_BINS)
        den = np.bincount(bins[without], weights=weights[without], minlength=AGE_BINS)
        cond[c] = np.where(den > 0, num / np.maximum(den, 1e-12), 1.0)
    frail = np.ones((3, AGE_BINS))
    state = people.frailty[idx]
    for k in range(3):
        at = state == k
        num = np.bincount(bins[at], weights=(w * weights)[at], minlength=AGE_BINS)
        den = np.bincount(bins[at], weights=weights[at], minlength=AGE_BINS)
        frail[k] = np.where(den > 0, num / np.maximum(den, 1e-12), 1.0)
    return OnsetNorm(np.maximum(cond, 0.05), np.maximum(frail, 0.05))


def draw_initial(
    people: People,
    idx: Index,
    ages: npt.NDArray[np.int16],
    day: npt.NDArray[np.int32],
    params: Parameters,
    rng: np.random.Generator,
    log: EventLog | None,
    recorded: npt.NDArray[np.int32] | None,
) -> None:
    """Conditions and frailty of people arriving on their `day` (onset dates in their past).

    `recorded` (one day per person, or None for "on the onset date") is when the practice
    first recorded them: a person who moves in brings a history that arrives with their
    records some weeks after registration.
    """
    n = len(idx)
    if n == 0:
        return
    rho = assume.CONDITION_CORRELATION
    burden = people.burden[idx].astype(np.float64)
    decile = people.decile[idx].astype(np.int64) - 1
    birth = people.birth[idx]
    years_since = np.maximum(ages.astype(np.int32)[None, :] - FIRST_AGE[:, None], 0)
    for c in range(len(assume.LTCS)):
        p = params.prevalence[c, ages] * params.deprivation_rr[c, decile]
        z = rho * burden + np.sqrt(1 - rho * rho) * rng.standard_normal(n)
        has = normal_cdf(z) > 1 - np.minimum(p, 0.97)  # a high burden makes conditions likelier
        if not has.any():
            continue
        who = idx[has]
        people.ltc_count[who] += 1
        span = np.minimum(years_since[c, has], 25) * DAYS_PER_YEAR
        onset = np.maximum(day[has] - (rng.random(len(who)) * span).astype(np.int32), birth[has])
        onset = np.minimum(onset, day[has]).astype(np.int32)
        people.onset[c, who] = onset
        if log is not None:
            rows = log.append(
                person=who.astype(np.int32),
                condition=CONDITION_CODE[assume.LTCS[c]],
                onset=onset,
                recorded=NEVER if recorded is None else recorded[has],
            )
            if c in RESOLVING_INDEX:
                people.condition_row[c, who] = rows
    rho_f = assume.FRAILTY_CORRELATION
    z = rho_f * burden + np.sqrt(1 - rho_f * rho_f) * rng.standard_normal(n)
    u = 1 - normal_cdf(z)  # low u: high burden, frailer
    cum = params.frailty_cumulative[:, ages]
    state = ((u < cum[0]).astype(np.int8) + (u < cum[1]) + (u < cum[2])).astype(np.int8)
    people.frailty[idx] = state
    frail = state > 0
    if log is not None and frail.any():
        who = idx[frail]
        since = np.minimum(ages[frail].astype(np.int32) - 50, 4).clip(0) * DAYS_PER_YEAR
        onset = np.maximum(
            day[frail] - (rng.random(len(who)) * since).astype(np.int32), birth[frail]
        )
        rows = log.append(
            person=who.astype(np.int32),
            condition=FRAILTY_CODE[state[frail]],
            onset=np.minimum(onset, day[frail]).astype(np.int32),
            recorded=NEVER if recorded is None else recorded[frail],
        )
        people.frailty_row[who] = rows


def log_hazards(people: People, idx: Index, params: Parameters) -> None:
    """Recompute these people's static multipliers of admission and death (sums of log ratios)."""
    if len(idx) == 0:
        return
    has = (people.onset[:, idx] != NEVER).astype(np.float32)
    adm = params.admission_log_hr.astype(np.float32) @ has
    mort = params.mortality_log_hr.astype(np.float32) @ has
    frailty = people.frailty[idx]
    adm += params.frailty_admission_log_hr[frailty].astype(np.float32)
    mort += params.frailty_mortality_log_hr[frailty].astype(np.float32)
    depr = (10 - people.decile[idx].astype(np.float32)) / 9
    adm += depr * np.float32(np.log(assume.DEPRIVATION_ADMISSION_HR))
    mort += depr * np.float32(np.log(assume.DEPRIVATION_MORTALITY_HR))
    alone = people.alone[idx]
    adm += alone * np.float32(np.log(assume.LIVES_ALONE_ADMISSION_HR))
    mort += alone * np.float32(np.log(assume.LIVES_ALONE_MORTALITY_HR))
    residence = people.residence[idx]
    adm += (residence > 0) * np.float32(np.log(assume.CARE_HOME_ADMISSION_HR))
    care_mort = np.log(
        [
            1.0,
            assume.CARE_HOME_MORTALITY_HR["residential"],
            assume.CARE_HOME_MORTALITY_HR["nursing"],
        ]
    )
    mort += care_mort[residence].astype(np.float32)
    people.adm_mult[idx] = np.exp(
        np.minimum(adm, np.float32(np.log(assume.MAX_ADMISSION_MULTIPLIER)))
    )
    people.mort_mult[idx] = np.exp(mort)


@dataclass(frozen=True)
class OnsetTables:
    """Onset rates by (condition, age * 10 + decile), frailty steps by (level, age), normalised.

    Looked up once per person and month, so that the month's onsets cost a few passes over
    the population whatever the number of conditions.
    """

    conditions: npt.NDArray[np.float32]  # (n LTCs, MAX_AGE * 10)
    resolution: npt.NDArray[np.float32]  # (n LTCs, MAX_AGE)
    frailty: npt.NDArray[np.float32]  # (3, MAX_AGE)
    total: npt.NDArray[np.float32]  # (MAX_AGE * 10,) sum over conditions
    cumulative: npt.NDArray[np.float32]  # (n LTCs, MAX_AGE * 10) running sum over conditions

    @staticmethod
    def build(params: Parameters, norm: OnsetNorm) -> OnsetTables:
        ages = np.arange(MAX_AGE)
        bins = np.minimum(ages // 10, AGE_BINS - 1)
        rate = params.onset / norm.conditions[:, bins]  # (C, MAX_AGE)
        table = rate[:, :, None] * params.deprivation_rr[:, None, :]  # (C, MAX_AGE, 10)
        frail = params.frailty_up / norm.frailty[:, bins]
        flat = table.reshape(len(assume.LTCS), MAX_AGE * 10)
        return OnsetTables(
            flat.astype(np.float32),
            params.resolution.astype(np.float32),
            frail.astype(np.float32),
            flat.sum(axis=0).astype(np.float32),
            np.cumsum(flat, axis=0).astype(np.float32),
        )


def monthly_onsets(
    at_risk: AtRisk, tables: OnsetTables, log: EventLog, rng: np.random.Generator
) -> Index:
    """Onsets, resolutions and frailty changes this month among people alive on [first, last].

    The chance of an onset in the month is rate x exposure (rates are small: at most a few
    per cent a month). Returns the people whose conditions changed (their log hazards need
    recomputing).
    """
    people, idx, ages, first, last = at_risk
    n = len(idx)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    years = at_risk.years()
    weight = onset_weight(people.burden[idx]).astype(np.float32) * years
    key = ages.astype(np.int64) * 10 + people.decile[idx].astype(np.int64) - 1
    # Thinning: one draw per person against the sum of every condition's chance; a hit picks
    # a condition in proportion to its chance and counts only if the person does not have it.
    # Each condition's chance is exactly rate x exposure; two onsets in one month (a chance
    # of the order of 1e-4) are not drawn.
    ceiling = tables.total[key] * weight
    u = rng.random(n, dtype=np.float32)
    hit = np.flatnonzero(u < ceiling)
    changed: list[Index] = []
    if len(hit):
        point = u[hit] / weight[hit]  # uniform on [0, total rate) given a hit
        cumulative = tables.cumulative[:, key[hit]]
        cond = (cumulative <= point[None, :]).sum(axis=0).clip(0, len(assume.LTCS) - 1)
        who = idx[hit]
        fresh = people.onset[cond, who] == NEVER
        hit, cond, who = hit[fresh], cond[fresh], who[fresh]
    if len(hit):
        day = uniform_days(rng, first[hit], last[hit])
        lag = np.where(
            rng.random(len(who)) < 0.25, rng.exponential(45.0, len(who)).astype(np.int32), 0
        )
        people.onset[cond, who] = day
        people.ltc_count[who] += 1
        codes = np.array([CONDITION_CODE[c] for c in assume.LTCS], dtype=np.int8)
        rows = log.append(
            person=who.astype(np.int32),
            condition=codes[cond],
            onset=day,
            recorded=np.where(lag > 0, day + lag, NEVER).astype(np.int32),
        )
        resolving = np.isin(cond, list(RESOLVING_INDEX))
        people.condition_row[cond[resolving], who[resolving]] = rows[resolving]
        changed.append(who)
    for c in sorted(RESOLVING_INDEX):
        holders = np.flatnonzero(people.onset[c, idx] != NEVER)
        if len(holders) == 0:
            continue
        p = tables.resolution[c, ages[holders]] * years[holders]
        gone = holders[rng.random(len(holders)) < p]
        if len(gone) == 0:
            continue
        who = idx[gone]
        day = np.maximum(uniform_days(rng, first[gone], last[gone]), people.onset[c, who] + 1)
        ok = (day <= last[gone]) & (people.condition_row[c, who] >= 0)
        who, day = who[ok], day[ok]
        log["resolved"][people.condition_row[c, who]] = day
        people.onset[c, who] = NEVER
        people.condition_row[c, who] = -1
        people.ltc_count[who] -= 1
        changed.append(who)
    state = people.frailty[idx]
    level = np.minimum(state, 2).astype(np.int64)
    p = -np.expm1(-tables.frailty[level, ages] * weight)
    move = np.flatnonzero((rng.random(n, dtype=np.float32) < p) & (state < 3))
    if len(move):
        who = idx[move]
        day = uniform_days(rng, first[move], last[move])
        old = people.frailty_row[who]
        had = old >= 0
        day = np.where(had, np.maximum(day, log["onset"][np.maximum(old, 0)] + 1), day).astype(
            np.int32
        )
        ok = day <= last[move]
        who, day, old, had = who[ok], day[ok], old[ok], had[ok]
        log["resolved"][old[had]] = day[had]
        new_level = (people.frailty[who] + 1).astype(np.int8)
        people.frailty[who] = new_level
        rows = log.append(person=who.astype(np.int32), condition=FRAILTY_CODE[new_level], onset=day)
        people.frailty_row[who] = rows
        changed.append(who)
    if not changed:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(changed))


def max_age_index(ages: npt.NDArray[np.int16]) -> npt.NDArray[np.int64]:
    return np.minimum(ages, MAX_AGE - 1).astype(np.int64)
