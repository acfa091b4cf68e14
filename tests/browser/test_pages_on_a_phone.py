"""Every kind of page the demo roles reach is usable on a phone: at 390 px wide neither the
page nor any table scrolls sideways, and axe finds no serious or critical WCAG 2.2 AA
violation there nor at 1280 px.

A small demo city is built as `make demo` builds it, with the no-dead-ends test's fixed
clock (tests/integration/test_no_dead_ends.py), and each demo role's pages are found by
crawling from its landing page with Django's test client (tests/crawling.py), opening one
address of each kind (URL pattern) it is shown. Between them the roles reach some 330
pages of about 45 kinds, and axe takes up to three seconds on a long page, so what is
opened in chromium is sampled to keep the test near two minutes of a 2-core machine: each
kind of page once, logged in through the login page as the first role to reach it, the
roles taken from the one reaching the most kinds (the team manager, who also sees the
buttons that others do not) to the fewest. A page's layout is its template's, the same for
every role; a role changes which parts are shown, and the fullest view is the widest. Each
sampled page is opened in a 1280 px window, then in a 390 px one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from header_menu import header_settled
from page_checks import PHONE, too_wide, violations
from playwright.sync_api import Browser, Page
from staff_login import log_in

from conftest import Traffic, guarded_page
from crawling import DEPTH, MOMENT, crawl, demo_logins, url_kind
from joinedup.access.demo import demo_password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # reads pages through the ORM: the database makes no odds
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # every record opened writes audit events
]

DESKTOP = {"width": 1280, "height": 900}
SERIOUS = frozenset({"serious", "critical"})


@pytest.fixture(name="demo_logins")
def demo_logins_fixture(site: str, tmp_path: Path) -> list[Any]:
    """The demo roles' users, in the live server's database."""
    return demo_logins(tmp_path)


def kinds_reached(user: Any) -> dict[str, str]:
    """The first address of each kind of page the role reaches from its landing page, by
    the kind's name."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    found = crawl(client, "/", DEPTH, expand=1, open_each=1)
    first: dict[str, str] = {}
    for url in found.pages:
        first.setdefault(url_kind(url), url)
    return first


def problems_at(page: Page, url: str, window: dict[str, int]) -> list[str]:
    """What is wrong with `url` in a window this size: axe's serious or critical
    violations, and on a phone a page or a table wider than the window."""
    page.set_viewport_size(window)
    page.goto(url)
    header_settled(page)  # as a person first sees it, the header's menu laid out
    width = f"{window['width']} px"
    found = [f"{url} at {width}: {line}" for line in violations(page, impacts=SERIOUS)]
    if window == PHONE and (wide := too_wide(page)):
        found.append(f"{url} at {width}: {wide}")
    return found


def test_every_kind_of_page_the_demo_roles_reach_fits_a_phone(
    browser: Browser, site: str, traffic: Traffic, demo_logins: list[Any]
) -> None:
    problems: list[str] = []
    with time_machine.travel(MOMENT + dt.timedelta(minutes=5), tick=True):
        reached = {user.username: kinds_reached(user) for user in demo_logins}
        checked: set[str] = set()
        for username in sorted(reached, key=lambda name: (-len(reached[name]), name)):
            sample = [url for kind, url in reached[username].items() if kind not in checked]
            checked.update(reached[username])
            if not sample:
                continue
            with guarded_page(browser, site, traffic) as page:
                page.goto("/login/")
                log_in(page, username, demo_password(username))
                page.wait_for_url(lambda url: "/login/" not in url)
                for url in sample:
                    for window in (DESKTOP, PHONE):
                        problems += [
                            f"{username}: {line}" for line in problems_at(page, url, window)
                        ]
    # The roles reached their work, not only their landing pages, all served from here.
    assert len(checked) >= 40, sorted(checked)
    assert traffic.outside == [] and traffic.failures == []
    assert problems == [], "\n".join(problems)
