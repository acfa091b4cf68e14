"""The error pages through Django's test client: 404, 403 and 405 in the usual layout, 500 on
a plain page that needs neither the database nor the static files, and every one of them
still drawn when the static files are missing or the database fails."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.test.utils import override_settings

from joinedup.access.middleware import CONTENT_SECURITY_POLICY
from joinedup.access.models import Profession, StaffMember
from joinedup.record.models import Organisation
from joinedup.web import error_pages

# Pages through the ORM (the staff member's login); nothing here depends on the database.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

STYLE_SHEET = "nhsuk/nhsuk-frontend"  # in the usual layout's head, never on the plain page


def h1(response: Any) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert found is not None, response.content[:300]
    return found.group(1).strip()


def usual_layout(response: Any) -> bool:
    return STYLE_SHEET in response.content.decode()


def client_for(profession: str) -> Client:
    """A logged-in member of staff, whose pages have the header menu (database queries)."""
    organisation = Organisation.objects.create(
        id="org-trust", name="Casterbridge Community Health NHS Trust", kind="nhs_trust"
    )
    user = get_user_model().objects.create_user(
        "nia.hart", password=None, first_name="Nia", last_name="Hart"
    )
    StaffMember.objects.create(user=user, profession=profession, organisation=organisation)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def nurse() -> Client:
    return client_for(Profession.DISTRICT_NURSE)


@pytest.fixture
def no_static_files(tmp_path: Path) -> Iterator[None]:
    """A manifest storage with no manifest: every static() raises, as when collectstatic was
    never run or its output was lost."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        yield


def assert_plain(response: Any, status: int, title: str) -> None:
    """The plain page: accessible (language, title, main landmark, one h1), nothing loaded
    from anywhere, its one inline style allowed by its hash and nothing else relaxed."""
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="en-GB">' in html
    assert f"<title>{title} – joinedup</title>" in html
    assert '<main id="maincontent">' in html and h1(response) == title
    assert "/static/" not in html and "<script" not in html and "<link" not in html
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert response["Content-Security-Policy"] == (
        f"{CONTENT_SECURITY_POLICY}; style-src 'self' 'sha256-{digest}'"
    )


# --- in the usual layout ------------------------------------------------------------------


def test_a_missing_page_is_drawn_in_the_usual_layout(nurse: Client) -> None:
    for client in (Client(), nurse):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert usual_layout(response) and h1(response) == "Page not found"
        assert '<a href="/">Go to the partnership overview</a>' in response.content.decode()
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "Nia Hart" in response.content.decode()  # the header knows who is logged in


def test_a_refusal_is_drawn_in_the_usual_layout(nurse: Client) -> None:
    response = nurse.get("/break-glass/")  # team managers only
    assert response.status_code == 403
    assert usual_layout(response) and h1(response) == "You cannot see this page"


def test_a_form_sent_without_its_csrf_token_says_what_to_do() -> None:
    """A form whose session ended, or opened in another window, fails the CSRF check: the
    usual layout with words that say what happened and what to do, not Django's bare page."""
    client_for(Profession.DISTRICT_NURSE)  # Nia Hart, a member of staff
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(get_user_model().objects.get(username="nia.hart"))
    for client in (checked, Client(enforce_csrf_checks=True)):
        response = client.post("/logout/", {"csrfmiddlewaretoken": "stale"})
        assert response.status_code == 403
        html = response.content.decode()
        assert usual_layout(response) and h1(response) == "This form could not be sent"
        assert (
            "Your session on this form expired or the form was opened in another window; "
            "go back, reload and try again."
        ) in html
        assert "Nothing has been changed." in html
        assert "CSRF" not in html and "Forbidden" not in html
    assert "Nia Hart" in checked.post("/logout/").content.decode()  # nothing changed: logged in


def test_opening_a_form_only_address_says_so_and_links_back(nurse: Client) -> None:
    """require_POST answers a GET with an empty 405, a blank page: the page says why."""
    back = "http://testserver/break-glass/"
    response = nurse.get("/break-glass/1/reviewed/", HTTP_REFERER=back)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert usual_layout(response) and h1(response) == "This page cannot be opened that way"
    html = response.content.decode()
    assert "It cannot be opened from a link, a bookmark or by typing it in." in html
    assert f'<a href="{back}">Go back to the page you were on</a>' in html
    # Without a page of ours to go back to (none, or another site's): the start page.
    for referer in ({}, {"HTTP_REFERER": "https://elsewhere.example/x"}):
        html = nurse.get("/break-glass/1/reviewed/", **referer).content.decode()
        assert '<a href="/workspace/">Go to your start page</a>' in html
        assert "elsewhere" not in html
    # A class-based view's refusal (the logout view takes POST only), logged out too.
    logout = Client().get("/logout/")
    assert logout.status_code == 405 and "POST" in logout["Allow"]
    assert h1(logout) == "This page cannot be opened that way"


def test_an_apis_own_refusal_is_left_as_it_is() -> None:
    response = Client().get("/api/referrals/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "method" in response.json()["errors"][0].values()


# --- the plain page -----------------------------------------------------------------------


def test_a_server_error_is_the_plain_page(nurse: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("the overview failed")

    monkeypatch.setattr("joinedup.web.views.partnership_overview", broken)
    response = nurse.get("/")
    assert_plain(response, 500, "Sorry, there is a problem with the service")
    assert '<a href="/workspace/">Go to your start page</a>' in response.content.decode()
    assert "the overview failed" not in response.content.decode()


def test_the_server_error_page_asks_nothing_of_the_database(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(0):
        response = error_pages.server_error(RequestFactory().get("/"))
    assert_plain(response, 500, "Sorry, there is a problem with the service")


def test_every_error_page_is_drawn_without_the_static_files(
    nurse: Client, no_static_files: None
) -> None:
    with pytest.raises(ValueError, match="manifest"):  # what the usual layout's head asks
        static("web/joinedup.css")
    assert_plain(nurse.get("/no-such-page/"), 404, "Page not found")
    assert_plain(nurse.get("/break-glass/"), 403, "You cannot see this page")
    refused = nurse.get("/break-glass/1/reviewed/")
    assert_plain(refused, 405, "This page cannot be opened that way")
    assert refused["Allow"] == "POST"
    # Every other page fails for want of its style sheets: a server error, drawn all the same.
    assert_plain(nurse.get("/"), 500, "Sorry, there is a problem with the service")


def test_a_missing_page_is_drawn_when_the_database_fails(
    nurse: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unavailable(request: Any) -> Any:
        raise DatabaseError("the database is not there")

    monkeypatch.setattr("joinedup.web.workspace.menu", unavailable)  # the header's menu
    assert_plain(nurse.get("/no-such-page/"), 404, "Page not found")
    assert "could not be drawn in the layout" in caplog.text  # the cause is in the log
