"""The integrated team's journey in Debian's chromium, each step as its role does it.

A GP refers Bertram; the single point of access clinician routes him to Northgate's team;
the team manager allocates a key worker; he is on the next MDT agenda; the MDT writes his
care plan with actions for the district nurse and the social worker; the nurse completes
the referral; the GP sees it completed. Then the urgent response board: a two-hour
referral, its clock, and the first visit recorded. Every page is checked with axe, no
request leaves 127.0.0.1, and with JOINEDUP_WRITE_DOCS=1 the user guide's screenshots are
taken (docs/user-guide/single-point-of-access.md).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from date_input import fill_date
from django.utils import timezone
from header_menu import follow_menu_link
from page_checks import accessible, screenshot
from playwright.sync_api import Page, expect
from staff_login import switch_to

from conftest import Traffic
from joinedup.access.models import AuditAction, AuditEvent, CareTeamMember
from joinedup.careplans.models import CarePlan
from joinedup.mdt.models import AgendaItem
from joinedup.record.models import Contact, Episode, Referral
from joinedup.referrals.workflow import Actor, create_referral
from workspace_world import PASSWORD, Workspace, build_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),
]


@pytest.fixture
def world(transactional_db: None) -> Workspace:
    return build_workspace()


def test_a_referral_from_gp_to_care_plan_and_back(
    page: Page, world: Workspace, traffic: Traffic
) -> None:
    bert = world.people["bert"]
    # The GP refers, starting from their referrals.
    switch_to(page, "gp", PASSWORD)
    expect(page).to_have_url("/referrals/mine/")
    page.get_by_role("main").get_by_role("link", name="Make a referral").click()
    page.get_by_role("button", name="Send referral").click()  # nothing filled in
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the given name")
    assert not Referral.objects.exists()
    page.get_by_label("NHS number (if known)").fill(bert.nhs_number or "")
    page.get_by_label("Given name").fill(bert.given_name)
    page.get_by_label("Family name").fill(bert.family_name)
    fill_date(page, "Date of birth", bert.birth_date)
    page.get_by_label("Postcode").fill(bert.postcode)
    page.get_by_label("Yes, they agreed").check()
    page.get_by_label("Routine").check()
    page.get_by_label("Reason for referral").fill("Two falls this month, frightened to go out")
    page.get_by_label("What does the person need?").fill(
        "Falls assessment and help at home; wants to get back to church on Sundays."
    )
    page.get_by_label("Phone number to call you back").fill("01632 960123")
    accessible(page)
    screenshot(page, "referral-form")
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator("#status")).to_contain_text("Waiting to be accepted")
    referral = Referral.objects.get(person=bert)
    expect(page).to_have_url(f"/referrals/{referral.pk}/")

    # The single point of access clinician routes it to the suggested neighbourhood team.
    switch_to(page, "spa", PASSWORD)
    expect(page).to_have_url("/referrals/triage/")
    accessible(page)
    screenshot(page, "triage-queue")
    page.locator(f"#referral-{referral.pk}").get_by_role("link").click()
    expect(page.get_by_label("Team to accept it")).to_have_value("t-north")
    expect(page.get_by_role("link", name=str(bert), exact=True)).to_have_attribute(
        "href", f"/people/{bert.pk}/"
    )
    accessible(page)
    screenshot(page, "referral-triage")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#status")).to_contain_text("Accepted")
    expect(page.locator("#status")).to_contain_text("Northgate INT")
    expect(page.locator("#history")).to_contain_text("Added to Northgate INT's caseload")

    # The team manager finds him unallocated on the caseload and allocates the nurse.
    switch_to(page, "manager", PASSWORD)
    expect(page).to_have_url("/teams/t-north/caseload/")
    accessible(page)
    screenshot(page, "caseload")
    page.get_by_role("link", name=f"Allocate a key worker for {bert}").click()
    page.get_by_label("Nia Hart").check()
    page.get_by_role("button", name="Allocate key worker").click()
    expect(page.locator("main")).to_contain_text("Nia Hart")
    expect(page.get_by_role("button", name="Change key worker")).to_be_visible()
    accessible(page)
    screenshot(page, "caseload-key-worker")
    for path, name in (
        ("/teams/t-north/workload/", "caseload-workload"),
        ("/teams/t-north/episodes/e-ada/close/", "caseload-close-episode"),
    ):
        page.goto(path)
        accessible(page)
        screenshot(page, name)
    key_worker = CareTeamMember.objects.get(person=bert, key_worker=True, ended__isnull=True)
    assert key_worker.staff == world.staff["nurse"]

    # The next MDT meeting's agenda lists him as a newly accepted referral.
    follow_menu_link(page, "MDT meetings")
    when = timezone.localtime(timezone.now() + dt.timedelta(days=1)).replace(hour=10, minute=0)
    dates = page.get_by_role("group", name="Meeting date")
    for box, value in (("Day", when.day), ("Month", when.month), ("Year", when.year)):
        dates.get_by_label(box).fill(str(value))
    page.get_by_label("Start time").fill(f"{when:%H:%M}")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.locator("#agenda")).to_contain_text("Bertram Oakes")
    item = AgendaItem.objects.get(person=bert)
    assert item.reason == AgendaItem.Reason.NEW_REFERRAL

    # At the meeting: an action for the social worker, and his care plan with actions for
    # the nurse and the social worker.
    page.get_by_role("link", name=f"Notes and actions for {bert}").click()
    page.get_by_label("Decisions").fill("Care plan agreed; nurse to lead, social worker to assess.")
    page.get_by_role("button", name="Save notes and decisions").click()
    page.get_by_label("Action", exact=True).fill("Care act assessment")
    page.get_by_label("Owner").select_option(
        label="Sol Webb, Social worker, Casterbridge City Council"
    )
    due = timezone.localdate() + dt.timedelta(days=7)
    due_boxes = page.get_by_role("group", name="Due date")
    for box, value in (("Day", due.day), ("Month", due.month), ("Year", due.year)):
        due_boxes.get_by_label(box).fill(str(value))
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions")).to_contain_text("Sol Webb")
    page.goto(f"/care-plans/{bert.pk}/edit/")
    review = timezone.localdate() + dt.timedelta(days=90)
    page.get_by_label("What matters to me").fill("Getting to church on Sundays and staying home.")
    page.get_by_label("Goal 1", exact=True).fill("Walk to the bus stop without a fall")
    page.get_by_label("Status of goal 1").select_option("in_progress")
    page.get_by_label("Action 1", exact=True).fill("Falls assessment and strength exercises")
    page.get_by_label("Who is responsible for action 1").select_option("nhs")
    page.get_by_label("Name or role for action 1").fill("Nia Hart, district nurse")
    page.get_by_label("Action 2", exact=True).fill("Care act assessment for help at home")
    page.get_by_label("Who is responsible for action 2").select_option("council")
    page.get_by_label("Name or role for action 2").fill("Sol Webb, social worker")
    fill_date(page, "Review date", review)
    page.get_by_role("button", name="Save the care plan").click()
    expect(page.locator("main")).to_contain_text("Falls assessment and strength exercises")
    expect(page).to_have_url(f"/care-plans/{bert.pk}/")
    plan = CarePlan.objects.get(person=bert)
    assert plan.version == 1 and len(plan.versions.get().actions) == 2
    assert plan.review_date == review

    # The key worker completes the referral with its outcome.
    switch_to(page, "nurse", PASSWORD)
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_role("button", name="Start work").click()
    page.get_by_label("Reason or outcome").fill("Care plan agreed at the MDT; on our caseload")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#status")).to_contain_text("Completed")

    # The GP sees it completed, with its outcome.
    switch_to(page, "gp", PASSWORD)
    row = page.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("Care plan agreed at the MDT")
    accessible(page)
    screenshot(page, "my-referrals")

    referral.refresh_from_db()
    assert referral.status == "completed" and referral.closed_at is not None
    moves = list(referral.events.filter(kind="status").values_list("to_status", "username"))
    assert moves == [("accepted", "spa"), ("in-progress", "nurse"), ("completed", "nurse")]
    assert Episode.objects.filter(person=bert, team=world.north, end_date=None).exists()
    assert AuditEvent.objects.filter(person_id=bert.pk, action=AuditAction.CREATE).exists()
    assert traffic.outside == [] and traffic.failures == []


def test_the_urgent_board_counts_down_and_records_the_first_visit(
    page: Page, world: Workspace, traffic: Traffic
) -> None:
    referral = create_referral(
        person=world.people["cora"], urgency="two_hour", source="telecare",
        reason="Pendant alarm: fall, cannot get up", needs="Lift and assess",
        actor=Actor(system="Casterbridge Telecare"),
        now=(timezone.now() - dt.timedelta(minutes=40)).replace(second=0, microsecond=0),
    )  # fmt: skip
    switch_to(page, "ucr_nurse", PASSWORD)
    expect(page).to_have_url("/referrals/urgent/")
    row = page.locator(f"#urgent-{referral.pk}")
    expect(row).to_contain_text(re.compile(r"1 h (19|20) min"))  # 1 h 20 min, less a minute
    accessible(page)
    screenshot(page, "urgent-board")
    row.get_by_role("link").click()
    expect(page.locator("#two-hour-clock")).to_contain_text("left of the two hours")
    arrived = timezone.localtime(referral.received_at + dt.timedelta(minutes=38))
    fill_date(page, "First visit: the day the responder arrived", arrived)
    page.get_by_label("Time they arrived").fill(f"{arrived:%H:%M}")
    page.get_by_role("button", name="Record first visit").click()
    expect(page.locator("#two-hour-clock")).to_contain_text("38 minutes after the referral")
    expect(page.locator("#status")).to_contain_text("In progress")
    assert Contact.objects.get(referral=referral).response_minutes == 38
    page.goto("/referrals/urgent/")
    expect(page.locator("#board-empty")).to_be_visible()
    expect(page.locator(".two-hour-share").first).to_contain_text("100%")
    assert traffic.outside == [] and traffic.failures == []
