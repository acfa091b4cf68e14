"""The validation report in chromium: a file a commissioner opens from disk, offline.

It must draw its three charts, pass axe's WCAG 2.2 AA rules and ask for nothing over the
network (it is read on machines with no internet and must leak nothing when it has).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from page_checks import screenshot, violations
from playwright.sync_api import Browser, Route, expect

from joinedup.risk.model import load
from joinedup.risk.report import build_report
from joinedup.risk.report_html import write_html

pytestmark = [pytest.mark.browser, pytest.mark.engines]  # no database: run once


@pytest.fixture(scope="module")
def report(risk_city: Path, risk_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report on the session's risk city and model (trained on 1 April 2023)."""
    path = tmp_path_factory.mktemp("risk-report") / "report.html"
    write_html(build_report(risk_city, load(risk_model), dt.date(2024, 4, 1)), path)
    return path


def test_the_report_opens_offline_with_its_charts_and_no_violations(
    browser: Browser, report: Path
) -> None:
    asked: list[str] = []

    def guard(route: Route) -> None:
        asked.append(route.request.url)
        if urlsplit(route.request.url).scheme == "file":
            route.continue_()
        else:
            route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", guard)
    try:
        page = context.new_page()
        page.goto(report.as_uri())
        expect(page.get_by_role("heading", level=1)).to_contain_text("validation report")
        charts = page.locator("svg.risk-chart")
        expect(charts).to_have_count(3)
        for i in range(3):
            box = charts.nth(i).bounding_box()
            assert box is not None and box["width"] >= 400  # drawn at a readable size
        for name in ("joinedup model", "QAdmissions-style model", "Frailty category alone"):
            expect(page.get_by_role("row", name=name).first).to_be_visible()
        assert violations(page) == []
        assert [url for url in asked if urlsplit(url).scheme != "file"] == []
        baselines = page.get_by_role("heading", name="The model against its baselines")
        baselines.evaluate("heading => heading.scrollIntoView()")  # the table, then the chart
        screenshot(page, "risk-report", full_page=False)
    finally:
        context.close()
