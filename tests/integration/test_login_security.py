"""Logins: throttled by username and by address, audited, ended when idle or old; the admin
is for system administrators only and registers no person data."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from joinedup.access.audit import GENESIS_HASH, verify_chain
from joinedup.access.middleware import LAST_SEEN, LOGGED_IN_AT
from joinedup.access.models import (
    AuditAction,
    AuditEvent,
    LoginFailure,
    Profession,
    StaffMember,
)
from joinedup.access.throttle import record_failure
from joinedup.record.models import Neighbourhood, Organisation, Person, Team

# Throttling and sessions through the ORM; what the audit must hold runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

PASSWORD = "correct horse battery staple"
HOME = "192.0.2.10"  # documentation addresses (RFC 5737), never a real client
AWAY = "198.51.100.20"
THROTTLED = "There have been too many attempts to log in"
WRONG = "Enter a correct username and password"


@pytest.fixture
def organisation() -> Organisation:
    return Organisation.objects.create(
        id="org-trust", name="Northgate Community Trust", kind=Organisation.Kind.NHS_TRUST
    )


def make_staff(
    organisation: Organisation, username: str, profession: str, **user_fields: Any
) -> Any:
    user = get_user_model().objects.create_user(username, password=PASSWORD, **user_fields)
    StaffMember.objects.create(user=user, profession=profession, organisation=organisation)
    return user


@pytest.fixture
def nurse(organisation: Organisation) -> Any:
    return make_staff(organisation, "nurse.jones", Profession.DISTRICT_NURSE)


@pytest.fixture
def administrator(organisation: Organisation) -> Any:
    return make_staff(organisation, "admin.patel", Profession.SYSTEM_ADMINISTRATOR, is_staff=True)


def browser(address: str = HOME, **headers: str) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def log_in(client: Client, username: str, password: str, next_url: str = "") -> Any:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


# Throttling


def test_five_failures_refuse_the_username_even_with_the_right_password(nurse: Any) -> None:
    client = browser()
    for attempt in range(1, 5):
        response = log_in(client, "nurse.jones", f"guess {attempt}")
        assert response.status_code == 200
        assert WRONG in response.text and THROTTLED not in response.text
    fifth = log_in(client, "nurse.jones", "guess 5")
    assert THROTTLED in fifth.text  # told at once, so they stop guessing
    assert LoginFailure.objects.filter(username="nurse.jones").count() == 5

    refused = log_in(client, "nurse.jones", PASSWORD)
    assert refused.status_code == 200
    assert THROTTLED in refused.text and "Wait 15 minutes" in refused.text
    assert not logged_in(client)
    # Refused attempts are audited but not counted: the window does not slide forward.
    assert LoginFailure.objects.filter(username="nurse.jones").count() == 5
    # Another username from the same address is not affected by one account's limit.
    other = make_staff(nurse.staff_member.organisation, "sw.khan", Profession.SOCIAL_WORKER)
    assert log_in(client, other.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_refusal_does_not_reveal_whether_a_username_exists(nurse: Any) -> None:
    def refusal(username: str) -> str:
        client = browser()
        for attempt in range(5):
            log_in(client, username, f"guess {attempt}")
        text = log_in(client, username, PASSWORD).text
        main = text[text.index("<main") : text.index("</main>")].replace(username, "NAME")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)

    known, unknown = refusal("nurse.jones"), refusal("nobody.here")
    assert THROTTLED in known
    assert known == unknown


def test_twenty_failures_from_one_address_refuse_every_username(nurse: Any) -> None:
    client = browser(HOME)
    for attempt in range(20):
        log_in(client, f"user{attempt}", "guess")
    assert LoginFailure.objects.filter(address=HOME).count() == 20

    refused = log_in(client, "nurse.jones", PASSWORD)
    assert THROTTLED in refused.text
    assert not logged_in(client)
    # The same login from another address is fine: only the address was throttled.
    elsewhere = browser(AWAY)
    assert log_in(elsewhere, "nurse.jones", PASSWORD).status_code == 302
    assert logged_in(elsewhere)


def test_the_limits_are_settings(nurse: Any, settings: Any) -> None:
    settings.LOGIN_THROTTLE_PER_USERNAME = 2
    client = browser()
    log_in(client, "nurse.jones", "guess 1")
    assert THROTTLED in log_in(client, "nurse.jones", "guess 2").text
    assert THROTTLED in log_in(client, "nurse.jones", PASSWORD).text


def failures_at(minutes_ago: float, count: int, username: str = "nurse.jones") -> None:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    LoginFailure.objects.bulk_create(
        LoginFailure(username=username, address=AWAY, at=at) for _ in range(count)
    )


def test_failures_within_the_window_throttle(nurse: Any) -> None:
    failures_at(14, 5)
    client = browser()
    assert THROTTLED in log_in(client, "nurse.jones", PASSWORD).text
    assert not logged_in(client)


def test_failures_older_than_the_window_no_longer_count_and_are_pruned(nurse: Any) -> None:
    failures_at(16, 5)
    failures_at(16, 25, username="someone.else")
    client = browser()
    response = log_in(client, "nurse.jones", "guess")  # one fresh failure: prunes the old
    assert WRONG in response.text and THROTTLED not in response.text
    assert list(LoginFailure.objects.values_list("username", "address")) == [("nurse.jones", HOME)]
    assert log_in(client, "nurse.jones", PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_successful_login_clears_that_usernames_failures_only(nurse: Any) -> None:
    client = browser()
    for attempt in range(4):
        log_in(client, "nurse.jones", f"guess {attempt}")
    log_in(client, "someone.else", "guess")
    assert log_in(client, "nurse.jones", PASSWORD).status_code == 302
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone.else"]
    # The count starts again: four more failures do not throttle.
    client = browser()
    for attempt in range(4):
        assert THROTTLED not in log_in(client, "nurse.jones", f"again {attempt}").text


def test_forwarded_for_is_ignored_unless_behind_a_proxy(nurse: Any, settings: Any) -> None:
    spoofed = browser(HOME, HTTP_X_FORWARDED_FOR="203.0.113.99")
    log_in(spoofed, "nurse.jones", "guess")
    assert LoginFailure.objects.get().address == HOME

    settings.BEHIND_PROXY = True
    LoginFailure.objects.all().delete()
    proxied = browser(HOME, HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7")
    log_in(proxied, "nurse.jones", "guess")
    # The proxy's own entry (the last), not the one the client wrote.
    assert LoginFailure.objects.get().address == "198.51.100.7"


# Audit


@pytest.mark.both_databases
def test_login_failure_and_logout_are_audited(nurse: Any) -> None:
    client = browser()
    log_in(client, "nurse.jonse", "guess")
    assert log_in(client, "nurse.jones", PASSWORD).status_code == 302
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not logged_in(client)

    (failed,) = events(AuditAction.LOGIN_FAILED)
    assert (failed.username, failed.user_id, failed.person_id) == ("nurse.jonse", None, None)
    assert failed.what == f"wrong username or password from {HOME}"
    (login,) = events(AuditAction.LOGIN)
    assert (login.username, login.user_id) == ("nurse.jones", nurse.pk)
    assert (login.profession, login.organisation) == (
        Profession.DISTRICT_NURSE,
        "Northgate Community Trust",
    )
    assert login.what == f"logged in from {HOME}"
    (logout,) = events(AuditAction.LOGOUT)
    assert (logout.username, logout.user_id) == ("nurse.jones", nurse.pk)
    assert [e.action for e in AuditEvent.objects.order_by("sequence")] == [
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN,
        AuditAction.LOGOUT,
    ]
    assert verify_chain().ok
    # The login page says they have logged out.
    assert "You have logged out." in client.get("/login/").text


def test_refused_attempts_are_audited(nurse: Any) -> None:
    failures_at(1, 5)
    log_in(browser(), "nurse.jones", PASSWORD)
    (refused,) = events(AuditAction.LOGIN_FAILED)
    assert refused.username == "nurse.jones"
    assert refused.what == f"refused, too many failed logins from {HOME}"
    assert not events(AuditAction.LOGIN)


@pytest.mark.both_databases
def test_a_failure_is_not_counted_unless_it_is_audited() -> None:
    """The failure and its audit event are one transaction: an audit write that fails
    leaves no LoginFailure either."""
    # An event already holding the next sequence number makes the audit insert fail.
    AuditEvent(
        sequence=1,
        occurred_at=timezone.now(),
        action=AuditAction.LOGIN,
        prev_hash=GENESIS_HASH,
        hash="f" * 64,
    ).save()
    with pytest.raises(IntegrityError):
        record_failure("nurse.jones", HOME)
    assert not LoginFailure.objects.exists()
    assert AuditEvent.objects.count() == 1


# Session timeout


def logged_in_client(nurse: Any) -> Client:
    client = browser()
    assert log_in(client, "nurse.jones", PASSWORD).status_code == 302
    return client


def set_stamps(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = int(now - ago)
    session.save()


def test_an_idle_session_is_logged_out_with_a_message(nurse: Any) -> None:
    client = logged_in_client(nurse)
    assert client.get("/").status_code == 200
    set_stamps(client, **{LAST_SEEN: 31 * 60})

    response = client.get("/?tab=x")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/%3Ftab%3Dx"
    assert not logged_in(client)
    page = client.get(response["Location"])
    assert "You were logged out because joinedup was not used for 30 minutes." in page.text
    (logout,) = events(AuditAction.LOGOUT)
    assert logout.username == "nurse.jones"
    assert logout.what == "logged out after 30 minutes without use"
    # And the next page needs a login again.
    assert client.get("/")["Location"] == "/login/?next=/"


def test_a_session_used_within_the_idle_time_stays(nurse: Any) -> None:
    client = logged_in_client(nurse)
    set_stamps(client, **{LAST_SEEN: 29 * 60})
    assert client.get("/").status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 5  # refreshed
    assert logged_in(client)


def test_the_idle_time_is_a_setting(nurse: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 5
    client = logged_in_client(nurse)
    set_stamps(client, **{LAST_SEEN: 6 * 60})
    assert client.get("/").status_code == 302
    assert not logged_in(client)


def test_the_session_is_not_saved_on_every_request(nurse: Any) -> None:
    client = logged_in_client(nurse)
    set_stamps(client, **{LAST_SEEN: 30})
    key = client.cookies["sessionid"].value
    stored = Session.objects.get(pk=key)
    assert client.get("/").status_code == 200
    after = Session.objects.get(pk=key)
    assert (after.session_data, after.expire_date) == (stored.session_data, stored.expire_date)

    set_stamps(client, **{LAST_SEEN: 90})  # over a minute: refreshed and saved
    assert client.get("/").status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 5


def test_a_session_ends_eight_hours_after_login_however_busy(nurse: Any) -> None:
    client = logged_in_client(nurse)
    set_stamps(client, **{LOGGED_IN_AT: 8 * 3600 + 60, LAST_SEEN: 10})
    response = client.get("/")
    assert response["Location"] == "/login/?next=/"
    assert not logged_in(client)
    assert "you logged in more than 8 hours ago" in client.get(response["Location"]).text
    assert events(AuditAction.LOGOUT)[0].what == "logged out 8 hours after logging in"


# Account administration


def person_fields(model: type) -> list[str]:
    """The model's own fields (not relations pointing at it) that name or link a person."""
    return [
        field.name
        for field in model._meta.get_fields()
        if not (field.is_relation and field.auto_created)
        and (
            field.name in {"person", "person_id"} or getattr(field, "related_model", None) is Person
        )
    ]


def test_the_admin_registers_no_person_data() -> None:
    registered = list(admin.site._registry)
    assert get_user_model() in registered and StaffMember in registered
    # Each registered model and each model shown inline on its pages.
    shown = registered + [
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    ]
    for model in shown:
        assert model is not Person
        assert model._meta.app_label != "people", model
        assert not model.__module__.startswith("joinedup.people"), model
        assert person_fields(model) == [], model


def test_the_registry_check_would_catch_a_person_model() -> None:
    from joinedup.access.models import BreakGlass
    from joinedup.record.models import Referral

    assert person_fields(Referral) == ["person"]
    assert person_fields(BreakGlass) == ["person_id"]


def test_staff_who_are_not_system_administrators_get_no_admin(
    nurse: Any, organisation: Organisation
) -> None:
    nurse.is_staff = True  # even with Django's staff flag
    nurse.save()
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)
    for username in ("nurse.jones", "root"):
        client = browser()
        assert log_in(client, username, PASSWORD).status_code == 302
        for url in ("/admin/", "/admin/auth/user/", "/admin/access/staffmember/"):
            response = client.get(url, follow=True)
            assert response.status_code == 403, (username, url)
            assert "Log in" not in response.text  # refused, not sent round a login loop
    assert superuser.is_superuser


def test_system_administrators_without_the_staff_flag_get_no_admin(
    administrator: Any,
) -> None:
    administrator.is_staff = False
    administrator.save()
    client = browser()
    log_in(client, "admin.patel", PASSWORD)
    assert client.get("/admin/", follow=True).status_code == 403


def test_the_admin_sends_anyone_not_logged_in_to_the_throttled_login() -> None:
    response = browser().get("/admin/auth/user/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/?next=%2Fadmin%2Fauth%2Fuser%2F"
    assert response.status_code == 200
    assert "<h1>Log in</h1>" in response.text


def test_a_system_administrator_manages_accounts_and_staff_records(
    administrator: Any, organisation: Organisation
) -> None:
    north = Neighbourhood.objects.create(id="n-north", name="Northgate")
    team = Team.objects.create(id="t-north", name="Northgate INT", neighbourhood=north)
    client = browser()
    assert log_in(client, "admin.patel", PASSWORD, next_url="/admin/").status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get(f"/admin/auth/user/{administrator.pk}/change/").status_code == 200

    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "ot.williams",
            "usable_password": "true",
            "password1": "a long new password 42",
            "password2": "a long new password 42",
            "staff_member-TOTAL_FORMS": "1",
            "staff_member-INITIAL_FORMS": "0",
            "staff_member-MIN_NUM_FORMS": "0",
            "staff_member-MAX_NUM_FORMS": "1",
            "staff_member-0-profession": Profession.OCCUPATIONAL_THERAPIST,
            "staff_member-0-organisation": organisation.pk,
            "staff_member-0-teams": [team.pk],
            "staff_member-0-phone": "0113 496 0000",
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    staff = StaffMember.objects.get(user__username="ot.williams")
    assert staff.profession == Profession.OCCUPATIONAL_THERAPIST
    assert list(staff.teams.all()) == [team]
    assert staff.phone == "0113 496 0000"


def test_logging_out_of_the_admin_is_audited(administrator: Any) -> None:
    client = browser()
    log_in(client, "admin.patel", PASSWORD)
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not logged_in(client)
    assert [e.username for e in events(AuditAction.LOGOUT)] == ["admin.patel"]
