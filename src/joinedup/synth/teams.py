"""Integrated neighbourhood teams: staggered go-live, case finding, caseload episodes, contacts.

One team per neighbourhood. Teams go live on the first of staggered months; about a
quarter are still not integrated when the window ends (go_live_date null), so every
evaluation has never-treated comparisons. Once live, a team fills a caseload of about
1.5% of its adults, a few months' worth at a time, with the people its risk tool ranks
highest (the tool sees the true hazard through noise); some decline. Teams also take
people on after a discharge and from referrals. While on a live team's caseload a person's
emergency admission hazard is multiplied by the planted caseload_admission_rate_ratio.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.lake.schema import EPISODE_END_REASONS, EPISODE_REASONS
from joinedup.synth import assumptions as assume
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.contact_stream import ContactStream
from joinedup.synth.eventlog import EventLog
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import LONG_AGO, NEVER, Month, uniform_days

REASON = {name: np.int8(i) for i, name in enumerate(EPISODE_REASONS)}
END = {name: np.int8(i) for i, name in enumerate(EPISODE_END_REASONS)}
DAYS_PER_MONTH = 30.44
CASELOAD_SERVICES = (
    ("community_nursing", "health", "district_nurse_contact"),
    ("social_work", "social_care", "social_worker_hour"),
    ("care_navigation", "voluntary", "care_navigation_contact"),
    ("mdt_review", "health", "mdt_review"),
)


def golive_schedule(
    months: list[Month], count: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Go-live day of each team (NEVER: not in the window), and the planned day of every team.

    At least one team goes live and at least one does not, whatever the number of teams.
    """
    never = min(max(1, round(count * assume.NEVER_LIVE_SHARE)), count - 1)
    live = count - never
    first = max(1, min(assume.GOLIVE_FIRST_MONTH, int(len(months) * 0.15)))
    last = max(first, int(len(months) * 0.75))
    picks = np.linspace(first, last, live).round().astype(int)
    days = [months[min(m, len(months) - 1)].start for m in picks]
    after = months[-1].end + 1
    planned = [after + 91 * (i + 1) for i in range(never)]
    order = rng.permutation(count)
    golive = np.full(count, NEVER, dtype=np.int64)
    plan = np.full(count, NEVER, dtype=np.int64)
    for position, team in enumerate(order):
        if position < live:
            golive[team] = days[position]
            plan[team] = days[position]
        else:
            plan[team] = planned[position - live]
    return golive, plan


def new_episode_log() -> EventLog:
    return EventLog(
        {
            "person": np.int32,
            "team": np.int16,
            "start": np.int32,
            "end": np.int32,
            "reason": np.int8,
            "end_reason": np.int8,
        },
    )


class Teams:
    """Episodes on the teams' caseloads and the case finding that fills them."""

    def __init__(self, golive_day: npt.NDArray[np.int64], costs: dict[str, float]):
        self.golive_day = golive_day
        self.log = new_episode_log()
        self.costs = costs
        self.offers = np.zeros(len(golive_day), dtype=np.int64)

    def start(
        self,
        people: People,
        who: Index,
        day: npt.NDArray[np.int32],
        reason: str,
        weeks: npt.NDArray[np.float64],
        declined: npt.NDArray[np.bool_],
        contacts: ContactStream,
        rng: np.random.Generator,
    ) -> None:
        """Open episodes (or record declined offers) for people with no open episode."""
        free = (people.episode[who] < 0) & (people.residence[who] == 0)
        who, day, weeks, declined = who[free], day[free], weeks[free], declined[free]
        if len(who) == 0:
            return
        team = people.neighbourhood[who].astype(np.int16)
        planned = (day + np.maximum(weeks * 7, 7).astype(np.int32)).astype(np.int32)
        end = np.where(declined, day, planned).astype(np.int32)
        end_reason = np.where(
            declined,
            END["declined"],
            np.where(rng.random(len(who)) < 0.6, END["goals_met"], END["other"]),
        ).astype(np.int8)
        rows = self.log.append(
            person=who.astype(np.int32),
            team=team,
            start=day,
            end=end,
            reason=REASON[reason],
            end_reason=end_reason,
        )
        people.last_offer[who] = day
        took = ~declined
        people.episode[who[took]] = rows[took]
        people.episode_start[who[took]] = day[took]
        people.episode_end[who[took]] = planned[took]
        welcome = took & (rng.random(len(who)) < 0.5)
        contacts.add(
            who[welcome],
            day[welcome],
            "pharmacy",
            "health",
            self.costs["pharmacy_review"],
            team=team[welcome],
        )
        contacts.add(
            who[took], day[took], "mdt_review", "health", self.costs["mdt_review"], team=team[took]
        )

    def close_finished(self, people: People, month: Month) -> None:
        """Episodes whose planned end has passed are no longer open."""
        open_ = np.flatnonzero(people.column("episode") >= 0)
        done = open_[people.episode_end[open_] < month.start]
        people.episode[done] = -1

    def end_early(
        self, people: People, who: Index, day: npt.NDArray[np.int32], reason: str
    ) -> None:
        """Close open episodes on a death, a move away or a care home placement."""
        rows = people.episode[who]
        has = (rows >= 0) & (people.episode_end[who] >= day)
        rows, who, day = rows[has], who[has], day[has]
        if len(rows) == 0:
            return
        day = np.maximum(day, self.log["start"][rows])
        self.log["end"][rows] = day
        self.log["end_reason"][rows] = END[reason]
        people.episode_end[who] = day
        people.episode[who] = -1

    def case_finding(
        self,
        at_risk: AtRisk,
        risk: npt.NDArray[np.float64],
        month: Month,
        contacts: ContactStream,
        rng: np.random.Generator,
    ) -> None:
        """Each live team offers places to the highest-ranked adults not already on its caseload."""
        people, idx, ages, _, last = at_risk
        nb = people.neighbourhood[idx].astype(np.int64)
        start = np.maximum(self.golive_day, month.start)
        live_nb = self.golive_day <= month.end
        if not live_nb.any():
            return
        adults = ages >= 18
        count = len(self.golive_day)
        adult_count = np.bincount(nb[adults], minlength=count)
        on = np.bincount(nb[people.episode[idx] >= 0], minlength=count)
        target = assume.CASELOAD_SHARE_OF_ADULTS * adult_count
        room = np.clip(target - on, 0, np.ceil(target / assume.CASEFINDING_RAMP_MONTHS)).astype(
            np.int64
        )
        room[~live_nb] = 0
        eligible = (
            adults
            & live_nb[nb]
            & (people.residence[idx] == 0)
            & (people.episode[idx] < 0)
            & (people.last_offer[idx] < month.start - assume.REOFFER_AFTER_DAYS)
            & (people.episode_end[idx] < month.start - 180)
            & (last >= start[nb])
        )
        cand = np.flatnonzero(eligible)
        if len(cand) == 0:
            return
        score = np.log(
            np.maximum(risk[cand], 1e-12)
        ) + assume.CASEFINDING_SCORE_NOISE * rng.standard_normal(len(cand))
        # only the best-scored few can be offered a place: sort those, not everyone
        wanted = int(room.sum()) * 20
        if len(cand) > wanted > 0:
            kth = len(cand) - wanted
            keep = score >= np.partition(score, kth)[kth]
            kept = np.bincount(nb[cand[keep]], minlength=count)
            keep |= (kept < room)[nb[cand]]
            cand, score = cand[keep], score[keep]
        order = np.lexsort((-score, nb[cand]))
        sorted_nb = nb[cand][order]
        first_of = np.searchsorted(sorted_nb, sorted_nb, side="left")
        rank = np.arange(len(order)) - first_of
        chosen = cand[order[rank < room[sorted_nb]]]
        if len(chosen) == 0:
            return
        who = idx[chosen]
        lo = start[nb[chosen]]
        day = uniform_days(rng, lo, last[chosen])
        weeks = np.maximum(
            rng.exponential(assume.CASELOAD_MONTHS_MEAN * DAYS_PER_MONTH / 7, len(chosen)), 4.0
        )
        declined = rng.random(len(chosen)) < assume.CASEFINDING_DECLINE_SHARE
        np.add.at(self.offers, nb[chosen], 1)
        self.start(people, who, day, "case_finding", weeks, declined, contacts, rng)

    def caseload_contacts(
        self, at_risk: AtRisk, contacts: ContactStream, rng: np.random.Generator
    ) -> None:
        """Visits, reviews and navigation for the people on a caseload this month."""
        people, idx, _, first, last = at_risk
        on = people.episode[idx] >= 0
        sel = np.flatnonzero(on)
        if len(sel) == 0:
            return
        who = idx[sel]
        lo = np.maximum(first[sel], people.episode_start[who])
        hi = np.minimum(last[sel], people.episode_end[who])
        days = (hi - lo + 1).clip(0)
        team = people.neighbourhood[who].astype(np.int16)
        for service, sector, cost in CASELOAD_SERVICES:
            rate = assume.CASELOAD_CONTACTS_PER_MONTH[service] * days / DAYS_PER_MONTH
            count = rng.poisson(rate)
            owner = np.repeat(np.arange(len(sel)), count)
            if len(owner) == 0:
                continue
            day = uniform_days(rng, lo[owner], hi[owner])
            contacts.add(who[owner], day, service, sector, self.costs[cost], team=team[owner])


__all__ = ["LONG_AGO", "Teams", "golive_schedule"]
