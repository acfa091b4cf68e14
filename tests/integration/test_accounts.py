"""Staff accounts managed by system administrators in the app, through Django's test client.

An administrator lists and finds staff, adds a member of staff with teams and a first
password (the password validators apply), changes their details, deactivates a leaver
(who cannot log in again, their sessions ended) and reactivates them, and sets a new
password (sessions ended). Every change is one audit event with no person id, naming the
account and never the password; bad input names its field, answers 400 and writes
nothing; a save from a stale form is a 409 naming who changed the account, with nothing
of it written; every other role gets 403; and no page shows anything about a person.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from joinedup.access.models import AuditAction, AuditEvent, Profession, StaffMember
from racing import at_once
from workspace_world import PASSWORD, Workspace, add_person, build_workspace, password_hash

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

User = get_user_model()
NEW_PASSWORD = "kettle-harbour-lantern-7"
ACCOUNT_ACTIONS = (
    AuditAction.CREATE,
    AuditAction.UPDATE,
    AuditAction.DEACTIVATE,
    AuditAction.REACTIVATE,
    AuditAction.PASSWORD_RESET,
)
WRONG_LOGIN = "Enter a correct username and password"


def add_administrator(world: Workspace, key: str, first: str, last: str) -> StaffMember:
    user = User.objects.create(
        username=key, password=password_hash(), first_name=first, last_name=last
    )
    staff = StaffMember.objects.create(
        user=user,
        profession=Profession.SYSTEM_ADMINISTRATOR,
        organisation=world.organisations["icb"],
    )
    world.staff[key] = staff
    return staff


@pytest.fixture
def world() -> Workspace:
    """The workspace's partnership and staff, with two system administrators."""
    world = build_workspace()
    add_administrator(world, "admin", "Asha", "Patel")
    add_administrator(world, "admin2", "Tom", "Reed")
    return world


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def main_of(response: Any) -> str:
    page = text_of(response)
    return page[page.index("<main") : page.index("</main>")]


def summary_of(response: Any) -> str:
    return text_of(response).split('class="nhsuk-error-summary"')[1].split("</ul>")[0]


def account_url(world: Workspace, key: str, tail: str = "") -> str:
    return f"/accounts/{world.user(key).pk}/{tail}"


def hidden_base(page: str) -> str:
    found = re.search(r'name="base" value="([0-9a-f]*)"', page)
    assert found is not None
    return found.group(1)


def new_account(**changes: Any) -> dict[str, Any]:
    """The add form for a new district nurse in Northgate's and the urgent response team."""
    post: dict[str, Any] = {
        "username": "rhys.morgan",
        "first_name": "Rhys",
        "last_name": "Morgan",
        "profession": Profession.DISTRICT_NURSE.value,
        "organisation": "org-trust",
        "teams": ["t-north", "t-ucr"],
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    post.update(changes)
    return post


def details_post(world: Workspace, key: str, base: str, **changes: Any) -> dict[str, Any]:
    """The details form of staff member `key` as saved now, with `changes`."""
    staff = world.staff[key]
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    post: dict[str, Any] = {
        "base": base,
        "first_name": staff.user.first_name,
        "last_name": staff.user.last_name,
        "profession": staff.profession,
        "organisation": staff.organisation_id,
        "teams": sorted(staff.teams.values_list("id", flat=True)),
    }
    post.update(changes)
    return post


def account_events() -> list[tuple[str, str, str, str | None]]:
    """(username, action, what, person_id) of every account change, oldest first."""
    return list(
        AuditEvent.objects.filter(action__in=ACCOUNT_ACTIONS)
        .order_by("sequence")
        .values_list("username", "action", "what", "person_id")
    )


def sessions_of(user: Any) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def log_in(username: str, password: str) -> tuple[Client, Any]:
    client = Client()
    return client, client.post("/login/", {"username": username, "password": password})


# --- the staff list ---------------------------------------------------------------------


def test_the_staff_list_shows_each_account_in_words_and_finds_by_name_or_username(
    world: Workspace,
) -> None:
    admin = world.client("admin")
    page = admin.get("/accounts/")
    assert page.status_code == 200
    row = main_of(page).split('id="staff-' + str(world.user("nurse").pk) + '"')[1]
    row = row[: row.index("</tr>")]
    for shown in ("Nia Hart", ">nurse<", "District nurse", "Casterbridge Community Health NHS "
                  "Trust", "Northgate INT", "Active"):  # fmt: skip
        assert shown in row
    assert "district_nurse" not in main_of(page)  # the label, never the code
    assert f'href="/accounts/{world.user("nurse").pk}/"' in row
    assert "Urgent Community Response" in main_of(page)  # Ursula's team
    assert "11 members of staff" in main_of(page)

    for query in ("hart", "NIA", "nia hart", "nurse"):
        found = main_of(admin.get("/accounts/", {"q": query}))
        assert "Nia Hart" in found and "Sol Webb" not in found, query
    assert "Ursula Crane" in main_of(admin.get("/accounts/", {"q": "ucr_nurse"}))
    nobody = main_of(admin.get("/accounts/", {"q": "zebedee\x00"}))
    assert "No member of staff has a name or username with “zebedee" in nobody

    world.user("outsider").is_active = False
    world.user("outsider").save()
    gone = main_of(admin.get("/accounts/", {"q": "olly"}))
    assert "Deactivated" in gone and "Active" not in gone


def test_the_staff_list_is_paginated_and_keeps_the_search(world: Workspace) -> None:
    organisation = world.organisations["trust"]
    users = User.objects.bulk_create(
        User(username=f"temp{n:02d}", first_name="Temp", last_name=f"Worker {n:02d}")
        for n in range(60)
    )
    StaffMember.objects.bulk_create(
        StaffMember(user=u, profession=Profession.PHARMACIST, organisation=organisation)
        for u in users
    )
    admin = world.client("admin")
    first = main_of(admin.get("/accounts/"))
    assert first.count('id="staff-') == 50 and "page 1 of 2" in first
    assert 'href="?page=2"' in first
    second = main_of(admin.get("/accounts/", {"page": "2"}))
    assert second.count('id="staff-') == 21 and 'href="?page=1"' in second
    found = main_of(admin.get("/accounts/", {"q": "temp"}))
    assert found.count('id="staff-') == 50 and "60 members of staff found" in found
    assert 'href="?q=temp&amp;page=2"' in admin.get("/accounts/", {"q": "temp"}).content.decode()
    assert main_of(admin.get("/accounts/", {"q": "temp", "page": "2"})).count('id="staff-') == 10
    assert admin.get("/accounts/", {"page": "99"}).status_code == 200  # the last page


# --- adding -----------------------------------------------------------------------------


def test_an_administrator_adds_a_member_of_staff_who_can_then_log_in(world: Workspace) -> None:
    admin = world.client("admin")
    form = admin.get("/accounts/add/")
    assert form.status_code == 200
    assert 'autocomplete="new-password"' in text_of(form)
    assert "Integrated neighbourhood team, Northgate" in text_of(form)
    assert "Urgent community response" in text_of(form)
    assert "At least 12 characters" in text_of(form)

    response = admin.post("/accounts/add/", new_account())
    user = User.objects.get(username="rhys.morgan")
    assert response.status_code == 302 and response["Location"] == f"/accounts/{user.pk}/"
    assert (user.first_name, user.last_name, user.is_active) == ("Rhys", "Morgan", True)
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    staff = user.staff_member
    assert staff.profession == Profession.DISTRICT_NURSE
    assert staff.organisation_id == "org-trust"
    assert sorted(staff.teams.values_list("id", flat=True)) == ["t-north", "t-ucr"]
    assert account_events() == [
        (
            "admin",
            "create",
            "account rhys.morgan: added with profession District nurse; organisation "
            "Casterbridge Community Health NHS Trust; teams Northgate INT, Urgent Community "
            "Response",
            None,
        )
    ]
    page = main_of(admin.get(response["Location"]))
    assert "Account added: rhys.morgan. They can log in now." in page
    assert "Rhys Morgan" in page and "District nurse" in page

    client, login = log_in("rhys.morgan", PASSWORD)
    assert login.status_code == 302 and login["Location"] == "/workspace/"
    assert client.get("/workspace/")["Location"] == "/referrals/urgent/"  # the UCR's board


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": ""}, "username", "Enter a username"),
        ({"username": "nurse"}, "username", "An account with this username already exists"),
        ({"username": "NURSE"}, "username", "An account with this username already exists"),
        ({"username": "rhys morgan"}, "username", "The username must contain only letters"),
        ({"username": "r" * 151}, "username", "The username must be 150 characters or fewer"),
        ({"first_name": " "}, "first_name", "Enter the first name"),
        ({"last_name": "x" * 151}, "last_name", "The last name must be 150 characters or fewer"),
        ({"profession": "wizard"}, "profession", "Choose a profession"),
        ({"organisation": ""}, "organisation", "Choose an organisation"),
        ({"organisation": "org-nowhere"}, "organisation", "Choose an organisation"),
        ({"teams": ["t-north", "t-nowhere"]}, "teams", "Choose teams from the list"),
        ({"password": ""}, "password", "Enter a password"),
        ({"password": "short", "password_again": "short"}, "password",
         "This password is too short. It must contain at least 12 characters."),
        ({"password": "rhys.morgan1", "password_again": "rhys.morgan1"}, "password",
         "The password is too similar to the username."),
        ({"password": "123456789012", "password_again": "123456789012"}, "password",
         "This password is entirely numeric."),
        ({"password_again": ""}, "password_again", "Type the password again"),
        ({"password_again": PASSWORD + "x"}, "password_again", "The passwords do not match"),
    ],
)  # fmt: skip
def test_a_bad_new_account_names_its_field_and_adds_nothing(
    world: Workspace, changes: dict[str, Any], field: str, message: str
) -> None:
    before = User.objects.count()
    response = world.client("admin").post("/accounts/add/", new_account(**changes))
    assert response.status_code == 400
    page = text_of(response)
    assert message in summary_of(response) and f'href="#{field}"' in summary_of(response)
    assert f'id="{field}"' in page and f'id="{field}-error"' in page
    assert "<title>Error: Add a member of staff" in page
    assert User.objects.count() == before and account_events() == []
    assert PASSWORD not in page  # a password is never drawn back
    if field != "username" and changes.get("username") is None:
        assert 'value="rhys.morgan"' in page  # what was typed stays


def test_every_problem_of_a_new_account_is_named_at_once(world: Workspace) -> None:
    bad = new_account(username="", first_name="", profession="", teams=["t-x"], password="a")
    response = world.client("admin").post("/accounts/add/", bad)
    assert response.status_code == 400
    links = re.findall(r'href="#([a-z_]+)"', summary_of(response))
    assert links == ["username", "first_name", "profession", "teams", "password", "password",
                     "password_again"]  # fmt: skip


# --- changing ---------------------------------------------------------------------------


def test_an_administrator_changes_a_members_details_and_teams(world: Workspace) -> None:
    admin = world.client("admin")
    url = account_url(world, "nurse")
    page = admin.get(url)
    assert page.status_code == 200
    base = hidden_base(text_of(page))
    change = details_post(
        world,
        "nurse",
        base,
        last_name="Hart-Jones",
        profession=Profession.TEAM_MANAGER.value,
        teams=["t-north", "t-south"],
    )
    response = admin.post(url, change)
    assert response.status_code == 302 and response["Location"] == url
    staff = StaffMember.objects.select_related("user").get(user__username="nurse")
    assert staff.user.get_full_name() == "Nia Hart-Jones"
    assert staff.profession == Profession.TEAM_MANAGER
    assert sorted(staff.teams.values_list("id", flat=True)) == ["t-north", "t-south"]
    assert account_events() == [
        (
            "admin",
            "update",
            "account nurse: changed name; profession Team manager; teams Northgate INT, "
            "Southmead INT",
            None,
        )
    ]
    shown = main_of(admin.get(url))
    assert "Account saved: name, profession, teams changed." in shown
    assert hidden_base(shown) != base

    # Taking every team away, and moving organisation
    again = details_post(world, "nurse", hidden_base(shown), organisation="org-council", teams=[])
    assert admin.post(url, again).status_code == 302
    assert not staff.teams.exists()
    assert account_events()[-1][2] == (
        "account nurse: changed organisation Casterbridge City Council; teams none"
    )

    # The same values again change nothing and write nothing.
    same = details_post(world, "nurse", hidden_base(text_of(admin.get(url))))
    assert admin.post(url, same).status_code == 302
    assert "Nothing in the account was different" in main_of(admin.get(url))
    assert len(account_events()) == 2


def test_a_bad_change_names_its_field_and_changes_nothing(world: Workspace) -> None:
    admin = world.client("admin")
    url = account_url(world, "nurse")
    base = hidden_base(text_of(admin.get(url)))
    bad = details_post(world, "nurse", base, first_name="", teams=["t-north", "t-gone"])
    response = admin.post(url, bad)
    assert response.status_code == 400
    summary = summary_of(response)
    assert "Enter the first name" in summary and "Choose teams from the list" in summary
    assert hidden_base(text_of(response)) == base
    assert User.objects.get(username="nurse").first_name == "Nia" and account_events() == []


def test_an_administrator_cannot_change_their_own_profession(world: Workspace) -> None:
    admin = world.client("admin")
    url = account_url(world, "admin")
    base = hidden_base(text_of(admin.get(url)))
    own = details_post(world, "admin", base, profession=Profession.ANALYST.value)
    response = admin.post(url, own)
    assert response.status_code == 400
    assert "You cannot change your own profession" in summary_of(response)
    assert world.staff["admin"].profession == Profession.SYSTEM_ADMINISTRATOR
    renamed = details_post(world, "admin", base, first_name="Ashanti")
    assert admin.post(url, renamed).status_code == 302  # their own name they may


@pytest.mark.both_databases
def test_a_save_from_a_stale_form_is_refused_naming_who_changed_the_account(
    world: Workspace,
) -> None:
    first, second = world.client("admin"), world.client("admin2")
    url = account_url(world, "social_worker")
    base = hidden_base(text_of(first.get(url)))
    assert hidden_base(text_of(second.get(url))) == base
    # Asha moves Sol to Southmead ...
    moved = details_post(world, "social_worker", base, teams=["t-south"])
    assert first.post(url, moved).status_code == 302
    # ... while Tom, from the same form, makes him a team manager in Northgate.
    late = details_post(
        world, "social_worker", base, teams=["t-north"], profession=Profession.TEAM_MANAGER.value
    )
    refused = second.post(url, late)
    assert refused.status_code == 409
    page = main_of(refused)
    assert "Someone else changed this account first" in page
    notice = " ".join(page[page.index('id="conflict-notice"') :].split())
    assert "by Asha Patel (System administrator, NHS Casterbridge Integrated Care Board) at" in (
        notice
    )
    teams_row = page[page.index('id="compared-teams"') :]
    teams_row = teams_row[: teams_row.index("</tr>")]
    assert teams_row.index("Southmead INT") < teams_row.index("Northgate INT")  # theirs, yours
    assert "Different" in teams_row
    form = page[page.index('id="yours"') :]
    assert 'value="team_manager" selected' in form  # what Tom typed stays
    newer = hidden_base(form)
    assert newer != base
    staff = StaffMember.objects.get(user__username="social_worker")
    assert staff.profession == Profession.SOCIAL_WORKER
    assert list(staff.teams.values_list("id", flat=True)) == ["t-south"]
    assert [e[0] for e in account_events()] == ["admin"]

    # Saving the form the conflict page gives (based on Asha's change) goes through.
    assert second.post(url, {**late, "base": newer}).status_code == 302
    staff.refresh_from_db()
    assert staff.profession == Profession.TEAM_MANAGER
    assert [e[0] for e in account_events()] == ["admin", "admin2"]
    # A form with no base at all is stale too, whatever it says.
    assert second.post(url, {**late, "base": "", "first_name": "Solomon"}).status_code == 409


@pytest.mark.django_db(transaction=True)
@pytest.mark.both_databases
def test_two_saves_racing_from_one_form_let_exactly_one_in(committed_audit: None) -> None:
    world = build_workspace()
    add_administrator(world, "admin", "Asha", "Patel")
    add_administrator(world, "admin2", "Tom", "Reed")
    url = account_url(world, "nurse")
    clients = {key: world.client(key) for key in ("admin", "admin2")}
    base = hidden_base(text_of(clients["admin"].get(url)))
    forms = {
        "admin": details_post(world, "nurse", base, last_name="Asha's"),
        "admin2": details_post(world, "nurse", base, last_name="Tom's"),
    }

    def save(key: str) -> int:
        return int(clients[key].post(url, forms[key]).status_code)

    statuses = dict(zip(clients, at_once(save, list(clients)), strict=True))
    assert sorted(statuses.values()) == [302, 409]
    winner = next(key for key, status in statuses.items() if status == 302)
    assert User.objects.get(username="nurse").last_name == forms[winner]["last_name"]
    assert [e[0] for e in account_events()] == [winner]


@pytest.mark.django_db(transaction=True)
@pytest.mark.both_databases
def test_one_username_added_twice_at_once_makes_one_account(committed_audit: None) -> None:
    world = build_workspace()
    add_administrator(world, "admin", "Asha", "Patel")
    add_administrator(world, "admin2", "Tom", "Reed")
    clients = {key: world.client(key) for key in ("admin", "admin2")}

    def add(key: str) -> int:
        return int(clients[key].post("/accounts/add/", new_account(first_name=key)).status_code)

    assert sorted(at_once(add, list(clients))) == [302, 400]
    assert User.objects.filter(username="rhys.morgan").count() == 1
    assert len(account_events()) == 1


# --- deactivating, reactivating ---------------------------------------------------------


def test_a_deactivated_leaver_cannot_log_in_and_their_sessions_end(world: Workspace) -> None:
    admin = world.client("admin")
    nurse_user = world.user("nurse")
    at_desk, on_phone = world.client("nurse"), world.client("nurse")
    assert at_desk.get("/tasks/").status_code == 200
    assert sessions_of(nurse_user) == 2
    admin_sessions = sessions_of(world.user("admin"))

    response = admin.post(account_url(world, "nurse", "deactivate/"))
    assert response.status_code == 302 and response["Location"] == account_url(world, "nurse")
    nurse_user.refresh_from_db()
    assert not nurse_user.is_active
    assert sessions_of(nurse_user) == 0
    assert sessions_of(world.user("admin")) == admin_sessions
    for client in (at_desk, on_phone):
        ended = client.get("/tasks/")
        assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    _, refused = log_in("nurse", PASSWORD)
    assert refused.status_code == 200 and WRONG_LOGIN in text_of(refused)
    assert account_events() == [
        ("admin", "deactivate", "account nurse: deactivated, 2 sessions ended", None)
    ]
    page = main_of(admin.get(account_url(world, "nurse")))
    assert "nurse is deactivated: they can no longer log in (2 sessions ended)." in page
    assert "Reactivate the account" in page and "Deactivate the account" not in page
    assert "Deactivated" in main_of(admin.get("/accounts/", {"q": "nurse"}))

    # Again: nothing more happens.
    admin.post(account_url(world, "nurse", "deactivate/"))
    assert "nurse was already deactivated" in main_of(admin.get(account_url(world, "nurse")))
    assert len(account_events()) == 1

    # Reactivated, they log in with the password they had.
    assert admin.post(account_url(world, "nurse", "reactivate/")).status_code == 302
    assert "nurse is reactivated: they can log in again." in main_of(
        admin.get(account_url(world, "nurse"))
    )
    _, back = log_in("nurse", PASSWORD)
    assert back.status_code == 302 and back["Location"] == "/workspace/"
    assert account_events()[-1] == ("admin", "reactivate", "account nurse: reactivated", None)


def test_an_administrator_cannot_deactivate_themself(world: Workspace) -> None:
    admin = world.client("admin")
    page = main_of(admin.get(account_url(world, "admin")))
    assert "You cannot deactivate it" in page and "Deactivate the account" not in page
    assert admin.post(account_url(world, "admin", "deactivate/")).status_code == 403
    assert User.objects.get(username="admin").is_active and account_events() == []
    assert admin.get("/accounts/").status_code == 200  # still logged in
    # Another administrator may.
    assert (
        world.client("admin2").post(account_url(world, "admin", "deactivate/")).status_code == 302
    )
    assert not User.objects.get(username="admin").is_active


# --- passwords --------------------------------------------------------------------------


def test_a_new_password_is_validated_set_and_ends_the_sessions(world: Workspace) -> None:
    admin = world.client("admin")
    url = account_url(world, "social_worker", "password/")
    world.client("social_worker")  # a session open somewhere
    form = admin.get(url)
    assert form.status_code == 200 and "Set a new password" in main_of(form)

    for post, field, message in [
        ({"password": "", "password_again": ""}, "password", "Enter a password"),
        ({"password": "short", "password_again": "short"}, "password",
         "This password is too short"),
        ({"password": "password1234", "password_again": "password1234"}, "password",
         "This password is too common."),
        ({"password": "social_worker", "password_again": "social_worker"}, "password",
         "The password is too similar to the username."),
        ({"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "!"}, "password_again",
         "The passwords do not match"),
    ]:  # fmt: skip
        refused = admin.post(url, post)
        assert refused.status_code == 400
        assert message in summary_of(refused) and f'href="#{field}"' in summary_of(refused)
        assert "<title>Error: Set a new password" in text_of(refused)
    assert User.objects.get(username="social_worker").check_password(PASSWORD)
    assert account_events() == []

    done = admin.post(url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == account_url(world, "social_worker")
    assert sessions_of(world.user("social_worker")) == 0
    assert log_in("social_worker", PASSWORD)[1].status_code == 200  # the old one is refused
    assert log_in("social_worker", NEW_PASSWORD)[1].status_code == 302
    assert account_events() == [
        ("admin", "password_reset", "account social_worker: new password set, 1 session ended",
         None)
    ]  # fmt: skip
    assert "New password set for social_worker (1 session ended)" in main_of(
        admin.get(account_url(world, "social_worker"))
    )
    assert not AuditEvent.objects.filter(what__contains=NEW_PASSWORD).exists()


def test_an_administrator_setting_their_own_password_keeps_this_session(world: Workspace) -> None:
    here, elsewhere = world.client("admin"), world.client("admin")
    post = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert here.post(account_url(world, "admin", "password/"), post).status_code == 302
    assert here.get("/accounts/").status_code == 200
    assert elsewhere.get("/accounts/").status_code == 302  # to the login page
    assert sessions_of(world.user("admin")) == 1
    assert account_events()[-1][2] == "account admin: new password set, 1 session ended"


# --- who may ----------------------------------------------------------------------------


def test_only_system_administrators_may_open_or_change_accounts(world: Workspace) -> None:
    target = account_url(world, "nurse")
    pages = ["/accounts/", "/accounts/add/", target, target + "password/"]
    posts = {
        "/accounts/add/": new_account(),
        target: details_post(world, "nurse", ""),
        target + "password/": {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        target + "deactivate/": {},
        target + "reactivate/": {},
    }
    organisation = world.organisations["trust"]
    for profession in Profession:
        if profession == Profession.SYSTEM_ADMINISTRATOR:
            continue
        user = User.objects.create(username=f"x-{profession.value}")
        StaffMember.objects.create(user=user, profession=profession, organisation=organisation)
        client = Client()
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403, (profession, url)
        for url, post in posts.items():
            assert client.post(url, post).status_code == 403, (profession, url)
        menu = text_of(client.get("/"))
        assert "Staff accounts" not in menu and 'href="/accounts/"' not in menu
    # Nor an account without a staff record, a superuser included; nor anyone logged out.
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    bare = Client()
    bare.force_login(root)
    assert bare.get("/accounts/").status_code == 403
    assert bare.post(target + "deactivate/").status_code == 403
    anonymous = Client().get("/accounts/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    nurse = User.objects.get(username="nurse")
    assert nurse.is_active and nurse.check_password(PASSWORD)
    assert nurse.staff_member.profession == Profession.DISTRICT_NURSE
    assert not User.objects.filter(username="rhys.morgan").exists() and account_events() == []


def test_every_change_needs_its_csrf_token_and_a_post(world: Workspace) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("admin"))
    target = account_url(world, "nurse")
    for url in ("/accounts/add/", target, target + "password/", target + "deactivate/"):
        assert client.post(url, {}).status_code == 403, url
    assert client.get(target + "deactivate/").status_code == 405
    assert client.get(target + "reactivate/").status_code == 405
    assert User.objects.get(username="nurse").is_active and account_events() == []
    assert client.get("/accounts/999999/").status_code == 404


def test_the_system_administrator_lands_on_the_staff_list(world: Workspace) -> None:
    client, login = log_in("admin", PASSWORD)
    assert login["Location"] == "/workspace/"
    assert client.get("/workspace/")["Location"] == "/accounts/"
    page = text_of(client.get("/accounts/"))
    menu = page.split('class="nhsuk-header__navigation-list"', 1)[1].split("</ul>", 1)[0]
    assert "Overview" in menu and "Staff accounts" in menu
    assert "Find a person" not in menu


# --- no person --------------------------------------------------------------------------


def test_no_page_of_the_app_shows_anything_about_a_person(world: Workspace) -> None:
    person = add_person(world, "zelda", 70_000, given_name="Zelda", family_name="Marchbanks")
    admin, admin2 = world.client("admin"), world.client("admin2")
    url = account_url(world, "nurse")
    base = hidden_base(text_of(admin.get(url)))
    assert (
        admin2.post(url, details_post(world, "nurse", base, first_name="Nina")).status_code == 302
    )
    pages = [
        admin.get("/accounts/"),
        admin.get("/accounts/", {"q": "zelda"}),
        admin.get("/accounts/", {"q": "a"}),
        admin.get("/accounts/add/"),
        admin.post("/accounts/add/", new_account(password="x")),
        admin.get(url),
        admin.post(url, details_post(world, "nurse", base, last_name="Hartley")),  # the 409
        admin.post(url, details_post(world, "nurse", base, first_name="")),
        admin.get(url + "password/"),
        admin.post(url + "password/", {"password": "x"}),
    ]
    admin.post(url + "deactivate/")
    pages.append(admin.get(url))
    assert [p.status_code for p in pages] == [200, 200, 200, 200, 400, 200, 409, 400, 200, 400, 200]
    for page in pages:
        body = text_of(page)
        for person_fact in ("Marchbanks", "Quillfeather", "Penhallow", "Trewin", "Oakes",
                            person.nhs_number, person.pk, "p-ada"):  # fmt: skip
            assert person_fact not in body, (page.request["PATH_INFO"], person_fact)
    assert not AuditEvent.objects.filter(person_id__isnull=False).exists()
    assert all(event[3] is None for event in account_events())
