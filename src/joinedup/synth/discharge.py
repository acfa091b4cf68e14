"""Leaving hospital: the discharge pathway, any delay after the ready day, the care that follows.

When a stay's ready-for-discharge day comes, adults who stayed at least a night get a
pathway: within each batch they are ranked by need (frailty, age, living alone, dementia,
a long stay, plus noise) and the neediest take pathways 3, 2 and 1 in the reference
shares; people living in a care home go back there on pathway 0. Whether the discharge is
delayed depends on the pathway; the reason is drawn from a pathway-by-reason table fitted
(parameters.py) so that delayed days by reason and by responsible body match the
published shares; the length depends on the reason, on how full the neighbourhood's home
care or care homes are, and on whether its integrated team has gone live (the planted
golive_delay_change). After discharge: reablement, intermediate care, home care,
equipment or a care home placement, by pathway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.lake.schema import DELAY_REASONS, DISCHARGE_DESTINATIONS
from joinedup.synth import assumptions as assume
from joinedup.synth.care_starts import Starters
from joinedup.synth.hospital import DIED, EMERGENCY, Hospital
from joinedup.synth.parameters import Parameters
from joinedup.synth.people import Index, People
from joinedup.synth.social_care import SocialCare
from joinedup.synth.timeline import NEVER, Month, ages_at

DEMENTIA = assume.LTCS.index("dementia")
DESTINATION = {name: np.int8(i) for i, name in enumerate(DISCHARGE_DESTINATIONS)}
PATHWAY_DESTINATION = np.array(
    [
        DESTINATION["usual_residence"],
        DESTINATION["usual_residence"],
        DESTINATION["temporary"],
        DESTINATION["care_home_new"],
    ],
    dtype=np.int8,
)
CAPACITY_KIND = np.array(
    [
        {"home_care": 1, "care_home": 2}.get(assume.CAPACITY_SENSITIVE.get(r, ""), 0)
        for r in DELAY_REASONS
    ]
)
DELAY_SHAPE = 1.5


@dataclass
class DischargeContext:
    """What shapes this month's delays: capacity in use and each neighbourhood's go-live day."""

    home_occupancy: npt.NDArray[np.float64]
    care_occupancy: npt.NDArray[np.float64]
    golive_day: npt.NDArray[np.int64]  # NEVER: not live in the window
    golive_delay_change: float


def stochastic_round(x: float, rng: np.random.Generator) -> int:
    whole = int(np.floor(x))
    return whole + int(rng.random() < x - whole)


class Discharges:
    """Settles discharge days and starts the care that follows them."""

    def __init__(self, params: Parameters, context: DischargeContext):
        self.params = params
        self.context = context
        self.reason_cum = np.cumsum(params.reason_given_pathway, axis=1)
        self.resp_cum = np.cumsum(params.responsibility_given_reason, axis=1)
        self.delay_mean = np.maximum(params.delay_mean - 0.5, 0.5)

    def settle(
        self,
        hospital: Hospital,
        people: People,
        rows: Index,
        month: Month,
        rng: np.random.Generator,
    ) -> None:
        """Give these spells (ready this month or earlier) a pathway, delay and discharge day."""
        spells = hospital.spells
        rows = rows[spells["destination"][rows] != DIED]
        n = len(rows)
        if n == 0:
            return
        who = spells["person"][rows].astype(np.int64)
        admission = spells["admission"][rows]
        ready = spells["ready"][rows]
        ages = ages_at(people.birth_year[who], people.birth_md[who], ready)
        overnight = ready > admission
        eligible = (ages >= 18) & overnight
        u = rng.random(n)
        emergency_overnight = overnight & (spells["method"][rows] == EMERGENCY)
        transfer = emergency_overnight & (u < assume.OTHER_HOSPITAL_SHARE)
        other = (
            emergency_overnight
            & ~transfer
            & (u < assume.OTHER_HOSPITAL_SHARE + assume.OTHER_DESTINATION_SHARE)
        )
        eligible &= ~transfer & ~other
        pathway = np.full(n, -1, dtype=np.int8)
        pathway[eligible] = 0
        in_care = people.residence[who] > 0
        frailty = people.frailty[who].astype(np.float64)
        dementia = people.onset[DEMENTIA, who] != NEVER
        score = (
            0.5 * frailty
            + 0.04 * np.maximum(ages - 65, 0)
            + 0.6 * people.alone[who]
            + 0.8 * dementia
            + 0.3 * (ready - admission > 7)
            + rng.standard_normal(n)
        )
        free = np.flatnonzero(eligible & ~in_care)
        order = free[np.argsort(-score[free], kind="stable")]
        total = int(eligible.sum())
        position = 0
        for level in (3, 2, 1):
            take = stochastic_round(self.params.pathway_share[level] * total, rng)
            pathway[order[position : position + take]] = level
            position += take
        destination = np.full(n, DESTINATION["usual_residence"], dtype=np.int8)
        destination[eligible] = PATHWAY_DESTINATION[pathway[eligible]]
        destination[transfer] = DESTINATION["other_hospital"]
        destination[other] = DESTINATION["other"]

        # delays: which spells, why, who is responsible, how long
        p_delay = np.array(assume.DELAY_PROBABILITY_BY_PATHWAY)[np.maximum(pathway, 0)]
        delayed = eligible & (rng.random(n) < p_delay)
        reason = np.full(n, -1, dtype=np.int8)
        resp = np.full(n, -1, dtype=np.int8)
        days = np.zeros(n, dtype=np.int32)
        d = np.flatnonzero(delayed)
        if len(d):
            cum = self.reason_cum[pathway[d]]
            r = (
                (cum < (rng.random(len(d)) * cum[:, -1])[:, None])
                .sum(axis=1)
                .clip(0, len(DELAY_REASONS) - 1)
            )
            cum = self.resp_cum[r]
            b = (cum < (rng.random(len(d)) * cum[:, -1])[:, None]).sum(axis=1).clip(0, 2)
            nb = people.neighbourhood[who[d]].astype(np.int64)
            ctx = self.context
            usual = assume.CAPACITY_REFERENCE_OCCUPANCY
            occupancy = np.where(
                CAPACITY_KIND[r] == 1,
                ctx.home_occupancy[nb],
                np.where(CAPACITY_KIND[r] == 2, ctx.care_occupancy[nb], usual),
            )
            capacity = np.clip(1 + assume.CAPACITY_DELAY_SLOPE * (occupancy - usual), 0.6, 2.5)
            live = ctx.golive_day[nb] <= ready[d]
            golive = np.where(live, 1 + ctx.golive_delay_change, 1.0)
            length = rng.gamma(DELAY_SHAPE, self.delay_mean[r] / DELAY_SHAPE) * capacity * golive
            days[d] = np.maximum(np.ceil(length), 1).astype(np.int32)
            reason[d] = r
            resp[d] = b
        discharge = (ready + days).astype(np.int32)
        spells["pathway"][rows] = pathway
        spells["destination"][rows] = destination
        spells["reason"][rows] = reason
        spells["responsibility"][rows] = resp
        spells["discharge"][rows] = discharge
        people.busy_until[who] = discharge
        people.last_discharge[who] = discharge
        hospital.pending = hospital.pending[~np.isin(hospital.pending, rows)]
        hospital.discharged = np.concatenate([hospital.discharged, rows])

    def after_care(
        self,
        hospital: Hospital,
        people: People,
        care: SocialCare,
        month: Month,
        rng: np.random.Generator,
    ) -> tuple[Index, npt.NDArray[np.int32], npt.NDArray[np.int8], Index]:
        """Start the care after this month's discharges; returns who, day, pathway and spell."""
        spells = hospital.spells
        rows = hospital.discharged
        due = spells["discharge"][rows] <= month.end
        hospital.discharged = rows[~due]
        rows = rows[due]
        rows = rows[spells["destination"][rows] != DIED]
        who = spells["person"][rows].astype(np.int64)
        day = spells["discharge"][rows]
        ok = (people.death[who] >= day) & (people.reg_to[who] >= day)
        rows, who, day = rows[ok], who[ok], day[ok]
        pathway = spells["pathway"][rows]
        ages = ages_at(people.birth_year[who], people.birth_md[who], day)
        alive_after = people.death[who] > day
        n = len(rows)
        u = rng.random(n)
        at_home = (people.residence[who] == 0) & alive_after

        leaving = Starters(people, who, day, ages, rng, after_spell=rows)

        p1 = (pathway == 1) & at_home
        frail = np.array([0.6, 1.0, 1.3, 1.3])[people.frailty[who]]
        reable = p1 & (u < self.params.reablement_share[ages] * frail)
        care.after_stay("reablement", leaving.only(reable))
        v = rng.random(n)
        new_home = p1 & ~reable & (v < assume.NEW_HOME_CARE_ON_PATHWAY_1)
        care.start_home_care(leaving.only(new_home))
        kit = p1 & (rng.random(n) < assume.EQUIPMENT_ON_PATHWAY_1)
        care.equipment(leaving.only(kit))

        p2 = (pathway == 2) & at_home
        care.after_stay("intermediate_care", leaving.only(p2))

        p3 = (pathway == 3) & at_home
        permanent = p3 & (rng.random(n) < assume.PERMANENT_SHARE_OF_PATHWAY_3)
        care.place_in_care_home(leaving.only(permanent))
        care.place_in_care_home(leaving.only(p3 & ~permanent), permanent=False)
        return who, day, pathway, rows
