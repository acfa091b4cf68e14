"""Person search at /people/?q=: real people in a real database, the page, access rules, audit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from joinedup.access.audit import record_event, verify_chain
from joinedup.access.models import AuditAction, AuditEvent, Profession, StaffMember
from joinedup.people import search
from joinedup.people.search import find_people, parse_query
from joinedup.record.load import load_lake
from joinedup.record.models import Episode, GpPractice, Neighbourhood, Organisation, Person, Team
from joinedup.record.name_sounds import soundex
from joinedup.record.nhs_number import check_digit
from joinedup.record.partnership import COMMUNITY_TRUST

# Indexed ORM lookups; collation, the audit chain and a loaded lake run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

URL = "/people/"
BIRTH = dt.date(1938, 2, 11)


def nhs_number(body: str) -> str:
    """A valid NHS number from the 999 test range, from any digits."""
    for n in range(10_000):
        first_nine = f"999{int(body) + n:06d}"[:9]
        digit = check_digit(first_nine)
        if digit is not None:
            return first_nine + str(digit)
    raise AssertionError("unreachable")


class City:
    """A neighbourhood with two teams, a practice and a way to add people and staff."""

    def __init__(self) -> None:
        self.neighbourhood = Neighbourhood.objects.create(id="n1", name="Northgate")
        self.team = Team.objects.create(id="t-a", neighbourhood=self.neighbourhood, name="A INT")
        self.other_team = Team.objects.create(
            id="t-b", neighbourhood=self.neighbourhood, name="B INT"
        )
        practice_org = Organisation.objects.create(
            id="org-gp", name="Abbey Road Surgery", kind=Organisation.Kind.GP_PRACTICE
        )
        self.practice = GpPractice.objects.create(
            id="gp-1", neighbourhood=self.neighbourhood, name="Abbey Road Surgery",
            organisation=practice_org,
        )  # fmt: skip
        self.trust = Organisation.objects.create(
            id="org-trust", name="Northgate Community Trust", kind=Organisation.Kind.NHS_TRUST
        )
        self._people = 0

    def person(
        self,
        given: str,
        family: str,
        birth: dt.date = BIRTH,
        postcode: str = "CX1 5AB",
        nhs: str | None = None,
    ) -> Person:
        self._people += 1
        return Person.objects.create(
            id=f"p{self._people:03d}",
            birth_date=birth,
            neighbourhood=self.neighbourhood,
            practice=self.practice,
            lives_alone=False,
            has_unpaid_carer=False,
            registered_from=dt.date(2019, 4, 1),
            given_name=given,
            family_name=family,
            postcode=postcode,
            nhs_number=nhs,
        )

    def staff(self, username: str, profession: str = Profession.DISTRICT_NURSE) -> Any:
        user = get_user_model().objects.create_user(username, password="correct horse battery")
        member = StaffMember.objects.create(
            user=user, profession=profession, organisation=self.trust
        )
        member.teams.add(self.team)
        return user


@pytest.fixture
def city() -> City:
    return City()


@pytest.fixture
def nurse(city: City) -> Any:
    return city.staff("nurse.jones")


@pytest.fixture
def client_for(client: Client) -> Callable[[Any], Client]:
    def log_in(user: Any) -> Client:
        client.force_login(user)
        return client

    return log_in


def rows(body: str) -> dict[str, str]:
    """Each result row's HTML by person id."""
    return dict(
        re.findall(r'<tr class="nhsuk-table__row" id="person-([^"]+)"[^>]*>(.*?)</tr>', body, re.S)
    )


def related(row: str) -> str:
    """The text of a result row's last cell: "Yes" or "No"."""
    last = re.findall(r"<td[^>]*>.*?</span>(.*?)</td>", row, re.S)[-1]  # after the heading
    return " ".join(re.sub(r"<[^>]+>", " ", last).split())


def search_page(client: Client, q: str) -> str:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def hits() -> list[tuple[str | None, str, str]]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.SEARCH_HIT)
        .order_by("sequence")
        .values_list("person_id", "what", "username")
    )


def test_route_is_people_search() -> None:
    assert reverse("people:search") == URL


def test_finds_by_nhs_number_typed_with_spaces(city: City, nurse: Any, client_for: Any) -> None:
    number = nhs_number("123456")
    wanted = city.person("Edith", "Crawley", nhs=number)
    city.person("Edith", "Crawley", birth=dt.date(1950, 1, 1), nhs=nhs_number("654321"))
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    found = rows(search_page(client_for(nurse), spaced))
    assert list(found) == [wanted.id]
    assert spaced in found[wanted.id]  # shown 3-3-4
    assert "11 February 1938" in found[wanted.id]
    assert "CX1 5AB" in found[wanted.id]
    assert "Abbey Road Surgery" in found[wanted.id]
    assert reverse("people:record", args=[wanted.id]) in found[wanted.id]


def test_invalid_nhs_number_is_named_on_the_page(city: City, nurse: Any, client_for: Any) -> None:
    city.person("Edith", "Crawley", nhs="9434765919")
    body = search_page(client_for(nurse), "943 476 5918")
    assert "943 476 5918 is not a valid NHS number: its check digit does not match" in body
    assert "Error: Find a person" in body
    assert rows(body) == {}
    assert hits() == []


def test_misspelt_name_with_date_of_birth(city: City, nurse: Any, client_for: Any) -> None:
    john = city.person("John", "Smith")
    other_birthday = city.person("John", "Smith", birth=dt.date(1950, 5, 5))
    city.person("Mary", "Jones")  # born the same day, a different name
    for q in ("Jhon Smyth 11/02/1938", "jon smith 1938-02-11", "Kohn Smith 11 Feb 1938"):
        found = rows(search_page(client_for(nurse), q))
        assert list(found) == [john.id], q
    assert other_birthday.id not in found


@pytest.mark.both_databases
def test_swapped_names_without_anything_else(city: City, nurse: Any, client_for: Any) -> None:
    john = city.person("John", "Smith", birth=dt.date(1960, 1, 1))
    smith = city.person("Smith", "John", birth=dt.date(1961, 1, 1))
    jon = city.person("Jon", "Smyth", birth=dt.date(1962, 1, 1))
    city.person("Jane", "Brown")
    found = list(rows(search_page(client_for(nurse), "Smith, John")))
    # Exactly spelt first (the order typed, then swapped), then the closest spelling.
    assert found == [smith.id, john.id, jon.id]
    found = list(rows(search_page(client_for(nurse), "smyth jhon")))
    assert set(found) == {john.id, smith.id, jon.id}
    assert found[0] == jon.id


@pytest.mark.both_databases
def test_name_alone_with_a_typo_that_changes_its_sound(
    city: City, nurse: Any, client_for: Any
) -> None:
    victoria = city.person("Victoria", "Walker", birth=dt.date(1970, 3, 3))
    city.person("Victor", "Baker", birth=dt.date(1971, 3, 3))
    client = client_for(nurse)
    assert list(rows(search_page(client, "Victoria Wakler"))) == [victoria.id]  # W246, not W426
    assert list(rows(search_page(client, "Vitcoria Walker"))) == [victoria.id]  # V326, not V236


def test_by_postcode(city: City, nurse: Any, client_for: Any) -> None:
    here = [city.person("Ada", "Lovelace"), city.person("Alan", "Turing")]
    city.person("Grace", "Hopper", postcode="CX2 7QT")
    found = rows(search_page(client_for(nurse), "cx15ab"))
    assert set(found) == {p.id for p in here}
    found = rows(search_page(client_for(nurse), "Alan Turnig CX1 5AB"))
    assert list(found) == [here[1].id]
    moved = city.person("Grace", "Hopper", birth=dt.date(1906, 12, 9), postcode="CX3 1AA")
    found = rows(search_page(client_for(nurse), "CX1 5AB 9/12/1906"))  # no name: both needed
    assert found == {}
    found = rows(search_page(client_for(nurse), "Grace Hopper CX1 5AB 9/12/1906"))  # either
    assert list(found) == [moved.id]


def test_relationship_flag(city: City, nurse: Any, client_for: Any) -> None:
    on_caseload = city.person("Ada", "Lovelace")
    other_team = city.person("Alan", "Turing")
    ended = city.person("Grace", "Hopper")
    stranger = city.person("Tim", "Berners-Lee")
    Episode.objects.create(
        id="e1", person=on_caseload, team=city.team, start_date=dt.date(2020, 1, 1)
    )
    Episode.objects.create(
        id="e2", person=other_team, team=city.other_team, start_date=dt.date(2020, 1, 1)
    )
    Episode.objects.create(
        id="e3", person=ended, team=city.team, start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
    )  # fmt: skip
    found = rows(search_page(client_for(nurse), "11/02/1938"))
    assert set(found) == {on_caseload.id, other_team.id, ended.id, stranger.id}
    assert related(found[on_caseload.id]) == "Yes"
    for person in (other_team, ended, stranger):
        assert related(found[person.id]) == "No"


def test_each_person_shown_is_audited(city: City, nurse: Any, client_for: Any) -> None:
    people = [city.person("Ada", "Lovelace"), city.person("Alan", "Turing")]
    client = client_for(nurse)
    search_page(client, "")
    assert hits() == []
    search_page(client, "Smith")  # too short: guidance, no search
    assert hits() == []
    found = rows(search_page(client, "CX1 5AB"))
    assert len(found) == 2
    assert sorted(hits()) == sorted((p.id, "search", "nurse.jones") for p in people)
    search_page(client, "Nobody Atall")
    assert len(hits()) == 2


@pytest.mark.both_databases
def test_search_hits_extend_the_audit_chain(city: City, nurse: Any, client_for: Any) -> None:
    """Hits are appended in one step yet chain like single events, before and after them."""
    people = [city.person("Ada", "Lovelace"), city.person("Alan", "Turing")]
    record_event(AuditAction.VIEW, user=nurse, person_id=people[0].id, what="record")
    search_page(client_for(nurse), "CX1 5AB")
    record_event(AuditAction.VIEW, user=nurse, person_id=people[1].id, what="record")
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.action for e in events] == ["view", "search_hit", "search_hit", "view"]
    assert [e.sequence for e in events] == list(range(1, 5))
    assert all(e.profession == Profession.DISTRICT_NURSE for e in events)
    result = verify_chain()
    assert result.ok and result.checked == 4


def test_results_capped_with_a_request_to_refine(city: City, nurse: Any, client_for: Any) -> None:
    for n in range(search.RESULT_LIMIT + 5):
        city.person("Person", f"Number{chr(65 + n // 26)}{chr(65 + n % 26)}")
    body = search_page(client_for(nurse), "11/02/1938")
    assert len(rows(body)) == search.RESULT_LIMIT
    assert "refine your search" in body
    assert len(hits()) == search.RESULT_LIMIT


def test_reaching_the_candidate_limit_asks_to_refine(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        city.person("Ann", "Lee", birth=dt.date(1940 + n, 1, 1))
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 3)
    results = find_people(parse_query("Ann Lee"))
    assert len(results.matches) == 3
    assert results.incomplete and results.more


def test_too_short_and_empty(city: City, nurse: Any, client_for: Any) -> None:
    city.person("John", "Smith")
    client = client_for(nurse)
    empty = search_page(client, "")
    assert "Find a person" in empty and "There is a problem" not in empty
    assert "<table" not in empty
    short = search_page(client, "Smith")
    assert "alone matches too many people" in short
    assert rows(short) == {}


@pytest.mark.both_databases
def test_loaded_person_found_and_nothing_clinical_shown(tiny_lake: Path, client_for: Any) -> None:
    """The loader's people (sounds filled in bulk) are found; no condition or referral is shown."""
    load_lake(tiny_lake)
    user = get_user_model().objects.create_user("nurse.jones", password="correct horse battery")
    StaffMember.objects.create(
        user=user,
        profession=Profession.DISTRICT_NURSE,
        organisation=Organisation.objects.get(id=COMMUNITY_TRUST),
    )
    p1 = Person.objects.get(id="p1")
    assert p1.family_name_sound == soundex(p1.family_name)
    client = client_for(user)
    for q in (p1.nhs_number or "", f"{p1.family_name} {p1.given_name}"):
        body = search_page(client, q)
        found = rows(body)
        assert p1.id in found, q
        assert "Abbey Road Surgery" in found[p1.id]
        for clinical in ("heart", "Heart", "Fall at home", "84114007", "eablement", "I50"):
            assert clinical not in body


def test_few_queries(city: City, django_assert_max_num_queries: Any) -> None:
    city.person("John", "Smith")
    for q in ("John Smith", "Jhon Smith 11/02/1938", "9434765919"):
        with django_assert_max_num_queries(2):
            find_people(parse_query(q))


@pytest.mark.parametrize(
    "profession", [Profession.COMMISSIONER, Profession.ANALYST, Profession.SYSTEM_ADMINISTRATOR]
)
def test_no_search_for_those_who_never_see_a_record(
    profession: str, city: City, client_for: Any
) -> None:
    city.person("John", "Smith")
    user = city.staff("someone", profession)
    response = client_for(user).get(URL, {"q": "John Smith 11/02/1938"})
    assert response.status_code == 403
    assert "Smith" not in response.content.decode()
    assert hits() == []


def test_anonymous_is_sent_to_log_in(city: City, client: Client) -> None:
    city.person("John", "Smith")
    response = client.get(URL, {"q": "John Smith"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert hits() == []


def test_account_without_staff_record_is_refused(city: City, client: Client) -> None:
    user = get_user_model().objects.create_superuser("root", password="correct horse battery")
    client.force_login(user)
    assert client.get(URL, {"q": "John Smith"}).status_code == 403
