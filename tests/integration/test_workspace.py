"""Where each role lands after logging in, the menu it gets, and the demo's referrals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from joinedup.access.demo import demo_username
from joinedup.access.models import Profession
from joinedup.record.models import LoadedLake, Referral
from joinedup.referrals.demo import seed_demo_referrals
from workspace_world import PASSWORD, Workspace, build_workspace

pytestmark = pytest.mark.django_db


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


def test_the_demo_adds_todays_referrals_once(world: Workspace) -> None:
    LoadedLake.objects.create(
        fingerprint="f" * 64, path="/demo", purpose="synthetic", source="generator",
        observation_start=dt.date(2019, 4, 1), observation_end=dt.date(2025, 3, 31),
        manifest={}, seed=1, rows={}, seconds=1.0,
    )  # fmt: skip
    gp = world.user("gp")
    gp.username = demo_username(Profession.GP)
    gp.save()
    now = timezone.now()

    made = seed_demo_referrals(now)
    # The demo team is Northgate; Bertram and Dorothy are its over-75s on no caseload.
    assert made == 2 and seed_demo_referrals(now) == 0
    referrals = Referral.objects.order_by("received_at")
    assert [r.person_id for r in referrals] == ["p-dot", "p-bert"]
    assert referrals[1].team == world.ucr and referrals[1].source == "telecare"
    assert all(r.status == "requested" for r in referrals)
