"""The single point of access: referrals, their triage and the visits that answer them.

Each month people are referred at rates rising with age and frailty, in three urgencies.
Two-hour referrals are answered by the urgent community response: the first visit's
response_minutes is the time from receipt to arrival (within two hours with the reference
share, raised by the planted golive_two_hour_change once the neighbourhood's team is live),
then perhaps follow-up visits. Urgent and routine referrals lead to visits by community
nursing, therapy, social work, care navigation or mental health. Statuses follow FHIR
Task: rejected at triage, cancelled when the person dies or leaves first, completed after
the last visit, in-progress or requested when the window ends first.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from joinedup.lake.schema import REFERRAL_SOURCES, TASK_STATUSES, URGENCIES
from joinedup.synth import assumptions as assume
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.config import BASE_TWO_HOUR_SHARE
from joinedup.synth.contact_stream import SECTOR, SERVICE, ContactStream
from joinedup.synth.eventlog import EventLog
from joinedup.synth.parameters import Parameters
from joinedup.synth.people import Index, People
from joinedup.synth.timeline import DAY_US, NEVER, uniform_days

MINUTE_US = 60 * 1_000_000
HOUR_US = 60 * MINUTE_US
SOURCE = {name: np.int8(i) for i, name in enumerate(REFERRAL_SOURCES)}
URGENCY = {name: np.int8(i) for i, name in enumerate(URGENCIES)}
STATUS = {name: np.int8(i) for i, name in enumerate(TASK_STATUSES)}
REASONS: tuple[str, ...] = tuple(r for u in URGENCIES for r in assume.REFERRAL_REASONS[u])
REASON_OFFSET = {
    u: sum(len(assume.REFERRAL_REASONS[v]) for v in URGENCIES[:i]) for i, u in enumerate(URGENCIES)
}
POST_DISCHARGE_REASON = REASONS.index("post-discharge support")
FOLLOW_UP_SERVICES = {
    "urgent": (
        ("community_nursing", "health", 0.5),
        ("therapy", "health", 0.25),
        ("social_work", "social_care", 0.15),
        ("mental_health", "health", 0.1),
    ),
    "routine": (
        ("social_work", "social_care", 0.35),
        ("therapy", "health", 0.25),
        ("community_nursing", "health", 0.2),
        ("care_navigation", "voluntary", 0.15),
        ("mental_health", "health", 0.05),
    ),
}
SERVICE_COST = {
    "community_nursing": "district_nurse_contact",
    "therapy": "therapy_contact",
    "social_work": "social_worker_hour",
    "mental_health": "mental_health_contact",
    "care_navigation": "care_navigation_contact",
    "rapid_response": "urgent_community_response_contact",
}


def new_referral_log() -> EventLog:
    return EventLog(
        {
            "person": np.int32,
            "received": np.int64,
            "source": np.int8,
            "urgency": np.int8,
            "reason": np.int16,
            "team": np.int16,
            "status": np.int8,
            "accepted": np.int64,
            "closed": np.int64,
            "first_visit": np.int64,  # planned arrival of the first visit (not in the lake)
        },
        fill={"team": -1, "accepted": -1, "closed": -1, "first_visit": -1},
    )


class Referred(NamedTuple):
    """A batch of referrals of one urgency: who, when received, from where and why."""

    who: Index
    received: npt.NDArray[np.int64]  # instants in microseconds
    urgency: str
    source: npt.NDArray[np.int8]
    reason: npt.NDArray[np.int16]
    nursing_only: bool = False  # after a discharge: never rejected, community nursing visits


class _Answer(NamedTuple):
    """How the service answers each referral (instants in microseconds)."""

    accepted: npt.NDArray[np.int64]
    minutes: npt.NDArray[np.int64]  # to the first visit of a two-hour referral (-1: other)
    first_visit: npt.NDArray[np.int64]
    visits: npt.NDArray[np.int64]
    gap_days: npt.NDArray[np.int64]


class _Visits(NamedTuple):
    """What each referral's visits are written with: the referral, its team, row and answer."""

    referred: Referred
    team: npt.NDArray[np.int16]
    rows: Index
    answer: _Answer
    gone: npt.NDArray[np.int64]  # the person's last day


def _pick(shares: dict[str, float], n: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    p = np.array(list(shares.values()))
    return rng.choice(len(p), size=n, p=p / p.sum())


class Referrals:
    """Every referral made, with the contacts that answer it written to the contact stream."""

    def __init__(
        self,
        params: Parameters,
        golive_day: npt.NDArray[np.int64],
        two_hour_change: float,
        window_end: int,
    ):
        self.params = params
        self.log = new_referral_log()
        self.golive_day = golive_day
        self.two_hour_change = two_hour_change
        self.end_us = (window_end + 1) * DAY_US  # the first instant after the window
        self.window_end = window_end
        self.scale: dict[str, float] | None = None
        self.episode_candidates: list[tuple[Index, npt.NDArray[np.int32], Index]] = []
        community = params.reference["community"]
        self.two_hour_rate = (
            community["urgent_community_response_referrals_per_100k_per_year"]["value"] / 100_000
        )
        self.costs = params.costs

    def _risk(
        self, people: People, idx: Index, ages: npt.NDArray[np.int16]
    ) -> npt.NDArray[np.float64]:
        rr = np.array([1.0, 1.5, 3.0, 5.0])[people.frailty[idx]] * np.where(
            people.residence[idx] > 0, 1.5, 1.0
        )
        return self.params.referral_shape[ages] * rr

    def monthly(self, at_risk: AtRisk, contacts: ContactStream, rng: np.random.Generator) -> None:
        people, idx, ages, first, last = at_risk
        risk = self._risk(people, idx, ages)
        if self.scale is None:  # fixed on the first month: average rates meet the targets
            mean = max(float(risk.mean()), 1e-12)
            self.scale = {
                "two_hour": self.two_hour_rate / mean,
                "urgent": assume.URGENT_PER_YEAR / mean,
                "routine": assume.ROUTINE_PER_YEAR / mean,
            }
        exposure = (last - first + 1).clip(0) / 365.25
        for urgency in URGENCIES:
            p = -np.expm1(-risk * self.scale[urgency] * exposure)
            hit = np.flatnonzero(rng.random(len(idx)) < p)
            if len(hit) == 0:
                continue
            who = idx[hit]
            day = uniform_days(rng, first[hit], last[hit]).astype(np.int64)
            hour = (
                rng.uniform(7, 22, len(hit))
                if urgency == "two_hour"
                else rng.uniform(8, 18, len(hit))
            )
            received = day * DAY_US + (hour * HOUR_US).astype(np.int64)
            names = list(assume.REFERRAL_SOURCE_SHARE[urgency])
            source = np.array([SOURCE[s] for s in names], dtype=np.int8)[
                _pick(assume.REFERRAL_SOURCE_SHARE[urgency], len(hit), rng)
            ]
            reason = (
                REASON_OFFSET[urgency]
                + rng.integers(0, len(assume.REFERRAL_REASONS[urgency]), len(hit))
            ).astype(np.int16)
            self.refer(people, Referred(who, received, urgency, source, reason), contacts, rng)

    def post_discharge(
        self,
        people: People,
        who: Index,
        day: npt.NDArray[np.int32],
        contacts: ContactStream,
        rng: np.random.Generator,
    ) -> None:
        """The hospital refers someone going home on pathway 1 for community nursing visits."""
        if len(who) == 0:
            return
        received = day.astype(np.int64) * DAY_US + (rng.uniform(9, 17, len(who)) * HOUR_US).astype(
            np.int64
        )
        source = np.full(len(who), SOURCE["hospital"], dtype=np.int8)
        reason = np.full(len(who), POST_DISCHARGE_REASON, dtype=np.int16)
        referred = Referred(who, received, "urgent", source, reason, nursing_only=True)
        self.refer(people, referred, contacts, rng)

    def refer(
        self, people: People, referred: Referred, contacts: ContactStream, rng: np.random.Generator
    ) -> None:
        """Log these referrals with their outcome, and write the visits that answer them."""
        who, received, urgency = referred.who, referred.received, referred.urgency
        n = len(who)
        day = received // DAY_US
        nb = people.neighbourhood[who].astype(np.int64)
        live = self.golive_day[nb] <= day
        team = np.where(live, nb, -1).astype(np.int16)
        rejected = rng.random(n) < (
            0.0 if referred.nursing_only else assume.REJECTED_SHARE[urgency]
        )
        # the person's last day: died, moved away, or the window ended
        gone = np.minimum(np.minimum(people.death[who], people.reg_to[who]).astype(np.int64), NEVER)
        answer = self._answer(referred, live, rng)
        reached = ~rejected & (answer.first_visit // DAY_US <= gone)
        status, accepted, closed = self._outcome(received, answer, rejected, reached, gone, rng)
        rows = self.log.append(
            person=who.astype(np.int32),
            received=received,
            source=referred.source,
            urgency=URGENCY[urgency],
            reason=referred.reason,
            team=team,
            status=status,
            accepted=accepted,
            closed=closed,
            first_visit=answer.first_visit,
        )
        answered = np.flatnonzero(reached)
        if len(answered) == 0:
            return
        self._visits(_Visits(referred, team, rows, answer, gone), answered, contacts, rng)
        if urgency != "two_hour" and not referred.nursing_only:
            self.episode_candidates.append(
                (who[answered], (accepted[answered] // DAY_US).astype(np.int32), rows[answered])
            )

    def _answer(
        self, referred: Referred, live: npt.NDArray[np.bool_], rng: np.random.Generator
    ) -> _Answer:
        """When each referral is accepted and first visited, and how many visits follow."""
        received, urgency = referred.received, referred.urgency
        n = len(received)
        if urgency == "two_hour":
            accepted = received + rng.integers(2, 12, n) * MINUTE_US
            within = rng.random(n) < np.clip(
                BASE_TWO_HOUR_SHARE + np.where(live, self.two_hour_change, 0.0), 0, 1
            )
            minutes = np.where(
                within,
                15 + (105 * rng.beta(2.2, 1.6, n)).astype(np.int64),
                121 + rng.exponential(70.0, n).astype(np.int64),
            )
            first_visit = received + minutes * MINUTE_US
            visits = 1 + rng.binomial(3, 0.4, n)
            gap_days = rng.integers(1, 3, n)
        else:
            delay = rng.uniform(1, 8, n) if urgency == "urgent" else rng.uniform(24, 120, n)
            accepted = received + (delay * HOUR_US).astype(np.int64)
            wait = rng.uniform(0, 2, n) if urgency == "urgent" else rng.uniform(3, 28, n)
            first_visit = received + (wait * DAY_US).astype(np.int64) + int(10 * HOUR_US)
            minutes = np.full(n, -1, dtype=np.int64)
            base = assume.POST_DISCHARGE_NURSING_VISITS if referred.nursing_only else 1.5
            visits = 1 + rng.poisson(base - 1, n)
            gap_days = rng.integers(2, 6, n)
        return _Answer(accepted, minutes, first_visit, visits, gap_days)

    def _outcome(
        self,
        received: npt.NDArray[np.int64],
        answer: _Answer,
        rejected: npt.NDArray[np.bool_],
        reached: npt.NDArray[np.bool_],
        gone: npt.NDArray[np.int64],
        rng: np.random.Generator,
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Status, accepted and closed instants, as the window's last day knows them."""
        first_day = answer.first_visit // DAY_US
        cancelled = ~rejected & ~reached
        last_day = np.minimum(first_day + (answer.visits - 1) * answer.gap_days, gone)
        # a rejection's triage time
        decided = answer.accepted + rng.integers(1, 24, len(received)) * HOUR_US
        closed = np.where(
            rejected,
            decided,
            np.where(
                cancelled,
                np.maximum(gone * DAY_US + 12 * HOUR_US, received + HOUR_US),
                np.maximum(last_day * DAY_US + 18 * HOUR_US, answer.first_visit + HOUR_US),
            ),
        )
        accepted = np.where(
            rejected | (cancelled & (answer.accepted >= closed)), -1, answer.accepted
        )
        status = np.where(
            rejected,
            STATUS["rejected"],
            np.where(cancelled, STATUS["cancelled"], STATUS["completed"]),
        )
        # what the window's last day knows: still being worked on, or not yet triaged
        unfinished = closed >= self.end_us
        in_progress = unfinished & (accepted >= 0) & (accepted < self.end_us)
        status = np.where(
            unfinished, np.where(in_progress, STATUS["in-progress"], STATUS["requested"]), status
        )
        accepted = np.where(unfinished & ~in_progress, -1, accepted)
        closed = np.where(unfinished, -1, closed)
        return status.astype(np.int8), accepted, closed

    def _visits(
        self, visit: _Visits, answered: Index, contacts: ContactStream, rng: np.random.Generator
    ) -> None:
        """The visits that answer accepted referrals, up to the person's last day."""
        answer, who, urgency = visit.answer, visit.referred.who, visit.referred.urgency
        count = answer.visits[answered]
        owner = np.repeat(answered, count)
        step = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
        visit_day = answer.first_visit[owner] // DAY_US + step * answer.gap_days[owner]
        ok = visit_day <= visit.gone[owner]
        owner, step, visit_day = owner[ok], step[ok], visit_day[ok]
        if urgency == "two_hour":
            service_code = np.full(len(owner), SERVICE["rapid_response"], dtype=np.int8)
            sector_code = np.full(len(owner), SECTOR["health"], dtype=np.int8)
        elif visit.referred.nursing_only:
            service_code = np.full(len(owner), SERVICE["community_nursing"], dtype=np.int8)
            sector_code = np.full(len(owner), SECTOR["health"], dtype=np.int8)
        else:
            options = FOLLOW_UP_SERVICES[urgency]
            chosen = np.zeros(len(who), dtype=np.int64)
            chosen[answered] = _pick({s: w for s, _, w in options}, len(answered), rng)
            service_code = np.array([SERVICE[s] for s, _, _ in options], dtype=np.int8)[
                chosen[owner]
            ]
            sector_code = np.array([SECTOR[sec] for _, sec, _ in options], dtype=np.int8)[
                chosen[owner]
            ]
        cost_of = {SERVICE[s]: self.costs[k] for s, k in SERVICE_COST.items()}
        cost = np.zeros(len(owner))
        for code, value in cost_of.items():
            cost[service_code == code] = value
        first_contact = step == 0
        response = np.where(first_contact & (urgency == "two_hour"), answer.minutes[owner], -1)
        contacts.add(
            who[owner],
            visit_day,
            service_code,
            sector_code,
            cost,
            team=visit.team[owner],
            referral=visit.rows[owner],
            urgent=first_contact & (urgency != "routine"),
            response=response,
        )

    def visits_missed(self, people: People, rows: npt.NDArray[np.int64]) -> None:
        """Referrals whose later visits were dropped (the person died or moved first) close then.

        With the first visit made, the referral is completed on the person's last day;
        without it, it is cancelled.
        """
        rows = np.unique(rows[rows >= 0])
        if len(rows) == 0:
            return
        log = self.log
        who = log["person"][rows].astype(np.int64)
        gone = np.minimum(people.death[who], people.reg_to[who]).astype(np.int64)
        first = log["first_visit"][rows]
        seen = (first >= 0) & (first // DAY_US <= gone)
        received = log["received"][rows]
        closed = np.where(
            seen,
            np.maximum(gone * DAY_US + 23 * HOUR_US, first + HOUR_US),
            np.maximum(gone * DAY_US + 12 * HOUR_US, received + HOUR_US),
        )
        accepted = log["accepted"][rows]
        status = np.where(seen, STATUS["completed"], STATUS["cancelled"]).astype(np.int8)
        accepted = np.where(~seen & (accepted >= closed), -1, accepted)
        inside = closed < self.end_us
        rows, closed, status, accepted = (
            rows[inside],
            closed[inside],
            status[inside],
            accepted[inside],
        )
        log["closed"][rows] = closed
        log["status"][rows] = status
        log["accepted"][rows] = accepted
