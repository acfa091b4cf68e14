"""What came of urgent community response visits: what each outcome does to the referral,
its words, and the count per team that the urgent board (and later the outcome pages) show.

Counted as joinedup.referrals.two_hour_share counts first visits (contacts with
response_minutes, by the visit's date and the team that made it), so the two summaries
on the board are of the same visits; a visit whose outcome was never recorded (one loaded
from a lake, or one still in progress) is counted as not recorded, never left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from joinedup.record.models import Team
from joinedup.referrals.models import Outcome, VisitOutcome
from joinedup.referrals.two_hour_share import first_visits_by_team

# What each outcome does to the referral (it is in progress once the first visit is
# recorded): the urgent response ends. Staying at home, admission and a referral on are
# the response completed (its work was done, whatever followed); a person who declines the
# service ends it cancelled, with the reason, as the lifecycle asks of a cancellation.
STATUS_AFTER: dict[str, str] = {
    Outcome.STAYED_HOME: "completed",
    Outcome.ADMITTED: "completed",
    Outcome.REFERRED_ON: "completed",
    Outcome.DECLINED: "cancelled",
}
assert set(STATUS_AFTER) == set(Outcome.values)
DESTINATION_LIMIT = 100
SUMMARY_DAYS = 28


def in_words(outcome: VisitOutcome) -> str:
    """'Stayed at home with support', or 'Referred on to Northgate INT'."""
    if outcome.outcome == Outcome.REFERRED_ON:
        return f"Referred on to {outcome.referred_to_team or outcome.referred_to}"
    return outcome.get_outcome_display()


@dataclass(frozen=True)
class TeamOutcomes:
    """One team's first visits in a period and what came of them."""

    team: str
    visits: int
    stayed_home: int
    admitted: int
    referred_on: int
    declined: int

    @property
    def not_recorded(self) -> int:
        return self.visits - self.stayed_home - self.admitted - self.referred_on - self.declined


def outcomes_by_team(start: dt.date, end: dt.date) -> list[TeamOutcomes]:
    """Each team's first visits dated start..end (inclusive) and the outcome of each, by
    team name (one query, and one for the names)."""

    def outcome_is(value: str) -> Count:
        return Count("id", filter=Q(referral__visit_outcome__outcome=value))

    rows = first_visits_by_team(start, end).annotate(
        visits=Count("id"),
        stayed_home=outcome_is(Outcome.STAYED_HOME),
        admitted=outcome_is(Outcome.ADMITTED),
        referred_on=outcome_is(Outcome.REFERRED_ON),
        declined=outcome_is(Outcome.DECLINED),
    )
    names = {t.pk: str(t) for t in Team.objects.all()}
    counts = [
        TeamOutcomes(
            names.get(r["team_id"], "No team recorded"),
            r["visits"],
            r["stayed_home"],
            r["admitted"],
            r["referred_on"],
            r["declined"],
        )
        for r in rows
    ]
    return sorted(counts, key=lambda c: c.team)


@dataclass(frozen=True)
class OutcomeSummary:
    start: dt.date
    end: dt.date
    teams: list[TeamOutcomes]


def last_days_to(end: dt.date, days: int = SUMMARY_DAYS) -> OutcomeSummary:
    """The board's summary: the `days` days to `end`, inclusive."""
    start = end - dt.timedelta(days=days - 1)
    return OutcomeSummary(start, end, outcomes_by_team(start, end))
