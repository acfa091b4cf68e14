"""Everyday contacts with services: GP, community nursing, therapy, mental health, social work, ...

Monthly Poisson counts per person from rates by age, conditions, frailty and the care
they receive, each contact on a day the person is registered, alive and not in hospital.
Once a neighbourhood's integrated team is live, its community nursing, therapy and social
work contacts carry the team's id (the team now delivers them).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.synth import assumptions as assume
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.contact_stream import ContactStream
from joinedup.synth.hospital import Hospital
from joinedup.synth.parameters import Parameters
from joinedup.synth.timeline import NEVER, uniform_days

SMI = assume.LTCS.index("severe_mental_illness")
DEPRESSION = assume.LTCS.index("depression")
DEMENTIA = assume.LTCS.index("dementia")
TEAM_SERVICES = frozenset({"community_nursing", "therapy", "social_work"})


class Community:
    def __init__(self, params: Parameters, golive_day: npt.NDArray[np.int64]):
        self.params = params
        self.golive_day = golive_day
        self.gp_scale: float | None = None
        target = params.reference["community"]["gp_contacts_per_person_per_year"]["value"]
        self.gp_target = float(target)
        costs = params.costs
        self.cost = {
            "gp": costs["gp_consultation"],
            "community_nursing": costs["district_nurse_contact"],
            "therapy": costs["therapy_contact"],
            "mental_health": costs["mental_health_contact"],
            "social_work": costs["social_worker_hour"],
            "care_navigation": costs["care_navigation_contact"],
            "pharmacy": costs["pharmacy_review"],
            "telecare_response": costs["telecare_response"],
            "other": costs["other_contact"],
        }

    def monthly(
        self, at_risk: AtRisk, hospital: Hospital, contacts: ContactStream, rng: np.random.Generator
    ) -> None:
        people, idx, ages = at_risk.people, at_risk.idx, at_risk.ages
        years = at_risk.years()
        conditions = people.ltc_count[idx]
        gp = (self.params.gp_rate[ages] * (1 + assume.GP_PER_CONDITION * conditions)).astype(
            np.float32
        )
        if self.gp_scale is None:
            self.gp_scale = self.gp_target / max(float(gp.mean()), 1e-9)
        everyone = np.arange(len(idx))

        def emit(
            service: str,
            sector: str,
            pos: npt.NDArray[np.int64],
            rate: npt.NDArray[np.floating] | float,
        ) -> None:
            count = rng.poisson(rate * years[pos])
            owner = np.repeat(pos, count)
            self._contacts(at_risk, owner, service, sector, hospital, contacts, rng)

        # GP contacts and the low background rates everyone has: one draw, split by service
        gp *= np.float32(self.gp_scale)
        fit_nursing, fit_therapy = (
            assume.COMMUNITY_NURSING_BY_FRAILTY[0],
            assume.THERAPY_BY_FRAILTY[0],
        )
        background = np.float32(fit_nursing + fit_therapy + assume.OTHER_CONTACTS_PER_YEAR)
        total = gp + background
        owner = np.repeat(everyone, rng.poisson(total * years))
        pick = rng.random(len(owner), dtype=np.float32) * total[owner] - gp[owner]
        for service, low, high in (
            ("gp", -np.inf, 0.0),
            ("community_nursing", 0.0, fit_nursing),
            ("therapy", fit_nursing, fit_nursing + fit_therapy),
            ("other", fit_nursing + fit_therapy, np.inf),
        ):
            sel = owner[(pick >= low) & (pick < high)]
            self._contacts(at_risk, sel, service, "health", hospital, contacts, rng)
        frail_pos = np.flatnonzero(people.frailty[idx] > 0)
        level = people.frailty[idx[frail_pos]]
        emit(
            "community_nursing",
            "health",
            frail_pos,
            (np.array(assume.COMMUNITY_NURSING_BY_FRAILTY) - fit_nursing)[level],
        )
        emit(
            "therapy",
            "health",
            frail_pos,
            (np.array(assume.THERAPY_BY_FRAILTY) - fit_therapy)[level],
        )
        some = np.flatnonzero(conditions > 0)
        mental = np.zeros(len(some))
        for c, name in (
            (SMI, "severe_mental_illness"),
            (DEPRESSION, "depression"),
            (DEMENTIA, "dementia"),
        ):
            mental += np.where(
                people.onset[c, idx[some]] != NEVER, assume.MENTAL_HEALTH_RATE[name], 0.0
            )
        has = mental > 0
        emit("mental_health", "health", some[has], mental[has])
        supported = np.flatnonzero((people.home_care[idx] >= 0) | (people.residence[idx] > 0))
        emit("social_work", "social_care", supported, assume.SOCIAL_WORK_REVIEWS_PER_YEAR)
        lonely = np.flatnonzero(people.alone[idx] & (ages >= 65) & (people.residence[idx] == 0))
        emit("care_navigation", "voluntary", lonely, assume.CARE_NAVIGATION_ALONE_65PLUS)
        multimorbid = np.flatnonzero((ages >= 65) & (conditions >= 4))
        emit("pharmacy", "health", multimorbid, assume.PHARMACY_RATE_MULTIMORBID)
        telecare = np.flatnonzero(people.telecare[idx] >= 0)
        emit("telecare_response", "social_care", telecare, assume.TELECARE_RESPONSES_PER_YEAR)

    def _contacts(
        self,
        at_risk: AtRisk,
        owner: npt.NDArray[np.int64],
        service: str,
        sector: str,
        hospital: Hospital,
        contacts: ContactStream,
        rng: np.random.Generator,
    ) -> None:
        """One contact per owner position, on a day of the person's month outside hospital."""
        if len(owner) == 0:
            return
        people = at_risk.people
        day = uniform_days(rng, at_risk.first[owner], at_risk.last[owner])
        who = at_risk.idx[owner]
        inside = hospital.in_hospital(people, who, day)
        who, day = who[~inside], day[~inside]
        team: npt.NDArray[np.int64] | int = -1
        if service in TEAM_SERVICES:
            nb = people.neighbourhood[who].astype(np.int64)
            team = np.where(self.golive_day[nb] <= day, nb, -1)
        contacts.add(who, day, service, sector, self.cost[service], team=team)
