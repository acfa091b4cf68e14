"""Benchmarks of the foundation: generating cities of growing size, and loading one.

Each measurement runs in a fresh process, so its peak memory is its own. Prints one JSON
document (also written to benchmarks/out/) with the machine and date; the figures go into
docs/benchmarks.md by hand. Timings are never test assertions.

    make bench   # 100k, 300k, 1M generation; 100k load on SQLite and PostgreSQL;
                 # search, record, workspace and hub board latency on the demo city
                 # (SQLite); the notification count's cost a page; every metric
                 # on DuckDB, pandas and Spark for 100k, 300k, 1M (metrics_bench.py);
                 # risk model trained on 1M, validated, scoring 1M and 3M (risk_bench.py)
    .venv/bin/python benchmarks/run.py --sizes 100000 --no-load
    .venv/bin/python benchmarks/run.py --latency-only --latency-postgres
    .venv/bin/python benchmarks/run.py --metrics-only --metrics-sizes 100000,300000
    .venv/bin/python benchmarks/run.py --risk-only

The latency on the 1,000,000-person PostgreSQL city (benchmarks/record_latency.py) runs
only with --latency-postgres (or JOINEDUP_BENCH_LATENCY_POSTGRES=1 make bench): building
that database takes about ten minutes the first time; later runs reuse it. So does the
hub's board on PostgreSQL (benchmarks/hub_latency.py, a 100,000-person city kept in
joinedup_hub_bench).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
LATENCY = ROOT / "benchmarks" / "record_latency.py"
WORKSPACE = ROOT / "benchmarks" / "workspace_latency.py"
HUB = ROOT / "benchmarks" / "hub_latency.py"
NOTIFICATIONS = ROOT / "benchmarks" / "notification_count.py"
METRICS = ROOT / "benchmarks" / "metrics_bench.py"
RISK = ROOT / "benchmarks" / "risk_bench.py"
LOAD_DATABASE = "joinedup_bench_load"

GENERATE = """
import resource, sys, time, json
from pathlib import Path
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig
t = time.perf_counter()
summary = generate_city(CityConfig(people=int(sys.argv[1])), Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": summary.rows}))
"""

LOAD = """
import os, resource, sys, time, json
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from joinedup.record.load import load_lake
t = time.perf_counter()
summary = load_lake(Path(sys.argv[1]))
seconds = time.perf_counter() - t
rows = sum(summary.rows.values())
print(json.dumps({"seconds": seconds, "rows": rows, "rows_per_second": rows / seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def machine() -> dict[str, Any]:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"benchmark step failed:\n{result.stderr[-4000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def run_script(script: Path, *args: str) -> dict[str, Any]:
    """A benchmark script in its own process; its JSON document is its whole stdout."""
    result = subprocess.run(
        [sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"{script.name} failed (exit code {result.returncode}); see above")
    return dict(json.loads(result.stdout))


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def postgres_env(url: str, name: str) -> dict[str, str]:
    """A fresh database beside the one in `url`, so the benchmark never touches real data."""
    import psycopg

    drop_database(url, name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return {"JOINEDUP_DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", default="100000,300000,1000000", help="people per generated city"
    )
    parser.add_argument("--no-load", action="store_true", help="skip the load benchmarks")
    parser.add_argument(
        "--latency-only", action="store_true", help="skip generation and load; latency only"
    )
    parser.add_argument("--no-latency", action="store_true", help="skip the latency benchmark")
    parser.add_argument(
        "--metrics-only", action="store_true", help="skip all but the metrics benchmark"
    )
    parser.add_argument("--no-metrics", action="store_true", help="skip the metrics benchmark")
    parser.add_argument("--no-risk", action="store_true", help="skip the risk benchmark")
    parser.add_argument("--risk-only", action="store_true", help="only the risk benchmark")
    parser.add_argument(
        "--metrics-sizes",
        default="100000,300000,1000000",
        help="people per city of the metrics benchmark (kept under var/bench)",
    )
    parser.add_argument(
        "--latency-postgres",
        action="store_true",
        default=os.environ.get("JOINEDUP_BENCH_LATENCY_POSTGRES", "") not in ("", "0"),
        help="also measure latency on PostgreSQL (the 1,000,000-person city, slow the first "
        "time; the hub's board on a 100,000-person one)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "JOINEDUP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, Any] = {"machine": machine(), "generate": [], "load": []}
    if args.latency_only:
        sizes, args.no_load, args.no_metrics, args.no_risk = [], True, True, True
    if args.metrics_only:
        sizes, args.no_load, args.no_latency, args.no_risk = [], True, True, True
    if args.risk_only:
        sizes, args.no_load, args.no_latency, args.no_metrics = [], True, True, True
    with tempfile.TemporaryDirectory(prefix="joinedup-bench-") as tmp:
        for people in sizes:
            city = Path(tmp) / f"city-{people}"
            print(f"generating {people:,} people", file=sys.stderr)
            measured = run_python(GENERATE, str(people), str(city))
            measured["people"] = people
            measured["people_per_second"] = people / measured["seconds"]
            results["generate"].append(measured)
        if not args.no_load:
            city = Path(tmp) / f"city-{sizes[0]}"
            print(f"loading {sizes[0]:,} people into SQLite", file=sys.stderr)
            sqlite = run_python(LOAD, str(city), env={"JOINEDUP_VAR_DIR": str(Path(tmp) / "var")})
            results["load"].append({"database": "sqlite", "people": sizes[0], **sqlite})
            print(f"loading {sizes[0]:,} people into PostgreSQL", file=sys.stderr)
            # Not joinedup_bench: that one keeps the latency benchmark's large city.
            pg = run_python(LOAD, str(city), env=postgres_env(args.postgres, LOAD_DATABASE))
            results["load"].append({"database": "postgresql", "people": sizes[0], **pg})
            drop_database(args.postgres, LOAD_DATABASE)
    if not args.no_latency:
        database = "both" if args.latency_postgres else "sqlite"
        print(f"search and record latency ({database})", file=sys.stderr)
        results["record_latency"] = run_script(LATENCY, "--database", database)
        print("triage, caseload and MDT agenda latency (sqlite)", file=sys.stderr)
        results["workspace_latency"] = run_script(WORKSPACE)
        print(f"transfer of care board latency, 1,500 in hospital ({database})", file=sys.stderr)
        results["hub_latency"] = run_script(HUB, "--database", database)
        print("what the header's notification count adds to a page (sqlite)", file=sys.stderr)
        results["notification_count"] = run_script(NOTIFICATIONS)
    if not args.no_metrics:
        print("every metric on DuckDB, pandas and Spark", file=sys.stderr)
        results["metrics"] = run_script(METRICS, "--sizes", args.metrics_sizes)
    if not args.no_risk:
        print("risk: train on 1M people, report, score 1M and 3M", file=sys.stderr)
        results["risk"] = run_script(RISK)
    if len(results["generate"]) > 1:
        base = results["generate"][0]
        for row in results["generate"]:
            row["time_ratio_to_smallest"] = row["seconds"] / base["seconds"]
            row["size_ratio_to_smallest"] = row["people"] / base["people"]
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2)
    (OUT / f"foundation-{stamp}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
