"""The shared record in Debian's chromium: finding a person, reading the timeline, being
refused, breaking the glass, and the team manager's review of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from staff_login import log_in

from joinedup.access.demo import create_demo_logins
from joinedup.access.models import AuditEvent, BreakGlass, Profession, StaffMember
from joinedup.record.load import load_lake
from joinedup.record.models import Episode, Organisation, Person, Team
from joinedup.record.nhs_number import format_nhs_number

if TYPE_CHECKING:
    from conftest import Traffic  # tests/browser/conftest.py

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # every page here writes audit events
]

OTHER_SOCIAL_WORKER = ("sw.okafor", "a long synthetic password")


@pytest.fixture
def city(tiny_lake: Path) -> dict[str, Any]:
    """The tiny city with demo logins; p1 is on the demo team's (Northgate's) caseload now,
    and a social worker of the other team (Southmead) has no relationship with p1."""
    load_lake(tiny_lake)
    logins = {login.username: login.password for login in create_demo_logins()}
    Episode.objects.create(
        id="e-open",
        person_id="p1",
        team_id="t-north",
        start_date=dt.date(2024, 6, 1),
        reason="post_discharge",
    )
    username, password = OTHER_SOCIAL_WORKER
    user = get_user_model().objects.create_user(username=username, password=password)
    staff = StaffMember.objects.create(
        user=user,
        profession=Profession.SOCIAL_WORKER,
        organisation=Organisation.objects.get(kind=Organisation.Kind.COUNCIL),
    )
    staff.teams.add(Team.objects.get(id="t-south"))
    return {"logins": logins, "person": Person.objects.get(id="p1")}


def test_district_nurse_finds_a_person_on_her_caseload_and_reads_the_timeline(
    page: Page, city: dict[str, Any], traffic: Traffic
) -> None:
    person: Person = city["person"]
    page.goto("/people/")
    log_in(page, "demo-district-nurse", city["logins"]["demo-district-nurse"])
    expect(page).to_have_url("/people/")

    # A misspelt name (one letter) with the date of birth still finds her.
    misspelt = person.family_name[:-1] + ("a" if person.family_name[-1] != "a" else "e")
    box = page.get_by_label("NHS number, name, date of birth or postcode")
    box.fill(f"{person.given_name} {misspelt} {person.birth_date:%d/%m/%Y}")
    page.get_by_role("button", name="Search").click()
    row = page.locator("tr", has=page.get_by_role("link", name=str(person)))
    nhs = person.nhs_number or ""
    expect(row).to_contain_text(f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}")
    expect(row).to_contain_text("Yes")  # she has a care relationship
    row.get_by_role("link", name=str(person)).click()

    expect(page).to_have_url("/people/p1/")
    expect(page.get_by_role("heading", level=1)).to_have_text(str(person))
    expect(page.get_by_text("the person is on your team's caseload")).to_be_visible()
    timeline = page.locator("#timeline ~ ol")
    # Every organisation's entries in one timeline: the admission, a rapid response visit,
    # a social work contact and the voluntary sector's care navigation.
    for entry in ("spell-s1", "contact-c1", "contact-c2", "contact-c3", "ae-a1"):
        expect(timeline.locator(f"#entry-{entry}")).to_be_visible()

    # Filter to social care only: the health entries go, the social work contact stays.
    page.get_by_label("Social care").check()
    page.get_by_role("button", name="Filter the timeline").click()
    expect(timeline.locator("#entry-contact-c2")).to_be_visible()
    expect(timeline.locator("#entry-spell-s1")).to_have_count(0)
    assert traffic.outside == [] and traffic.failures == []
    assert AuditEvent.objects.filter(person_id="p1", action="view").count() == 2


def test_unrelated_social_worker_breaks_the_glass_and_the_manager_reviews_it(
    page: Page, city: dict[str, Any], traffic: Traffic
) -> None:
    person: Person = city["person"]
    page.goto("/people/p1/")
    log_in(page, *OTHER_SOCIAL_WORKER)
    expect(page).to_have_url("/people/p1/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No record to show")
    expect(page.get_by_text(str(person))).to_have_count(0)

    page.get_by_role("button", name="Break the glass").click()  # no reason given
    expect(page.get_by_role("alert")).to_contain_text("reason")
    reason = "Called to the home by the ambulance crew; no care team available tonight"
    page.get_by_label("Why do you need to see this record?").fill(reason)
    page.get_by_role("button", name="Break the glass").click()

    expect(page).to_have_url("/people/p1/")
    expect(page.get_by_role("heading", level=1)).to_have_text(str(person))
    expect(page.locator("#break-glass-banner")).to_contain_text("You broke the glass")
    expect(page.locator("#entry-spell-s1")).to_be_visible()
    glass = BreakGlass.objects.get(person_id="p1")
    assert glass.reason == reason
    assert dt.timedelta(hours=4) == glass.expires_at - glass.started_at

    # The Northgate team manager sees the use on a person her team cares for.
    page.get_by_role("button", name="Log out").click()
    page.goto("/break-glass/")
    log_in(page, "demo-team-manager", city["logins"]["demo-team-manager"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Break-glass review")
    row = page.locator("tr", has_text=reason)
    expect(row).to_contain_text(OTHER_SOCIAL_WORKER[0])
    expect(row).to_contain_text(str(person))  # whose record, by name and NHS number
    expect(row).to_contain_text(f"NHS number {format_nhs_number(person.nhs_number)}")
    row.get_by_role("button").click()
    expect(page.locator("tr", has_text=reason)).to_contain_text("Reviewed")
    glass.refresh_from_db()
    assert glass.reviewed_by == "demo-team-manager" and glass.reviewed_at is not None
    assert traffic.outside == []
