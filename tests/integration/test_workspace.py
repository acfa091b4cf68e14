"""Where each role lands after logging in, the menu it gets, and the demo's referrals."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from joinedup.access.demo import create_demo_logins, demo_username
from joinedup.access.menu import Viewer
from joinedup.access.models import Profession, StaffMember
from joinedup.casefinding.interim_risk import (
    emergency_admissions,
    high_risk_unknown,
    hospital_data_until,
)
from joinedup.mdt.demo import seed_demo_meetings
from joinedup.mdt.models import Meeting
from joinedup.people.demo import seed_demo_record
from joinedup.record.load import load_lake
from joinedup.record.models import HospitalSpell, LoadedLake, Person, Referral
from joinedup.referrals.demo import seed_demo_referrals
from joinedup.tasks.models import Task
from joinedup.web.workspace import menu_entries
from workspace_world import PASSWORD, Workspace, build_workspace

# Landings and demo seeding through the ORM.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


LANDINGS = {
    "gp": "/referrals/mine/",
    "spa": "/referrals/triage/",
    "manager": "/teams/t-north/caseload/",
    "nurse": "/tasks/",
    "social_worker": "/tasks/",
    "ucr_nurse": "/referrals/urgent/",
    "commissioner": "/outcomes/",
}


@pytest.mark.parametrize(("who", "landing"), sorted(LANDINGS.items()))
def test_logging_in_lands_on_the_roles_workspace(world: Workspace, who: str, landing: str) -> None:
    client = Client()
    response = client.post("/login/", {"username": who, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert client.get("/workspace/")["Location"] == landing
    assert client.get(landing).status_code == 200


def test_the_menu_offers_each_role_its_pages_only(world: Workspace) -> None:
    def menu(who: str) -> str:
        client = Client()
        client.force_login(world.user(who))
        body = (
            client.get("/people/").content.decode()
            if who != "commissioner"
            else (client.get("/").content.decode())
        )
        return body.split('class="nhsuk-header__navigation-list"', 1)[1].split("</ul>", 1)[0]

    spa = menu("spa")
    assert "Triage" in spa and "Urgent response" in spa and "Caseload" not in spa
    nurse = menu("nurse")
    assert "/teams/t-north/caseload/" in nurse and "/mdt/team/t-north/" in nurse
    assert "Triage" not in nurse and "Outcomes" not in nurse
    manager = menu("manager")
    assert "Outcomes" in manager and "Break-glass review" in manager
    commissioner = menu("commissioner")
    assert "Outcomes" in commissioner and "Make a referral" not in commissioner
    assert "Find a person" not in commissioner
    # on the overview, the overview is the current page; on the outcomes, it is not
    client = world.client("commissioner")
    current = "nhsuk-header__navigation-item--current"
    overview = client.get("/").content.decode()
    assert overview.count(current) == 1
    assert overview.split(current, 1)[1].split("</li>", 1)[0].count("Overview") == 1
    outcomes = client.get("/outcomes/").content.decode()
    assert outcomes.split(current, 1)[1].split("</li>", 1)[0].count("Outcomes") == 1


def test_each_app_puts_only_its_own_pages_in_the_menu(tiny_lake: Path) -> None:
    """An entry opens a page of the app that declares it, so an app's menu moves with it."""
    declared: dict[str, str] = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "menu"):
            for entry in import_module(f"{config.name}.menu").ENTRIES:
                declared[entry.key] = config.name
    entries = menu_entries()
    assert sorted(declared) == sorted(entry.key for entry in entries)
    assert len({entry.rank for entry in entries}) == len(entries)
    load_lake(tiny_lake)
    create_demo_logins()  # every profession
    shown: set[str] = set()
    for staff in StaffMember.objects.all():
        viewer = Viewer.of(staff)
        for entry in entries:
            if (href := entry.href(viewer)) is not None:
                assert resolve(href).func.__module__.startswith(declared[entry.key] + "."), href
                shown.add(entry.key)
    assert shown == set(declared)  # every entry is some role's


def test_the_demo_adds_todays_referrals_once(world: Workspace) -> None:
    LoadedLake.objects.create(
        fingerprint="f" * 64, path="/demo", purpose="synthetic", source="generator",
        observation_start=dt.date(2019, 4, 1), observation_end=dt.date(2025, 3, 31),
        manifest={}, seed=1, rows={}, seconds=1.0,
    )  # fmt: skip
    gp = world.user("gp")
    gp.username = demo_username(Profession.GP)
    gp.save()
    # A fixed day: who is over 75 changes with the date (Cora turns 75 in December 2026).
    now = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)

    made = seed_demo_referrals(now)
    # The demo team is Northgate; Bertram and Dorothy are its over-75s on no caseload.
    assert made == 2 and seed_demo_referrals(now) == 0
    referrals = Referral.objects.order_by("received_at")
    assert [r.person_id for r in referrals] == ["p-dot", "p-bert"]
    assert referrals[1].team == world.ucr and referrals[1].source == "telecare"
    assert all(r.status == "requested" for r in referrals)


def _emergency(person_id: str, spell_id: str, day: dt.date) -> None:
    HospitalSpell.objects.create(
        id=spell_id, person_id=person_id, admission_date=day, admission_method="emergency",
        acsc=False, fall=False, discharge_date=day + dt.timedelta(days=3),
    )  # fmt: skip


def test_the_interim_rule_reads_the_last_year_of_hospital_data_not_a_gap(
    world: Workspace,
) -> None:
    """A city whose hospital data end before today is judged on its last year, not on none."""
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=600)
    _emergency("p-bert", "s1", long_ago - dt.timedelta(days=100))
    _emergency("p-bert", "s2", long_ago)
    assert hospital_data_until(today) == long_ago
    found = high_risk_unknown(world.north, today)
    assert [h.person.pk for h in found] == ["p-bert"] and found[0].admissions == 2
    assert emergency_admissions(["p-bert", "p-ada"], today) == {"p-bert": 2}

    _emergency("p-eli", "s3", today)  # the data now reach today: Bertram's year is over
    assert hospital_data_until(today) == today
    assert high_risk_unknown(world.north, today) == []


def test_every_demo_login_lands_on_a_working_page(tiny_lake: Path) -> None:
    """`make demo`'s logins on a loaded synthetic city: each lands where its role works."""
    load_lake(tiny_lake)
    # two recent emergency admissions each for Northgate's people, so last week's meeting
    # has people at high risk on its agenda
    recent = timezone.localdate() - dt.timedelta(days=20)
    for n, person in enumerate(Person.objects.filter(neighbourhood_id="n-north")):
        for k in (0, 1):
            _emergency(person.pk, f"s-demo-{n}-{k}", recent - dt.timedelta(days=30 * k))
    logins = create_demo_logins()
    seed_demo_record()
    seed_demo_referrals()
    assert seed_demo_meetings() == 2 and seed_demo_meetings() == 0
    held, upcoming = Meeting.objects.order_by("starts_at")
    assert held.status == "held" and upcoming.status == "scheduled" and held.attendance.exists()
    actions = Task.objects.filter(agenda_items__meeting=held)
    assert held.items.count() >= 1 and actions.count() == min(held.items.count(), 3)
    assert actions.filter(owner_staff__user__username="demo-district-nurse").exists()
    landings = {}
    for login in logins:
        client = Client()
        assert (
            client.post("/login/", {"username": login.username, "password": login.password})[
                "Location"
            ]
            == "/workspace/"
        )
        landing = client.get("/workspace/")["Location"]
        page = client.get(landing)
        assert page.status_code == 200, (login.username, landing)
        landings[login.username] = landing
    assert landings["demo-spa-triage-clinician"] == "/referrals/triage/"
    assert landings["demo-urgent-response-nurse"] == "/referrals/urgent/"
    assert landings["demo-team-manager"] == "/teams/t-north/caseload/"
    assert landings["demo-gp"] == "/referrals/mine/"
    assert (
        landings["demo-discharge-coordinator"]
        == landings["demo-social-care-broker"]
        == "/transfers/"
    )
    assert landings["demo-district-nurse"] == "/tasks/"
    assert landings["demo-commissioner"] == "/outcomes/"
    assert landings["demo-analyst"] == "/outcomes/"
    assert landings["demo-system-administrator"] == "/accounts/"
