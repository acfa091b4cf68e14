"""Writing to the shared record, in Debian's chromium, each step as its role does it.

Ada is on Northgate's caseload, so its district nurse and its social worker (a council
employee) both have a care relationship with her. The nurse adds a case note, a key safe
alert and Ada's consent to share, and corrects her phone number; the social worker sees
the note and the alert, then records Ada's objection to sharing between health and social
care, which hides the nurse's (health) note from her at once but not the alert. Both open
"Change details" at the same version: the nurse saves first, and the social worker's save
is refused (409) naming the nurse, with nothing of it written. Every view and change is on
"Who has seen this record". Every page is checked with axe and no request leaves
127.0.0.1; with JOINEDUP_WRITE_DOCS=1 the user guide's screenshots are taken
(docs/user-guide/person-record.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from page_checks import accessible, screenshot
from playwright.sync_api import Browser, Locator, Page, expect
from staff_login import log_in, switch_to

from conftest import Traffic, guarded_page
from joinedup.access.models import Consent
from joinedup.people.models import Alert, CaseNote
from joinedup.record.models import Person, PersonDetailChange, PersonDetails
from workspace_world import PASSWORD, Workspace, build_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # every page here writes audit events
]

RECORD = "/people/p-ada/"
OLD_PHONE = "01632 960000"
NURSE_PHONE = "01632 960123"
LATER_PHONE = "01632 960777"
SOCIAL_WORKER_PHONE = "01632 960999"
NOTE = "Leg ulcer dressed; healing well. Her daughter visits on Sundays."
KEY_SAFE = "Key safe by the back door: ask the district nurses for the code"


@pytest.fixture
def world(transactional_db: None) -> Workspace:
    """The workspace, committed; Ada (on Northgate's caseload) has a phone number to correct."""
    world = build_workspace()
    world.people["ada"].phone = OLD_PHONE
    world.people["ada"].save()
    return world


@pytest.fixture
def second_page(browser: Browser, site: str, traffic: Traffic) -> Iterator[Page]:
    """Another browser (its own cookies, so its own login), guarded as `page` is."""
    with guarded_page(browser, site, traffic) as page:
        yield page


def report_rows(page: Page, who: str, what: str) -> Locator:
    """The access report's rows of `who` (by name) whose "What" is exactly `what`."""
    return (
        page.locator("#access-report tbody tr")
        .filter(has=page.get_by_role("cell", name=who, exact=True))
        .filter(has=page.get_by_role("cell", name=what, exact=True))
    )


def test_staff_write_to_the_record_and_every_change_is_on_the_access_report(
    page: Page, second_page: Page, world: Workspace, traffic: Traffic, site: str
) -> None:
    # --- 1. The district nurse writes a note, an alert and a consent decision, and
    # corrects the phone number.
    page.goto(RECORD)
    log_in(page, "nurse", PASSWORD)
    expect(page).to_have_url(RECORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Quillfeather")
    callout = page.locator("#alerts-callout li")
    expect(callout).to_have_text(["Lives alone"])  # from her living situation; no alerts yet
    accessible(page)

    page.get_by_role("link", name="Add a case note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a case note")
    page.get_by_label("Case note").fill(NOTE)
    expect(page.get_by_label("No label")).to_be_checked()  # the default
    expect(page.get_by_text("Only these professions can read it: GP.")).to_be_visible()
    accessible(page)
    screenshot(page, "person-record-note")
    page.get_by_role("button", name="Add the case note").click()
    expect(page).to_have_url(RECORD)
    expect(page.get_by_text("The case note is added to the record.")).to_be_visible()
    note = CaseNote.objects.get(person_id="p-ada")
    assert (note.text, note.sensitivity, note.sector) == (NOTE, None, "health")
    expect(page.locator(f"#entry-note-{note.pk}")).to_contain_text(NOTE)
    expect(page.locator(f"#entry-note-{note.pk}")).to_contain_text("Nia Hart")

    page.get_by_role("link", name="Add an alert").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an alert")
    page.get_by_label("Key safe", exact=True).check()
    page.get_by_label("Detail (optional)").fill(KEY_SAFE)
    accessible(page)
    page.get_by_role("button", name="Add the alert").click()
    expect(page).to_have_url(RECORD)
    expect(page.get_by_text("Alert added: Key safe.")).to_be_visible()
    alert = Alert.objects.get(person_id="p-ada")
    expect(page.locator("#alerts-warning")).to_contain_text("Alerts: read before you visit or call")
    expect(callout).to_have_text([f"Key safe: {KEY_SAFE}", "Lives alone"])
    expect(page.locator(f"#entry-alert-{alert.pk}")).to_contain_text("Alert: Key safe")
    expect(page.locator(f"#entry-alert-{alert.pk}")).to_contain_text(KEY_SAFE)

    page.get_by_role("link", name="Record a consent decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a consent decision")
    page.get_by_label("Consents to sharing with the integrated team").check()
    accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(RECORD)
    expect(
        page.get_by_text("Consent decision recorded: Consents to sharing with the integrated team.")
    ).to_be_visible()
    consent = Consent.objects.get(person_id="p-ada")
    expect(page.locator(f"#entry-consent-{consent.pk}")).to_contain_text(
        "Consent decision: Consents to sharing with the integrated team"
    )

    expect(page.locator("#identity")).to_contain_text(OLD_PHONE)
    page.get_by_role("link", name="Change details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change details")
    # Three fields are labelled "Phone" (Ada's, her next of kin's, her emergency
    # contact's): hers is the one outside their fieldsets, by its id.
    phone = page.locator("#phone")
    expect(phone).to_have_value(OLD_PHONE)
    phone.fill(NURSE_PHONE)
    accessible(page)
    page.get_by_role("button", name="Save the details").click()
    expect(page).to_have_url(RECORD)
    expect(page.get_by_text("Details saved: phone.")).to_be_visible()
    expect(page.locator("#identity")).to_contain_text(NURSE_PHONE)
    expect(page.locator("#identity")).not_to_contain_text(OLD_PHONE)
    accessible(page)  # the record with its notices, the alert box and three new entries

    # --- 2. The social worker sees the nurse's note and the alert.
    switch_to(page, "social_worker", PASSWORD)
    page.goto(RECORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Quillfeather")
    expect(callout).to_have_text([f"Key safe: {KEY_SAFE}", "Lives alone"])
    expect(page.locator(f"#entry-note-{note.pk}")).to_contain_text(NOTE)
    expect(page.locator("#objection-notice")).to_have_count(0)
    screenshot(page, "person-record-alert", full_page=False)  # the top: identity and alerts

    # --- 3. She records Ada's objection: the nurse's note is hidden from her at once.
    page.get_by_role("link", name="Record a consent decision").click()
    expect(page.locator("#in-force")).to_contain_text(
        "Consents to sharing with the integrated team"
    )
    page.get_by_label("Objects to sharing between health and social care").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(RECORD)
    expect(
        page.get_by_text(
            "Consent decision recorded: Objects to sharing between health and social care."
        )
    ).to_be_visible()
    expect(page.locator(f"#entry-note-{note.pk}")).to_have_count(0)  # on the page it lands on
    page.reload()
    expect(page.locator("#objection-notice")).to_contain_text(
        "health entries are not shown to council and care provider staff"
    )
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.locator(f"#entry-note-{note.pk}")).to_have_count(0)
    expect(callout).to_have_text([f"Key safe: {KEY_SAFE}", "Lives alone"])
    expect(page.locator(f"#entry-alert-{alert.pk}")).to_contain_text(KEY_SAFE)
    accessible(page)

    # --- 4. Both open "Change details" at version 1; the nurse saves first, and the
    # social worker's save is refused, naming her.
    social_worker, nurse = page, second_page
    nurse.goto(RECORD)
    log_in(nurse, "nurse", PASSWORD)
    expect(nurse).to_have_url(RECORD)
    for each in (nurse, social_worker):
        each.get_by_role("link", name="Change details").click()
        expect(each.get_by_role("heading", level=1)).to_have_text("Change details")
        expect(each.locator("input[name=base]")).to_have_value("1")
        expect(each.locator("#phone")).to_have_value(NURSE_PHONE)
    nurse.locator("#phone").fill(LATER_PHONE)
    nurse.get_by_role("button", name="Save the details").click()
    expect(nurse).to_have_url(RECORD)
    expect(nurse.get_by_text("Details saved: phone.")).to_be_visible()
    expect(nurse.locator("#identity")).to_contain_text(LATER_PHONE)

    social_worker.locator("#phone").fill(SOCIAL_WORKER_PHONE)
    social_worker.get_by_label("Preferred name").fill("Addie")
    with social_worker.expect_response(lambda r: r.request.method == "POST") as posted:
        social_worker.get_by_role("button", name="Save the details").click()
    assert posted.value.status == 409
    expect(social_worker.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed these details first"
    )
    expect(social_worker.locator("#conflict-notice")).to_contain_text(
        "Nia Hart (District nurse, Casterbridge Community Health NHS Trust)"
    )
    expect(social_worker.locator("#compared-phone")).to_contain_text(LATER_PHONE)
    expect(social_worker.locator("#compared-phone")).to_contain_text(SOCIAL_WORKER_PHONE)
    expect(social_worker.locator("#phone")).to_have_value(SOCIAL_WORKER_PHONE)  # kept
    expect(social_worker.locator("input[name=base]")).to_have_value("2")
    accessible(social_worker)
    # Nothing of the refused save is written.
    assert Person.objects.get(pk="p-ada").phone == LATER_PHONE
    details = PersonDetails.objects.get(person_id="p-ada")
    assert (details.version, details.preferred_name, details.saved_by) == (2, "", "nurse")
    assert not PersonDetailChange.objects.filter(changed_by="social_worker").exists()
    phones = PersonDetailChange.objects.filter(field="phone").order_by("version")
    assert list(phones.values_list("new_value", flat=True)) == [NURSE_PHONE, LATER_PHONE]

    # She starts again from the nurse's details, and goes back to the record.
    social_worker.get_by_role("link", name="Start again from their details").click()
    expect(social_worker.locator("#phone")).to_have_value(LATER_PHONE)
    expect(social_worker.get_by_label("Preferred name")).to_have_value("")
    social_worker.get_by_role("link", name="Back to the record").click()
    expect(social_worker).to_have_url(RECORD)
    expect(social_worker.locator("#known-as")).to_have_count(0)

    # --- 5. Every view and change is on "Who has seen this record".
    social_worker.get_by_role("link", name="Who has seen this record").click()
    expect(social_worker.get_by_role("heading", level=1)).to_have_text("Who has seen this record")
    for who, what, count in (
        ("Nia Hart", "Viewed: record (relationship)", None),
        ("Nia Hart", "Created: case note", 1),
        ("Nia Hart", "Created: alert", 1),
        ("Nia Hart", "Created: consent decision", 1),
        ("Nia Hart", "Changed: person details: phone", 2),
        ("Sol Webb", "Viewed: record (relationship)", None),
        ("Sol Webb", "Created: consent decision", 1),
        ("Sol Webb", "Viewed: person details save (relationship)", 1),  # the refused one
    ):
        rows = report_rows(social_worker, who, what)
        if count is None:
            expect(rows.first).to_be_visible()
        else:
            expect(rows).to_have_count(count)
    nurse_change = report_rows(social_worker, "Nia Hart", "Changed: person details: phone").first
    expect(nurse_change).to_contain_text("District nurse")
    expect(nurse_change).to_contain_text("Casterbridge Community Health NHS Trust")
    social_worker_consent = report_rows(social_worker, "Sol Webb", "Created: consent decision")
    expect(social_worker_consent).to_contain_text("Social worker")
    expect(social_worker_consent).to_contain_text("Casterbridge City Council")
    expect(
        social_worker.locator("#access-report tbody tr")
        .filter(has=social_worker.get_by_role("cell", name="Sol Webb", exact=True))
        .filter(has_text="Changed:")
    ).to_have_count(0)  # her refused save changed nothing
    accessible(social_worker)

    assert traffic.outside == []
    assert traffic.failures == [f"409 {site}/people/p-ada/details/"]
