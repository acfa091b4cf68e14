"""A day's work on a phone, each step as its role does it, in Debian's chromium at 390 px.

A GP of Northgate's team starts a referral from the record of Ada, on the team's caseload
(she agreed to it), and is told when the single point of access accepts it; the team
manager allocates Nia Hart as her key worker, who is told and finds her on "My people";
the hospital's feed admits her and Nia is told, and sees her in hospital on her list. Then
the urgent response nurse records a first visit and what came of it. Every page is checked
with axe and must fit the phone's width (nothing scrolls sideways); no request leaves
127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from date_input import fill_date
from django.test import Client
from django.utils import timezone
from header_menu import follow_menu_link, header_settled
from page_checks import PHONE, accessible, fits
from playwright.sync_api import Page, expect
from staff_login import switch_to

from conftest import Traffic
from joinedup.access.models import CareTeamMember
from joinedup.notifications.models import Kind, Notification
from joinedup.record.models import Referral
from joinedup.referrals.models import Outcome
from joinedup.referrals.system_clients import add_system
from joinedup.referrals.workflow import Actor, create_referral
from workspace_world import PASSWORD, Workspace, build_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # journeys: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),
]


@pytest.fixture
def world(transactional_db: None) -> Workspace:
    return build_workspace()


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def checked(page: Page) -> None:
    """The page as a phone shows it: accessible, and nothing wider than the window."""
    header_settled(page)  # as a person first sees it, the header's menu laid out
    accessible(page)
    fits(page)


def open_notifications(page: Page, unread: int) -> None:
    """Follow the header's notification link, which says how many are unread."""
    page.get_by_role("link", name=f"Notifications ({unread} unread)").click()
    expect(page.locator("#unread-count")).to_have_text(f"{unread} unread.")
    checked(page)


def admit_on_the_feed(person_nhs_number: str, birth_date: dt.date, token: str) -> None:
    """What the hospital's patient administration system sends when he is admitted."""
    occurred = timezone.localtime().replace(microsecond=0) - dt.timedelta(minutes=30)
    body = {
        "kind": "admit",
        "spell_id": "CGH-2026-000101",
        "occurred_at": occurred.isoformat(),
        "person": {"nhs_number": person_nhs_number, "birth_date": birth_date.isoformat()},
        "admission_date": occurred.date().isoformat(),
        "admission_method": "emergency",
        "ward": "Ward 7",
    }
    response = Client().post(
        "/api/transfers/events/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (200, 201), response.content


def test_a_referral_from_the_record_to_the_key_workers_list_and_a_hospital_admission(
    phone: Page, world: Workspace, traffic: Traffic
) -> None:
    page = phone
    ada = world.people["ada"]
    # The GP opens Ada's record and starts a referral from it: she is already matched.
    switch_to(page, "gp", PASSWORD)
    page.goto(f"/people/{ada.pk}/")
    checked(page)
    page.get_by_role("link", name="Make a referral").click()
    expect(page.locator("main")).to_contain_text(str(ada))
    expect(page.get_by_label("Given name")).to_have_count(0)  # no search for her again
    checked(page)
    page.get_by_label("Yes, they agreed").check()
    page.get_by_label("Routine").check()
    page.get_by_label("Reason for referral").fill(
        "Lives alone, struggling with meals since her fall"
    )
    page.get_by_label("What does the person need?").fill("A care needs assessment")
    page.get_by_label("Phone number to call you back").fill("01632 960123")
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator("#status")).to_contain_text("Waiting to be accepted")
    expect(page.locator("#notice-1")).to_contain_text(f"Referral sent for {ada}.")
    referral = Referral.objects.get(person=ada)
    assert referral.consent.answer == "agreed"  # type: ignore[attr-defined]
    checked(page)

    # The single point of access accepts it for Northgate's team.
    switch_to(page, "spa", PASSWORD)
    expect(page).to_have_url("/referrals/triage/")
    checked(page)
    page.locator(f"#referral-{referral.pk}").get_by_role("link").click()
    checked(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#status")).to_contain_text("Accepted")
    expect(page.locator("#notice-1")).to_contain_text("The referral is accepted for Northgate INT.")

    # The GP is told, in the header of whatever page they are on.
    switch_to(page, "gp", PASSWORD)
    open_notifications(page, 1)
    told = page.locator("#notifications li").first
    expect(told).to_contain_text(f"Your referral for {ada} was accepted")
    told.get_by_role("button", name="Open").click()
    expect(page).to_have_url(f"/referrals/{referral.pk}/")
    expect(page.get_by_role("link", name="Notifications (0 unread)")).to_be_visible()

    # The team manager allocates the nurse as her key worker from the caseload.
    switch_to(page, "manager", PASSWORD)
    page.goto(f"/teams/{world.north.pk}/caseload/")
    checked(page)
    page.get_by_role("link", name=f"Allocate a key worker for {ada}").click()
    checked(page)
    page.get_by_label("Nia Hart").check()
    page.get_by_role("button", name="Allocate key worker").click()
    expect(page.locator("main")).to_contain_text("Nia Hart")
    assert CareTeamMember.objects.get(person=ada, key_worker=True).staff == world.staff["nurse"]

    # The nurse is told, and finds her on "My people".
    switch_to(page, "nurse", PASSWORD)
    open_notifications(page, 1)
    told = page.locator("#notifications li").first
    expect(told).to_contain_text(f"You are now {ada}'s key worker in Northgate INT")
    told.get_by_role("button", name="Open").click()
    expect(page).to_have_url(f"/people/{ada.pk}/")
    checked(page)
    follow_menu_link(page, "My people")
    row = page.locator("main tr", has_text=str(ada))
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("In hospital")
    checked(page)

    # The hospital admits her: the feed tells the hub, and the hub tells her key worker.
    token = add_system("Casterbridge General PAS", "hospital", sends_admissions=True)[1]
    admit_on_the_feed(ada.nhs_number or "", ada.birth_date, token)
    assert Notification.objects.filter(
        recipient=world.user("nurse"), kind=Kind.ADMITTED, person=ada
    ).exists()
    page.reload()
    open_notifications(page, 1)
    expect(page.locator("#notifications li").first).to_contain_text(
        f"{ada} was admitted to hospital on"
    )
    follow_menu_link(page, "My people")
    expect(page.locator("main tr", has_text=str(ada))).to_contain_text("In hospital")
    checked(page)
    assert traffic.outside == [] and traffic.failures == []


def test_the_urgent_response_nurse_records_what_came_of_a_visit(
    phone: Page, world: Workspace, traffic: Traffic, site: str
) -> None:
    page = phone
    cora = world.people["cora"]
    referral = create_referral(
        person=cora, urgency="two_hour", source="telecare",
        reason="Pendant alarm: fall, cannot get up", needs="Lift and assess",
        actor=Actor(system="Casterbridge Telecare"),
        now=(timezone.now() - dt.timedelta(minutes=90)).replace(second=0, microsecond=0),
    )  # fmt: skip
    switch_to(page, "ucr_nurse", PASSWORD)
    expect(page).to_have_url("/referrals/urgent/")
    checked(page)
    page.locator(f"#urgent-{referral.pk}").get_by_role("link").click()
    checked(page)
    arrived = timezone.localtime(referral.received_at + dt.timedelta(minutes=52))
    fill_date(page, "First visit: the day the responder arrived", arrived)
    page.get_by_label("Time they arrived").fill(f"{arrived:%H:%M}")
    page.get_by_role("button", name="Record first visit").click()
    expect(page.locator("#two-hour-clock")).to_contain_text("52 minutes after the referral")

    # Back on the board, the visit waits for its outcome.
    page.goto("/referrals/urgent/")
    checked(page)
    page.get_by_role("link", name="Record the visit's outcome").click()
    checked(page)
    page.get_by_role("button", name="Save outcome").click()  # nothing chosen
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    checked(page)
    page.get_by_label("Stayed at home with support").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator("main")).to_contain_text("Stayed at home with support")
    expect(page.locator("#status")).to_contain_text("Completed")
    checked(page)
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert referral.visit_outcome.outcome == Outcome.STAYED_HOME  # type: ignore[attr-defined]

    # The board counts it among the last 28 days' outcomes.
    page.goto("/referrals/urgent/")
    expect(page.locator("#visit-outcomes-table")).to_contain_text("Stayed at home")
    checked(page)
    assert traffic.outside == []
    assert traffic.failures == [f"400 {site}/referrals/{referral.pk}/outcome/"]  # nothing chosen
