"""Every page staff can reach passes axe's WCAG 2.2 AA rules (axe-core ships in the package)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from date_input import fill_date
from django.utils import timezone
from page_checks import violations
from playwright.sync_api import Page, expect

from joinedup.access.demo import create_demo_logins
from joinedup.casefinding.loading import load_scores
from joinedup.lake.fingerprint import lake_fingerprint
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.record.load import load_lake
from joinedup.record.models import Episode, Person
from joinedup.risk.scoring import (
    META_LAKE_FINGERPRINT,
    META_MODEL_AS_OF,
    META_PSEUDONYMISED,
    META_SOURCE,
    SCHEMA,
)
from joinedup.web.error_pages import plain_response, server_error_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # logging in writes audit events
]


def test_login_and_overview_have_no_accessibility_violations(page: Page, tiny_lake: Path) -> None:
    load_lake(tiny_lake)
    logins = {login.username: login.password for login in create_demo_logins()}
    page.goto("/login/")
    assert violations(page) == []
    page.get_by_label("Username").fill("demo-team-manager")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert violations(page) == []  # the error summary too
    page.get_by_label("Username").fill("demo-team-manager")
    page.get_by_label("Password").fill(logins["demo-team-manager"])
    page.get_by_role("button", name="Log in").click()
    # a team manager lands on the team's caseload (joinedup.web.workspace)
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    assert violations(page) == []
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership overview")
    assert violations(page) == []


def test_person_pages_have_no_accessibility_violations(page: Page, tiny_lake: Path) -> None:
    """Search (with results and with an error), the record, its refusal, break-glass and
    the review list, each as a member of staff meets it."""
    load_lake(tiny_lake)
    logins = {login.username: login.password for login in create_demo_logins()}
    Episode.objects.create(
        id="e-open", person_id="p1", team_id="t-north", start_date=dt.date(2024, 6, 1)
    )
    page.goto("/login/?next=/people/")
    page.get_by_label("Username").fill("demo-team-manager")
    page.get_by_label("Password").fill(logins["demo-team-manager"])
    page.get_by_role("button", name="Log in").click()
    person = Person.objects.get(id="p1")
    pages = [
        f"/people/?q={person.given_name}+{person.family_name}",
        "/people/?q=943+476+5918",  # an NHS number whose check digit is wrong
        "/people/p1/",
        "/people/p1/?sector=nonsense",  # the filters' error summary
        "/people/p1/access-report/",
        "/people/p4/",  # refused: another team's person
        "/people/p4/break-glass/",
        "/break-glass/",
        "/no-such-page/",  # the error pages in the usual layout: 404, 405
        "/break-glass/1/reviewed/",
    ]
    for url in pages:
        page.goto(url)
        assert violations(page) == [], url


def test_the_plain_error_page_has_no_accessibility_violations(page: Page) -> None:
    """The page a server error shows (and any error page without its layout): no style
    sheet, no script, still one language, title, heading, landmarks and visible focus."""
    page.set_content(plain_response(server_error_page()).content.decode())
    assert violations(page) == []


def test_case_finding_pages_have_no_accessibility_violations(
    page: Page, tiny_lake: Path, tmp_path: Path
) -> None:
    """The worklist without scores, with them (the manager's add buttons), after adding a
    person to the next MDT meeting (the notice) and with the error summary."""
    load_lake(tiny_lake)
    logins = {login.username: login.password for login in create_demo_logins()}
    page.goto("/login/?next=/case-finding/t-north/")
    page.get_by_label("Username").fill("demo-team-manager")
    page.get_by_label("Password").fill(logins["demo-team-manager"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case finding")
    assert violations(page) == []  # no scores loaded yet
    scores = pa.table(
        {
            "person_id": ["p1", "p3"],
            "as_of": [dt.date(2025, 4, 1)] * 2,
            "probability": [0.48, 0.21],
            "risk_band": ["very_high", "high"],
            "top_factors": [["emergency_12m", "frailty", "age"], []],
        },
        schema=SCHEMA.with_metadata(
            {
                META_PSEUDONYMISED: "false",
                META_SOURCE: "tests",
                META_MODEL_AS_OF: "2023-04-01",
                META_LAKE_FINGERPRINT: lake_fingerprint(tiny_lake),
            }
        ),
    )
    pq.write_table(scores, tmp_path / "scores.parquet")
    load_scores(tmp_path / "scores.parquet", "tests")
    now = timezone.now()
    Meeting.objects.create(
        team_id="t-north", starts_at=now + dt.timedelta(days=1), created_at=now,
        created_by="tests",
    )  # fmt: skip
    page.goto("/case-finding/t-north/")
    expect(page.locator("#worklist")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name=re.compile("Add to the MDT agenda")).first.click()
    expect(page.locator(".nhsuk-notification-banner")).to_be_visible()
    assert violations(page) == []
    # the meeting is cancelled while the page is open: adding is refused, with the summary
    AgendaItem.objects.all().delete()
    Meeting.objects.all().delete()
    page.get_by_role("button", name=re.compile("Add to the MDT agenda")).first.click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert violations(page) == []


def test_capacity_and_situation_report_pages_have_no_accessibility_violations(
    page: Page, tiny_lake: Path
) -> None:
    """Capacity (the broker's form, its error summary, the notice after recording) and the
    situation report (with a delay, the chart, and the day's error summary)."""
    # Imported here, so this test's additions stay out of the shared import block.
    from joinedup.record.models import HospitalSpell
    from joinedup.transfers.inpatients import board_day

    load_lake(tiny_lake)
    logins = {login.username: login.password for login in create_demo_logins()}
    day = board_day(timezone.localdate())
    HospitalSpell.objects.create(
        id="s-waiting", person_id="p1", admission_date=day - dt.timedelta(days=9),
        acsc=False, fall=False, ready_for_discharge_date=day - dt.timedelta(days=3),
        delay_reason="awaiting_care_package",
    )  # fmt: skip
    HospitalSpell.objects.create(
        id="s-went-home", person_id="p4", admission_date=day - dt.timedelta(days=12),
        acsc=False, fall=False, ready_for_discharge_date=day - dt.timedelta(days=8),
        discharge_date=day - dt.timedelta(days=2), delay_reason="awaiting_nursing_home",
    )  # fmt: skip
    page.goto("/login/?next=/transfers/capacity/")
    page.get_by_label("Username").fill("demo-social-care-broker")
    page.get_by_label("Password").fill(logins["demo-social-care-broker"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Capacity")
    assert violations(page) == []
    page.get_by_label("Service").select_option("reablement")
    page.get_by_label("Area").select_option("Whole area")
    page.get_by_label("Number available").fill("-2")
    page.get_by_role("button", name="Record capacity").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert violations(page) == []
    page.get_by_label("Number available").fill("2")
    page.get_by_role("button", name="Record capacity").click()
    expect(page.locator(".nhsuk-notification-banner")).to_be_visible()
    expect(page.locator("#history")).to_be_visible()
    assert violations(page) == []
    page.goto("/transfers/situation-report/")
    expect(page.locator("#sitrep")).to_be_visible()
    expect(page.locator("#delayed-days-chart-title")).to_be_attached()
    assert violations(page) == []
    page.goto("/transfers/situation-report/?on_day=not&on_month=a&on_year=day")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert violations(page) == []


def test_board_and_stay_pages_have_no_accessibility_violations(page: Page, tiny_lake: Path) -> None:
    """The board (with a delay and escalation, and with a filter's error summary) and a
    stay's page as a coordinator meets it: saved, with a problem, with an action, and the
    conflict page of a stale form."""
    # Imported here, so this test's additions stay out of the shared import block.
    from joinedup.record.models import HospitalSpell
    from joinedup.transfers.inpatients import board_day
    from joinedup.transfers.models import Stay

    load_lake(tiny_lake)
    logins = {login.username: login.password for login in create_demo_logins()}
    day = board_day(timezone.localdate())
    HospitalSpell.objects.create(
        id="s-board", person_id="p1", admission_date=day - dt.timedelta(days=30),
        acsc=False, fall=False, ready_for_discharge_date=day - dt.timedelta(days=22),
        delay_reason="awaiting_residential_home", delay_responsibility="social_care",
    )  # fmt: skip
    page.goto("/login/")
    page.get_by_label("Username").fill("demo-discharge-coordinator")
    page.get_by_label("Password").fill(logins["demo-discharge-coordinator"])
    page.get_by_role("button", name="Log in").click()
    # a discharge coordinator lands on the board (joinedup.web.workspace)
    expect(page.get_by_role("heading", level=1)).to_have_text("The board")
    expect(page.locator("#stay-s-board")).to_be_visible()
    assert violations(page) == []
    page.goto("/transfers/?pathway=9")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert violations(page) == []
    page.goto("/transfers/stay/s4/")
    expect(page.locator("#plan")).to_be_visible()
    assert violations(page) == []
    fill_date(page, "Discharge ready date", dt.date(2019, 1, 1))  # before the admission
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert violations(page) == []
    fill_date(page, "Discharge ready date", day)
    page.get_by_label("Proposed pathway").select_option("1")
    page.get_by_label("Delay reason").select_option("awaiting_care_package")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("#notice-1")).to_contain_text("The discharge plan is saved.")
    page.get_by_label("What needs to be done").fill("Ask brokerage for a package")
    page.get_by_label("Owner").select_option(label="Casterbridge City Council")
    fill_date(page, "Due date", timezone.localdate() + dt.timedelta(days=2))
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions")).to_be_visible()
    expect(page.locator("#history")).to_be_visible()
    assert violations(page) == []
    Stay.objects.filter(pk="s4").update(version=9)  # someone saves meanwhile
    page.get_by_label("Ward").fill("Ward 4")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed this plan first"
    )
    assert violations(page) == []
