"""Getting Bertram home, in Debian's chromium, each step as its role does it.

He is in hospital. The discharge coordinator sets his discharge ready date, pathway 1 and
the delay reason "awaiting care package" on the hub; the social care broker records home
care hours for his neighbourhood; the coordinator records the discharge with home care to
follow. The home care package and an episode on Northgate's caseload exist, and he is on
the team's next MDT agenda. Every page is checked with axe and no request leaves
127.0.0.1; with JOINEDUP_WRITE_DOCS=1 the user guide's screenshots are taken
(docs/user-guide/transfer-of-care.md).
"""

from __future__ import annotations

import datetime as dt

import pytest
from date_input import fill_date
from django.utils import timezone
from page_checks import accessible, screenshot
from playwright.sync_api import Page, expect
from staff_login import switch_to

from conftest import Traffic
from joinedup.access.models import Profession
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.record.models import CarePackage, Episode, HospitalSpell
from joinedup.transfers.models import Capacity
from workspace_world import PASSWORD, Workspace, add_staff, build_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),
]


@pytest.fixture
def world(transactional_db: None) -> Workspace:
    world = build_workspace()
    add_staff(world, "coordinator", Profession.DISCHARGE_COORDINATOR, "acute", "Dee", "Charge")
    add_staff(world, "broker", Profession.SOCIAL_CARE_BROKER, "council", "Bea", "Broker")
    return world


def test_a_delayed_discharge_from_the_board_to_the_mdt_agenda(
    page: Page, world: Workspace, traffic: Traffic
) -> None:
    today = timezone.localdate()
    spell = HospitalSpell.objects.create(
        id="s-bert", person=world.people["bert"], admission_date=today - dt.timedelta(days=5),
        admission_method="emergency", acsc=False, fall=True,
    )  # fmt: skip
    now = timezone.now()
    meeting = Meeting.objects.create(
        team=world.north, starts_at=now + dt.timedelta(days=2), location="Room 1",
        created_at=now, created_by="manager",
    )  # fmt: skip

    # The coordinator lands on the board, opens Bertram's stay and sets the plan.
    switch_to(page, "coordinator", PASSWORD)
    expect(page).to_have_url("/transfers/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Bertram Oakes").first.click()
    ready = today - dt.timedelta(days=2)
    fill_date(page, "Discharge ready date", ready)
    page.get_by_label("Proposed pathway").select_option("1")
    page.get_by_label("Delay reason").select_option("awaiting_care_package")
    page.get_by_label("Responsible for the delay").select_option("social_care")
    accessible(page)
    screenshot(page, "transfer-stay")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("#notice-1")).to_contain_text("The discharge plan is saved.")
    spell.refresh_from_db()
    assert (spell.ready_for_discharge_date, spell.delay_reason) == (ready, "awaiting_care_package")
    page.goto("/transfers/")
    expect(page.locator("body")).to_contain_text("2 delayed days in total")  # since the ready date
    screenshot(page, "transfer-board")

    # The broker records home care hours for Northgate.
    switch_to(page, "broker", PASSWORD)
    page.goto("/transfers/capacity/")
    page.get_by_label("Service").select_option("home_care")
    page.get_by_label("Area").select_option("n-north")
    page.get_by_label("Number available").fill("40")
    accessible(page)
    page.get_by_role("button", name="Record capacity").click()
    expect(page.locator("body")).to_contain_text("40")
    assert Capacity.objects.get().available == 40
    screenshot(page, "transfer-capacity")

    # The coordinator records the discharge, home care to follow.
    switch_to(page, "coordinator", PASSWORD)
    page.goto("/transfers/stay/s-bert/")
    page.get_by_role("link", name="Record the discharge").click()
    fill_date(page, "Discharge date", today)
    page.get_by_label("Where the person went").select_option("usual_residence")
    page.get_by_label("Discharge pathway").select_option("1")
    page.get_by_label("What follows").select_option("home_care")
    accessible(page)
    page.get_by_role("button", name="Record the discharge").click()
    expect(page).to_have_url("/transfers/stay/s-bert/")
    expect(page.locator("#notice-1")).to_contain_text("The discharge is recorded.")
    expect(page.locator("#discharged")).to_contain_text("Started: a home care package")

    package = CarePackage.objects.get(after_spell=spell)
    assert (package.service_type, package.start_date) == ("home_care", today)
    assert Episode.objects.filter(
        person=world.people["bert"], team=world.north, reason="post_discharge"
    ).exists()
    assert AgendaItem.objects.filter(meeting=meeting, person=world.people["bert"]).exists()

    # The team manager sees him on the next MDT agenda.
    switch_to(page, "manager", PASSWORD)
    page.goto(f"/mdt/{meeting.pk}/")
    expect(page.locator("body")).to_contain_text("Bertram Oakes")
    expect(page.locator("body")).to_contain_text("Discharged from hospital")
    accessible(page)
    assert traffic.outside == [] and traffic.failures == []
