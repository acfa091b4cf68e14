"""Kinds of need for social care, and the relative risks of starting each kind of care.

A person's kind of need is one of 64: frailty level, dementia, living alone, learning
disability and an unpaid carer. The care already running on the first day and the care
started month by month use the same relative risks by kind, so both read these tables.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.synth import assumptions as assume
from joinedup.synth.parameters import AGES, MAX_AGE
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import NEVER

DEMENTIA = assume.LTCS.index("dementia")
LEARNING_DISABILITY = assume.LTCS.index("learning_disability")
KINDS = 64
START_KINDS = ("care_home", "home_care", "telecare", "day_care", "carer_support", "equipment")
_KIND = np.arange(KINDS)
_FRAILTY, _DEMENTIA, _ALONE = _KIND & 3, (_KIND >> 2) & 1, (_KIND >> 3) & 1
_LD, _CARER = (_KIND >> 4) & 1, (_KIND >> 5) & 1
CARE_HOME_RR = (
    np.array(
        [
            1.0,
            assume.CARE_HOME_RISK["mild"],
            assume.CARE_HOME_RISK["moderate"],
            assume.CARE_HOME_RISK["severe"],
        ]
    )[_FRAILTY]
    * np.where(_DEMENTIA, assume.CARE_HOME_RISK["dementia"], 1.0)
    * np.where(_ALONE, assume.CARE_HOME_RISK["alone"], 1.0)
)
HOME_CARE_RR = (
    np.array([1.0, 1.8, 4.0, 8.0])[_FRAILTY][None, :]
    * np.where(_DEMENTIA, 3.0, 1.0)[None, :]
    * np.where(_ALONE, 1.5, 1.0)[None, :]
    * np.where((_LD[None, :] == 1) & (AGES[:, None] < 65), 4.0, 1.0)
)
TELECARE_RR = (np.array([1.0, 1.5, 2.5, 3.0])[_FRAILTY] * np.where(_ALONE, 2.5, 1.0))[
    None, :
] * np.ones((MAX_AGE, 1))
DAY_CARE_RR = (np.where(_DEMENTIA, 4.0, 1.0) * np.where(_LD, 6.0, 1.0))[None, :] * np.ones(
    (MAX_AGE, 1)
)
CARER_ELIGIBLE = (_CARER == 1) & ((_FRAILTY >= 2) | (_DEMENTIA == 1))
FRAIL_ENOUGH = _FRAILTY >= 2


def need_kind(people: People, who: Index) -> npt.NDArray[np.int64]:
    """Each person's kind of need (0 to KINDS - 1), in the bits the tables above read."""
    return (
        people.frailty[who].astype(np.int64)
        + 4 * (people.onset[DEMENTIA, who] != NEVER)
        + 8 * people.alone[who]
        + 16 * (people.onset[LEARNING_DISABILITY, who] != NEVER)
        + 32 * people.carer[who]
    )


def start_rates(
    counts: npt.NDArray[np.float64],
    care_home_age: npt.NDArray[np.float64],
    open_ended: tuple[npt.NDArray[np.float64], ...],
) -> npt.NDArray[np.float64]:
    """Yearly rate of each kind of start by (age, kind of need), given the people of each.

    `care_home_age` is the care home placement rate's shape by age; `open_ended` are the
    yearly start rates by age of home care, telecare and day care.
    """
    out = np.zeros((len(START_KINDS), MAX_AGE, KINDS))
    old = AGES >= 65
    ch = care_home_age[:, None] * CARE_HOME_RR[None, :]
    people_old = counts[old].sum()
    mean = (counts[old] * ch[old]).sum() / people_old if people_old > 0 else 1.0
    out[0] = assume.COMMUNITY_CARE_HOME_PER_YEAR_65PLUS * ch / max(mean, 1e-9)
    bins = np.minimum(AGES // 10, MAX_AGE // 10)
    for k, (base, rr) in enumerate(
        zip(open_ended, (HOME_CARE_RR, TELECARE_RR, DAY_CARE_RR), strict=True),
        start=1,
    ):
        weighted = np.bincount(bins, weights=(counts * rr).sum(axis=1), minlength=MAX_AGE // 10 + 1)
        people_in = np.bincount(bins, weights=counts.sum(axis=1), minlength=MAX_AGE // 10 + 1)
        mean_by_bin = np.where(people_in > 0, weighted / np.maximum(people_in, 1e-9), 1.0)
        out[k] = base[:, None] * rr / np.maximum(mean_by_bin[bins], 1e-9)[:, None]
    out[2][AGES < 50] = 0.0
    out[4] = assume.CARER_SUPPORT_PER_YEAR * CARER_ELIGIBLE[None, :]
    out[5] = assume.EQUIPMENT_PER_YEAR * (old[:, None] & FRAIL_ENOUGH[None, :])
    return out


def normalised(
    stock: npt.NDArray[np.float64], rr: npt.NDArray[np.float64], ages: npt.NDArray[np.int16]
) -> npt.NDArray[np.float64]:
    """Chance per person: the age's stock share times relative risk over its age's mean risk."""
    return np.clip(stock * _unit_mean(rr, ages, np.ones(len(rr), dtype=bool)), 0, 0.95)


def _unit_mean(
    rr: npt.NDArray[np.float64], ages: npt.NDArray[np.int16], among: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """rr divided by its mean over `among` in the same ten-year age bin."""
    bins = np.minimum(ages // 10, MAX_AGE // 10).astype(np.int64)
    total = np.bincount(bins[among], weights=rr[among], minlength=MAX_AGE // 10 + 1)
    count = np.bincount(bins[among], minlength=MAX_AGE // 10 + 1)
    mean = np.where(count > 0, total / np.maximum(count, 1), 1.0)
    return rr / np.maximum(mean[bins], 1e-9)
