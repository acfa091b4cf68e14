"""The pages work in Debian's chromium under the Content-Security-Policy: nothing is blocked,
the NHS.UK front end's scripts run, and the admin's widgets too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import ConsoleMessage, Page, expect
from staff_login import log_in

from joinedup.access.models import Profession, StaffMember
from joinedup.record.models import Neighbourhood, Organisation, Team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # logins write audit events
]

PASSWORD = "correct horse battery staple"
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pytest.fixture
def violations(page: Page) -> Iterator[list[str]]:
    """Every report of something the policy blocked, from the console and from the page."""
    found: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            found.append(message.text)

    page.on("console", console)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Refused to load: CSP ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    yield found


def administrator() -> Any:
    organisation = Organisation.objects.create(
        id="org-icb", name="Northgate ICB", kind=Organisation.Kind.ICB
    )
    north = Neighbourhood.objects.create(id="n-north", name="Northgate")
    Team.objects.create(id="t-north", name="Northgate INT", neighbourhood=north)
    user = get_user_model().objects.create_user(
        "admin.patel", password=PASSWORD, is_staff=True, first_name="Asha", last_name="Patel"
    )
    StaffMember.objects.create(
        user=user, profession=Profession.SYSTEM_ADMINISTRATOR, organisation=organisation
    )
    return user


def test_pages_work_under_the_policy(page: Page, violations: list[str]) -> None:
    user = administrator()
    response = page.goto("/login/")
    assert response is not None and response.headers["content-security-policy"] == CSP
    # The moved NHS.UK script ran, and init.js started the components.
    body = page.locator("body")
    expect(body).to_have_class(re.compile(r"\bjs-enabled\b.*\bnhsuk-frontend-supported\b"))
    expect(page.locator(".nhsuk-skip-link")).to_have_attribute("data-nhsuk-skip-link-init", "")

    log_in(page, "admin.patel", "wrong password")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    # The error summary takes focus (the NHS.UK script).
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    log_in(page, "admin.patel", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts")  # their landing

    # The admin's scripts: the two-list team picker on a staff record is built by
    # SelectFilter2.js and the collapsible navigation by nav_sidebar.js.
    page.goto(f"/admin/auth/user/{user.pk}/change/")
    expect(page.locator("#id_staff_member-0-teams_from")).to_be_visible()
    page.goto("/admin/auth/user/add/")
    expect(page.locator("#id_username")).to_be_visible()
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_contain_text("joinedup account administration")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have logged out.")

    assert violations == []
