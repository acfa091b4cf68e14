"""What the header's unread-notification count adds to a page, measured in one process.

Every page a member of staff who works with people opens shows "Notifications (N unread)"
(joinedup.notifications.header): one count over the partial index of unread rows. Goal
(issue 20): it adds under 5 ms to a page. A city is built (--people, 20,000 by default, on
SQLite; --postgres URL reuses or builds a PostgreSQL database instead), every demo login is
given notifications and so are 2,000 other members of staff (--notifications in all, a
third unread), and then, in this process with Django's test client:

- the count itself (`header_link`) for the demo community nurse, who has the most unread;
- the nurse's task list rendered whole, with the count and with the header's link taken out
  of the templates' globals, in alternating batches so drift on a noisy machine falls on
  both alike; the difference of the medians is what the count costs a page.

Prints one JSON document (also written to benchmarks/out/). Never a test assertion.

    .venv/bin/python benchmarks/notification_count.py
    .venv/bin/python benchmarks/notification_count.py --postgres postgresql://postgres@127.0.0.1:5432/joinedup_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from record_latency import (  # noqa: E402  (the harness's building steps, shared)
    OUT,
    log,
    prepare_postgres,
    prepare_sqlite,
    run_step,
)
from run import machine  # noqa: E402

GOAL_MS = 5.0
NURSE = "demo-community-nurse"
PAGE = "/tasks/"
OTHER_STAFF = 2_000


def step_fill(total: int) -> dict[str, Any]:
    """Demo logins (as `joinedup demo` makes them) and `total` notifications spread over
    them and OTHER_STAFF more staff, a third unread; the nurse gets the most."""
    from record_latency import step_setup

    step_setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from joinedup.notifications.models import Kind, Notification

    users = get_user_model()
    if Notification.objects.count() >= total:
        return {"notifications": Notification.objects.count(), "added": 0}
    with transaction.atomic():
        existing = set(
            users.objects.filter(username__startswith="bench-staff-").values_list(
                "username", flat=True
            )
        )
        users.objects.bulk_create(
            [
                users(username=name, is_active=True)
                for i in range(OTHER_STAFF)
                if (name := f"bench-staff-{i:05d}") not in existing
            ]
        )
        recipients = list(users.objects.order_by("id").values_list("id", flat=True))
        nurse = users.objects.get(username=NURSE).pk
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        batch: list[Notification] = []
        for i in range(total):
            recipient = nurse if i % 50 == 0 else recipients[i % len(recipients)]
            created = start + dt.timedelta(minutes=i)
            batch.append(
                Notification(
                    recipient_id=recipient,
                    kind=Kind.TASK,
                    text="A task was given to you",
                    link="/tasks/",
                    created_at=created,
                    read_at=None if i % 3 == 0 else created + dt.timedelta(hours=1),
                )
            )
            if len(batch) == 10_000:
                Notification.objects.bulk_create(batch)
                batch = []
        Notification.objects.bulk_create(batch)
    return {"notifications": Notification.objects.count(), "added": total}


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def step_measure(rounds: int) -> dict[str, Any]:
    from record_latency import setup_django

    setup_django()
    from django.contrib.auth import get_user_model
    from django.template import engines
    from django.test import Client, RequestFactory

    from joinedup.notifications.header import header_link
    from joinedup.notifications.models import Notification

    nurse = get_user_model().objects.get(username=NURSE)
    unread = Notification.objects.filter(recipient=nurse).unread().count()
    request = RequestFactory(HTTP_HOST="localhost").get(PAGE)
    request.user = nurse
    for _ in range(20):
        header_link(request)
    count_s = []
    for _ in range(rounds * 10):
        started = time.perf_counter()
        link = header_link(request)
        count_s.append(time.perf_counter() - started)
    assert link is not None and f"{unread} unread" in link["text"], link

    env = engines["jinja2"].env  # type: ignore[attr-defined]
    with_link = env.globals["notifications_link"]
    client = Client(HTTP_HOST="localhost")  # a host the settings allow by default
    client.force_login(nurse)
    pages: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(5):
        client.get(PAGE)  # warm: templates compiled, connections open
    for batch in range(rounds // 10):
        for shown in (batch % 2 == 0, batch % 2 == 1):
            env.globals["notifications_link"] = with_link if shown else (lambda request: None)
            for _ in range(10):
                started = time.perf_counter()
                response = client.get(PAGE)
                pages[shown].append(time.perf_counter() - started)
                assert response.status_code == 200
                assert (b"unread)" in response.content) is shown
    env.globals["notifications_link"] = with_link
    page_with, page_without = _median_ms(pages[True]), _median_ms(pages[False])
    return {
        "unread_for_the_nurse": unread,
        "count_ms_median": _median_ms(count_s),
        "count_ms_p95": round(sorted(count_s)[int(len(count_s) * 0.95)] * 1000, 3),
        "page": PAGE,
        "page_ms_median_with_count": page_with,
        "page_ms_median_without": page_without,
        "added_ms": round(page_with - page_without, 3),
        "goal_ms": GOAL_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=20_000, help="SQLite city's people")
    parser.add_argument("--postgres", help="a PostgreSQL database to reuse or build instead")
    parser.add_argument("--notifications", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=200, help="page requests each way")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.step == "fill":
        print(json.dumps(step_fill(int(rest[0]))))
        return
    if args.step == "measure":
        print(json.dumps(step_measure(int(rest[0]))))
        return
    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory(prefix="joinedup-notify-bench-") as tmp:
        if args.postgres:
            env = prepare_postgres(Path(tmp), args.postgres, args.people, rebuild=False)
        else:
            env = prepare_sqlite(Path(tmp), args.people)
        env = {**env, "JOINEDUP_DEBUG": ""}
        log(f"notifications: {args.notifications:,} over {OTHER_STAFF:,} staff and the demo logins")
        filled = run_step("fill", env, str(args.notifications), script=script)
        log("measuring in this process's test client")
        measured = run_step("measure", env, str(args.rounds), script=script)
    result = {
        "benchmark": "notification_count",
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if args.postgres else "sqlite",
        "people": args.people,
        **filled,
        **measured,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "notification_count.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    main()
