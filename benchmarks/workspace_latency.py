"""Latency of the team workspace's busiest pages with 20 concurrent logged-in sessions.

The triage queue (as the single point of access clinician), the demo team's caseload
(sorted by risk, the default, and by key worker) and its next MDT meeting's agenda (as the
team manager), on the demo city (100,000 people at the start, what `joinedup demo` builds),
served by `joinedup serve` on SQLite. Every page writes a view event for each person it
shows, so this measures those writes too. The city, server and client sessions are
record_latency.py's; the same three phases: 20 sessions without pausing, 20 pausing about
a second between requests, one session alone. Prints one JSON document (also written to
benchmarks/out/). Goal (issue 5): p95 under 200 ms. Timings are never test assertions.

    .venv/bin/python benchmarks/workspace_latency.py
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from record_latency import (  # noqa: E402  (the latency harness, shared)
    DEMO_PEOPLE,
    OUT,
    Session,
    Task,
    Timing,
    found_in,
    log,
    prepare_sqlite,
    run_step,
    setup_django,
    start_server,
    step_setup,
    stop_server,
    summarise,
)
from run import machine  # noqa: E402

GOALS_MS = {"triage": 200.0, "caseload": 200.0, "mdt_agenda": 200.0}
TRIAGE_USER = "demo-spa-triage-clinician"
TEAM_USER = "demo-team-manager"


def step_workspace() -> dict[str, Any]:
    """The demo's logins and records, today's referrals, and its MDT meetings (as `joinedup
    demo` makes them); the agenda timed is tomorrow's."""
    seeded = step_setup()
    setup_django()
    from django.utils import timezone

    from joinedup.access.demo import demo_team
    from joinedup.mdt.demo import seed_demo_meetings
    from joinedup.mdt.models import Meeting
    from joinedup.record.models import Episode, Referral
    from joinedup.referrals.demo import seed_demo_referrals

    seed_demo_referrals()
    seed_demo_meetings()
    team = demo_team()
    meeting = Meeting.objects.get(team=team, status=Meeting.Status.SCHEDULED)
    today = timezone.localdate()
    return {
        **seeded,
        "team": team.pk,
        "meeting": meeting.pk,
        "agenda_items": meeting.items.count(),
        "waiting_referrals": Referral.objects.filter(status="requested").count(),
        "caseload": Episode.objects.filter(team=team, start_date__lte=today, end_date=None).count(),
    }


def tasks_for(kind: str, setup: dict[str, Any], count: int) -> list[Task]:
    team, meeting = setup["team"], setup["meeting"]
    paths = {
        "triage": ["/referrals/triage/", "/referrals/triage/?page=2"],
        "caseload": [f"/teams/{team}/caseload/", f"/teams/{team}/caseload/?sort=key_worker",
                     f"/teams/{team}/caseload/?page=3"],
        "mdt_agenda": [f"/mdt/{meeting}/"],
    }  # fmt: skip
    expect = {"triage": "Triage queue", "caseload": "Caseload", "mdt_agenda": "agenda"}
    return tasks_from(paths[kind], kind, expect[kind], count)


def tasks_from(paths: list[str], kind: str, expect: str, count: int) -> list[Task]:
    """`count` requests of one kind, taking its paths in turn; `expect` is on each page."""
    return [Task(kind, paths[i % len(paths)], expect) for i in range(count)]


def add_phase_arguments(parser: argparse.ArgumentParser) -> None:
    """The options run_phases reads, and the city's size."""
    parser.add_argument("--people", type=int, default=DEMO_PEOPLE)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15, help="per session and phase")
    parser.add_argument("--pause", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--step", help=argparse.SUPPRESS)


def run_phase(
    port: int,
    sessions: int,
    setup: dict[str, Any],
    per_session: int,
    pause: float,
    seed: int,
    kinds: tuple[str, ...] = tuple(GOALS_MS),
    user: str | None = None,
    tasks_for: Callable[[str, dict[str, Any], int], list[Task]] = tasks_for,
) -> tuple[list[Timing], float]:
    """Each session is one user asking for one kind of page (kinds shared out in turn);
    `user` and `tasks_for` let another benchmark (hub_latency.py) time its own pages."""
    plan = []
    for i in range(sessions):
        kind = kinds[i % len(kinds)]
        client = Session(port, user or (TRIAGE_USER if kind == "triage" else TEAM_USER))
        client.log_in()
        plan.append((client, tasks_for(kind, setup, per_session + 2)))
    timings: list[Timing] = []
    lock = threading.Lock()
    barrier = threading.Barrier(sessions + 1)

    def session(client: Session, tasks: list[Task], offset: int) -> None:
        rng = random.Random(seed + offset)
        for task in tasks[:2]:  # warm up
            client.request("GET", task.path)
        barrier.wait()
        if pause:
            time.sleep(rng.uniform(0, pause))
        for task in tasks[2:]:
            started = time.perf_counter()
            try:
                status, body = client.request("GET", task.path)
            except OSError as exc:
                timing = Timing(task.kind, (time.perf_counter() - started) * 1000, None,
                                type(exc).__name__)  # fmt: skip
            else:
                ms = (time.perf_counter() - started) * 1000
                timing = Timing(task.kind, ms, status, found=found_in(body, task.expect))
            with lock:
                timings.append(timing)
            if pause:
                time.sleep(rng.expovariate(1 / pause))

    threads = [
        threading.Thread(target=session, args=(c, t, i), daemon=True)
        for i, (c, t) in enumerate(plan)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return timings, time.perf_counter() - started


def run_phases(
    port: int,
    setup: dict[str, Any],
    goals: dict[str, float],
    args: argparse.Namespace,
    user: str | None = None,
    tasks_for: Callable[[str, dict[str, Any], int], list[Task]] = tasks_for,
) -> dict[str, Any]:
    """The three phases, summarised: args.sessions sessions without pausing, the same
    pausing about args.pause seconds between requests, then one session alone asking for
    each kind in turn (a page's own cost)."""
    kinds = tuple(goals)
    phases = {}
    for label, pause in (("no_pause", 0.0), (f"pause_{args.pause:g}s", args.pause)):
        log(f"{label}: {args.sessions} sessions x {args.requests} requests")
        phases[label] = summarise(
            *run_phase(port, args.sessions, setup, args.requests, pause, 1, kinds, user, tasks_for),
            goals=goals,
        )
    log(f"one session alone: {args.requests * 2} requests of each kind")
    alone: list[Timing] = []
    seconds = 0.0
    for kind in kinds:
        timings, took = run_phase(
            port, 1, setup, args.requests * 2, 0.0, 1, (kind,), user, tasks_for
        )
        alone += timings
        seconds += took
    phases["one_session"] = summarise(alone, seconds, goals=goals)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_phase_arguments(parser)
    args = parser.parse_args()
    if args.step:
        print(json.dumps({"workspace": step_workspace}[args.step](), default=str))
        return
    results: dict[str, Any] = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="joinedup-workspace-") as name:
        tmp = Path(name)
        env = prepare_sqlite(tmp / "sqlite", args.people)
        log("demo logins, records, today's referrals, an MDT meeting")
        setup = run_step("workspace", env, script=__file__)
        log(f"set up: {setup}")
        server = start_server(env, args.workers, tmp / "server.log")
        try:
            phases = run_phases(server.port, setup, GOALS_MS, args)
        finally:
            stop_server(server)
    results["people"], results["setup"], results["phases"] = args.people, setup, phases
    results["server"] = {"workers": args.workers, "threads": 4, "sessions": args.sessions}
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2)
    (OUT / f"workspace-latency-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
