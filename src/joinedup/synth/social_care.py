"""Adult social care and other long-running services: packages, placements and capacity.

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

from joinedup.lake.schema import BUDGET_MODES, PACKAGE_FUNDERS, SERVICE_TYPES
from joinedup.synth import assumptions as assume
from joinedup.synth.budget_schemes import SCHEME_INDEX
from joinedup.synth.conditions import log_hazards
from joinedup.synth.eventlog import EventLog
from joinedup.synth.parameters import AGES, MAX_AGE, Parameters
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import NEVER, Month, ages_at

SERVICE = {name: np.int8(i) for i, name in enumerate(SERVICE_TYPES)}
FUNDER = {name: np.int8(i) for i, name in enumerate(PACKAGE_FUNDERS)}
MODE = {name: np.int8(i) for i, name in enumerate(BUDGET_MODES)}
DEMENTIA = assume.LTCS.index("dementia")
LEARNING_DISABILITY = assume.LTCS.index("learning_disability")
DAYS_PER_YEAR = 365.25

# Scheduled follow-on steps.
PLACE_PERMANENT, HOME_CARE, REABLEMENT, RESPITE_END = 1, 2, 3, 4


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
    supported = (funder == FUNDER["council"]) | (funder == FUNDER["pooled"])
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


class SocialCare:
    """Every package, the follow-on schedule, and each neighbourhood's capacity."""

    def __init__(self, params: Parameters, neighbourhoods: int):
        self.params = params
        self.log = new_package_log()
        self.schedule = EventLog(
            {"person": np.int32, "day": np.int32, "action": np.int8, "spell": np.int64}
        )
        self.live = np.empty(0, dtype=np.int64)  # rows that may still be open
        self.neighbourhoods = neighbourhoods
        self.home_care_capacity = np.ones(neighbourhoods)
        self.care_home_capacity = np.ones(neighbourhoods)
        self.costs = params.costs
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
        self.placements: list[tuple[Index, npt.NDArray[np.int32]]] = []

    # -- creating packages -------------------------------------------------------------

    def add(
        self,
        who: Index,
        service: str,
        start: npt.NDArray[np.int32],
        end: npt.NDArray[np.int32] | np.int32,
        *,
        weekly_cost: npt.NDArray[np.floating] | float = np.nan,
        hours: npt.NDArray[np.floating] | float = np.nan,
        funder: npt.NDArray[np.int8] | int = -1,
        personal_budget: npt.NDArray[np.bool_] | bool = False,
        budget_mode: npt.NDArray[np.int8] | int = -1,
        permanent: bool = False,
        after_spell: npt.NDArray[np.int64] | int = -1,
        scheme: npt.NDArray[np.int8] | int = -1,
    ) -> Index:
        rows = self.log.append(
            person=who.astype(np.int32),
            service=SERVICE[service],
            start=start,
            end=end,
            hours=hours,
            weekly_cost=weekly_cost,
            funder=funder,
            personal_budget=personal_budget,
            budget_mode=budget_mode,
            permanent=permanent,
            after_spell=after_spell,
            scheme=scheme,
        )
        self.live = np.concatenate([self.live, rows])
        return rows

    def _close(self, rows: npt.NDArray[np.int64], day: npt.NDArray[np.int32]) -> None:
        """End these open packages on `day` (never before their start)."""
        if len(rows) == 0:
            return
        start = self.log["start"][rows]
        end = self.log["end"][rows]
        self.log["end"][rows] = np.minimum(end, np.maximum(day, start))

    def start_home_care(
        self,
        people: People,
        who: Index,
        day: npt.NDArray[np.int32],
        ages: npt.NDArray[np.int16],
        rng: np.random.Generator,
        after_spell: npt.NDArray[np.int64] | int = -1,
    ) -> None:
        fresh = people.home_care[who] < 0
        who, day, ages = who[fresh], day[fresh], ages[fresh]
        if isinstance(after_spell, np.ndarray):
            after_spell = after_spell[fresh]
        n = len(who)
        if n == 0:
            return
        hours = np.clip(rng.gamma(3.0, assume.HOME_CARE_HOURS_MEAN / 3.0, n), 2, 50).round(1)
        funder = draw_funders(assume.COMMUNITY_FUNDER_SHARE, n, rng)
        pb, mode = draw_budgets(funder, ages, rng)
        scheme = np.where(funder == FUNDER["pooled"], SCHEME_INDEX["home_care"], -1).astype(np.int8)
        rows = self.add(
            who,
            "home_care",
            day,
            NEVER,
            hours=hours,
            weekly_cost=hours * self.costs["home_care_hour"],
            funder=funder,
            personal_budget=pb,
            budget_mode=mode,
            after_spell=after_spell,
            scheme=scheme,
        )
        people.home_care[who] = rows

    def _start_simple(
        self,
        people: People,
        who: Index,
        day: npt.NDArray[np.int32],
        ages: npt.NDArray[np.int16],
        service: str,
        rng: np.random.Generator,
    ) -> None:
        """Telecare or day care, open-ended."""
        slot = people.telecare if service == "telecare" else people.day_care
        fresh = slot[who] < 0
        who, day, ages = who[fresh], day[fresh], ages[fresh]
        n = len(who)
        if n == 0:
            return
        if service == "telecare":
            funder = draw_funders({"council": 0.6, "self": 0.4}, n, rng)
            weekly = self.costs["telecare_week"]
            scheme = np.where(funder == FUNDER["council"], SCHEME_INDEX["telecare"], -1).astype(
                np.int8
            )
            rows = self.add(
                who, service, day, NEVER, weekly_cost=weekly, funder=funder, scheme=scheme
            )
        else:
            funder = draw_funders(assume.COMMUNITY_FUNDER_SHARE, n, rng)
            pb, mode = draw_budgets(funder, ages, rng)
            days = rng.integers(1, 4, n)
            rows = self.add(
                who,
                service,
                day,
                NEVER,
                hours=days * 6.0,
                weekly_cost=days * self.costs["day_care_week"] / 3,
                funder=funder,
                personal_budget=pb,
                budget_mode=mode,
            )
        slot[who] = rows

    def place_in_care_home(
        self,
        people: People,
        who: Index,
        day: npt.NDArray[np.int32],
        rng: np.random.Generator,
        *,
        permanent: bool = True,
        after_spell: npt.NDArray[np.int64] | int = -1,
        weeks: npt.NDArray[np.float64] | None = None,
    ) -> Index:
        """Residential or nursing placements from `day`; permanent ones close care at home."""
        keep = people.residence[who] == 0
        who, day = who[keep], day[keep]
        if isinstance(after_spell, np.ndarray):
            after_spell = after_spell[keep]
        n = len(who)
        if n == 0:
            return who
        frailty = people.frailty[who]
        dementia = people.onset[DEMENTIA, who] != NEVER
        p_nursing = np.clip(
            assume.NURSING_SHARE_OF_PLACEMENTS - 0.15 + 0.35 * (frailty >= 3) + 0.1 * dementia,
            0,
            0.9,
        )
        nursing = rng.random(n) < p_nursing
        if permanent:
            funder = draw_funders(assume.PLACEMENT_FUNDER_SHARE, n, rng)
            funder = np.where(
                ~nursing & (funder == FUNDER["nhs"]), FUNDER["council"], funder
            ).astype(np.int8)
            end: npt.NDArray[np.int32] | np.int32 = NEVER
        else:
            funder = draw_funders({"council": 0.5, "pooled": 0.4, "self": 0.1}, n, rng)
            length = weeks if weeks is not None else rng.uniform(2, 6, n)
            end = (day + (length * 7).astype(np.int32)).astype(np.int32)
        weekly = np.where(
            nursing,
            self.costs["nursing_home_week_65plus"],
            self.costs["residential_home_week_65plus"],
        )
        scheme = np.where(funder == FUNDER["pooled"], SCHEME_INDEX["care_homes"], -1).astype(
            np.int8
        )
        rows = np.empty(n, dtype=np.int64)
        for is_nursing, service in ((False, "residential_care"), (True, "nursing_care")):
            sel = nursing == is_nursing
            if sel.any():
                rows[sel] = self.add(
                    who[sel],
                    service,
                    day[sel],
                    end if np.ndim(end) == 0 else end[sel],  # type: ignore[index]
                    weekly_cost=weekly[sel],
                    funder=funder[sel],
                    permanent=permanent,
                    after_spell=after_spell if np.ndim(after_spell) == 0 else after_spell[sel],  # type: ignore[index]
                    scheme=scheme[sel],
                )
        if permanent:
            people.residence[who] = np.where(nursing, 2, 1)
            people.residence_package[who] = rows
            for slot in (people.home_care, people.telecare, people.day_care):
                open_rows = slot[who]
                has = open_rows >= 0
                self._close(open_rows[has], day[has] - 1)
                slot[who[has]] = -1
            log_hazards(people, who, self.params)
            self.placements.append((who, day))
        else:
            self.schedule.append(
                person=who.astype(np.int32),
                day=(end + 1).astype(np.int32),
                action=RESPITE_END,
                spell=after_spell,
            )
        return who

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
        frailty = people.frailty[idx]
        dementia = people.onset[DEMENTIA, idx] != NEVER
        alone = people.alone[idx]
        adult = ages >= 18
        earliest = np.maximum(people.reg_from[idx], people.birth[idx] + int(18 * DAYS_PER_YEAR))

        def since(years: float) -> npt.NDArray[np.int32]:
            back = (rng.random(n) * years * DAYS_PER_YEAR).astype(np.int32)
            return np.minimum(np.maximum(day - back, earliest), day).astype(np.int32)

        rr = np.array(
            [
                1.0,
                assume.CARE_HOME_RISK["mild"],
                assume.CARE_HOME_RISK["moderate"],
                assume.CARE_HOME_RISK["severe"],
            ]
        )[frailty]
        rr = (
            rr
            * np.where(dementia, assume.CARE_HOME_RISK["dementia"], 1.0)
            * np.where(alone, assume.CARE_HOME_RISK["alone"], 1.0)
        )
        care_home = adult & (
            rng.random(n) < _normalised(self.params.care_home_stock[ages] * 1.0, rr, ages)
        )
        start = since(3.0)
        placed = self.place_in_care_home(people, idx[care_home], start[care_home], rng)
        self.placements.clear()
        at_home = adult & (people.residence[idx] == 0)
        del placed

        rr = (
            np.array([1.0, 1.8, 4.0, 8.0])[frailty]
            * np.where(dementia, 3.0, 1.0)
            * np.where(alone, 1.5, 1.0)
        )
        ld = people.onset[LEARNING_DISABILITY, idx] != NEVER
        rr = rr * np.where(ld & (ages < 65), 4.0, 1.0)
        home = at_home & (rng.random(n) < _normalised(self.params.home_care_stock[ages], rr, ages))
        self.start_home_care(people, idx[home], since(2.0)[home], ages[home], rng)

        rr = np.array([1.0, 1.5, 2.5, 3.0])[frailty] * np.where(alone, 2.5, 1.0)
        tele = at_home & (rng.random(n) < _normalised(self.params.telecare_stock[ages], rr, ages))
        self._start_simple(people, idx[tele], since(4.0)[tele], ages[tele], "telecare", rng)

        rr = np.where(dementia, 4.0, 1.0) * np.where(ld, 6.0, 1.0)
        day_care = at_home & (
            rng.random(n) < _normalised(self.params.day_care_stock[ages], rr, ages)
        )
        self._start_simple(
            people, idx[day_care], since(3.0)[day_care], ages[day_care], "day_care", rng
        )

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

    def monthly(
        self,
        people: People,
        idx: Index,
        ages: npt.NDArray[np.int16],
        first: npt.NDArray[np.int32],
        last: npt.NDArray[np.int32],
        rng: np.random.Generator,
    ) -> None:
        """Community starts and ends of care among `idx` (present this month and staying)."""
        years = ((last - first + 1).clip(0) / DAYS_PER_YEAR).astype(np.float32)

        def happens(
            pos: npt.NDArray[np.int64], rate: npt.NDArray[np.floating] | float
        ) -> npt.NDArray[np.int64]:
            """Positions (of `pos`) where an event with this yearly rate happens this month."""
            return pos[rng.random(len(pos), dtype=np.float32) < rate * years[pos]]

        def days_of(pos: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
            span = np.maximum(last[pos] - first[pos] + 1, 1)
            return (first[pos] + (rng.random(len(pos)) * span).astype(np.int32)).astype(np.int32)

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
        kind = (
            people.frailty[who].astype(np.int64)
            + 4 * (people.onset[DEMENTIA, who] != NEVER)
            + 8 * people.alone[who]
            + 16 * (people.onset[LEARNING_DISABILITY, who] != NEVER)
            + 32 * people.carer[who]
        )
        a = ages[home].astype(np.int64)
        key = a * KINDS + kind
        counts = (
            np.bincount(key, minlength=MAX_AGE * KINDS).reshape(MAX_AGE, KINDS).astype(np.float64)
        )
        rates = self._start_rates(counts)
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
        day = days_of(pos)
        chosen = idx[pos]
        free = people.busy_until[chosen] < day  # not from a hospital bed
        for k, start_kind in enumerate(START_KINDS):
            sel = free & (which == k)
            if not sel.any():
                continue
            p, d = chosen[sel], day[sel]
            if start_kind == "care_home":
                self.place_in_care_home(people, p, d, rng)
            elif start_kind == "home_care":
                fresh = people.home_care[p] < 0
                self.start_home_care(people, p[fresh], d[fresh], ages[pos[sel]][fresh], rng)
            elif start_kind in ("telecare", "day_care"):
                self._start_simple(people, p, d, ages[pos[sel]], start_kind, rng)
            elif start_kind == "carer_support":
                self.carer_support(people, p, d, ages[pos[sel]], rng)
            else:
                self.equipment(p, d, rng)

    def _start_rates(self, counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Yearly rate of each kind of start by (age, kind of need), given the people of each."""
        out = np.zeros((len(START_KINDS), MAX_AGE, KINDS))
        old = AGES >= 65
        ch = self.care_home_age[:, None] * CARE_HOME_RR[None, :]
        people_old = counts[old].sum()
        mean = (counts[old] * ch[old]).sum() / people_old if people_old > 0 else 1.0
        out[0] = assume.COMMUNITY_CARE_HOME_PER_YEAR_65PLUS * ch / max(mean, 1e-9)
        bins = np.minimum(AGES // 10, MAX_AGE // 10)
        for k, (base, rr) in enumerate(
            (
                (self.home_care_start, HOME_CARE_RR),
                (self.telecare_start, TELECARE_RR),
                (self.day_care_start, DAY_CARE_RR),
            ),
            start=1,
        ):
            weighted = np.bincount(
                bins, weights=(counts * rr).sum(axis=1), minlength=MAX_AGE // 10 + 1
            )
            people_in = np.bincount(bins, weights=counts.sum(axis=1), minlength=MAX_AGE // 10 + 1)
            mean_by_bin = np.where(people_in > 0, weighted / np.maximum(people_in, 1e-9), 1.0)
            out[k] = base[:, None] * rr / np.maximum(mean_by_bin[bins], 1e-9)[:, None]
        out[2][AGES < 50] = 0.0
        out[4] = assume.CARER_SUPPORT_PER_YEAR * CARER_ELIGIBLE[None, :]
        out[5] = assume.EQUIPMENT_PER_YEAR * (old[:, None] & FRAIL_ENOUGH[None, :])
        return out

    def carer_support(
        self,
        people: People,
        who: Index,
        day: npt.NDArray[np.int32],
        ages: npt.NDArray[np.int16],
        rng: np.random.Generator,
    ) -> None:
        n = len(who)
        if n == 0:
            return
        weeks = rng.exponential(assume.CARER_SUPPORT_WEEKS, n) + 4
        funder = draw_funders({"council": 0.7, "pooled": 0.3}, n, rng)
        pb, mode = draw_budgets(funder, ages, rng)
        self.add(
            who,
            "carer_support",
            day,
            (day + (weeks * 7).astype(np.int32)).astype(np.int32),
            weekly_cost=self.costs["carer_support_week"],
            funder=funder,
            personal_budget=pb,
            budget_mode=mode,
            scheme=SCHEME_INDEX["carers"],
        )

    def equipment(
        self,
        who: Index,
        day: npt.NDArray[np.int32],
        rng: np.random.Generator,
        after_spell: npt.NDArray[np.int64] | int = -1,
    ) -> None:
        """A one-off item or adaptation: delivered on one day, so start and end are that day."""
        n = len(who)
        if n == 0:
            return
        funder = draw_funders({"council": 0.7, "nhs": 0.3}, n, rng)
        scheme = np.where(funder == FUNDER["council"], SCHEME_INDEX["equipment"], -1).astype(
            np.int8
        )
        self.add(
            who,
            "equipment_adaptation",
            day,
            day,
            funder=funder,
            after_spell=after_spell,
            scheme=scheme,
        )

    def reablement(
        self,
        who: Index,
        day: npt.NDArray[np.int32],
        spell: npt.NDArray[np.int64],
        rng: np.random.Generator,
    ) -> Index:
        """Up to about six weeks of reablement at home, then perhaps home care or a placement."""
        n = len(who)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        weeks = np.clip(rng.gamma(4.0, assume.REABLEMENT_WEEKS / 4.0, n), 1, 8)
        end = (day + (weeks * 7).astype(np.int32)).astype(np.int32)
        funder = draw_funders({"pooled": 0.6, "council": 0.4}, n, rng)
        rows = self.add(
            who,
            "reablement",
            day,
            end,
            hours=np.round(rng.uniform(5, 12, n), 1),
            weekly_cost=self.costs["reablement_week"],
            funder=funder,
            after_spell=spell,
            scheme=SCHEME_INDEX["reablement"],
        )
        self._move_on(
            who,
            end,
            spell,
            rng.random(n),
            (
                (assume.CARE_HOME_AFTER_REABLEMENT, PLACE_PERMANENT),
                (assume.HOME_CARE_AFTER_REABLEMENT, HOME_CARE),
            ),
        )
        return rows

    def intermediate_care(
        self,
        who: Index,
        day: npt.NDArray[np.int32],
        spell: npt.NDArray[np.int64],
        rng: np.random.Generator,
    ) -> None:
        """A rehabilitation bed for some weeks, then home (perhaps reablement) or a care home."""
        n = len(who)
        if n == 0:
            return
        weeks = np.clip(rng.gamma(3.0, assume.INTERMEDIATE_CARE_WEEKS / 3.0, n), 1, 8)
        end = (day + (weeks * 7).astype(np.int32)).astype(np.int32)
        funder = draw_funders({"nhs": 0.5, "pooled": 0.5}, n, rng)
        self.add(
            who,
            "intermediate_care",
            day,
            end,
            weekly_cost=self.costs["intermediate_care_bed_week"],
            funder=funder,
            after_spell=spell,
            scheme=SCHEME_INDEX["intermediate_care"],
        )
        self._move_on(
            who,
            end,
            spell,
            rng.random(n),
            (
                (assume.CARE_HOME_AFTER_INTERMEDIATE_CARE, PLACE_PERMANENT),
                (assume.REABLEMENT_AFTER_INTERMEDIATE_CARE, REABLEMENT),
            ),
        )

    def _move_on(
        self,
        who: Index,
        end: npt.NDArray[np.int32],
        spell: npt.NDArray[np.int64],
        u: npt.NDArray[np.float64],
        outcomes: tuple[tuple[float, int], ...],
    ) -> None:
        """When a short-term service ends, each share of people (by u) starts its next service."""
        next_day = (end + 1).astype(np.int32)
        low = 0.0
        for share, action in outcomes:
            chosen = (u >= low) & (u < low + share)
            self.schedule.append(
                person=who[chosen].astype(np.int32),
                day=next_day[chosen],
                action=action,
                spell=spell[chosen],
            )
            low += share

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
        spell = self.schedule["spell"][due]
        ok = (people.death[who] > on) & (people.reg_to[who] >= on) & (people.busy_until[who] < on)
        ages = ages_at(people.birth_year[who], people.birth_md[who], on)
        for kind in (PLACE_PERMANENT, HOME_CARE, REABLEMENT, RESPITE_END):
            sel = ok & (action == kind)
            if not sel.any():
                continue
            if kind in (PLACE_PERMANENT, RESPITE_END):
                if kind == RESPITE_END:
                    sel &= rng.random(len(sel)) < 0.4
                self.place_in_care_home(people, who[sel], on[sel], rng, after_spell=spell[sel])
            elif kind == HOME_CARE:
                home = sel & (people.residence[who] == 0)
                self.start_home_care(
                    people, who[home], on[home], ages[home], rng, after_spell=spell[home]
                )
            else:
                home = sel & (people.residence[who] == 0)
                self.reablement(who[home], on[home], spell[home], rng)
        keep = np.ones(len(self.schedule), dtype=bool)
        keep[due] = False
        remaining = {k: v[keep] for k, v in self.schedule.columns().items()}
        self.schedule = EventLog(
            {"person": np.int32, "day": np.int32, "action": np.int8, "spell": np.int64}
        )
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


def _normalised(
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
