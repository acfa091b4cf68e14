"""Metrics benchmark (issue 4): every metric, monthly, over six years, on growing cities.

For each city (generated once under var/bench/city-<people>, then reused) three runs, each
in a fresh process so its peak memory is its own: compute_metrics on DuckDB (the lake
check it starts with timed apart), the plain pandas baseline of benchmarks/metrics_pandas.py,
and compute_metrics on Spark local[2] (its session start timed on its own). DuckDB runs
first on a lake not yet checked (an empty cache of checked lakes: the whole check, every
page decoded), then --repeat times on the lake checked (the cache kept: what every later
command pays); pandas ÷ DuckDB is given for both. Spark always starts with an empty cache. The three
results must agree (counts exactly, values and money to a relative 1e-9): the run fails,
after writing its figures, when they do not. Progress and a table go to stderr; the JSON
document (also written to benchmarks/out/) is the whole of stdout.

    .venv/bin/python benchmarks/metrics_bench.py                       # 100k, 300k, 1M
    .venv/bin/python benchmarks/metrics_bench.py --sizes 100000 --engines duckdb,pandas
    .venv/bin/python benchmarks/run.py --metrics-only                  # the same, via make bench
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from run import GENERATE, OUT, ROOT, machine, run_python

CITIES = ROOT / "var" / "bench"
RESULTS = CITIES / "metrics-results"
ENGINES = ("duckdb", "pandas", "spark")
PERIOD = "month"
SPARK_MASTER = "local[2]"
RELATIVE = 1e-9
MONEY = "pooled_budget_spent_pct"  # sums of pounds: summation order may move the last bit
VERSIONS = ("duckdb", "ibis-framework", "pandas", "pyarrow", "pyspark")
STEP = "step:"  # a child's progress line on stderr: "step:<name>"

console = Console(stderr=True)
if not console.is_terminal:  # a log file: wide enough for the table on one line a row
    console = Console(stderr=True, width=160)


class PeakMemory:
    """Samples the resident memory of this process and its children (Spark's JVM)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a child that just ended
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    """CPU time (user and system) used so far by this process and its children (the JVM):
    on a shared machine it grows less than wall time when others compete for the cores."""
    total = 0.0
    me = psutil.Process()
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def time_lake_check(checks: list[float]) -> bool:
    """Time the lake check inside compute_metrics: wrap the real open_lake it calls (the
    check and nothing else), noting each call's seconds in `checks`. False if not found."""
    import joinedup.metrics.compute as module

    real = getattr(module, "open_lake", None)
    if real is None:
        return False

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            checks.append(time.perf_counter() - started)

    module.open_lake = timed
    return True


STEPS: list[tuple[str, float]] = []  # (step, when done) in a measuring child


def step(name: str) -> None:
    """Tell the parent a step is done, and note when, for the split of the time by step."""
    STEPS.append((name, time.perf_counter()))
    print(f"{STEP}{name}", file=sys.stderr, flush=True)


def step_seconds(started: float) -> dict[str, float]:
    """Seconds each step of compute_metrics took (the lake check and setup in the first)."""
    split, last = {}, started
    for name, done in STEPS:
        split[name] = done - last
        last = done
    return split


def measure(engine: str, lake: Path, out: Path) -> dict[str, Any]:
    """One engine on one lake, in this (fresh) process; the result is written to `out`."""
    figures: dict[str, Any] = {"engine": engine, "load_average_before": os.getloadavg()[0]}
    with PeakMemory() as memory:
        if engine == "pandas":
            from metrics_pandas import compute_metrics_pandas

            cpu, started = cpu_seconds(), time.perf_counter()
            table = compute_metrics_pandas(lake, PERIOD)
            figures["seconds"] = time.perf_counter() - started
            figures["cpu_seconds"] = cpu_seconds() - cpu
        else:
            from joinedup.metrics import compute_metrics

            checks: list[float] = []
            wrapped = time_lake_check(checks)
            if engine == "spark":
                from joinedup.metrics.engines import spark_session

                started = time.perf_counter()
                spark_session(SPARK_MASTER)
                figures["session_seconds"] = time.perf_counter() - started
                step("session start")
            if not wrapped:  # no open_lake to time inside: time a check of its own
                from joinedup.lake import check_lake

                started = time.perf_counter()
                check_lake(lake)
                checks.append(time.perf_counter() - started)
            STEPS.clear()
            cpu, started = cpu_seconds(), time.perf_counter()
            table = compute_metrics(
                lake, PERIOD, engine=engine, spark_master=SPARK_MASTER, on_step=step
            )
            figures["seconds"] = time.perf_counter() - started
            figures["cpu_seconds"] = cpu_seconds() - cpu
            figures["step_seconds"] = step_seconds(started)
            figures["check_seconds"] = sum(checks)
            figures["check_inside"] = wrapped
            figures["metrics_seconds"] = figures["seconds"] - sum(checks)
    figures["peak_memory_gb"] = memory.peak / 1024**3
    figures["rows"] = table.num_rows
    pq.write_table(table, out)
    return figures


def differences(expected: pa.Table, found: pa.Table, limit: int = 10) -> list[str]:
    """Where `found` differs from `expected`: counts exactly, values and money to 1e-9."""
    if expected.schema != found.schema:
        return [f"schema: expected {expected.schema}, found {found.schema}"]
    if expected.num_rows != found.num_rows:
        return [f"rows: expected {expected.num_rows:,}, found {found.num_rows:,}"]
    same = pc.equal(expected["metric"], found["metric"])
    for column in ("neighbourhood_id", "period_start", "period_end", "suppressed"):
        same = pc.and_(same, pc.equal(expected[column], found[column]))
    money = pc.starts_with(expected["metric"], MONEY)
    for column in ("numerator", "denominator", "value"):
        a, b = expected[column], found[column]
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        scale = pc.max_element_wise(pc.abs(a), pc.abs(b))
        close = pc.less_equal(pc.abs(pc.subtract(a, b)), pc.multiply(scale, RELATIVE))
        exact = pc.equal(a, b)
        if column != "value":
            close = pc.if_else(money, close, exact)
        same = pc.and_(same, pc.fill_null(pc.or_kleene(both_null, close), False))
    wrong = pc.invert(pc.fill_null(same, False))
    count = pc.sum(wrong).as_py() or 0
    if not count:
        return []
    shown = []
    rows_a = expected.filter(wrong).slice(0, limit).to_pylist()
    rows_b = found.filter(wrong).slice(0, limit).to_pylist()
    for a, b in zip(rows_a, rows_b, strict=True):
        shown.append(f"expected {a}\n      found    {b}")
    return [f"{count:,} row(s) differ; the first {len(shown)}:", *shown]


def city(people: int) -> Path:
    """The city of `people` under var/bench (generated by run.py's GENERATE when missing)."""
    lake = CITIES / f"city-{people}"
    manifest = lake / "manifest.json"
    if manifest.is_file():
        if json.loads(manifest.read_text()).get("people") != people:
            raise SystemExit(f"{lake}: holds a city of another size; remove it to regenerate")
        return lake
    console.print(f"generating a city of {people:,} people in {lake}")
    run_python(GENERATE, str(people), str(lake))
    return lake


def city_rows(lake: Path) -> dict[str, int]:
    rows = {}
    for name in ("person", "hospital_spell", "care_package", "contact"):
        path = lake / f"{name}.parquet"
        rows[name] = pq.ParquetFile(path).metadata.num_rows if path.is_file() else -1
    return rows


def warm(lake: Path) -> None:
    """Read every file once so each engine finds the lake in the page cache alike."""
    for path in sorted(lake.rglob("*.parquet")):
        with path.open("rb") as f:
            while f.read(1 << 24):
                pass


def run_child(
    engine: str, lake: Path, out: Path, progress: Progress, label: str, cache: Path
) -> dict[str, Any]:
    """`measure` in a fresh process, its progress lines advancing a bar; `cache` is where it
    keeps (and finds) the lakes already checked (XDG_CACHE_HOME: lake/reader.open_lake)."""
    task = progress.add_task(label, total=None)  # steps are compute_metrics's to name
    child = subprocess.Popen(
        [sys.executable, __file__, "--measure", engine, str(lake), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CACHE_HOME": str(cache)},
    )
    assert child.stderr is not None and child.stdout is not None
    tail: deque[str] = deque(maxlen=40)
    for line in child.stderr:
        if line.startswith(STEP):
            progress.update(task, description=f"{label}: {line[len(STEP) :].strip()} done")
        else:
            tail.append(line)
    stdout = child.stdout.read()
    if child.wait():
        progress.stop()
        raise SystemExit(f"{label} failed (exit code {child.returncode}):\n{''.join(tail)}")
    progress.update(task, completed=1, total=1, description=label)
    return dict(json.loads(stdout))


def growth(rows: list[dict[str, Any]], key: str) -> None:
    """Time at each size over time at the smallest, and the exponent of the fit t ~ n^k."""
    base = rows[0]
    for row in rows:
        if row.get(key) is None or base.get(key) is None:
            continue
        row[f"{key}_ratio_to_smallest"] = row[key] / base[key]
        if row["people"] != base["people"]:
            row[f"{key}_growth_exponent"] = math.log(row[key] / base[key]) / math.log(
                row["people"] / base["people"]
            )


def report(cities: list[dict[str, Any]]) -> None:
    table = Table(title="Every metric, monthly, six years: seconds (CPU seconds), peak GB")
    for column in (
        "people",
        "DuckDB, lake not yet checked (check)",
        "DuckDB",
        "of which check",
        "pandas",
        "pandas ÷ DuckDB (not yet checked)",
        "Spark session",
        "Spark",
        "Spark ÷ DuckDB",
        "GB DuckDB",
        "GB pandas",
        "GB Spark",
        "agree",
    ):
        table.add_column(column, justify="right")

    def cell(figures: dict[str, Any] | None, key: str, digits: int = 1) -> str:
        value = (figures or {}).get(key)
        return "-" if value is None else f"{value:,.{digits}f}"

    def timed(figures: dict[str, Any] | None) -> str:
        if not figures:
            return "-"
        return f"{cell(figures, 'seconds')} ({cell(figures, 'cpu_seconds')})"

    for row in cities:
        duck, pandas, spark = (row["engines"].get(e) for e in ENGINES)
        first = (duck or {}).get("first_run")
        table.add_row(
            f"{row['people']:,}",
            f"{timed(first)} ({cell(first, 'check_seconds')})",
            timed(duck),
            cell(duck, "check_seconds"),
            timed(pandas),
            f"{cell(row, 'pandas_over_duckdb')} ({cell(row, 'pandas_over_duckdb_first_run')})",
            cell(spark, "session_seconds"),
            timed(spark),
            cell(row, "spark_over_duckdb"),
            cell(duck, "peak_memory_gb", 2),
            cell(pandas, "peak_memory_gb", 2),
            cell(spark, "peak_memory_gb", 2),
            "yes" if row["agree"] else "NO",
        )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,300000,1000000", help="people per city")
    parser.add_argument("--engines", default=",".join(ENGINES), help="of duckdb,pandas,spark")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each engine; the fastest is reported"
    )
    parser.add_argument(
        "--measure", nargs=3, metavar=("ENGINE", "LAKE", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure:
        engine, lake, out = args.measure
        print(json.dumps(measure(engine, Path(lake), Path(out))))
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        raise SystemExit(f"--engines: expected some of {', '.join(ENGINES)}, found {args.engines}")
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        raise SystemExit(
            f"--sizes: expected people per city, e.g. 100000,300000; found {args.sizes}"
        ) from None
    if args.repeat < 1 or min(sizes) < 1:
        raise SystemExit("--repeat and --sizes: expected whole numbers of 1 or more")
    results: dict[str, Any] = {
        "machine": machine(),
        "versions": {name: version(name) for name in VERSIONS},
        "period": PERIOD,
        "cities": [],
    }
    failures: list[str] = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    lakes = {people: city(people) for people in sizes}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        for people, lake in lakes.items():
            warm(lake)
            row: dict[str, Any] = {"people": people, "rows": city_rows(lake), "engines": {}}
            tables = {}
            for engine in engines:
                out = RESULTS / f"{lake.name}-{engine}.parquet"
                cache = RESULTS / f"{lake.name}-{engine}-checked-lakes"
                shutil.rmtree(cache, ignore_errors=True)
                first = None
                if engine == "duckdb":  # the lake not yet checked, then checked
                    label = f"{people:,} people, duckdb, lake not yet checked"
                    first = run_child(engine, lake, out, progress, label, cache)
                runs = []
                for run in range(args.repeat):
                    label = f"{people:,} people, {engine}" + (
                        f" (run {run + 1} of {args.repeat})" if args.repeat > 1 else ""
                    )
                    if engine == "spark":
                        shutil.rmtree(cache, ignore_errors=True)
                    runs.append(run_child(engine, lake, out, progress, label, cache))
                shutil.rmtree(cache, ignore_errors=True)
                best = min(runs, key=lambda r: float(r["seconds"]))
                best["all_seconds"] = [r["seconds"] for r in runs]
                if first is not None:
                    best["first_run"] = first
                row["engines"][engine] = best
                tables[engine] = pq.read_table(out)
            reference = engines[0]
            row["agree"] = True
            for engine in engines[1:]:
                problems = differences(tables[reference], tables[engine])
                if problems:
                    row["agree"] = False
                    failures.append(f"{people:,} people: {engine} differs from {reference}:")
                    failures.extend(problems)
            figures = row["engines"]
            if "duckdb" in figures:
                duck = figures["duckdb"]
                if "pandas" in figures:
                    row["pandas_over_duckdb"] = figures["pandas"]["seconds"] / duck["seconds"]
                    row["pandas_over_duckdb_first_run"] = (
                        figures["pandas"]["seconds"] / duck["first_run"]["seconds"]
                    )
                    row["pandas_over_duckdb_metrics"] = (
                        figures["pandas"]["seconds"] / duck["metrics_seconds"]
                    )
                if "spark" in figures:
                    row["spark_over_duckdb"] = figures["spark"]["seconds"] / duck["seconds"]
            results["cities"].append(row)
    for engine in engines:
        series = [{"people": c["people"], **c["engines"][engine]} for c in results["cities"]]
        growth(series, "seconds")
        for c, grown in zip(results["cities"], series, strict=True):
            c["engines"][engine] = {k: v for k, v in grown.items() if k != "people"}
    report(results["cities"])
    results["agree"] = not failures
    results["differences"] = failures
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2)
    (OUT / f"metrics-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    print(text)
    if failures:
        console.print("[bold red]The engines disagree:[/]\n" + "\n".join(failures))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
