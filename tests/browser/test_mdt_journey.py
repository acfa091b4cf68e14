"""An MDT meeting in Debian's chromium: the manager schedules it, the agenda is built, the
team writes notes and an action for the social worker, records who attended and marks it
held; the social worker finds the action on her task list and closes it.

With JOINEDUP_WRITE_DOCS=1 it also takes the user guide's screenshots
(docs/user-guide/mdt-meetings.md, docs/user-guide/tasks.md).
"""

from __future__ import annotations

import datetime as dt

import pytest
from date_input import fill_date
from django.utils import timezone
from page_checks import screenshot, violations
from playwright.sync_api import Page, expect
from staff_login import log_in

from joinedup.access.models import AuditAction, AuditEvent
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.record.models import HospitalSpell, Referral
from joinedup.tasks.models import Task
from workspace_world import PASSWORD, Workspace, build_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # every page here writes audit events
]


@pytest.fixture
def world(transactional_db: None) -> Workspace:
    """The workspace, committed: Ada (caseload) home from hospital two days ago, and a GP
    referral for Bertram accepted by Northgate yesterday."""
    world = build_workspace()
    today = timezone.localdate()
    HospitalSpell.objects.create(
        id="s-ada",
        person=world.people["ada"],
        admission_date=today - dt.timedelta(days=8),
        admission_method="emergency",
        acsc=False,
        fall=True,
        discharge_date=today - dt.timedelta(days=2),
    )
    now = timezone.now()
    Referral.objects.create(
        id="r-bert",
        person=world.people["bert"],
        received_at=now - dt.timedelta(days=2),
        source="gp",
        urgency="routine",
        team=world.north,
        status="accepted",
        accepted_at=now - dt.timedelta(days=1),
    )
    return world


def test_an_mdt_turns_discussion_into_owned_tasks(page: Page, world: Workspace) -> None:
    page.goto("/mdt/team/t-north/")
    log_in(page, "manager", PASSWORD)
    expect(page).to_have_url("/mdt/team/t-north/")
    expect(page.get_by_role("heading", level=1)).to_have_text("MDT meetings")

    # A date in the past is refused with a message naming the field.
    fill_date(page, "Meeting date", dt.date(2020, 1, 6))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The meeting must start in the future"
    )
    assert violations(page) == []  # the date input with its error showing
    when = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(hour=10, minute=0)
    fill_date(page, "Meeting date", when)
    page.get_by_label("Location (optional)").fill("Northgate Health Centre, room 2")
    page.get_by_role("button", name="Schedule the meeting").click()

    meeting = Meeting.objects.get(team=world.north)
    expect(page).to_have_url(f"/mdt/{meeting.pk}/")
    agenda = page.locator("#agenda")
    expect(agenda.locator("tbody tr")).to_have_count(2)
    expect(agenda.locator("tbody tr").nth(0)).to_contain_text("Bertram Oakes")
    expect(agenda.locator("tbody tr").nth(0)).to_contain_text("from GP")
    expect(agenda.locator("tbody tr").nth(1)).to_contain_text("Ada Quillfeather")
    expect(agenda.locator("tbody tr").nth(1)).to_contain_text("after 6 days")
    page.get_by_text("How the agenda is built").click()
    assert violations(page) == []
    screenshot(page, "mdt-agenda")

    page.get_by_role("link", name="Notes and actions for Ada Quillfeather").click()
    page.get_by_label("Notes").fill("Home from hospital after a fall; managing stairs slowly.")
    page.get_by_label("Decisions").fill("Social worker to assess for a care package.")
    page.get_by_role("button", name="Save notes and decisions").click()
    expect(page.locator("#notice-1")).to_contain_text("Notes and decisions saved")
    page.get_by_label("Action", exact=True).fill("Care act assessment")
    page.get_by_label("Owner").select_option(
        label="Sol Webb, Social worker, Casterbridge City Council"
    )
    due = timezone.localdate() + dt.timedelta(days=7)
    fill_date(page, "Due date", due)
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions")).to_contain_text("Care act assessment")
    expect(page.locator("#actions")).to_contain_text("Sol Webb")
    assert violations(page) == []
    screenshot(page, "mdt-item")

    page.get_by_role("link", name="Attendance").first.click()
    page.get_by_label("Staff member").select_option(
        label="Nia Hart, District nurse, Casterbridge Community Health NHS Trust"
    )
    page.get_by_role("button", name="Add to attendance").click()
    page.get_by_label("Name").fill("Pat Lowe")
    page.get_by_label("Profession").fill("Care home manager")
    page.get_by_label("Organisation").fill("Elm House")
    page.get_by_role("button", name="Add the guest").click()
    expect(page.locator("#attendees tbody tr")).to_have_count(2)
    assert violations(page) == []
    screenshot(page, "mdt-attendance")

    # The meeting takes place: it can be marked held once it has started.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    page.goto(f"/mdt/{meeting.pk}/hold/")
    page.get_by_label("Summary").fill("Two people discussed; Ada to be assessed for care.")
    page.get_by_role("button", name="Mark the meeting held").click()
    expect(page).to_have_url(f"/mdt/{meeting.pk}/summary/")
    expect(page.locator(f"#case-{AgendaItem.objects.get(person_id='p-bert').pk}")).to_contain_text(
        "Not discussed"
    )
    expect(page.locator("main")).to_contain_text("Care act assessment")
    assert violations(page) == []
    screenshot(page, "mdt-summary")

    page.get_by_role("button", name="Log out").click()
    page.goto("/tasks/")
    log_in(page, "social_worker", PASSWORD)
    expect(page).to_have_url("/tasks/")
    row = page.locator("#tasks tbody tr", has_text="Care act assessment")
    expect(row).to_contain_text("Ada Quillfeather")
    expect(row).to_contain_text("MDT")
    assert violations(page) == []
    screenshot(page, "tasks-mine")
    page.goto("/tasks/team/t-north/")
    expect(page.locator("#tasks")).to_contain_text("Sol Webb")
    screenshot(page, "tasks-team")
    page.goto("/tasks/")
    row.get_by_role("button", name="Done").click()
    expect(page.locator("#notice-1")).to_contain_text("Task done: Care act assessment.")
    task = Task.objects.get(title="Care act assessment")
    assert task.status == Task.Status.DONE and task.closed_by == "social_worker"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, person_id="p-ada", username="social_worker"
    ).exists()
