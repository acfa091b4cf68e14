"""Who is registered: the first population, births, moves in and away, and deaths.

The list keeps the reference age structure through the window: each month the people who
will be registered on the next month's first day are counted by single year of age, and
the shortfall against the reference share of the starting size is filled by births (age 0)
and people moving in (older ages), while ages above their share lose more people to moves
away. Deaths follow a monthly hazard (life-table level by age and sex, raised by
conditions, frailty, deprivation, living alone and living in a care home).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.synth import conditions
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.eventlog import EventLog
from joinedup.synth.parameters import MAX_AGE, Parameters
from joinedup.synth.people import Index, People
from joinedup.synth.places import Places, draw_deciles, draw_neighbourhoods, draw_practices
from joinedup.synth.timeline import NEVER, Month, ages_on, split_days, uniform_days

DAYS_PER_YEAR = 365.25
UNKNOWN_SEX_SHARE = 0.0005
CARE_HOME_MOVE_FACTOR = 0.1  # care home residents rarely move away


def enter(
    people: People,
    places: Places | None,
    ages: npt.NDArray[np.int16],
    first: int,
    last: int,
    kind: str,
    params: Parameters,
    rng: np.random.Generator,
    log: EventLog | None,
) -> Index:
    """Add people of these ages registering between `first` and `last`; return their indices.

    kind "initial": already registered on `first` (registered some years earlier);
    "birth": born and registered on the same day; "mover": moved in, bringing records
    that reach the practice some weeks later. Without `places` (the calibration cohort)
    deciles are uniform and everyone is in neighbourhood 0.
    """
    n = len(ages)
    idx = people.add(n)
    if n == 0:
        return idx
    ages = np.minimum(ages, MAX_AGE - 1).astype(np.int16)
    if kind == "initial":
        entry = np.full(n, first, dtype=np.int32)
    else:
        entry = (first + (rng.random(n) * (last - first + 1)).astype(np.int32)).astype(np.int32)
    if kind == "birth":
        birth = entry.copy()
    else:
        birth = (entry - ((ages + rng.random(n)) * DAYS_PER_YEAR).astype(np.int32)).astype(np.int32)
        birth = np.minimum(birth, entry)
    year, md = split_days(birth)
    people.birth[idx] = birth
    people.birth_year[idx] = year
    people.birth_md[idx] = md
    u = rng.random(n)
    female = params.female_share[ages] * (1 - UNKNOWN_SEX_SHARE)
    people.sex[idx] = np.where(u < female, 0, np.where(u < 1 - UNKNOWN_SEX_SHARE, 1, 3))
    if places is None:
        nb = np.zeros(n, dtype=np.int16)
        people.decile[idx] = rng.integers(1, 11, n)
        people.practice[idx] = 0
    else:
        nb = draw_neighbourhoods(places, n, rng)
        people.decile[idx] = draw_deciles(places, nb, rng)
        people.practice[idx] = draw_practices(places, nb, rng)
    people.neighbourhood[idx] = nb
    adult = ages >= 18
    alone = adult & (rng.random(n) < params.lives_alone[ages])
    people.alone[idx] = alone
    carer_p = params.has_carer[ages] * np.where(alone, 0.6, 1.25)
    people.carer[idx] = adult & (rng.random(n) < carer_p)
    people.burden[idx] = rng.standard_normal(n).astype(np.float32)
    if kind == "initial":
        years = np.minimum(ages, 30) * rng.random(n)
        reg_from = np.maximum(entry - (years * DAYS_PER_YEAR).astype(np.int32), birth)
        people.reg_from[idx] = reg_from
        recorded = None
    else:
        people.reg_from[idx] = entry
        recorded = None if kind == "birth" else (entry + rng.integers(7, 60, n)).astype(np.int32)
    conditions.draw_initial(people, idx, ages, entry, params, rng, log, recorded)
    return idx


def initial_ages(params: Parameters, count: int, rng: np.random.Generator) -> npt.NDArray[np.int16]:
    """Ages in proportion to the reference single-year shares, exactly `count` of them."""
    expected = params.age_share * count
    counts = np.floor(expected).astype(np.int64)
    short = count - counts.sum()
    if short > 0:
        extra = rng.choice(
            MAX_AGE, size=short, replace=False, p=(expected - counts) / (expected - counts).sum()
        )
        counts[extra] += 1
    return rng.permutation(np.repeat(np.arange(MAX_AGE, dtype=np.int16), counts))


def mortality_rate(
    people: People, idx: Index, ages: npt.NDArray[np.int16], base: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Yearly death hazard: base[sex group, age] x exp(static log multiplier)."""
    group = np.minimum(people.sex[idx], 2).astype(np.int64)
    return base[group, ages] * people.mort_mult[idx].astype(np.float64)


def draw_deaths(
    rate: npt.NDArray[np.float64],
    first: npt.NDArray[np.int32],
    last: npt.NDArray[np.int32],
    rng: np.random.Generator,
) -> npt.NDArray[np.int32]:
    """Death day in [first, last] for those who die, NEVER otherwise."""
    exposure = (last - first + 1).clip(0) / DAYS_PER_YEAR
    dies = rng.random(len(rate)) < -np.expm1(-rate * exposure)
    return np.where(dies, uniform_days(rng, first, last), NEVER).astype(np.int32)


def draw_moves(
    at_risk: AtRisk,
    death: npt.NDArray[np.int32],
    params: Parameters,
    surplus: npt.NDArray[np.float64],
    rng: np.random.Generator,
) -> npt.NDArray[np.int32]:
    """Move-away day for those who leave this month (never in hospital, never the dying)."""
    people, idx, ages, first, last = at_risk
    exposure = (last - first + 1).clip(0) / DAYS_PER_YEAR
    p = -np.expm1(-params.move_rate[ages] * exposure) + surplus[ages]
    p = np.where(people.residence[idx] > 0, p * CARE_HOME_MOVE_FACTOR, p)
    moves = (rng.random(len(idx)) < p) & (death == NEVER)
    day = uniform_days(rng, first, last)
    moves &= day > people.busy_until[idx]
    moves &= day > people.reg_from[idx]
    return np.where(moves, day, NEVER).astype(np.int32)


def plan_entrants(
    people: People, params: Parameters, nxt: Month, target: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16], npt.NDArray[np.float64]]:
    """Births and movers for the next month, and the extra move-away chance by age.

    Births keep age 0 at its reference share (about 11 a year per 1,000). Everyone else who
    will be registered on the next month's first day is counted by five-year band: a band
    short of its reference share of `target` gains movers (ages spread over the band as
    its single years are short), a band clearly over it loses more people to moves away.
    Working by band keeps the chance fluctuations of a small city from churning its list.
    """
    day = nxt.start
    n = people.n
    on = (people.reg_from[:n] <= day) & (people.reg_to[:n] >= day) & (people.death[:n] > day)
    idx = np.flatnonzero(on)
    ages = ages_on(people.birth_year[idx], people.birth_md[idx], nxt.first)
    counts = np.bincount(np.minimum(ages, MAX_AGE - 1), minlength=MAX_AGE).astype(np.float64)
    wanted = params.age_share * target
    expected_births = wanted[0] / 12 * nxt.fraction
    births = np.zeros(
        int(np.floor(expected_births)) + int(rng.random() < expected_births % 1), dtype=np.int16
    )
    band = np.minimum(np.arange(MAX_AGE) // 5, 18)
    band_count = np.bincount(band, weights=counts, minlength=19)
    band_wanted = np.bincount(band, weights=wanted, minlength=19)
    band_count[0] += len(births)
    short = np.maximum(band_wanted - band_count, 0.0) * nxt.fraction
    whole = np.floor(short)
    arrivals = (whole + (rng.random(19) < short - whole)).astype(np.int64)
    movers = []
    for b in np.flatnonzero(arrivals):
        in_band = np.flatnonzero((band == b) & (np.arange(MAX_AGE) > 0))
        gap = np.maximum(wanted[in_band] - counts[in_band], 0) + wanted[in_band] * 0.1
        movers.append(rng.choice(in_band, size=arrivals[b], p=gap / gap.sum()).astype(np.int16))
    over = np.maximum(band_count - band_wanted - np.sqrt(band_wanted), 0.0)
    extra = np.where(band_count > 0, 0.3 * over / np.maximum(band_count, 1), 0.0)
    surplus = np.minimum(extra[band], 0.05)
    mover_ages = np.concatenate(movers) if movers else np.empty(0, dtype=np.int16)
    return births, rng.permutation(mover_ages), surplus


def ages_for(people: People, idx: Index, month: Month) -> npt.NDArray[np.int16]:
    """Completed years on the month's first day (0 for people born during it)."""
    return np.minimum(
        ages_on(people.birth_year[idx], people.birth_md[idx], month.first), MAX_AGE - 1
    )
