"""Starting each kind of care package: who gets it, from when, at what cost, paid by whom.

Whatever decides that care starts (the first population, a monthly hazard, a discharge,
a scheduled follow-on step), the package itself is made here, one row of the package log
each; short-term services after a stay also schedule the step that follows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.synth import assumptions as assume
from joinedup.synth.budget_schemes import SCHEME_INDEX
from joinedup.synth.care_need import DEMENTIA
from joinedup.synth.care_packages import (
    FUNDER,
    SERVICE,
    draw_budgets,
    draw_funders,
    new_package_log,
)
from joinedup.synth.conditions import log_hazards
from joinedup.synth.eventlog import EventLog
from joinedup.synth.parameters import Parameters
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import NEVER

# Scheduled follow-on steps.
PLACE_PERMANENT, HOME_CARE, REABLEMENT, RESPITE_END = 1, 2, 3, 4


@dataclass(frozen=True)
class ShortTerm:
    """A short-term service after a hospital stay, and what follows it."""

    shape: float  # of the gamma distribution of its length in weeks (1 to 8)
    weeks: float  # mean length
    funders: dict[str, float]
    cost: str  # the weekly cost's name in the reference costs
    hours: tuple[float, float] | None  # hours a week, drawn uniformly; None: a bed
    then: tuple[tuple[float, int], ...]  # (share of people, scheduled next step)


SHORT_TERM = {
    # up to about six weeks of reablement at home, then perhaps home care or a placement
    "reablement": ShortTerm(
        4.0,
        assume.REABLEMENT_WEEKS,
        {"pooled": 0.6, "council": 0.4},
        "reablement_week",
        (5, 12),
        (
            (assume.CARE_HOME_AFTER_REABLEMENT, PLACE_PERMANENT),
            (assume.HOME_CARE_AFTER_REABLEMENT, HOME_CARE),
        ),
    ),
    # a rehabilitation bed for some weeks, then home (perhaps reablement) or a care home
    "intermediate_care": ShortTerm(
        3.0,
        assume.INTERMEDIATE_CARE_WEEKS,
        {"nhs": 0.5, "pooled": 0.5},
        "intermediate_care_bed_week",
        None,
        (
            (assume.CARE_HOME_AFTER_INTERMEDIATE_CARE, PLACE_PERMANENT),
            (assume.REABLEMENT_AFTER_INTERMEDIATE_CARE, REABLEMENT),
        ),
    ),
}


class CareStarts:
    """The package log, the follow-on schedule, and how each kind of package starts."""

    def __init__(self, params: Parameters):
        self.params = params
        self.log = new_package_log()
        self.schedule = EventLog(
            {"person": np.int32, "day": np.int32, "action": np.int8, "spell": np.int64}
        )
        self.live = np.empty(0, dtype=np.int64)  # rows that may still be open
        self.costs = params.costs
        self.placements: list[tuple[Index, npt.NDArray[np.int32]]] = []

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

    def after_stay(
        self,
        service: str,
        who: Index,
        day: npt.NDArray[np.int32],
        spell: npt.NDArray[np.int64],
        rng: np.random.Generator,
    ) -> Index:
        """Some weeks of a short-term service (SHORT_TERM) from `day`; when it ends, shares of
        the people move on to their next service."""
        n = len(who)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        kind = SHORT_TERM[service]
        weeks = np.clip(rng.gamma(kind.shape, kind.weeks / kind.shape, n), 1, 8)
        end = (day + (weeks * 7).astype(np.int32)).astype(np.int32)
        funder = draw_funders(kind.funders, n, rng)
        hours = np.nan if kind.hours is None else np.round(rng.uniform(*kind.hours, n), 1)
        rows = self.add(
            who,
            service,
            day,
            end,
            hours=hours,
            weekly_cost=self.costs[kind.cost],
            funder=funder,
            after_spell=spell,
            scheme=SCHEME_INDEX[service],
        )
        self._move_on(who, end, spell, rng.random(n), kind.then)
        return rows

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
