"""Hospital stays and A&E: emergency and elective admissions, length of stay, deaths in hospital.

The emergency admission hazard is `emergency_rate`: a calibrated base by age times the
person's static multipliers (conditions, frailty, deprivation, living alone, care home),
times the readmission uplift while within 30 and 365 days of a discharge, times the
planted caseload rate ratio for the days the person is on a live team's caseload. Each
month everyone out of hospital is exposed from the day after their last stay; an
admission's length of stay decides its ready-for-discharge day; someone discharged within
the month is exposed again for the rest of it (readmissions). A death not already in
hospital is preceded, with the reference share, by a terminal emergency admission.
truth.py integrates the same function over the next twelve months.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.lake.schema import ADMISSION_METHODS, DISCHARGE_DESTINATIONS
from joinedup.synth import assumptions as assume
from joinedup.synth import diagnoses
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.calibration import Calibration, acsc_propensity
from joinedup.synth.eventlog import EventLog
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import DAY_US, NEVER, Month, uniform_days

EMERGENCY = np.int8(ADMISSION_METHODS.index("emergency"))
ELECTIVE = np.int8(ADMISSION_METHODS.index("elective"))
DIED = np.int8(DISCHARGE_DESTINATIONS.index("died"))
DAYS_PER_YEAR = 365.25
READMISSION_PASSES = 3
AE_PER_MONTH_CAP = 4
ACSC_GROUPS = tuple(f"acsc_{c}" for c in diagnoses.ACSC_CONDITIONS)


def new_spell_log() -> EventLog:
    return EventLog(
        {
            "person": np.int32,
            "admission": np.int32,
            "method": np.int8,
            "diagnosis": np.int16,
            "acsc": np.bool_,
            "fall": np.bool_,
            "ready": np.int32,
            "discharge": np.int32,
            "pathway": np.int8,
            "destination": np.int8,
            "reason": np.int8,
            "responsibility": np.int8,
        },
        fill={
            "ready": NEVER,
            "discharge": NEVER,
            "pathway": -1,
            "destination": -1,
            "reason": -1,
            "responsibility": -1,
        },
    )


def overlap(
    first: npt.NDArray[np.integer],
    last: npt.NDArray[np.integer],
    low: npt.NDArray[np.integer],
    high: npt.NDArray[np.integer],
) -> npt.NDArray[np.int64]:
    """Days of [first, last] inside [low, high] (all inclusive)."""
    lo = np.maximum(first.astype(np.int64), low.astype(np.int64))
    hi = np.minimum(last.astype(np.int64), high.astype(np.int64))
    return np.maximum(hi - lo + 1, 0)


def emergency_rate(
    emergency_base: npt.NDArray[np.float64],
    people: People,
    idx: Index,
    ages: npt.NDArray[np.int16],
    first: npt.NDArray[np.integer],
    last: npt.NDArray[np.integer],
    caseload_ratio: float,
) -> npt.NDArray[np.float64]:
    """Expected emergency admissions of each person over their days [first, last] (the hazard).

    Base rate by age x static multiplier, times the readmission ratios for the days within 30
    and 31-365 days of the last discharge, times the caseload ratio for the days on a live
    team's caseload; each averaged over the days.
    """
    lo = first.astype(np.int64)
    hi = last.astype(np.int64)
    days = np.maximum(hi - lo + 1, 0)
    rate = emergency_base[ages] * people.adm_mult[idx] * (days / DAYS_PER_YEAR)
    discharged = people.last_discharge[idx].astype(np.int64)
    recent = np.flatnonzero(discharged + 365 >= lo)
    if len(recent):
        d = discharged[recent]
        n = days[recent]
        n30 = overlap(lo[recent], hi[recent], d + 1, d + 30)
        n365 = overlap(lo[recent], hi[recent], d + 31, d + 365)
        rate[recent] *= (
            n30 * assume.READMISSION_HR_30D + n365 * assume.READMISSION_HR_365D + (n - n30 - n365)
        ) / np.maximum(n, 1)
    if caseload_ratio != 1.0:
        started = people.episode_start[idx]
        on = np.flatnonzero(started <= hi)
        if len(on):
            who = idx[on]
            n = days[on]
            covered = overlap(lo[on], hi[on], people.episode_start[who], people.episode_end[who])
            rate[on] *= 1 + (caseload_ratio - 1) * covered / np.maximum(n, 1)
    return rate


def hazard_multiplier(
    people: People, who: Index, day: npt.NDArray[np.int64], caseload_ratio: float
) -> npt.NDArray[np.float64]:
    """Readmission and caseload ratios in force on each person's day (the hazard's varying part)."""
    since = day - people.last_discharge[who].astype(np.int64)
    readmit = np.where(
        (since >= 1) & (since <= 30),
        assume.READMISSION_HR_30D,
        np.where((since >= 31) & (since <= 365), assume.READMISSION_HR_365D, 1.0),
    )
    on = (people.episode_start[who] <= day) & (day <= people.episode_end[who])
    return readmit * np.where(on, caseload_ratio, 1.0)


def admission_days(
    people: People,
    who: Index,
    first: npt.NDArray[np.integer],
    last: npt.NDArray[np.integer],
    caseload_ratio: float,
    rng: np.random.Generator,
) -> npt.NDArray[np.int32]:
    """The day of an admission known to fall in [first, last], in proportion to the daily hazard.

    The hazard is constant between its change points (the ends of the 30- and 365-day
    readmission windows, a caseload episode's first and last day), so the window is cut
    there and a segment is chosen by its length times its hazard.
    """
    n = len(who)
    lo = first.astype(np.int64)
    end = last.astype(np.int64) + 1
    discharged = people.last_discharge[who].astype(np.int64)
    cuts = np.stack(
        [
            lo,
            discharged + 31,
            discharged + 366,
            people.episode_start[who].astype(np.int64),
            people.episode_end[who].astype(np.int64) + 1,
            end,
        ],
        axis=1,
    )
    cuts = np.sort(np.clip(cuts, lo[:, None], end[:, None]), axis=1)
    length = np.diff(cuts, axis=1)
    rows = np.repeat(np.arange(n), length.shape[1])
    starts = cuts[:, :-1].ravel()
    weight = (
        length.ravel() * hazard_multiplier(people, who[rows], starts, caseload_ratio)
    ).reshape(length.shape)
    cum = np.cumsum(weight, axis=1)
    point = rng.random(n) * cum[:, -1]
    segment = (cum <= point[:, None]).sum(axis=1).clip(0, length.shape[1] - 1)
    seg_start = cuts[np.arange(n), segment]
    seg_length = np.maximum(length[np.arange(n), segment], 1)
    return (seg_start + (rng.random(n) * seg_length).astype(np.int64)).astype(np.int32)


def exposure_start(
    people: People, idx: Index, first: npt.NDArray[np.int32]
) -> npt.NDArray[np.int32]:
    """First day each person is out of hospital (NEVER while a stay has no discharge day yet)."""
    busy = people.busy_until[idx].astype(np.int64)
    start = np.where(busy == NEVER, NEVER, np.maximum(first.astype(np.int64), busy + 1))
    return start.astype(np.int32)


class Hospital:
    """All spells and A&E attendances, and which spells still wait for a discharge day."""

    def __init__(self, calib: Calibration):
        self.calib = calib
        self.params = calib.params
        self.rates = calib.rates  # replaced each 1 April (calibration.rebase)
        self.spells = new_spell_log()
        self.pending = np.empty(0, dtype=np.int64)  # ready day known, discharge day not yet
        self.discharged = np.empty(
            0, dtype=np.int64
        )  # discharge day known, after-care not yet done
        self.ae = EventLog({"person": np.int32, "arrival": np.int64, "admitted": np.bool_})

    def latest_stay(
        self, people: People, who: Index
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """Admission, ready and discharge day of each person's latest stay (all NEVER: none)."""
        spell = people.spell[who]
        if len(self.spells) == 0:
            never = np.full(len(who), NEVER, dtype=np.int32)
            return never, never.copy(), never.copy()
        s = np.maximum(spell, 0)
        none = spell < 0
        admission = np.where(none, NEVER, self.spells["admission"][s]).astype(np.int32)
        ready = np.where(none, NEVER, self.spells["ready"][s]).astype(np.int32)
        discharge = np.where(none, NEVER, self.spells["discharge"][s]).astype(np.int32)
        return admission, ready, discharge

    def in_hospital(
        self, people: People, who: Index, day: npt.NDArray[np.integer]
    ) -> npt.NDArray[np.bool_]:
        """Whether each person is inside a hospital stay on their day."""
        admission, _, discharge = self.latest_stay(people, who)
        return (admission <= day) & (day <= discharge)

    # -- diagnoses and lengths of stay -------------------------------------------------

    def _diagnose(
        self, people: People, who: Index, ages: npt.NDArray[np.int16], rng: np.random.Generator
    ) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        n = len(who)
        params = self.params
        p_fall = np.minimum(
            params.fall_share[ages]
            * np.array(assume.FALL_FRAILTY_RR)[people.frailty[who]]
            * self.rates.fall_scale,
            0.9,
        )
        q = acsc_propensity(people, who, self.calib.acsc_weights)
        p_acsc = np.minimum(assume.ACSC_BACKGROUND + self.rates.acsc_scale * q, 0.9)
        u = rng.random(n)
        fall = u < p_fall
        acsc = ~fall & (rng.random(n) < p_acsc)
        injury = ~fall & ~acsc & (rng.random(n) < params.injury_share[ages])
        code = np.empty(n, dtype=np.int16)
        code[fall] = diagnoses.draw("fall", int(fall.sum()), rng)
        code[injury] = diagnoses.draw("injury", int(injury.sum()), rng)
        other = ~fall & ~acsc & ~injury
        for group, sel in (
            ("other_child", other & (ages < 18)),
            ("other_adult", other & (ages >= 18) & (ages < 65)),
            ("other_older", other & (ages >= 65)),
        ):
            code[sel] = diagnoses.draw(group, int(sel.sum()), rng)
        if acsc.any():
            rows = np.flatnonzero(acsc)
            weights = np.zeros((len(rows), len(ACSC_GROUPS) + 1))
            for j, cond in enumerate(diagnoses.ACSC_CONDITIONS):
                c = assume.LTCS.index(cond)
                weights[:, j] = np.where(
                    people.onset[c, who[rows]] != NEVER, assume.ACSC_WEIGHT[cond], 0.0
                )
            weights[:, -1] = assume.ACSC_BACKGROUND
            cum = np.cumsum(weights, axis=1)
            pick = (cum < (rng.random(len(rows)) * cum[:, -1])[:, None]).sum(axis=1)
            for j, group in enumerate((*ACSC_GROUPS, "acsc_background")):
                sel = rows[pick == j]
                code[sel] = diagnoses.draw(group, len(sel), rng)
        return code, acsc, fall

    def _emergency_los(
        self, ages: npt.NDArray[np.int16], rng: np.random.Generator
    ) -> npt.NDArray[np.int32]:
        """Days from admission to the ready-for-discharge day (0 = same day)."""
        n = len(ages)
        zero = rng.random(n) < self.params.zero_day_share[ages]
        mean = self.params.clinical_los_mean[ages]
        sigma = assume.CLINICAL_LOS_SIGMA
        draw = np.exp(np.log(mean) - sigma * sigma / 2 + sigma * rng.standard_normal(n))
        los = np.maximum(np.rint(draw), 1).astype(np.int32)
        return np.where(zero, 0, np.minimum(los, 365)).astype(np.int32)

    # -- one month ---------------------------------------------------------------------

    def add_spells(
        self,
        people: People,
        who: Index,
        day: npt.NDArray[np.int32],
        ready: npt.NDArray[np.int32],
        method: np.int8,
        code: npt.NDArray[np.int16],
        acsc: npt.NDArray[np.bool_],
        fall: npt.NDArray[np.bool_],
    ) -> Index:
        rows = self.spells.append(
            person=who.astype(np.int32),
            admission=day,
            method=method,
            diagnosis=code,
            acsc=acsc,
            fall=fall,
            ready=ready,
        )
        people.spell[who] = rows
        people.busy_until[who] = NEVER
        self.pending = np.concatenate([self.pending, rows])
        return rows

    def die_in_hospital(
        self, people: People, who: Index, day: npt.NDArray[np.int32]
    ) -> npt.NDArray[np.bool_]:
        """Deaths on `day` during an open stay end it as died; returns who was in hospital."""
        spell = people.spell[who]
        admission, _, discharge = self.latest_stay(people, who)
        inside = (admission <= day) & (day <= discharge)
        rows = spell[inside]
        if len(rows):
            for column in ("pathway", "reason", "responsibility"):
                self.spells[column][rows] = -1
            self.spells["ready"][rows] = NEVER
            self.spells["discharge"][rows] = day[inside]
            self.spells["destination"][rows] = DIED
            people.busy_until[who[inside]] = day[inside]
            self.pending = self.pending[~np.isin(self.pending, rows)]
        return inside

    def admit(
        self,
        at_risk: AtRisk,
        death: npt.NDArray[np.int32],
        ratio: float,
        settle: object,
        month: Month,
        rng: np.random.Generator,
    ) -> Index:
        """Emergency admissions (with readmissions within the month) and terminal admissions.

        `at_risk.last` is each person's last day at risk (death day included); `settle`
        turns spells whose ready day has come into discharges (discharge.Discharges.settle).
        Returns the new emergency spell rows.
        """
        people, idx, ages, first, last = at_risk
        new_rows: list[Index] = []
        lo = exposure_start(people, idx, first)
        cand = np.flatnonzero(lo <= last)
        for _ in range(READMISSION_PASSES):
            if len(cand) == 0:
                break
            who = idx[cand]
            rate = emergency_rate(
                self.rates.emergency_base, people, who, ages[cand], lo[cand], last[cand], ratio
            )
            hit = rng.random(len(cand)) < -np.expm1(-rate)
            cand = cand[hit]
            if len(cand) == 0:
                break
            who = idx[cand]
            day = admission_days(people, who, lo[cand], last[cand], ratio, rng)
            a = ages[cand]
            ready = (day + self._emergency_los(a, rng)).astype(np.int32)
            code, acsc, fall = self._diagnose(people, who, a, rng)
            rows = self.add_spells(people, who, day, ready, EMERGENCY, code, acsc, fall)
            new_rows.append(rows)
            dying = death[cand] != NEVER
            if dying.any():
                self.die_in_hospital(people, who[dying], death[cand][dying])
            settle(self, people, rows[self.spells["ready"][rows] <= month.end], month, rng)  # type: ignore[operator]
            if dying.any():
                self.die_in_hospital(people, who[dying], death[cand][dying])
            out = people.busy_until[who]
            again = (out != NEVER) & (out < last[cand]) & (self.spells["destination"][rows] != DIED)
            cand = cand[again]
            lo[cand] = people.busy_until[idx[cand]] + 1
        # a death outside hospital: with the reference share, a terminal emergency stay first
        dying = np.flatnonzero(death != NEVER)
        if len(dying):
            who = idx[dying]
            d = death[dying]
            outside = people.busy_until[who] < d
            share = np.where(
                people.residence[who] > 0,
                self.calib.terminal_share_care_home,
                self.calib.terminal_share,
            )
            on_caseload = (people.episode_start[who] <= d) & (d <= people.episode_end[who])
            share = share * np.where(
                on_caseload, ratio, 1.0
            )  # the planted effect acts on these too
            term = outside & (rng.random(len(who)) < share)
            who, d, a = who[term], d[term], ages[dying][term]
            stay = rng.geometric(1 / assume.TERMINAL_LOS_MEAN, len(who)) - 1
            earliest = np.maximum(
                np.maximum(first[dying][term], people.busy_until[who] + 1), month.start
            )
            day = np.maximum(d - stay, earliest).astype(np.int32)
            code, acsc, fall = self._diagnose(people, who, a, rng)
            rows = self.add_spells(people, who, day, d, EMERGENCY, code, acsc, fall)
            self.die_in_hospital(people, who, d)
            new_rows.append(rows)
        return np.concatenate(new_rows) if new_rows else np.empty(0, dtype=np.int64)

    def electives(
        self, at_risk: AtRisk, settle: object, month: Month, rng: np.random.Generator
    ) -> None:
        """Planned admissions for people out of hospital all month (most of them day cases)."""
        people, idx, ages, first, last = at_risk
        lo = exposure_start(people, idx, first)
        ok = lo <= last
        frail = np.array([1.0, 1.0, 0.8, 0.5])[people.frailty[idx]]
        rate = self.params.elective_rate[ages] * frail * (last - lo + 1).clip(0) / DAYS_PER_YEAR
        hit = np.flatnonzero(ok & (rng.random(len(idx)) < -np.expm1(-rate)))
        if len(hit) == 0:
            return
        who = idx[hit]
        day = uniform_days(rng, lo[hit], last[hit])
        elective = self.params.reference["hospital"]["elective_admissions_per_1000"]
        day_case = rng.random(len(hit)) < elective["day_case_share"]
        stay = rng.geometric(1 / elective["ordinary_mean_los_days"], len(hit)).astype(np.int32)
        ready = (day + np.where(day_case, 0, stay)).astype(np.int32)
        # an ordinary stay must end within the person's days at risk (no move while in hospital)
        fits = ready <= last[hit]
        who, day, ready = who[fits], day[fits], ready[fits]
        code = diagnoses.draw("elective", len(who), rng)
        none = np.zeros(len(who), dtype=bool)
        rows = self.add_spells(people, who, day, ready, ELECTIVE, code, none, none)
        settle(self, people, rows[self.spells["ready"][rows] <= month.end], month, rng)  # type: ignore[operator]

    def attendances(self, at_risk: AtRisk, emergency_rows: Index, rng: np.random.Generator) -> None:
        """A&E: an attendance (admitted) for most emergency admissions, and those sent home."""
        people, idx, ages, first, last = at_risk
        via = (
            rng.random(len(emergency_rows))
            < self.params.reference["hospital"]["via_ae_share_of_emergency"]["value"]
        )
        rows = emergency_rows[via]
        if len(rows):
            day = self.spells["admission"][rows].astype(np.int64)
            when = day * DAY_US + (rng.random(len(rows)) * 23 * 3600).astype(np.int64) * 1_000_000
            self.ae.append(person=self.spells["person"][rows], arrival=when, admitted=True)
        dep = 1.3 ** ((10 - people.decile[idx].astype(np.float64)) / 9)
        rate = self.params.ae_rate[ages] * dep * (last - first + 1).clip(0) / DAYS_PER_YEAR
        count = np.minimum(rng.poisson(rate), AE_PER_MONTH_CAP)
        who = np.repeat(np.arange(len(idx)), count)
        if len(who) == 0:
            return
        day = uniform_days(rng, first[who], last[who]).astype(np.int64)
        person = idx[who]
        inside = self.in_hospital(people, person, day)
        day, person = day[~inside], person[~inside]
        when = day * DAY_US + (rng.random(len(day)) * 23 * 3600).astype(np.int64) * 1_000_000
        self.ae.append(person=person.astype(np.int32), arrival=when, admitted=False)
