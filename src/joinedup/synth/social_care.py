"""Adult social care and other long-running services: when care starts and ends, and capacity.

Packages start three ways: in the first population (the stock already in place, started
before the window), in the community (monthly hazards by age, frailty, dementia and living
alone), and after a hospital stay (discharge.py asks for reablement, intermediate care,
home care or a placement). Follow-on steps (a placement after intermediate care, home
care after reablement) are scheduled for their day and carried out in its month if the
person is still at home and alive then. Each neighbourhood has a home care capacity and a
number of care home beds; how full they are lengthens discharge delays.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.synth import assumptions as assume
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.care_need import (
    CARE_HOME_RR,
    DAY_CARE_RR,
    HOME_CARE_RR,
    KINDS,
    START_KINDS,
    TELECARE_RR,
    need_kind,
    normalised,
    start_rates,
)
from joinedup.synth.care_starts import (
    HOME_CARE,
    PLACE_PERMANENT,
    REABLEMENT,
    RESPITE_END,
    CareStarts,
    Starters,
    new_schedule,
)
from joinedup.synth.parameters import AGES, MAX_AGE, Parameters
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import Month, ages_at, uniform_days

DAYS_PER_YEAR = 365.25


class SocialCare(CareStarts):
    """Every package, the follow-on schedule, and each neighbourhood's capacity."""

    def __init__(self, params: Parameters, neighbourhoods: int):
        super().__init__(params)
        self.neighbourhoods = neighbourhoods
        self.home_care_capacity = np.ones(neighbourhoods)
        self.care_home_capacity = np.ones(neighbourhoods)
        mu = params.mortality.mean(axis=0)

        def start_rate(stock: npt.NDArray[np.float64], leave: float) -> npt.NDArray[np.float64]:
            return stock * (leave + 2 * mu) / np.maximum(1 - stock, 0.05)

        self.home_care_start = assume.HOME_CARE_COMMUNITY_START_SCALE * start_rate(
            params.home_care_stock, assume.HOME_CARE_END_PER_YEAR + 0.08
        )
        self.telecare_start = start_rate(params.telecare_stock, assume.TELECARE_END_PER_YEAR)
        self.day_care_start = start_rate(params.day_care_stock, assume.DAY_CARE_END_PER_YEAR)
        self.care_home_age = np.where(AGES >= 65, np.exp(0.08 * (AGES - 80)), 0.0)
        self.care_home_age[18:65] = 0.002

    # -- the first population ----------------------------------------------------------

    def initial_stock(
        self,
        people: People,
        idx: Index,
        ages: npt.NDArray[np.int16],
        day: int,
        rng: np.random.Generator,
    ) -> None:
        """Packages already running on the first day, started some time before it."""
        n = len(idx)
        if n == 0:
            return
        adult = ages >= 18
        kind = need_kind(people, idx)
        earliest = np.maximum(people.reg_from[idx], people.birth[idx] + int(18 * DAYS_PER_YEAR))

        def since(years: float) -> Starters:
            """Everyone, each from a day some time in the last `years` (one draw each)."""
            back = (rng.random(n) * years * DAYS_PER_YEAR).astype(np.int32)
            start = np.minimum(np.maximum(day - back, earliest), day).astype(np.int32)
            return Starters(people, idx, start, ages, rng)

        def starts(
            stock: npt.NDArray[np.float64], rr: npt.NDArray[np.float64]
        ) -> npt.NDArray[np.bool_]:
            """Whether each person's care had started (one draw each)."""
            return rng.random(n) < normalised(stock[ages], rr, ages)

        care_home = adult & starts(self.params.care_home_stock * 1.0, CARE_HOME_RR[kind])
        self.place_in_care_home(since(3.0).only(care_home))
        self.placements.clear()
        at_home = adult & (people.residence[idx] == 0)
        home = at_home & starts(self.params.home_care_stock, HOME_CARE_RR[ages, kind])
        self.start_home_care(since(2.0).only(home))
        tele = at_home & starts(self.params.telecare_stock, TELECARE_RR[ages, kind])
        self._start_simple("telecare", since(4.0).only(tele))
        day_care = at_home & starts(self.params.day_care_stock, DAY_CARE_RR[ages, kind])
        self._start_simple("day_care", since(3.0).only(day_care))

    def set_capacity(self, people: People, idx: Index, rng: np.random.Generator) -> None:
        """Capacity per neighbourhood: what is in use on the first day, plus or minus some slack."""
        nb = people.neighbourhood[idx].astype(np.int64)
        k = self.neighbourhoods
        home = np.bincount(nb[people.home_care[idx] >= 0], minlength=k)
        beds = np.bincount(nb[people.residence[idx] > 0], minlength=k)
        self.home_care_capacity = np.maximum(
            home * (1 + rng.uniform(*assume.HOME_CARE_CAPACITY_SLACK, k)), 1.0
        )
        self.care_home_capacity = np.maximum(
            beds * (1 + rng.uniform(*assume.CARE_HOME_CAPACITY_SLACK, k)), 1.0
        )

    def occupancy(
        self, people: People, idx: Index, month: Month, start_day: int
    ) -> tuple[
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
    ]:
        """Share of home care and care home capacity in use in each neighbourhood this month."""
        growth = (1 + assume.CAPACITY_GROWTH_PER_YEAR) ** (
            (month.start - start_day) / DAYS_PER_YEAR
        )
        nb = people.neighbourhood[idx].astype(np.int64)
        k = self.neighbourhoods
        home = np.bincount(nb[people.home_care[idx] >= 0], minlength=k)
        beds = np.bincount(nb[people.residence[idx] > 0], minlength=k)
        return (
            home / (self.home_care_capacity * growth),
            beds / (self.care_home_capacity * growth),
            home,
            beds,
        )

    # -- month by month ----------------------------------------------------------------

    def monthly(self, at_risk: AtRisk, rng: np.random.Generator) -> None:
        """Community starts and ends of care among people present this month and staying."""
        people, idx, ages, first, last = at_risk
        years = at_risk.years()

        def happens(
            pos: npt.NDArray[np.int64], rate: npt.NDArray[np.floating] | float
        ) -> npt.NDArray[np.int64]:
            """Positions (of `pos`) where an event with this yearly rate happens this month."""
            return pos[rng.random(len(pos), dtype=np.float32) < rate * years[pos]]

        def days_of(pos: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
            return uniform_days(rng, first[pos], last[pos])

        # ends of open-ended community care
        for slot, leave in (
            (people.home_care, assume.HOME_CARE_END_PER_YEAR),
            (people.telecare, assume.TELECARE_END_PER_YEAR),
            (people.day_care, assume.DAY_CARE_END_PER_YEAR),
        ):
            holders = np.flatnonzero(slot[idx] >= 0)
            ends = happens(holders, leave)
            day = days_of(ends)
            rows = slot[idx[ends]]
            later = self.log["start"][rows] < day
            self._close(rows[later], day[later])
            slot[idx[ends[later]]] = -1

        # Starts of care among adults at home. Each person's kind of need is one of 64
        # (frailty level, dementia, living alone, learning disability, unpaid carer); every
        # start's yearly rate is a table by (age, kind), its relative risks normalised to
        # mean 1 over the people at home of that age. One draw per person against the sum
        # of the rates picks at most one start a month (thinning).
        home = np.flatnonzero((ages >= 18) & (people.residence[idx] == 0))
        who = idx[home]
        kind = need_kind(people, who)
        a = ages[home].astype(np.int64)
        key = a * KINDS + kind
        counts = (
            np.bincount(key, minlength=MAX_AGE * KINDS).reshape(MAX_AGE, KINDS).astype(np.float64)
        )
        rates = start_rates(
            counts,
            self.care_home_age,
            (self.home_care_start, self.telecare_start, self.day_care_start),
        )
        total = rates.sum(axis=0)
        draw = rng.random(len(home), dtype=np.float32)
        ceiling = total.ravel()[key] * years[home]
        hit = np.flatnonzero(draw < ceiling)
        if len(hit) == 0:
            return
        point = draw[hit] / years[home[hit]]
        cumulative = np.cumsum(rates.reshape(len(START_KINDS), -1)[:, key[hit]], axis=0)
        which = (cumulative <= point[None, :]).sum(axis=0).clip(0, len(START_KINDS) - 1)
        pos = home[hit]
        starting = Starters(people, idx[pos], days_of(pos), ages[pos], rng)
        free = people.busy_until[starting.who] < starting.day  # not from a hospital bed
        for k, start_kind in enumerate(START_KINDS):
            sel = free & (which == k)
            if not sel.any():
                continue
            s = starting.only(sel)
            if start_kind == "care_home":
                self.place_in_care_home(s)
            elif start_kind == "home_care":
                self.start_home_care(s)
            elif start_kind in ("telecare", "day_care"):
                self._start_simple(start_kind, s)
            elif start_kind == "carer_support":
                self.carer_support(s)
            else:
                self.equipment(s)

    def process_schedule(self, people: People, month: Month, rng: np.random.Generator) -> None:
        """Carry out this month's follow-on steps for people alive, registered, out of hospital."""
        if len(self.schedule) == 0:
            return
        day = self.schedule["day"]
        due = np.flatnonzero((day >= month.start) & (day <= month.end))
        if len(due) == 0:
            return
        who = self.schedule["person"][due].astype(np.int64)
        on = day[due]
        action = self.schedule["action"][due]
        ok = (people.death[who] > on) & (people.reg_to[who] >= on) & (people.busy_until[who] < on)
        ages = ages_at(people.birth_year[who], people.birth_md[who], on)
        steps = Starters(people, who, on, ages, rng, after_spell=self.schedule["spell"][due])
        for kind in (PLACE_PERMANENT, HOME_CARE, REABLEMENT, RESPITE_END):
            sel = ok & (action == kind)
            if not sel.any():
                continue
            if kind in (PLACE_PERMANENT, RESPITE_END):
                if kind == RESPITE_END:
                    sel &= rng.random(len(sel)) < 0.4
                self.place_in_care_home(steps.only(sel))
                continue
            at_home = steps.only(sel & (people.residence[who] == 0))
            if kind == HOME_CARE:
                self.start_home_care(at_home)
            else:
                self.after_stay("reablement", at_home)
        keep = np.ones(len(self.schedule), dtype=bool)
        keep[due] = False
        remaining = {k: v[keep] for k, v in self.schedule.columns().items()}
        self.schedule = new_schedule()
        if keep.any():
            self.schedule.append(**remaining)

    def close_for_leavers(
        self, people: People, who: Index, day: npt.NDArray[np.int32], month: Month
    ) -> None:
        """People who died or moved away: every package still open ends on that day."""
        self.live = self.live[self.log["end"][self.live] >= month.start]
        if len(who) == 0 or len(self.live) == 0:
            return
        order = np.argsort(who)
        sorted_who = who[order]
        person = self.log["person"][self.live].astype(np.int64)
        pos = np.searchsorted(sorted_who, person).clip(0, len(who) - 1)
        hit = sorted_who[pos] == person
        rows = self.live[hit]
        leave = day[order][pos[hit]]
        late = self.log["start"][rows] > leave
        self.log["start"][rows[late]] = leave[
            late
        ]  # cannot happen, kept safe: start never after leaving
        self._close(rows, leave)
        for slot in (people.home_care, people.telecare, people.day_care, people.residence_package):
            slot[who] = -1
