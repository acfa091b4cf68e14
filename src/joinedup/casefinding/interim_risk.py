"""The interim risk rule, until risk scores exist (issue 6 replaces it with a model).

A person's interim risk is their count of emergency admissions in the 365 days before a
date, the single strongest published predictor of the next one; "high risk" is two or
more, or one with severe frailty recorded. Used to sort caseloads and to find people at
high risk whom no team knows for the MDT agenda. Stated on every page that uses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from joinedup.access.known_people import known_to_a_team
from joinedup.record.models import Condition, HospitalSpell, Person, Team

LOOKBACK_DAYS = 365
HIGH_RISK_ADMISSIONS = 2
RULE = (
    "Interim rule until risk scores exist: emergency admissions in the last 12 months of "
    "hospital data (to today, or to the last admission on record when the data stop "
    "earlier); high risk is 2 or more, or 1 with severe frailty."
)


def hospital_data_until(on: dt.date) -> dt.date:
    """The end of the 12 months the rule looks at: `on`, or the last admission on record if
    earlier (a city loaded from a lake whose window ended, or a feed that stopped), so the
    rule never reads "no admissions" into a gap in the data. One index lookup."""
    latest = HospitalSpell.objects.aggregate(latest=Max("admission_date"))["latest"]
    return min(on, latest) if latest is not None else on


def _window(on: dt.date) -> Q:
    until = hospital_data_until(on)
    return Q(
        admission_method="emergency",
        admission_date__gt=until - dt.timedelta(days=LOOKBACK_DAYS),
        admission_date__lte=until,
    )


def emergency_admissions(person_ids: Collection[str], on: dt.date) -> dict[str, int]:
    """{person_id: emergency admissions in the 365 days to `on`} (absent: none)."""
    rows = (
        HospitalSpell.objects.filter(_window(on), person_id__in=list(person_ids))
        .order_by()
        .values("person_id")
        .annotate(n=Count("id"))
    )
    return {r["person_id"]: r["n"] for r in rows}


@dataclass(frozen=True)
class HighRisk:
    person: Person
    admissions: int
    severe_frailty: bool


def high_risk_unknown(team: Team, on: dt.date, limit: int = 20) -> list[HighRisk]:
    """People of the team's neighbourhood at high risk on `on` whom no team knows.

    Registered and alive, on no team's current caseload and with no open referral; most
    admissions first. Empty for a team without a neighbourhood.
    """
    if team.neighbourhood_id is None:
        return []
    admissions = (
        HospitalSpell.objects.filter(_window(on))
        .order_by()
        .values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=1)
    )
    counts = {
        r["person_id"]: r["n"]
        for r in admissions.filter(person__neighbourhood_id=team.neighbourhood_id)
    }
    if not counts:
        return []
    severe = set(
        Condition.objects.filter(
            person_id__in=list(counts), condition="frailty_severe", onset_date__lte=on
        )
        .filter(Q(resolved_date__isnull=True) | Q(resolved_date__gt=on))
        .values_list("person_id", flat=True)
    )
    wanted = [
        pid for pid, n in counts.items() if n >= HIGH_RISK_ADMISSIONS or (n >= 1 and pid in severe)
    ]
    alive = Q(death_date__isnull=True) | Q(death_date__gt=on)
    registered = Q(registered_from__lte=on) & (
        Q(registered_to__isnull=True) | Q(registered_to__gte=on)
    )
    people = Person.objects.filter(alive & registered, id__in=wanted).exclude(known_to_a_team(on))
    found = [HighRisk(p, counts[p.id], p.id in severe) for p in people]
    found.sort(
        key=lambda h: (-h.admissions, not h.severe_frailty, h.person.family_name, h.person.id)
    )
    return found[:limit]
