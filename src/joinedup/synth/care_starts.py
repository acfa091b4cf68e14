"""Starting each kind of care package: who gets it, from when, at what cost, paid by whom.

Whatever decides that care starts (the first population, a monthly hazard, a discharge,
a scheduled follow-on step), the package itself is made here, one row of the package log
each; short-term services after a stay also schedule the step that follows them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from joinedup.synth import assumptions as assume
from joinedup.synth.budget_schemes import SCHEME_INDEX
from joinedup.synth.care_need import DEMENTIA
from joinedup.synth.care_packages import (
    FUNDER,
    SERVICE,
    draw_funders,
    draw_payment,
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


@dataclass(frozen=True)
class Starters:
    """People starting care, each on their own day: what every kind of start needs.

    Every caller (the first population, the monthly hazards, discharges, the schedule)
    hands over the same arrays, and every start narrows them together (to those without
    the service yet, those still at home) before drawing from the step's random stream.
    """

    people: People
    who: Index
    day: npt.NDArray[np.int32]
    ages: npt.NDArray[np.int16]
    rng: np.random.Generator
    after_spell: npt.NDArray[np.int64] | int = -1  # the stay the care follows (-1: none)

    def __len__(self) -> int:
        return len(self.who)

    def only(self, keep: npt.NDArray[np.bool_]) -> Starters:
        """The people where `keep` is true."""
        spell = self.after_spell
        return replace(
            self,
            who=self.who[keep],
            day=self.day[keep],
            ages=self.ages[keep],
            after_spell=spell[keep] if isinstance(spell, np.ndarray) else spell,
        )


def new_schedule() -> EventLog:
    """Follow-on steps: who, on which day, what (PLACE_PERMANENT, ...), after which stay."""
    return EventLog({"person": np.int32, "day": np.int32, "action": np.int8, "spell": np.int64})


def weeks_later(
    day: npt.NDArray[np.int32], weeks: npt.NDArray[np.float64]
) -> npt.NDArray[np.int32]:
    """The last day of a package lasting `weeks` (in whole days) from each day."""
    return (day + (weeks * 7).astype(np.int32)).astype(np.int32)


def scheme_of(funder: npt.NDArray[np.int8], payer: str, scheme: str) -> npt.NDArray[np.int8]:
    """Each package's pooled budget scheme: `scheme` where `payer` funds it, else -1."""
    return np.where(funder == FUNDER[payer], SCHEME_INDEX[scheme], -1).astype(np.int8)


class CareStarts:
    """The package log, the follow-on schedule, and how each kind of package starts."""

    def __init__(self, params: Parameters):
        self.params = params
        self.log = new_package_log()
        self.schedule = new_schedule()
        self.live = np.empty(0, dtype=np.int64)  # rows that may still be open
        self.costs = params.costs
        self.placements: list[tuple[Index, npt.NDArray[np.int32]]] = []

    def add(
        self,
        starters: Starters,
        service: str,
        end: npt.NDArray[np.int32] | np.int32,
        **columns: Any,
    ) -> Index:
        """Log a package for each person from their day to `end`, after their stay if any.

        Columns not given (hours, cost, funder, budget, scheme, ...) keep the log's fill.
        """
        rows = self.log.append(
            person=starters.who.astype(np.int32),
            service=SERVICE[service],
            start=starters.day,
            end=end,
            after_spell=starters.after_spell,
            **columns,
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

    def _follow_on(
        self, starters: Starters, end: npt.NDArray[np.int32] | np.int32, action: int
    ) -> None:
        """Schedule `action` for the day after each person's package ends."""
        self.schedule.append(
            person=starters.who.astype(np.int32),
            day=(end + 1).astype(np.int32),
            action=action,
            spell=starters.after_spell,
        )

    def start_home_care(self, starters: Starters) -> None:
        """Open-ended home care for those not already receiving it."""
        fresh = starters.only(starters.people.home_care[starters.who] < 0)
        n, rng = len(fresh), fresh.rng
        if n == 0:
            return
        hours = np.clip(rng.gamma(3.0, assume.HOME_CARE_HOURS_MEAN / 3.0, n), 2, 50).round(1)
        paid = draw_payment(assume.COMMUNITY_FUNDER_SHARE, fresh.ages, rng)
        rows = self.add(
            fresh,
            "home_care",
            NEVER,
            hours=hours,
            weekly_cost=hours * self.costs["home_care_hour"],
            scheme=scheme_of(paid["funder"], "pooled", "home_care"),
            **paid,
        )
        fresh.people.home_care[fresh.who] = rows

    def _start_simple(self, service: str, starters: Starters) -> None:
        """Telecare or day care, open-ended."""
        people = starters.people
        slot = people.telecare if service == "telecare" else people.day_care
        fresh = starters.only(slot[starters.who] < 0)
        n = len(fresh)
        if n == 0:
            return
        if service == "telecare":
            funder = draw_funders({"council": 0.6, "self": 0.4}, n, fresh.rng)
            rows = self.add(
                fresh,
                service,
                NEVER,
                weekly_cost=self.costs["telecare_week"],
                funder=funder,
                scheme=scheme_of(funder, "council", "telecare"),
            )
        else:
            paid = draw_payment(assume.COMMUNITY_FUNDER_SHARE, fresh.ages, fresh.rng)
            days = fresh.rng.integers(1, 4, n)
            rows = self.add(
                fresh,
                service,
                NEVER,
                hours=days * 6.0,
                weekly_cost=days * self.costs["day_care_week"] / 3,
                **paid,
            )
        slot[fresh.who] = rows

    def place_in_care_home(self, starters: Starters, *, permanent: bool = True) -> Index:
        """Residential or nursing placements from `day`; permanent ones close care at home."""
        people = starters.people
        at_home = starters.only(people.residence[starters.who] == 0)
        who, day, rng = at_home.who, at_home.day, at_home.rng
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
            end = weeks_later(day, rng.uniform(2, 6, n))
        weekly = np.where(
            nursing,
            self.costs["nursing_home_week_65plus"],
            self.costs["residential_home_week_65plus"],
        )
        scheme = scheme_of(funder, "pooled", "care_homes")
        rows = np.empty(n, dtype=np.int64)
        for is_nursing, service in ((False, "residential_care"), (True, "nursing_care")):
            sel = nursing == is_nursing
            if sel.any():
                rows[sel] = self.add(
                    at_home.only(sel),
                    service,
                    end if np.ndim(end) == 0 else end[sel],  # type: ignore[index]
                    weekly_cost=weekly[sel],
                    funder=funder[sel],
                    permanent=permanent,
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
            self._follow_on(at_home, end, RESPITE_END)
        return who

    def carer_support(self, starters: Starters) -> None:
        n, rng = len(starters), starters.rng
        if n == 0:
            return
        weeks = rng.exponential(assume.CARER_SUPPORT_WEEKS, n) + 4
        paid = draw_payment({"council": 0.7, "pooled": 0.3}, starters.ages, rng)
        self.add(
            starters,
            "carer_support",
            weeks_later(starters.day, weeks),
            weekly_cost=self.costs["carer_support_week"],
            scheme=SCHEME_INDEX["carers"],
            **paid,
        )

    def equipment(self, starters: Starters) -> None:
        """A one-off item or adaptation: delivered on one day, so start and end are that day."""
        if len(starters) == 0:
            return
        funder = draw_funders({"council": 0.7, "nhs": 0.3}, len(starters), starters.rng)
        self.add(
            starters,
            "equipment_adaptation",
            starters.day,
            funder=funder,
            scheme=scheme_of(funder, "council", "equipment"),
        )

    def after_stay(self, service: str, starters: Starters) -> Index:
        """Some weeks of a short-term service (SHORT_TERM) from each day, after the stay in
        starters.after_spell; when it ends, shares of the people move on to their next service."""
        n, rng = len(starters), starters.rng
        if n == 0:
            return np.empty(0, dtype=np.int64)
        kind = SHORT_TERM[service]
        weeks = np.clip(rng.gamma(kind.shape, kind.weeks / kind.shape, n), 1, 8)
        end = weeks_later(starters.day, weeks)
        funder = draw_funders(kind.funders, n, rng)
        hours = np.nan if kind.hours is None else np.round(rng.uniform(*kind.hours, n), 1)
        rows = self.add(
            starters,
            service,
            end,
            hours=hours,
            weekly_cost=self.costs[kind.cost],
            funder=funder,
            scheme=SCHEME_INDEX[service],
        )
        u = rng.random(n)
        low = 0.0
        for share, action in kind.then:
            chosen = (u >= low) & (u < low + share)
            self._follow_on(starters.only(chosen), end[chosen], action)
            low += share
        return rows
