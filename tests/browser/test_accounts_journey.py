"""Staff accounts in Debian's chromium: a system administrator takes on a new district nurse
and sees them off again.

The administrator logs in and lands on the staff list, adds the nurse (a mistyped password
first, shown in the error summary), gives them Northgate's team, and the nurse logs in, in
a browser of their own, landing on their tasks. Then the administrator deactivates the
account: the nurse's open page goes to the login page on its next request, and logging in
again is refused. The three changes are in the audit log, with no person and no password.
Every page is checked with axe and no request leaves 127.0.0.1; with JOINEDUP_WRITE_DOCS=1
the user guide's screenshots are taken (docs/user-guide/accounts.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from page_checks import accessible, screenshot
from playwright.sync_api import Browser, Page, expect
from staff_login import log_in

from conftest import Traffic, guarded_page
from joinedup.access.models import AuditAction, AuditEvent, Profession, StaffMember
from workspace_world import PASSWORD, Workspace, build_workspace, password_hash

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # every change here writes audit events
]

NEW_PASSWORD = "lantern-harbour-kettle-7"
ACCOUNT_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DEACTIVATE)


@pytest.fixture
def world(transactional_db: None) -> Workspace:
    """The workspace, committed, with a system administrator."""
    world = build_workspace()
    user = get_user_model().objects.create(
        username="admin", password=password_hash(), first_name="Asha", last_name="Patel"
    )
    world.staff["admin"] = StaffMember.objects.create(
        user=user,
        profession=Profession.SYSTEM_ADMINISTRATOR,
        organisation=world.organisations["icb"],
    )
    return world


@pytest.fixture
def nurse_page(browser: Browser, site: str, traffic: Traffic) -> Iterator[Page]:
    """The new nurse's own browser (its own cookies, so its own login), guarded as `page`."""
    with guarded_page(browser, site, traffic) as page:
        yield page


def test_an_administrator_adds_a_nurse_who_logs_in_until_deactivated(
    page: Page, nurse_page: Page, world: Workspace, traffic: Traffic, site: str
) -> None:
    heading = page.get_by_role("heading", level=1)
    notice = page.locator("#notice-1")

    # --- 1. The administrator lands on the staff list.
    page.goto("/login/")
    log_in(page, "admin", PASSWORD)
    expect(page).to_have_url(f"{site}/accounts/")
    expect(heading).to_have_text("Staff accounts")
    expect(page.locator("#staff")).to_contain_text("Nia Hart")
    expect(page.locator("#staff")).to_contain_text("District nurse")
    accessible(page)
    screenshot(page, "accounts-staff-list")

    # --- 2. They add the new nurse, mistyping the password the second time.
    page.get_by_role("link", name="Add a member of staff").click()
    expect(heading).to_have_text("Add a member of staff")
    page.get_by_label("Username", exact=True).fill("rhys.morgan")
    page.get_by_label("First name").fill("Rhys")
    page.get_by_label("Last name").fill("Morgan")
    page.get_by_label("Profession").select_option(label="District nurse")
    page.get_by_label("Organisation").select_option(label="Casterbridge Community Health NHS Trust")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Add the member of staff").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The passwords do not match")
    expect(page).to_have_title("Error: Add a member of staff – joinedup")
    expect(page.get_by_label("Username", exact=True)).to_have_value("rhys.morgan")  # kept
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # never drawn back
    accessible(page)
    screenshot(page, "accounts-add-error")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add the member of staff").click()
    expect(notice).to_contain_text("Account added: rhys.morgan. They can log in now.")
    expect(heading).to_have_text("Rhys Morgan")
    accessible(page)

    # --- 3. ... and give them Northgate's team.
    page.get_by_label("Northgate INT").check()
    page.get_by_role("button", name="Save the changes").click()
    expect(notice).to_contain_text("Account saved: teams changed.")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Northgate INT")
    screenshot(page, "accounts-account")

    # --- 4. The nurse logs in, in a browser of their own, and lands on their tasks.
    nurse_page.goto("/login/")
    log_in(nurse_page, "rhys.morgan", NEW_PASSWORD)
    expect(nurse_page).to_have_url(f"{site}/tasks/")

    # --- 5. They leave: the administrator deactivates the account.
    page.get_by_role("button", name="Deactivate the account").click()
    expect(notice).to_contain_text(
        "rhys.morgan is deactivated: they can no longer log in (1 session ended)."
    )
    expect(page.get_by_role("button", name="Reactivate the account")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Back to staff accounts").click()
    page.get_by_label("Search by name or username").fill("rhys")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#staff tbody tr")).to_have_count(1)
    expect(page.locator("#staff tbody tr")).to_contain_text("Deactivated")

    # The nurse's session has ended, and logging in again is refused.
    nurse_page.reload()
    expect(nurse_page).to_have_url(f"{site}/login/?next=/tasks/")
    log_in(nurse_page, "rhys.morgan", NEW_PASSWORD)
    expect(nurse_page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )

    # --- 6. The audit log has the three changes, by the administrator, about no person.
    events = list(
        AuditEvent.objects.filter(action__in=ACCOUNT_ACTIONS)
        .order_by("sequence")
        .values_list("username", "action", "what", "person_id")
    )
    assert events == [
        (
            "admin",
            "create",
            "account rhys.morgan: added with profession District nurse; organisation "
            "Casterbridge Community Health NHS Trust; teams none",
            None,
        ),
        ("admin", "update", "account rhys.morgan: changed teams Northgate INT", None),
        ("admin", "deactivate", "account rhys.morgan: deactivated, 1 session ended", None),
    ]
    assert not AuditEvent.objects.filter(what__contains=NEW_PASSWORD).exists()
    assert traffic.outside == []
    assert traffic.failures == [f"400 {site}/accounts/add/"]
