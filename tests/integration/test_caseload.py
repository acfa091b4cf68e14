"""Team caseloads: the caseload page, opening and closing episodes, key workers, workload.

On the small partnership of tests/workspace_world.py (ada on Northgate's caseload), with
more people added per test. Covers what the caseload holds (current episodes of this team
only), every sort, the unallocated filter, pagination and the audit of exactly the people
shown; bad input (a message naming the field, nothing saved); allocation and reassignment
with its reason; the workload counts; and who is refused (other teams, commissioners).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clock import clock_at
from joinedup.access.models import AuditAction, AuditEvent, CareTeamMember
from joinedup.careplans.models import CarePlan
from joinedup.casefinding import interim_risk
from joinedup.record.models import Episode, HospitalSpell, Person, Referral
from joinedup.record.nhs_number import spaced
from joinedup.tasks.models import Task
from joinedup.teams.episodes import EpisodeClosedError, close_episode
from joinedup.teams.views import episodes as episode_views
from workspace_world import Workspace, build_workspace, nhs_number

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]  # caseload pages through the ORM

MOMENT = timezone.now()  # every test's clock starts here: one date throughout
TODAY = timezone.localdate(MOMENT)
_clock = clock_at(MOMENT)
QUERY_BUDGET = 40  # a caseload page of 50 people: a per-person query would need 50 more
ROW = re.compile(r'<tr class="nhsuk-table__row" id="episode-[^"]+" data-person="([^"]+)"')


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def _client(world: Workspace, key: str) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def _person(world: Workspace, pid: str, given: str, family: str, serial: int = 0) -> Person:
    person = Person(
        id=pid,
        birth_date=dt.date(1940, 1, 1),
        neighbourhood=world.north.neighbourhood,
        practice=world.practice,
        lives_alone=False,
        has_unpaid_carer=False,
        registered_from=dt.date(2019, 4, 1),
        nhs_number=nhs_number(serial) if serial else None,
        given_name=given,
        family_name=family,
    )
    person.save()
    return person


def _key_worker(world: Workspace, person: Person, staff_key: str, started: dt.date) -> Any:
    return CareTeamMember.objects.create(
        person=person,
        staff=world.staff[staff_key],
        role="Key worker",
        key_worker=True,
        started=started,
    )


def _spell(person: Person, n: int, method: str = "emergency", days_ago: int = 30) -> None:
    HospitalSpell.objects.create(
        id=f"s-{person.id}-{n}",
        person=person,
        admission_date=TODAY - dt.timedelta(days=days_ago),
        admission_method=method,
        acsc=False,
        fall=False,
    )


def _plan(person: Person, review: dt.date | None) -> None:
    CarePlan.objects.create(person=person, review_date=review, created_at=timezone.now())


def _shown(response: Any) -> list[str]:
    return ROW.findall(response.content.decode())


@pytest.fixture
def caseload(world: Workspace) -> dict[str, Person]:
    """Northgate's caseload today: ada, bert, fay; cora ended, dot not yet started, eli south's.

    Chosen so each sort gives a different order: name F B A, risk B F A, start F A B,
    key worker A B F (unallocated first), review B A F (no care plan last).
    """
    north, people = world.north, world.people
    ada, bert, cora, dot, eli = (people[k] for k in ("ada", "bert", "cora", "dot", "eli"))
    fay = _person(world, "p-fay", "Fay", "Abbott", serial=6000)
    Episode.objects.create(
        id="e-bert", person=bert, team=north, start_date=dt.date(2023, 6, 1), reason="referral"
    )
    Episode.objects.create(
        id="e-fay", person=fay, team=north, start_date=dt.date(2024, 9, 1), reason="case_finding"
    )
    Episode.objects.create(
        id="e-cora",
        person=cora,
        team=north,
        start_date=dt.date(2023, 1, 1),
        end_date=TODAY,
        end_reason="goals_met",
    )
    Episode.objects.create(
        id="e-dot", person=dot, team=north, start_date=TODAY + dt.timedelta(days=1)
    )
    Episode.objects.create(id="e-eli", person=eli, team=world.south, start_date=dt.date(2024, 2, 2))
    _key_worker(world, bert, "nurse", dt.date(2024, 1, 1))  # Hart
    _key_worker(world, fay, "social_worker", dt.date(2024, 9, 1))  # Webb
    _key_worker(world, cora, "navigator", dt.date(2023, 1, 1))  # ended episode, not on caseload
    _spell(bert, 1)
    _spell(bert, 2)
    _spell(bert, 3, method="elective")  # not an emergency: not counted
    _spell(ada, 1, days_ago=400)  # emergency, but more than 12 months ago
    _spell(fay, 1)
    _plan(bert, TODAY + dt.timedelta(days=3))
    _plan(ada, TODAY + dt.timedelta(days=40))
    return {"ada": ada, "bert": bert, "cora": cora, "dot": dot, "eli": eli, "fay": fay}


def _caseload_url(world: Workspace, **params: str) -> str:
    url = reverse("teams:caseload", args=[world.north.id])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


# --- the caseload page ---------------------------------------------------------------


def test_caseload_shows_exactly_the_current_episodes_of_the_team(
    world: Workspace, caseload: dict[str, Person]
) -> None:
    response = _client(world, "nurse").get(_caseload_url(world))
    assert response.status_code == 200
    assert sorted(_shown(response)) == ["p-ada", "p-bert", "p-fay"]
    html = response.content.decode()
    assert interim_risk.RULE in html
    assert reverse("people:record", args=["p-ada"]) in html
    assert spaced(caseload["ada"].nhs_number or "") in html
    assert "Unallocated" in html  # ada has no key worker
    assert "No care plan" in html  # fay has none
    assert "3 people on the caseload" in html
    assert 'style="' not in html  # the Content-Security-Policy allows no inline style


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["p-fay", "p-bert", "p-ada"]),
        ("risk", ["p-bert", "p-fay", "p-ada"]),
        ("start", ["p-fay", "p-ada", "p-bert"]),
        ("key_worker", ["p-ada", "p-bert", "p-fay"]),
        ("review", ["p-bert", "p-ada", "p-fay"]),
        ("nonsense", ["p-bert", "p-fay", "p-ada"]),  # unknown: the default, risk
    ],
)
def test_caseload_sorts(
    world: Workspace, caseload: dict[str, Person], sort: str, expected: list[str]
) -> None:
    response = _client(world, "manager").get(_caseload_url(world, sort=sort))
    assert response.status_code == 200
    assert _shown(response) == expected


def test_the_risk_column_counts_emergency_admissions_of_the_last_12_months(
    world: Workspace, caseload: dict[str, Person]
) -> None:
    html = _client(world, "nurse").get(_caseload_url(world)).content.decode()
    cells = dict(
        re.findall(
            r'data-person="([^"]+)".*?cell--numeric".*?<div[^>]*>(\d+)</div></td>', html, re.DOTALL
        )
    )
    assert cells == {"p-bert": "2", "p-fay": "1", "p-ada": "0"}


def test_unallocated_filter(world: Workspace, caseload: dict[str, Person]) -> None:
    response = _client(world, "nurse").get(_caseload_url(world, unallocated="1", sort="name"))
    assert _shown(response) == ["p-ada"]
    # A key worker whose allocation has ended does not count.
    CareTeamMember.objects.filter(person=caseload["bert"]).update(ended=TODAY)
    response = _client(world, "nurse").get(_caseload_url(world, unallocated="1", sort="name"))
    assert _shown(response) == ["p-bert", "p-ada"]


def test_pagination_and_audit_of_the_people_shown_only(
    world: Workspace, django_assert_max_num_queries: Any
) -> None:
    people = [
        Person(
            id=f"p-many-{n:03d}",
            birth_date=dt.date(1950, 1, 1),
            neighbourhood=world.north.neighbourhood,
            practice=world.practice,
            lives_alone=False,
            has_unpaid_carer=False,
            registered_from=dt.date(2019, 4, 1),
            given_name="Many",
            family_name=f"Person{n:03d}",
        )
        for n in range(55)
    ]
    Person.objects.bulk_create(people)
    Episode.objects.bulk_create(
        Episode(id=f"e-many-{n:03d}", person=p, team=world.north, start_date=dt.date(2024, 3, 1))
        for n, p in enumerate(people)
    )
    client = _client(world, "nurse")
    before = AuditEvent.objects.count()
    # No query per row: the page's query count does not grow with the caseload.
    with django_assert_max_num_queries(QUERY_BUDGET):
        first = client.get(_caseload_url(world, sort="name"))
    shown = _shown(first)
    assert len(shown) == 50
    assert shown == [f"p-many-{n:03d}" for n in range(50)]
    assert "Page 1 of 2" in first.content.decode()
    events = AuditEvent.objects.filter(sequence__gt=before)
    assert sorted(events.values_list("person_id", flat=True)) == sorted(shown)
    assert set(events.values_list("action", flat=True)) == {AuditAction.VIEW}
    assert set(events.values_list("username", flat=True)) == {"nurse"}

    for sort in ("risk", "review", "key_worker", "start"):
        with django_assert_max_num_queries(QUERY_BUDGET):
            assert len(_shown(client.get(_caseload_url(world, sort=sort)))) == 50
    before = AuditEvent.objects.count()
    second = client.get(_caseload_url(world, sort="name", page="2"))
    # Person055.. then ada (Quillfeather) sorts after every "Person".
    assert _shown(second) == [f"p-many-{n:03d}" for n in range(50, 55)] + ["p-ada"]
    assert sorted(
        AuditEvent.objects.filter(sequence__gt=before).values_list("person_id", flat=True)
    ) == sorted(_shown(second))


def test_an_empty_page_audits_no_one(world: Workspace) -> None:
    Episode.objects.filter(id="e-ada").update(end_date=TODAY)
    before = AuditEvent.objects.count()
    response = _client(world, "nurse").get(_caseload_url(world))
    assert response.status_code == 200
    assert _shown(response) == []
    assert AuditEvent.objects.count() == before


# --- access ----------------------------------------------------------------------------


def test_non_members_are_refused(world: Workspace) -> None:
    before = AuditEvent.objects.count()
    for key in ("outsider", "commissioner", "spa", "ucr_nurse"):
        client = _client(world, key)
        for name in ("teams:caseload", "teams:workload", "teams:episode_open"):
            response = client.get(reverse(name, args=[world.north.id]))
            assert response.status_code == 403, (key, name)
            assert b"Quillfeather" not in response.content
    assert AuditEvent.objects.count() == before
    # A member of another team sees their own team's page.
    response = _client(world, "outsider").get(reverse("teams:caseload", args=[world.south.id]))
    assert response.status_code == 200


@pytest.mark.parametrize("key", ["outsider", "commissioner"])
def test_non_members_cannot_change_anything(world: Workspace, key: str) -> None:
    client = _client(world, key)
    north = world.north.id
    assert client.get(reverse("teams:key_worker", args=[north, "p-ada"])).status_code == 403
    response = client.post(
        reverse("teams:key_worker", args=[north, "p-ada"]),
        {"key_worker": world.staff["outsider"].pk, "reason": "x"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("teams:episode_close", args=[north, "e-ada"]),
        {"end_day": "1", "end_month": "2", "end_year": "2024", "end_reason": "goals_met"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("teams:episode_open", args=[north]),
        _open_data(world.people["bert"], "referral", TODAY),
    )
    assert response.status_code == 403
    assert not CareTeamMember.objects.exists()
    assert Episode.objects.get(id="e-ada").end_date is None
    assert not Episode.objects.filter(person=world.people["bert"]).exists()


def test_unknown_team_is_404(world: Workspace) -> None:
    client = _client(world, "nurse")
    for name in ("teams:caseload", "teams:workload", "teams:episode_open"):
        assert client.get(reverse(name, args=["t-nowhere"])).status_code == 404


def test_anonymous_is_sent_to_log_in(world: Workspace) -> None:
    response = Client().get(_caseload_url(world))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- opening episodes ------------------------------------------------------------------


def _open_data(person: Person, reason: str, start: dt.date) -> dict[str, str]:
    return {
        "nhs_number": spaced(person.nhs_number or ""),
        "reason": reason,
        "start_day": str(start.day),
        "start_month": str(start.month),
        "start_year": str(start.year),
    }


def _open(world: Workspace, data: dict[str, str], client: Client | None = None) -> Any:
    client = client or _client(world, "nurse")
    return client.post(reverse("teams:episode_open", args=[world.north.id]), data)


def test_opening_an_episode(world: Workspace) -> None:
    bert = world.people["bert"]
    before = AuditEvent.objects.count()
    client = _client(world, "nurse")
    response = _open(
        world, _open_data(bert, "post_discharge", TODAY - dt.timedelta(days=2)), client
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:key_worker", args=[world.north.id, bert.id])
    episode = Episode.objects.get(person=bert)
    assert (episode.team_id, episode.reason, episode.start_date, episode.end_date) == (
        world.north.id,
        "post_discharge",
        TODAY - dt.timedelta(days=2),
        None,
    )
    assert len(episode.id) == 32
    (event,) = AuditEvent.objects.filter(sequence__gt=before)
    assert (event.action, event.person_id, event.username) == (AuditAction.CREATE, bert.id, "nurse")
    assert episode.id in event.what
    # The person is now on the caseload, and the page after says so.
    page = client.get(response["Location"])
    assert "Bertram Oakes is on the caseload from" in page.content.decode()
    assert "p-bert" in _shown(client.get(_caseload_url(world)))


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"nhs_number": ""}, "nhs_number", "Enter the person&#39;s NHS number"),
        ({"nhs_number": "999 000 0001"}, "nhs_number", "Enter a valid NHS number"),
        ({"nhs_number": "12345"}, "nhs_number", "Enter a valid NHS number"),
        ({"reason": ""}, "reason", "Select why the person is joining the caseload"),
        ({"reason": "whim"}, "reason", "Select why the person is joining the caseload"),
        ({"start_day": ""}, "start-day", "The start date must include a day"),
        ({"start_month": "13"}, "start-day", "The start date must be a real date"),
        (
            {"start_day": "", "start_month": "", "start_year": ""},
            "start-day",
            "Enter the start date",
        ),
    ],
)
def test_opening_with_bad_input_names_the_field_and_saves_nothing(
    world: Workspace, change: dict[str, str], field_id: str, message: str
) -> None:
    data = {**_open_data(world.people["bert"], "referral", TODAY), **change}
    before = AuditEvent.objects.count()
    response = _open(world, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#{field_id}"' in html
    assert message in html
    assert not Episode.objects.filter(person=world.people["bert"]).exists()
    assert AuditEvent.objects.count() == before


def test_opening_for_an_unknown_nhs_number(world: Workspace) -> None:
    number = nhs_number(777000)
    response = _open(
        world,
        {
            "nhs_number": number,
            "reason": "referral",
            "start_day": str(TODAY.day),
            "start_month": str(TODAY.month),
            "start_year": str(TODAY.year),
        },
    )
    assert response.status_code == 400
    assert f"No one with NHS number {spaced(number)} is known" in response.content.decode()
    assert Episode.objects.count() == 1


def test_opening_in_the_future_is_refused(world: Workspace) -> None:
    response = _open(
        world, _open_data(world.people["bert"], "referral", TODAY + dt.timedelta(days=1))
    )
    assert response.status_code == 400
    assert "The start date must be today or in the past" in response.content.decode()
    assert 'href="#start-day"' in response.content.decode()
    assert not Episode.objects.filter(person=world.people["bert"]).exists()


def test_a_second_open_episode_of_the_same_team_is_refused(world: Workspace) -> None:
    ada = world.people["ada"]
    before = AuditEvent.objects.count()
    response = _open(world, _open_data(ada, "referral", TODAY))
    assert response.status_code == 400
    html = response.content.decode()
    assert "already has an open episode with Northgate INT" in html
    assert 'href="#nhs_number"' in html
    assert Episode.objects.filter(person=ada).count() == 1
    # The message told the viewer about ada: a view, audited; nothing created.
    events = AuditEvent.objects.filter(sequence__gt=before)
    assert list(events.values_list("action", "person_id")) == [(AuditAction.VIEW, ada.id)]


def test_another_team_may_open_an_episode_for_the_same_person(world: Workspace) -> None:
    world.staff["nurse"].teams.add(world.south)
    ada = world.people["ada"]
    _referral(ada, world.south.id)  # ada lives in Northgate: Southmead needs her referral
    response = _client(world, "nurse").post(
        reverse("teams:episode_open", args=[world.south.id]), _open_data(ada, "other", TODAY)
    )
    assert response.status_code == 302
    assert set(Episode.objects.filter(person=ada).values_list("team_id", flat=True)) == {
        "t-north",
        "t-south",
    }


def _referral(person: Person, team_id: str, status: str = "accepted") -> Referral:
    now = timezone.now()
    return Referral.objects.create(
        id=f"r-{person.pk}-{team_id}-{status}",
        person=person,
        received_at=now - dt.timedelta(days=2),
        source="gp",
        urgency="routine",
        team_id=team_id,
        status=status,
        accepted_at=now - dt.timedelta(days=1),
        closed_at=now if status in {"completed", "rejected", "cancelled"} else None,
    )


def _errors(response: Any) -> list[str]:
    """The error summary's messages, as shown."""
    html = response.content.decode()
    summary = html[html.index("nhsuk-error-summary") :]
    summary = summary[: summary.index("</ul>")]
    return [m.strip() for m in re.findall(r'<a href="#[^"]+">(.*?)</a>', summary, re.DOTALL)]


def test_a_team_opens_episodes_only_for_its_neighbourhood_or_its_referrals(
    world: Workspace,
) -> None:
    """Eli lives in Southmead and is not referred to Northgate: to Northgate's form he is
    no one, word for word the answer an unknown number gets, even when he has died; with an
    open referral to Northgate he may join its caseload."""
    eli = world.people["eli"]
    nobody = nhs_number(777000)
    client = _client(world, "nurse")
    before = AuditEvent.objects.count()

    unknown = _open(world, {**_open_data(eli, "referral", TODAY), "nhs_number": nobody}, client)
    assert unknown.status_code == 400
    assert _errors(unknown) == [
        f"No one with NHS number {spaced(nobody)} is known to Northgate INT: check the number, "
        "or refer the person through the single point of access"
    ]
    assert AuditEvent.objects.count() == before  # no one to audit

    Person.objects.filter(pk=eli.pk).update(death_date=TODAY - dt.timedelta(days=3))
    _referral(eli, world.north.id, status="completed")  # ended: gives no right to open
    _referral(eli, world.south.id)  # another team's referral: neither
    for start in (TODAY, TODAY - dt.timedelta(days=10)):
        stranger = _open(world, _open_data(eli, "referral", start), client)
        assert stranger.status_code == 400
        shown = _errors(stranger)
        assert shown == [
            m.replace(spaced(nobody), spaced(eli.nhs_number or "")) for m in _errors(unknown)
        ]
        html = stranger.content.decode()
        assert "Elias" not in html and "Trewin" not in html and "died" not in html
    assert not Episode.objects.filter(person=eli).exists()
    # The refusals say nothing, but are audited against him (snooping looks like this).
    events = AuditEvent.objects.filter(sequence__gt=before)
    assert (
        list(events.values_list("action", "person_id", "what"))
        == [(AuditAction.VIEW, eli.pk, "open episode form of Northgate INT: refused")] * 2
    )

    # Referred to Northgate (still open): the date of death may now be told, and once
    # that is put right the episode opens.
    _referral(eli, world.north.id)
    died = _open(world, _open_data(eli, "referral", TODAY), client)
    assert died.status_code == 400
    assert "Elias Trewin" in died.content.decode() and "died on" in died.content.decode()
    Person.objects.filter(pk=eli.pk).update(death_date=None)
    opened = _open(world, _open_data(eli, "referral", TODAY), client)
    assert opened.status_code == 302
    assert Episode.objects.filter(person=eli, team=world.north, end_date__isnull=True).exists()


def test_a_neighbour_who_has_died_is_told_apart(world: Workspace) -> None:
    """Cora lives in Northgate, so Northgate may open for her: the form says she died."""
    cora = world.people["cora"]
    Person.objects.filter(pk=cora.pk).update(death_date=TODAY - dt.timedelta(days=1))
    response = _open(world, _open_data(cora, "referral", TODAY))
    assert response.status_code == 400
    assert "Cora Penhallow" in response.content.decode()
    assert "an episode cannot start after that" in response.content.decode()
    assert not Episode.objects.filter(person=cora).exists()


def test_an_episode_cannot_start_before_the_person_was_born(world: Workspace) -> None:
    bert = world.people["bert"]  # born 30 July 1944
    before = AuditEvent.objects.count()
    response = _open(world, _open_data(bert, "referral", dt.date(1944, 7, 29)))
    assert response.status_code == 400
    html = response.content.decode()
    assert _errors(response) == [
        "The start date must be on or after the person&#39;s date of birth"
    ]
    assert 'href="#start-day"' in html
    assert not Episode.objects.filter(person=bert).exists()
    events = AuditEvent.objects.filter(sequence__gt=before)
    assert list(events.values_list("action", "person_id")) == [(AuditAction.VIEW, bert.pk)]
    # Born that day is fine.
    assert _open(world, _open_data(bert, "referral", dt.date(1944, 7, 30))).status_code == 302


# --- closing episodes ------------------------------------------------------------------


def _close_data(end: dt.date | None, reason: str = "goals_met") -> dict[str, str]:
    if end is None:
        return {"end_day": "", "end_month": "", "end_year": "", "end_reason": reason}
    return {
        "end_day": str(end.day),
        "end_month": str(end.month),
        "end_year": str(end.year),
        "end_reason": reason,
    }


def _close(world: Workspace, data: dict[str, str], episode_id: str = "e-ada") -> Any:
    url = reverse("teams:episode_close", args=[world.north.id, episode_id])
    return _client(world, "nurse").post(url, data)


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        (_close_data(dt.date(2023, 12, 31)), "end-day", "must be on or after the start date"),
        (_close_data(TODAY + dt.timedelta(days=1)), "end-day", "must be today or in the past"),
        (_close_data(None), "end-day", "Enter the end date"),
        (_close_data(TODAY, reason=""), "end_reason", "Select why the episode ended"),
        (_close_data(TODAY, reason="bored"), "end_reason", "Select why the episode ended"),
    ],
)
def test_closing_with_bad_input_names_the_field_and_saves_nothing(
    world: Workspace, data: dict[str, str], field_id: str, message: str
) -> None:
    kw = _key_worker(world, world.people["ada"], "nurse", dt.date(2024, 1, 5))
    response = _close(world, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#{field_id}"' in html
    assert message in html
    episode = Episode.objects.get(id="e-ada")
    assert (episode.end_date, episode.end_reason) == (None, None)
    kw.refresh_from_db()
    assert kw.ended is None
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_closing_an_episode_ends_the_key_worker_allocation(world: Workspace) -> None:
    ada = world.people["ada"]
    kw = _key_worker(world, ada, "nurse", dt.date(2024, 1, 5))
    before = AuditEvent.objects.count()
    end = TODAY - dt.timedelta(days=1)
    response = _close(world, _close_data(end, "moved_away"))
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:caseload", args=[world.north.id])
    episode = Episode.objects.get(id="e-ada")
    assert (episode.end_date, episode.end_reason) == (end, "moved_away")
    kw.refresh_from_db()
    assert kw.ended == end
    (event,) = AuditEvent.objects.filter(sequence__gt=before)
    assert (event.action, event.person_id, event.username) == (AuditAction.UPDATE, ada.id, "nurse")
    assert "closed" in event.what
    assert "p-ada" not in _shown(_client(world, "nurse").get(_caseload_url(world)))
    # A closed episode cannot be closed again.
    assert _close(world, _close_data(TODAY)).status_code == 404


def test_two_people_closing_the_same_episode_close_it_once(
    world: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manager closes ada's episode while the nurse's form is on its way: the nurse's
    close finds it closed under the lock, changes nothing and writes no second event."""
    ada = world.people["ada"]
    real_read = episode_views.read_close_form

    def manager_closes_first(data: Any, episode: Episode, today: dt.date) -> Any:
        form = real_read(data, episode, today)
        close_episode(
            world.user("manager"),
            world.north,
            Episode.objects.get(pk=episode.pk),
            TODAY,
            "goals_met",
            TODAY,
        )
        return form

    monkeypatch.setattr(episode_views, "read_close_form", manager_closes_first)
    before = AuditEvent.objects.count()
    response = _close(world, _close_data(TODAY - dt.timedelta(days=1), "moved_away"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "This episode is already closed" in html
    assert "Quillfeather" not in html
    episode = Episode.objects.get(id="e-ada")
    assert (episode.end_date, episode.end_reason) == (TODAY, "goals_met")
    events = AuditEvent.objects.filter(sequence__gt=before)
    assert list(events.values_list("action", "person_id", "username")) == [
        (AuditAction.UPDATE, ada.pk, "manager")
    ]


def test_closing_a_stale_copy_of_a_closed_episode_is_refused(world: Workspace) -> None:
    stale = Episode.objects.get(id="e-ada")
    close_episode(world.user("manager"), world.north, stale, TODAY, "goals_met", TODAY)
    stale = Episode.objects.get(id="e-ada")
    stale.end_date = None  # as read by the other request before the first one saved
    before = AuditEvent.objects.count()
    with pytest.raises(EpisodeClosedError):
        close_episode(world.user("nurse"), world.north, stale, TODAY, "declined", TODAY)
    assert Episode.objects.get(id="e-ada").end_reason == "goals_met"
    assert AuditEvent.objects.count() == before


def test_closing_keeps_a_key_worker_another_open_episode_needs(world: Workspace) -> None:
    ada = world.people["ada"]
    world.staff["nurse"].teams.add(world.south)
    Episode.objects.create(id="e-ada-south", person=ada, team=world.south, start_date=TODAY)
    kw = _key_worker(world, ada, "nurse", dt.date(2024, 1, 5))
    assert _close(world, _close_data(TODAY)).status_code == 302
    kw.refresh_from_db()
    assert kw.ended is None


def test_closing_another_teams_episode_is_404(world: Workspace) -> None:
    Episode.objects.create(
        id="e-eli", person=world.people["eli"], team=world.south, start_date=dt.date(2024, 1, 1)
    )
    assert _close(world, _close_data(TODAY), episode_id="e-eli").status_code == 404
    assert Episode.objects.get(id="e-eli").end_date is None


# --- key workers -----------------------------------------------------------------------


def _allocate(world: Workspace, person_id: str, data: dict[str, Any], key: str = "manager") -> Any:
    url = reverse("teams:key_worker", args=[world.north.id, person_id])
    return _client(world, key).post(url, data)


def _current_for(person_id: str) -> dict[str, Any]:
    page = CareTeamMember.objects.filter(
        person_id=person_id, key_worker=True, ended__isnull=True
    ).values("pk", "staff_id", "reason", "role", "started")
    (row,) = page
    return row


def test_allocate_then_reassign_the_key_worker(world: Workspace) -> None:
    nurse, social_worker = world.staff["nurse"], world.staff["social_worker"]
    client = _client(world, "manager")
    url = reverse("teams:key_worker", args=[world.north.id, "p-ada"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Allocate a key worker" in page.content.decode()

    before = AuditEvent.objects.count()
    response = client.post(url, {"key_worker": nurse.pk, "reason": "", "current": ""})
    assert response.status_code == 302
    first = _current_for("p-ada")
    assert (first["staff_id"], first["role"], first["started"]) == (nurse.pk, "Key worker", TODAY)
    (event,) = AuditEvent.objects.filter(sequence__gt=before)
    assert (event.action, event.person_id, event.username) == (
        AuditAction.UPDATE,
        "p-ada",
        "manager",
    )

    # Reassigning needs a reason: refused without one, nothing changed.
    before = AuditEvent.objects.count()
    response = client.post(
        url, {"key_worker": social_worker.pk, "reason": "  ", "current": first["pk"]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the reason for changing the key worker" in html
    assert 'href="#reason"' in html
    assert _current_for("p-ada")["staff_id"] == nurse.pk
    assert not AuditEvent.objects.filter(sequence__gt=before, action=AuditAction.UPDATE).exists()

    before = AuditEvent.objects.count()
    response = client.post(
        url, {"key_worker": social_worker.pk, "reason": "Skills match", "current": first["pk"]}
    )
    assert response.status_code == 302
    second = _current_for("p-ada")
    assert (second["staff_id"], second["reason"]) == (social_worker.pk, "Skills match")
    old = CareTeamMember.objects.get(pk=first["pk"])
    assert old.ended == TODAY
    assert (
        CareTeamMember.objects.filter(person_id="p-ada", key_worker=True)
        .filter(started__lte=TODAY)
        .exclude(ended__lte=TODAY)
        .count()
        == 1
    )
    (event,) = AuditEvent.objects.filter(sequence__gt=before)
    assert (event.action, event.reason, event.username) == (
        AuditAction.UPDATE,
        "Skills match",
        "manager",
    )

    # The history shows both, newest first, with who allocated them.
    html = client.get(url).content.decode()
    history = html[html.index('id="history"') :]
    assert history.index("Sol Webb") < history.index("Nia Hart")
    assert "Skills match" in history
    assert history.count("Mo Ambrose") == 2 and "manager" not in history  # by name
    # The caseload shows the new key worker.
    assert "Sol Webb" in _client(world, "nurse").get(_caseload_url(world)).content.decode()


def test_any_member_may_allocate_and_is_recorded(world: Workspace) -> None:
    response = _allocate(
        world, "p-ada", {"key_worker": world.staff["navigator"].pk, "current": ""}, key="gp"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.username == "gp"


@pytest.mark.parametrize(
    ("staff_key", "message"),
    [
        (None, "Select a key worker from the team"),
        ("outsider", "Select a key worker who is a member of Northgate INT"),
        ("commissioner", "Select a key worker who is a member of Northgate INT"),
        ("nobody", "Select a key worker who is a member of Northgate INT"),
    ],
)
def test_the_key_worker_must_be_a_member_of_the_team(
    world: Workspace, staff_key: str | None, message: str
) -> None:
    if staff_key is None:
        choice = ""
    elif staff_key == "nobody":
        choice = "99999"
    else:
        choice = str(world.staff[staff_key].pk)
    response = _allocate(world, "p-ada", {"key_worker": choice, "current": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'href="#key_worker"' in html
    assert not CareTeamMember.objects.exists()


def test_the_same_key_worker_again_is_refused(world: Workspace) -> None:
    kw = _key_worker(world, world.people["ada"], "nurse", dt.date(2024, 2, 1))
    response = _allocate(
        world,
        "p-ada",
        {"key_worker": world.staff["nurse"].pk, "reason": "again", "current": kw.pk},
    )
    assert response.status_code == 400
    assert "is already the key worker" in response.content.decode()
    assert CareTeamMember.objects.count() == 1


def test_a_stale_form_does_not_replace_a_newer_allocation(world: Workspace) -> None:
    # The form was shown with no key worker; someone allocated the nurse meanwhile.
    _key_worker(world, world.people["ada"], "nurse", dt.date(2024, 2, 1))
    response = _allocate(
        world,
        "p-ada",
        {"key_worker": world.staff["social_worker"].pk, "reason": "Workload", "current": ""},
    )
    assert response.status_code == 400
    assert "Someone else changed the key worker" in response.content.decode()
    assert _current_for("p-ada")["staff_id"] == world.staff["nurse"].pk


def test_key_worker_page_only_for_people_on_the_caseload(world: Workspace) -> None:
    client = _client(world, "manager")
    for person_id in ("p-bert", "p-nobody"):
        url = reverse("teams:key_worker", args=[world.north.id, person_id])
        assert client.get(url).status_code == 404
        response = client.post(url, {"key_worker": world.staff["nurse"].pk, "current": ""})
        assert response.status_code == 404
    assert not CareTeamMember.objects.exists()


def test_key_worker_page_view_is_audited(world: Workspace) -> None:
    before = AuditEvent.objects.count()
    url = reverse("teams:key_worker", args=[world.north.id, "p-ada"])
    assert _client(world, "nurse").get(url).status_code == 200
    events = AuditEvent.objects.filter(sequence__gt=before)
    assert list(events.values_list("action", "person_id")) == [(AuditAction.VIEW, "p-ada")]


# --- workload --------------------------------------------------------------------------


def _task(world: Workspace, owner: str, due: dt.date, status: str = "open") -> None:
    Task.objects.create(
        title="Visit",
        team=world.north,
        owner_staff=world.staff[owner],
        due=due,
        status=status,
        created_at=timezone.now(),
        created_by="manager",
        closed_at=None if status == "open" else timezone.now(),
    )


def test_workload_counts(world: Workspace, caseload: dict[str, Person]) -> None:
    # Key workers on the caseload: nurse for bert, social worker for fay. The navigator's
    # allocation is for cora, whose episode has ended: not counted.
    _task(world, "nurse", TODAY - dt.timedelta(days=1))  # overdue
    _task(world, "nurse", TODAY)  # due today: open, not overdue
    _task(world, "nurse", TODAY - dt.timedelta(days=5), status="done")  # not open
    _task(world, "social_worker", TODAY + dt.timedelta(days=7))
    response = _client(world, "manager").get(reverse("teams:workload", args=[world.north.id]))
    assert response.status_code == 200
    html = response.content.decode()

    def counts(row_id: str) -> dict[str, str]:
        row = html[html.index(f'id="{row_id}"') :]
        row = row[: row.index("</tr>")]
        # each count after its column's heading for phones (components/tables.jinja)
        return dict(
            re.findall(r'data-count="(\w+)">.*?</span><div[^>]*>\s*(?:<strong[^>]*>)?(\d+)', row)
        )

    nurse, social_worker = world.staff["nurse"], world.staff["social_worker"]
    navigator = world.staff["navigator"]
    assert counts(f"member-{nurse.pk}") == {
        "key_worker_for": "1",
        "open_tasks": "2",
        "overdue_tasks": "1",
    }
    assert counts(f"member-{social_worker.pk}") == {
        "key_worker_for": "1",
        "open_tasks": "1",
        "overdue_tasks": "0",
    }
    assert counts(f"member-{navigator.pk}")["key_worker_for"] == "0"
    assert counts("total") == {"key_worker_for": "2", "open_tasks": "3", "overdue_tasks": "1"}
    # Every member of the team, no one else; most key worker allocations first.
    members = re.findall(r'id="member-(\d+)"', html)
    assert sorted(int(m) for m in members) == sorted(
        world.staff[k].pk for k in ("gp", "manager", "nurse", "social_worker", "navigator")
    )
    assert {int(m) for m in members[:2]} == {nurse.pk, social_worker.pk}
    assert "1 with no key worker" in html  # ada
    assert 'style="' not in html
