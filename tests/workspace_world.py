"""A small partnership for the team-workspace tests (referrals, caseloads, MDTs, care plans).

Two neighbourhood teams and an area-wide urgent community response team; staff of every
role the workspace serves, each a Django user with the password PASSWORD; a handful of
people with valid NHS numbers (from the 999 test range), one on Northgate's caseload.
Built fresh inside each test's transaction (or committed by the browser tests).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client

from joinedup.access.models import Profession, StaffMember
from joinedup.record.models import (
    Episode,
    GpPractice,
    Neighbourhood,
    Organisation,
    Person,
    Team,
)
from joinedup.record.nhs_number import check_digit

PASSWORD = "workspace-test-password"


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once (argon2 is slow on purpose; nine staff per test add up)."""
    return make_password(PASSWORD)


def nhs_number(serial: int) -> str:
    """A valid NHS number in the 999 test range (never issued to anyone)."""
    for n in range(serial, serial + 100):
        first_nine = f"999{n:06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return first_nine + str(digit)
    raise ValueError(serial)


@dataclass
class Workspace:
    organisations: dict[str, Organisation]
    north: Team
    south: Team
    ucr: Team
    practice: GpPractice
    people: dict[str, Person]
    staff: dict[str, StaffMember] = field(default_factory=dict)

    def user(self, key: str) -> Any:
        return self.staff[key].user

    def client(self, key: str) -> Client:
        """Django's test client, logged in as staff member `key`."""
        client = Client()
        client.force_login(self.user(key))
        return client


PEOPLE = (
    # key, given, family, birth, postcode, neighbourhood
    ("ada", "Ada", "Quillfeather", dt.date(1938, 2, 11), "CX1 2AB", "n-north"),
    ("bert", "Bertram", "Oakes", dt.date(1944, 7, 30), "CX1 4QP", "n-north"),
    ("cora", "Cora", "Penhallow", dt.date(1951, 12, 3), "CX2 9LT", "n-north"),
    ("dot", "Dorothy", "Oakes", dt.date(1944, 7, 30), "CX1 4QP", "n-north"),
    ("eli", "Elias", "Trewin", dt.date(1960, 5, 17), "CX7 1AA", "n-south"),
)

STAFF = (
    # key, profession, organisation, teams, first name, last name
    ("gp", Profession.GP, "surgery", ("north",), "Gus", "Penrose"),
    ("spa", Profession.SPA_TRIAGE_CLINICIAN, "trust", (), "Sian", "Pascoe"),
    ("manager", Profession.TEAM_MANAGER, "trust", ("north",), "Mo", "Ambrose"),
    ("nurse", Profession.DISTRICT_NURSE, "trust", ("north",), "Nia", "Hart"),
    ("social_worker", Profession.SOCIAL_WORKER, "council", ("north",), "Sol", "Webb"),
    ("navigator", Profession.CARE_NAVIGATOR, "voluntary", ("north",), "Cat", "Nye"),
    ("ucr_nurse", Profession.COMMUNITY_NURSE, "trust", ("ucr",), "Ursula", "Crane"),
    ("outsider", Profession.SOCIAL_WORKER, "council", ("south",), "Olly", "Sutt"),
    ("commissioner", Profession.COMMISSIONER, "icb", (), "Cam", "Ives"),
)


def build_workspace() -> Workspace:
    organisations = {
        key: Organisation.objects.create(id=f"org-{key}", name=name, kind=kind)
        for key, name, kind in (
            ("trust", "Casterbridge Community Health NHS Trust", Organisation.Kind.NHS_TRUST),
            ("acute", "Casterbridge Hospitals NHS Foundation Trust", Organisation.Kind.NHS_TRUST),
            ("council", "Casterbridge City Council", Organisation.Kind.COUNCIL),
            ("voluntary", "Casterbridge Good Neighbours", Organisation.Kind.VOLUNTARY),
            ("surgery", "Abbey Road Surgery", Organisation.Kind.GP_PRACTICE),
            ("icb", "NHS Casterbridge Integrated Care Board", Organisation.Kind.ICB),
        )
    }
    north_place = Neighbourhood.objects.create(id="n-north", name="Northgate")
    south_place = Neighbourhood.objects.create(id="n-south", name="Southmead")
    trust = organisations["trust"]
    north = Team.objects.create(
        id="t-north",
        neighbourhood=north_place,
        name="Northgate INT",
        go_live_date=dt.date(2021, 4, 1),
        organisation=trust,
    )
    south = Team.objects.create(
        id="t-south", neighbourhood=south_place, name="Southmead INT", organisation=trust
    )
    ucr = Team.objects.create(
        id="t-ucr",
        kind=Team.Kind.URGENT_COMMUNITY_RESPONSE,
        neighbourhood=None,
        name="Urgent Community Response",
        organisation=trust,
    )
    practice = GpPractice.objects.create(
        id="gp-a",
        neighbourhood=north_place,
        name="Abbey Road Surgery",
        organisation=organisations["surgery"],
    )
    places = {"n-north": north_place, "n-south": south_place}
    people = {}
    for serial, (key, given, family, birth, postcode, place) in enumerate(PEOPLE, start=1):
        person = Person(
            id=f"p-{key}",
            birth_date=birth,
            sex="female" if key in {"ada", "cora", "dot"} else "male",
            deprivation_decile=3,
            neighbourhood=places[place],
            practice=practice,
            lives_alone=key == "ada",
            has_unpaid_carer=False,
            registered_from=dt.date(2019, 4, 1),
            nhs_number=nhs_number(serial * 1000),
            given_name=given,
            family_name=family,
            address_line_1=f"{serial} Mill Lane",
            town="Casterbridge",
            postcode=postcode,
        )
        person.save()
        people[key] = person
    teams = {"north": north, "south": south, "ucr": ucr}
    world = Workspace(organisations, north, south, ucr, practice, people)
    for key, profession, organisation, member_of, first, last in STAFF:
        user = get_user_model().objects.create(
            username=key, password=password_hash(), first_name=first, last_name=last
        )
        staff = StaffMember.objects.create(
            user=user, profession=profession, organisation=organisations[organisation]
        )
        staff.teams.add(*(teams[t] for t in member_of))
        world.staff[key] = staff
    Episode.objects.create(
        id="e-ada",
        person=people["ada"],
        team=north,
        start_date=dt.date(2024, 1, 5),
        reason="referral",
    )
    return world


def add_person(
    world: Workspace, key: str, serial: int, place: str = "n-north", **fields: Any
) -> Person:
    """A registered person of `place` (a neighbourhood), known as world.people[key];
    `fields` override the defaults (a woman born 1 January 1940 called <Key> Tester)."""
    person = Person(
        **{
            "id": f"p-{key}",
            "birth_date": dt.date(1940, 1, 1),
            "sex": "female",
            "deprivation_decile": 2,
            "neighbourhood_id": place,
            "practice": world.practice,
            "lives_alone": False,
            "has_unpaid_carer": False,
            "registered_from": dt.date(2019, 4, 1),
            "nhs_number": nhs_number(serial),
            "given_name": key.capitalize(),
            "family_name": "Tester",
            **fields,
        }
    )
    person.save()
    world.people[key] = person
    return person


def add_staff(
    world: Workspace, key: str, profession: str, organisation: str, first: str = "", last: str = ""
) -> StaffMember:
    """A member of staff in no team (the hub's roles, for example), known as world.staff[key]."""
    user = get_user_model().objects.create(
        username=key, password=password_hash(), first_name=first, last_name=last
    )
    staff = StaffMember.objects.create(
        user=user, profession=profession, organisation=world.organisations[organisation]
    )
    world.staff[key] = staff
    return staff
