"""Staff log in with Debian's chromium and see the partnership overview, all served by joinedup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from staff_login import log_in

from joinedup.access.demo import create_demo_logins
from joinedup.record.load import load_lake

if TYPE_CHECKING:
    from conftest import Traffic  # tests/browser/conftest.py

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # logging in writes audit events
]

NHS_BLUE = "rgb(0, 94, 184)"
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def city(tiny_lake: Path) -> dict[str, str]:
    load_lake(tiny_lake)
    return {login.username: login.password for login in create_demo_logins()}


def cells(page: Page, table: str, row: str) -> list[str]:
    """The values of one row (by its header) of the table under heading `table` (without
    the column headings a responsive table repeats in each cell for a phone)."""
    section = page.locator(f"h2:has-text('{table}') + .nhsuk-table-container table")
    value = ".joinedup-table__value"
    found: list[str] = (
        section.locator("tr", has=page.locator(f"th[scope=row] {value}:text-is('{row}')"))
        .locator("td")
        .evaluate_all(f"(cells) => cells.map((c) => c.querySelector('{value}')?.innerText ?? '')")
    )
    return found


def test_a_demo_social_worker_sees_the_partnership_overview(
    page: Page, city: dict[str, str], traffic: Traffic
) -> None:
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    log_in(page, "demo-social-worker", city["demo-social-worker"])

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership overview")
    expect(page).to_have_title("Partnership overview – joinedup")
    header = page.locator("header.nhsuk-header")
    expect(header).to_contain_text("joinedup")
    expect(header).to_contain_text("Social worker (demo)")
    # The NHS.UK stylesheet and script came from this server: the header is NHS blue and
    # the components were initialised by the module the app served.
    expect(header).to_have_css("background-color", NHS_BLUE)
    expect(page.locator(".nhsuk-skip-link")).to_have_attribute("data-nhsuk-skip-link-init", "")

    assert cells(page, "Neighbourhoods", "Northgate")[:3] == ["Northgate INT", "1 April 2021", "2"]
    assert cells(page, "Neighbourhoods", "Southmead")[:3] == ["Southmead INT", "Not yet", "2"]
    assert "Abbey Road Surgery" in cells(page, "Neighbourhoods", "Northgate")[3]
    assert cells(page, "Neighbourhoods", "All neighbourhoods")[2] == "4"
    # Emergency admissions, A&E attendances, referrals, episodes, care packages.
    assert cells(page, "Activity", "Northgate") == ["2", "2", "1", "1", "1"]
    assert cells(page, "Activity", "Southmead") == ["1", "1", "2", "1", "1"]
    assert cells(page, "Activity", "All neighbourhoods") == ["3", "3", "3", "2", "2"]
    # Health, social care, voluntary, sector not recorded (one contact has none), all contacts.
    assert cells(page, "Contacts by sector", "Northgate") == ["3", "1", "1", "0", "5"]
    assert cells(page, "Contacts by sector", "All neighbourhoods") == ["4", "2", "1", "1", "8"]

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "overview.png", full_page=True)

    # Accessible structure: the skip link comes first, tables have row and column headers.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    assert page.locator("th[scope=col]").count() >= 15
    assert page.locator("th[scope=row]").count() == 9
    assert page.locator("main#maincontent h2").all_inner_texts() == [
        "Neighbourhoods",
        "Activity",
        "Contacts by sector",
    ]

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")

    assert traffic.outside == [], "requests left 127.0.0.1"
    assert traffic.failures == []
    assert any("/static/nhsuk/nhsuk-frontend.min." in url for url in traffic.requests)


def test_a_wrong_password_is_explained_and_a_bare_account_sees_nothing(
    page: Page, city: dict[str, str], traffic: Traffic
) -> None:
    page.goto("/login/")
    log_in(page, "demo-gp", "not the password")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    expect(page).to_have_title("Error: Log in – joinedup")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "login-error.png", full_page=True)

    # An account with no staff record (even a superuser) is refused the overview.
    get_user_model().objects.create_superuser(
        "root-without-staff-record", password="a long enough password"
    )
    log_in(page, "root-without-staff-record", "a long enough password")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    expect(page.locator("main")).not_to_contain_text("Northgate")
    assert traffic.outside == []
