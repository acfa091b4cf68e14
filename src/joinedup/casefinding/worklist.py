"""A team's case-finding worklist: the highest-risk people of its neighbourhood no team knows.

From the current score run (joinedup.casefinding.models): people in the very high and high
bands (the top 5% of everyone scored) whose neighbourhood is the team's, who were alive
and registered on the scores' date and still are on the day asked about, on no team's
caseload that day and with no open referral (the exclusions of the interim rule,
joinedup.casefinding.interim_risk), highest probability first. One query through the
neighbourhood-and-probability index, whatever the size of the run. The same list puts
people on the MDT agenda (joinedup.mdt.agenda).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from joinedup.access.known_people import known_to_a_team
from joinedup.casefinding.disclosure import ShownScore
from joinedup.casefinding.models import Band, PersonScore, ScoreRun
from joinedup.record.models import Person, Team
from joinedup.record.person_line import PersonLine

WORKLIST_BANDS = (Band.VERY_HIGH, Band.HIGH)
MEANING = (
    "A risk score is the chance, worked out by a model from the person's recorded history, "
    "that they will have at least one emergency hospital admission in the next 12 months. "
    "The factors are what raised this person's score most. A score is a prompt for "
    "professional judgement, not a decision: the model can miss people, and it knows "
    "nothing that is not in the record."
)

# Risk moves with every admission and new diagnosis: scores older than a quarter are
# flagged on the worklist and the MDT agenda so nobody takes them as today's.
STALE_AFTER_DAYS = 92


def stale_days(run: ScoreRun | None, today: dt.date) -> int | None:
    """How old the scores are, in days, when older than STALE_AFTER_DAYS (else None)."""
    if run is None:
        return None
    days = (today - run.as_of).days
    return days if days > STALE_AFTER_DAYS else None


def current_run() -> ScoreRun | None:
    """The loaded scores (a load replaces the run, so there is at most one)."""
    return ScoreRun.objects.order_by("-loaded_at", "-pk").first()


def _present(day: dt.date) -> Q:
    """The person was alive and registered on `day`."""
    alive = Q(person__death_date__isnull=True) | Q(person__death_date__gt=day)
    registered = Q(person__registered_from__lte=day) & (
        Q(person__registered_to__isnull=True) | Q(person__registered_to__gte=day)
    )
    return alive & registered


def worklist(team: Team, on: dt.date, run: ScoreRun | None) -> QuerySet[PersonScore]:
    """The team's worklist on `on` from `run`, highest first (empty without either)."""
    if run is None or team.neighbourhood_id is None:
        return PersonScore.objects.none()
    return (
        PersonScore.objects.filter(
            run=run,
            neighbourhood_id=team.neighbourhood_id,
            person__neighbourhood_id=team.neighbourhood_id,  # still lives there
            band__in=WORKLIST_BANDS,
        )
        .filter(_present(run.as_of) & _present(on))
        .exclude(known_to_a_team(on, "person_id"))
        .select_related("person")
        .order_by("-probability", "person_id")
    )


def percent(probability: float) -> str:
    """'34%', '4.2%' (one decimal below 10%), '0.3%'."""
    value = probability * 100
    return f"{value:.0f}%" if value >= 10 else f"{value:.1f}%"


def band_words(band: str) -> str:
    return str(dict(Band.choices).get(band, band))


def score_line(score: PersonScore) -> str:
    """The MDT agenda's detail: probability and band (the factors are kept apart on the
    item and shown to each viewer as the record's rules allow: casefinding.disclosure)."""
    return f"Risk score {percent(score.probability)} ({band_words(score.band).lower()} band)"


@dataclass(frozen=True)
class WorklistRow(PersonLine):
    score: PersonScore
    today: dt.date
    shown: ShownScore  # what this viewer may see of the score and its factors

    @property
    def person(self) -> Person:
        return self.score.person

    @property
    def percent(self) -> str:
        return percent(self.score.probability)

    @property
    def band(self) -> str:
        return band_words(self.score.band)
