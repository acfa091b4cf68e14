"""A commissioner opens the outcome dashboards in Debian's chromium: the charts are drawn (from
this server only), the CSV downloads what the chart shows, and axe finds nothing to fix."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from page_checks import violations
from playwright.sync_api import ConsoleMessage, Page, expect
from staff_login import log_in

from joinedup.access.demo import create_demo_logins
from joinedup.outcomes.models import OutcomeResult
from joinedup.outcomes.refresh import refresh_outcomes
from joinedup.record.load import load_lake

if TYPE_CHECKING:
    from conftest import Traffic  # tests/browser/conftest.py

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # logins and the refresh write audit events
]

METRIC = "emergency_admissions_per_100k"
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def city(tiny_lake: Path) -> dict[str, str]:
    load_lake(tiny_lake)
    refresh_outcomes(tiny_lake, username="tests")
    return {login.username: login.password for login in create_demo_logins()}


def test_a_commissioner_reads_a_metric_downloads_its_csv_and_the_pages_are_accessible(
    page: Page, city: dict[str, str], traffic: Traffic
) -> None:
    blocked: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            blocked.append(message.text)

    page.on("console", console)
    page.goto("/login/?next=/")
    log_in(page, "demo-commissioner", city["demo-commissioner"])
    page.get_by_role("link", name="Outcome dashboards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome dashboards")
    assert violations(page) == []
    page.get_by_role("link", name="Emergency admissions, all ages").click()
    expect(page).to_have_url(f"/outcomes/{METRIC}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency admissions, all ages")

    # The charts are drawn: the area's trend and one panel per neighbourhood, each an image
    # named by its title, with lines and axis labels; Northgate's team went live in the window.
    charts = page.locator("svg.outcomes-chart[role=img]")
    expect(charts).to_have_count(3)
    panels = page.locator(".outcomes-panels > li")
    expect(panels).to_have_count(2)
    expect(panels.locator("h3")).to_have_text(["Northgate", "Southmead"])
    northgate = page.get_by_role("img", name="Northgate: emergency admissions, all ages")
    expect(northgate).to_be_visible()
    box = northgate.bounding_box()
    assert box is not None and box["width"] > 250 and box["height"] > 150
    expect(northgate.locator("line.outcomes-go-live")).to_have_count(1)
    expect(northgate.locator("path")).not_to_have_count(0)
    expect(northgate.locator("text", has_text="Live")).to_be_visible()
    expect(page.locator("#panel-n-south line.outcomes-go-live")).to_have_count(0)
    expect(page.locator("#panel-n-south")).to_contain_text("The team is not integrated yet.")
    expect(page.locator("#chart-area-title")).to_have_text(
        "Emergency admissions, all ages: the whole area, month by month"
    )
    expect(page.get_by_role("heading", name="League table, 2024/25")).to_be_visible()

    # The table alternative opens from the keyboard.
    summary = page.locator("summary", has_text="Show every neighbourhood's figures as a table")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("details", has=summary).locator("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="April 2019", exact=True)).to_be_visible()
    expect(table.locator("thead th")).to_have_text(
        ["Month", "Northgate", "Southmead", "Whole area"]
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "outcomes-metric.png", full_page=True)
    assert violations(page) == []

    # The CSV is what the panels show: every stored month of both neighbourhoods, rounded
    # as the page rounds them (admissions per 100,000 people to whole numbers).
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every neighbourhood's figures (CSV)").click()
    path = download.value.path()
    assert download.value.suggested_filename == "emergency-admissions-all-ages-by-neighbourhood.csv"
    with Path(path).open(newline="") as file:
        rows = list(csv.DictReader(file))
    stored = {
        (r.neighbourhood_id, r.period_start.isoformat()): r.value
        for r in OutcomeResult.objects.filter(period_kind="month", metric=METRIC)
    }
    ids = {"Northgate": "n-north", "Southmead": "n-south"}
    assert len(rows) == 144
    for row in rows:
        value = stored[(ids[row["Neighbourhood"]], row["Period start"])]
        shown = row["Value (admissions per 100,000 people)"]
        assert shown == ("" if value is None else f"{value:.0f}")

    # A year chosen for the league table, and the Audit Commission page.
    page.get_by_label("Financial year").select_option("2021")
    page.get_by_role("button", name="Show this year").click()
    expect(page.get_by_role("heading", name="League table, 2021/22")).to_be_visible()
    page.goto("/outcomes/audit-commission/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "If every neighbourhood matched the best quartile"
    )
    page.screenshot(path=SCREENSHOTS / "outcomes-audit-commission.png", full_page=True)
    assert violations(page) == []

    assert traffic.outside == [], "requests left 127.0.0.1"
    assert traffic.failures == []
    assert blocked == []


def test_a_team_manager_sees_their_neighbourhood_outlined_and_others_are_refused(
    page: Page, city: dict[str, str], traffic: Traffic
) -> None:
    page.goto(f"/login/?next=/outcomes/{METRIC}/")
    log_in(page, "demo-team-manager", city["demo-team-manager"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency admissions, all ages")
    yours = page.locator(".outcomes-panel--yours")
    expect(yours).to_have_count(1)
    expect(yours.locator("h3")).to_have_text("Northgate Your team")
    expect(yours).to_have_css("border-top-width", "3px")
    expect(page.locator("tr.outcomes-yours").get_by_role("rowheader")).to_have_accessible_name(
        "Northgate (your team)"
    )
    page.get_by_role("button", name="Log out").click()

    page.goto(f"/login/?next=/outcomes/{METRIC}/")
    log_in(page, "demo-social-worker", city["demo-social-worker"])
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    expect(page.locator("svg.outcomes-chart")).to_have_count(0)
    assert traffic.outside == []
