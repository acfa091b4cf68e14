"""Demo logins for the synthetic city: one staff member per profession, with published passwords.

The passwords are derived from the usernames and printed by `joinedup demo`, so anyone can
log in: acceptable only because every person in a synthetic city is made up. They are
therefore refused unless every lake loaded into the database is a synthetic one, and
every username starts with "demo-" so no one mistakes them for real accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from joinedup.access.capabilities import ADMINISTER_ACCOUNTS
from joinedup.access.models import Profession, StaffMember
from joinedup.errors import UserError
from joinedup.record.models import GpPractice, LoadedLake, Organisation, Team
from joinedup.record.partnership import (
    ACUTE_TRUST,
    COMMUNITY_TRUST,
    COUNCIL,
    ICB,
    VOLUNTARY,
)

PASSWORD_SUFFIX = "-synthetic-city"
PRACTICE = "practice"  # stands for the GP practice in the demo team's neighbourhood
URGENT_RESPONSE_LOGIN = "demo-urgent-response-nurse"

# profession -> (employing organisation, works in the demo neighbourhood's team)
DEMO_STAFF: dict[str, tuple[str, bool]] = {
    Profession.COMMUNITY_NURSE: (COMMUNITY_TRUST, True),
    Profession.DISTRICT_NURSE: (COMMUNITY_TRUST, True),
    Profession.SOCIAL_WORKER: (COUNCIL, True),
    Profession.OCCUPATIONAL_THERAPIST: (COUNCIL, True),
    Profession.PHYSIOTHERAPIST: (COMMUNITY_TRUST, True),
    Profession.GP: (PRACTICE, True),
    Profession.PHARMACIST: (PRACTICE, True),
    Profession.MENTAL_HEALTH_PRACTITIONER: (COMMUNITY_TRUST, True),
    Profession.CARE_NAVIGATOR: (VOLUNTARY[1], True),
    Profession.SPA_TRIAGE_CLINICIAN: (COMMUNITY_TRUST, False),
    Profession.DISCHARGE_COORDINATOR: (ACUTE_TRUST, False),
    Profession.SOCIAL_CARE_BROKER: (COUNCIL, False),
    Profession.TEAM_MANAGER: (COMMUNITY_TRUST, True),
    Profession.COMMISSIONER: (ICB, False),
    Profession.ANALYST: (ICB, False),
    Profession.SYSTEM_ADMINISTRATOR: (ICB, False),
}
assert set(DEMO_STAFF) == set(Profession.values)


class DemoLoginError(UserError):
    """Demo logins cannot be made here (no city, or a city that is not synthetic)."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    profession: str
    organisation: str
    team: str | None


def demo_username(profession: str) -> str:
    return "demo-" + profession.replace("_", "-")


def demo_password(username: str) -> str:
    return username + PASSWORD_SUFFIX


def refuse_unless_synthetic() -> None:
    purposes = set(LoadedLake.objects.values_list("purpose", flat=True))
    if not purposes:
        raise DemoLoginError(
            "no city is loaded: run `joinedup demo` (or `joinedup load` a synthetic lake) first"
        )
    if purposes != {"synthetic"}:
        raise DemoLoginError(
            "demo logins are only for a synthetic city, and this database holds a lake "
            "whose purpose is " + ", ".join(sorted(purposes - {"synthetic"}))
        )


def demo_team() -> Team:
    """The team that went live first (a live team makes the richest demo), else the first team."""
    team = (
        Team.objects.filter(kind=Team.Kind.NEIGHBOURHOOD)
        .order_by(F("go_live_date").asc(nulls_last=True), "id")
        .first()
    )
    if team is None:
        raise DemoLoginError("the loaded city has no integrated team")
    return team


def create_demo_logins() -> list[DemoLogin]:
    """Make (or find) one demo staff member per profession; never changes an existing account.

    Idempotent: a second call creates nothing, resets no password, and returns the same list.
    """
    refuse_unless_synthetic()
    team = demo_team()
    practice = (
        GpPractice.objects.filter(neighbourhood_id=team.neighbourhood_id).order_by("id").first()
    )
    organisations = {
        o.id: o for o in Organisation.objects.filter(id__in={o for o, _ in DEMO_STAFF.values()})
    }
    if practice is not None:
        organisations[PRACTICE] = practice.organisation
    missing = sorted({o for o, _ in DEMO_STAFF.values()} - set(organisations))
    if missing:
        raise DemoLoginError(f"the loaded city lacks the organisation(s) {', '.join(missing)}")
    users = get_user_model()
    logins = []
    urgent = Team.objects.filter(kind=Team.Kind.URGENT_COMMUNITY_RESPONSE).order_by("id").first()
    # Every profession once in the demo team (or none), and a community nurse in the urgent
    # community response team when the city has one, to work its two-hour board.
    cast = [
        (demo_username(profession), profession, organisation_id, team if in_team else None)
        for profession, (organisation_id, in_team) in DEMO_STAFF.items()
    ]
    if urgent is not None:
        cast.append((URGENT_RESPONSE_LOGIN, Profession.COMMUNITY_NURSE, COMMUNITY_TRUST, urgent))
    with transaction.atomic():
        for username, profession, organisation_id, member_of in cast:
            password = demo_password(username)
            organisation = organisations[organisation_id]
            label = Profession(profession).label
            user = users.objects.filter(username=username).first()
            if user is None:
                administrator = profession in ADMINISTER_ACCOUNTS.roles
                user = users.objects.create_user(
                    username=username,
                    password=password,
                    first_name=label,
                    last_name="(demo)",
                    is_staff=administrator,
                    is_superuser=administrator,
                )
            staff, created = StaffMember.objects.get_or_create(
                user=user, defaults={"profession": profession, "organisation": organisation}
            )
            if created and member_of is not None:
                staff.teams.add(member_of)
            logins.append(
                DemoLogin(
                    username=username,
                    password=password,
                    profession=label,
                    organisation=staff.organisation.name,
                    team=(member_of.name or member_of.id) if member_of is not None else None,
                )
            )
    return logins
