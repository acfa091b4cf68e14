"""No dead ends: every link a demo role is shown, followed from its landing page, opens.

The platform hands staff lists to act on (tasks, the triage queue, the urgent board, the
hub's board, MDT agendas, case finding). A link on any of them that answers 403, 404 or
500 to the person it was shown to is a dead end: the access rules must follow the work
the platform gives out, and where a viewer may not open a record the list shows the name
without a link and says why (joinedup.access.work, components/people.jinja).

Each demo role crawls its pages from the landing page in a demo city built as `make demo`
builds it (a smaller city), three links deep; the roles are split in two halves, each
with its own city, so the two halves run on both workers. The clock is fixed, so the
demo's "today" is the same on any date the suite runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from crawling import DEPTH, MOMENT, crawl, demo_logins, url_kind
from joinedup.access.capabilities import FIND_PEOPLE

pytestmark = [
    pytest.mark.slow,  # a city built and crawled by every role: a minute or two of one core
    pytest.mark.once_on_postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),
]

HALVES = (0, 1)


@pytest.fixture(name="demo_logins")
def demo_logins_fixture(transactional_db: None, tmp_path: Path) -> list[Any]:
    return demo_logins(tmp_path)


@pytest.mark.parametrize("half", HALVES)
def test_every_link_a_demo_role_is_shown_opens(demo_logins: list[Any], half: int) -> None:
    roles = demo_logins[half :: len(HALVES)]
    assert len(roles) >= 8
    dead: list[str] = []
    codes: set[str] = set()
    with time_machine.travel(MOMENT + dt.timedelta(minutes=5), tick=True):
        for user in roles:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            found = crawl(client, "/", DEPTH)
            dead += [f"{user.username}: {link}" for link in found.dead]
            codes |= {line.split(" on ")[0] + " on " + url_kind(line.split(" on ")[1])
                      for line in found.codes}  # fmt: skip
            records = [url for url, status in found.visited.items() if url.startswith("/people/P")]
            # The crawl reached the role's work: the menu's pages, and records for those
            # who care for people (a crawl that stopped at the landing page proves nothing).
            assert len(found.visited) > 1, user.username
            if FIND_PEOPLE.allows(user.staff_member):
                assert records, f"{user.username} reached no one's record"
    assert dead == []
    # Nothing shown as it is stored ("two_hour", "stayed_home"): each code with the kind of
    # page that showed it.
    assert sorted(codes) == [], "\n".join(sorted(codes))
