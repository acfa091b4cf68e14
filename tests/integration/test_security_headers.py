"""Every response carries the Content-Security-Policy and the other security headers; pages
for a logged-in user are never cached; and the pages have nothing the policy would block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from joinedup.access.middleware import CONTENT_SECURITY_POLICY
from joinedup.access.models import Profession, StaffMember
from joinedup.record.models import Organisation

# Headers and logins through the ORM.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

PASSWORD = "correct horse battery staple"
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def staff(username: str, profession: str, **user_fields: Any) -> Any:
    organisation, _ = Organisation.objects.get_or_create(
        id="org-icb", defaults={"name": "Northgate ICB", "kind": Organisation.Kind.ICB}
    )
    user = get_user_model().objects.create_user(username, password=PASSWORD, **user_fields)
    StaffMember.objects.create(user=user, profession=profession, organisation=organisation)
    return user


@pytest.fixture
def nurse_client() -> Client:
    staff("nurse.jones", Profession.DISTRICT_NURSE)
    client = Client(REMOTE_ADDR="192.0.2.10")
    response = client.post("/login/", {"username": "nurse.jones", "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def admin_client() -> Client:
    staff("admin.patel", Profession.SYSTEM_ADMINISTRATOR, is_staff=True)
    client = Client(REMOTE_ADDR="192.0.2.11")
    response = client.post("/login/", {"username": "admin.patel", "password": PASSWORD})
    assert response.status_code == 302
    return client


def assert_security_headers(response: Any, page: bool = True) -> None:
    assert response["Content-Security-Policy"] == CSP
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    if page:  # the older header for browsers without frame-ancestors
        assert response["X-Frame-Options"] == "DENY"
    policy = {
        part.strip().split("=")[0]: part.strip().split("=")[1]
        for part in response["Permissions-Policy"].split(",")
    }
    assert policy["camera"] == policy["microphone"] == policy["geolocation"] == "()"


def no_store(response: Any) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


def test_the_policy_is_the_documented_one() -> None:
    assert CONTENT_SECURITY_POLICY == CSP


def test_the_login_page_has_the_headers() -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_logged_in_page_has_the_headers_and_is_never_stored(nurse_client: Client) -> None:
    response = nurse_client.get("/")
    assert response.status_code == 200
    assert "Partnership overview" in response.text
    assert_security_headers(response)
    assert no_store(response)


def test_refusals_and_missing_pages_have_the_headers(nurse_client: Client) -> None:
    for url, status in (("/no-such-page/", 404), ("/admin/", 403)):
        response = nurse_client.get(url, follow=True)
        assert response.status_code == status
        assert_security_headers(response)
        assert no_store(response)


def test_admin_pages_have_the_headers_and_are_never_stored(admin_client: Client) -> None:
    for url in ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert no_store(response)


class _Blocked(HTMLParser):
    """What `default-src 'self'` without 'unsafe-inline' would block in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_script = True
        if tag == "style":
            self.found.append("a <style> element")
        if "style" in names:
            self.found.append(f"a style attribute on <{tag}>")
        self.found += [f"{name} on <{tag}>" for name in names if name.startswith("on")]
        for name, value in attrs:
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"a javascript: URL in {name} on <{tag}>")
            if value and re.match(r"https?://", value) and name in {"src", "href", "action"}:
                self.found.append(f"{value} from another origin on <{tag}>")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"an inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def blocked(html: str) -> list[str]:
    parser = _Blocked()
    parser.feed(html)
    return parser.found


def test_the_checker_finds_what_the_policy_blocks() -> None:
    page = (
        "<body><script>alert(1)</script><div style='color:red' onclick='x()'></div>"
        "<script src='https://cdn.example/x.js'></script></body>"
    )
    assert len(blocked(page)) == 4


def test_the_pages_have_nothing_the_policy_blocks(
    nurse_client: Client, admin_client: Client
) -> None:
    login = Client().get("/login/")
    wrong = Client().post("/login/", {"username": "x", "password": "y"})
    assert "There is a problem" in wrong.text
    pages = {
        "login": login,
        "login with errors": wrong,
        "overview": nurse_client.get("/"),
        "403": nurse_client.get("/admin/", follow=True),
        "404": nurse_client.get("/no-such-page/"),
        "admin": admin_client.get("/admin/"),
        "admin users": admin_client.get("/admin/auth/user/"),
        "admin add user": admin_client.get("/admin/auth/user/add/"),
    }
    for name, response in pages.items():
        assert "<script" in response.text, name  # the check looked at real pages
        assert blocked(response.text) == [], name


def test_the_nhsuk_scripts_enabled_class_comes_from_a_static_file() -> None:
    text = Client().get("/login/").text
    body = text[text.index("<body") :]
    first_script = re.search(r"<script[^>]*>", body)
    assert first_script is not None
    assert "web/js-enabled" in first_script.group(0)
    assert "defer" not in first_script.group(0) and "async" not in first_script.group(0)


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_static_files_have_the_policy_and_stay_cacheable(
    collected_static: Path, nurse_client: Client
) -> None:
    with override_settings(STATIC_ROOT=collected_static):
        client = Client()  # a new handler: whitenoise reads the collected files at start
        client.cookies = nurse_client.cookies  # logged in: static files are no person data
        for name in ("web/js-enabled.js", "web/init.js", "nhsuk/nhsuk-frontend.min.css"):
            response = client.get(staticfiles_storage.url(name))
            assert response.status_code == 200, name
            assert_security_headers(response, page=False)
            assert not no_store(response)
            assert "max-age" in response["Cache-Control"]
