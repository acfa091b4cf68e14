"""Whom a team may take on or talk about: the people it already holds, or who live in its patch.

A team holds a person when they are on its caseload today or it has an open referral for
them: joinedup.access.policy's legitimate relationship, asked of one team rather than of a
viewer, so a form that puts a person on the team's lists never gives the team a
relationship it did not have. Opening an episode and adding someone to an MDT agenda also
accept anyone registered in the team's neighbourhood (case finding is the neighbourhood
team's work). Anyone else is a stranger to the team: the forms refuse them exactly as they
refuse an NHS number that matches no one, so they confirm nothing about strangers.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from joinedup.access.policy import current_on
from joinedup.record import referral_lifecycle as lifecycle
from joinedup.record.models import Episode, Person, Referral, Team


def has_open_referral(team: Team, person_id: str) -> bool:
    return Referral.objects.filter(
        team=team, person_id=person_id, status__in=lifecycle.OPEN, closed_at__isnull=True
    ).exists()


def on_caseload(team: Team, person_id: str, today: dt.date) -> bool:
    """Whether the person has an episode with the team open today."""
    return (
        Episode.objects.filter(team=team, person_id=person_id)
        .filter(current_on(today, "start_date", "end_date"))
        .exists()
    )


def held_by(team: Team, person_id: str, today: dt.date) -> bool:
    """On the team's caseload today, or referred to the team and still open."""
    return on_caseload(team, person_id, today) or has_open_referral(team, person_id)


def in_neighbourhood(team: Team, person: Person) -> bool:
    """Registered in the team's neighbourhood (an area-wide team has none)."""
    return team.neighbourhood_id is not None and person.neighbourhood_id == team.neighbourhood_id


def known_to_a_team(on: dt.date, person: str = "pk") -> Q:
    """On any team's caseload on `on`, or with an open referral to any team: someone knows
    them (case finding looks for the others). `person` names the person's id in the query
    it is used in."""
    caseload = Episode.objects.filter(
        current_on(on, "start_date", "end_date"), person_id=OuterRef(person)
    )
    referred = Referral.objects.filter(
        person_id=OuterRef(person), status__in=lifecycle.OPEN, closed_at__isnull=True
    )
    return Q(Exists(caseload)) | Q(Exists(referred))
