"""Latency of the transfer of care hub's board with 1,500 people in hospital, 20 sessions.

The demo city (100,000 people, what `joinedup demo` builds) has about 130 people in
hospital on its board's day; this benchmark adds generated in-hospital stays (synthetic
people of the city, admitted in the 40 days to the board's day, about a third ready for
discharge with a delay reason drawn from the national list and a ward) until 1,500 are in
hospital, as in a large acute trust. Then, served by `joinedup serve` on SQLite
(--database postgresql or both: also on a PostgreSQL database holding the same city, built
once and kept), discharge coordinators ask for the board (first page, a later page,
filtered by a reason) and a stay's page. Every board page writes a view event per person
listed, so this measures those writes too. The harness and phases are record_latency.py's
and workspace_latency.py's: 20 sessions without pausing, 20 pausing about a second
between requests, one session alone. Prints one JSON document (also written to benchmarks/out/).
Goal (issue 7): p95 under 200 ms with 20 concurrent sessions. Never a test assertion.

    .venv/bin/python benchmarks/hub_latency.py
    .venv/bin/python benchmarks/hub_latency.py --database both
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from record_latency import (  # noqa: E402  (the latency harness, shared)
    OUT,
    Task,
    log,
    prepare_postgres,
    prepare_sqlite,
    run_step,
    setup_django,
    start_server,
    step_setup,
    stop_server,
)
from run import machine  # noqa: E402
from workspace_latency import add_phase_arguments, run_phases, tasks_from  # noqa: E402

INPATIENTS = 1_500
COORDINATOR = "demo-discharge-coordinator"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/joinedup_hub_bench"  # a 100k city, kept
GOALS_MS = {"board": 200.0, "board_filtered": 200.0, "stay": 200.0}
REASONS = (  # a mix like the national collection's: most wait for care or assessment
    ("awaiting_care_package", 30), ("awaiting_assessment", 20), ("awaiting_residential_home", 12),
    ("awaiting_nursing_home", 10), ("awaiting_further_nhs_care", 10), ("patient_family_choice", 8),
    ("awaiting_equipment_adaptation", 4), ("housing", 3), ("other", 3),
)  # fmt: skip


def step_hub(target: str) -> dict[str, Any]:
    """The demo's logins, then generated in-hospital stays up to `target` people in hospital."""
    seeded = step_setup()
    setup_django()
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from joinedup.record.models import HospitalSpell, Person
    from joinedup.transfers.inpatients import board_day, in_hospital
    from joinedup.transfers.models import Stay

    rng = random.Random(7)
    day = board_day(timezone.localdate())
    already = in_hospital(day)
    present = set(already.values_list("person_id", flat=True))
    wanted = int(target) - already.count()
    adults = [
        pid
        for pid in Person.objects.filter(
            death_date__isnull=True, birth_date__lte=day - dt.timedelta(days=18 * 366)
        ).values_list("id", flat=True)
        if pid not in present
    ]
    chosen = rng.sample(adults, max(0, wanted))
    reasons, weights = zip(*REASONS, strict=True)
    now = timezone.now()
    spells, stays = [], []
    for i, person_id in enumerate(chosen):
        admitted = day - dt.timedelta(days=rng.randint(0, 40))
        ready = admitted + dt.timedelta(days=rng.randint(1, 20))
        delayed = ready <= day and rng.random() < 0.8
        spell = HospitalSpell(
            id=f"bench-{i}",
            person_id=person_id,
            admission_date=admitted,
            admission_method="emergency",
            acsc=False,
            fall=rng.random() < 0.1,
        )
        stay = Stay(spell_id=spell.id, ward=f"Ward {rng.randint(1, 30)}", updated_at=now)
        stay.updated_by = "benchmark"
        if delayed:
            spell.ready_for_discharge_date = ready
            spell.delay_reason = rng.choices(reasons, weights)[0]
            spell.delay_responsibility = rng.choice(("nhs", "social_care", "both"))
            stay.proposed_pathway = rng.choice((0, 1, 1, 1, 2, 3))
        spells.append(spell)
        stays.append(stay)
    with transaction.atomic():
        HospitalSpell.objects.bulk_create(spells, batch_size=500)
        Stay.objects.bulk_create(stays, batch_size=500)
    return {
        **seeded,
        "board_day": day.isoformat(),
        "in_hospital": in_hospital(day).count(),
        "delayed": in_hospital(day).filter(ready_for_discharge_date__lte=day).count(),
        "stay": spells[0].id if spells else already.first().pk,  # type: ignore[union-attr]
    }


def tasks_for(kind: str, setup: dict[str, Any], count: int) -> list[Task]:
    paths = {
        "board": ["/transfers/", "/transfers/?page=5"],
        "board_filtered": ["/transfers/?reason=awaiting_care_package", "/transfers/?pathway=1"],
        "stay": [f"/transfers/stay/{setup['stay']}/"],
    }
    expect = {"board": "in hospital", "board_filtered": "in hospital", "stay": "discharge plan"}
    return tasks_from(paths[kind], kind, expect[kind], count)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("JOINEDUP_BENCH_HUB_POSTGRES_URL", POSTGRES_URL),
        help="the PostgreSQL database to build or reuse (never a test database)",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild PostgreSQL's")
    parser.add_argument("--inpatients", type=int, default=INPATIENTS)
    add_phase_arguments(parser)
    parser.add_argument("step_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps({"hub": step_hub}[args.step](*args.step_args), default=str))
        return
    results: dict[str, Any] = {"machine": machine(), "people": args.people, "runs": []}
    with tempfile.TemporaryDirectory(prefix="joinedup-hub-") as name:
        tmp = Path(name)
        for database in ("sqlite", "postgresql"):
            if args.database not in (database, "both"):
                continue
            if database == "sqlite":
                env = prepare_sqlite(tmp / database, args.people)
            else:
                env = prepare_postgres(tmp / database, args.postgres, args.people, args.rebuild)
            log(f"{database}: demo logins; in-hospital stays up to {args.inpatients:,}")
            setup = run_step("hub", env, str(args.inpatients), script=__file__)
            log(f"set up: {setup}")
            server = start_server(env, args.workers, tmp / f"{database}-server.log")
            try:
                phases = run_phases(
                    server.port, setup, GOALS_MS, args, user=COORDINATOR, tasks_for=tasks_for
                )
            finally:
                stop_server(server)
            results["runs"].append({"database": database, "setup": setup, "phases": phases})
    results["server"] = {"workers": args.workers, "threads": 4, "sessions": args.sessions}
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2)
    (OUT / f"hub-latency-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
