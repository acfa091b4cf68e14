"""Risk benchmark (issue 6): train on 1,000,000 people, validate, score 3,000,000.

The cities are the metrics benchmark's (var/bench/city-<people>, generated once with the
foundation benchmark's code, then reused). Each step is the real command in its own
process, timed wall-clock with its peak memory sampled: `joinedup risk train` on the
1,000,000-person city at 1 April 2023; `joinedup risk report` there at 1 April 2024 (its
figures: the model against every baseline and the generator's truth, the targets); and
`joinedup risk score` at 1 April 2024 of the 1,000,000- and the 3,000,000-person city with
that model. Progress goes to stderr; the JSON document (also written to benchmarks/out/)
is the whole of stdout.

    .venv/bin/python benchmarks/risk_bench.py
    .venv/bin/python benchmarks/risk_bench.py --train 100000 --score 100000,300000
    .venv/bin/python benchmarks/run.py --risk-only           # the same, via make bench
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from metrics_bench import CITIES, PeakMemory, city, console, warm
from run import OUT, machine

TRAIN_AS_OF = "2023-04-01"
AS_OF = "2024-04-01"
WORK = CITIES / "risk"
JOINEDUP = Path(sys.executable).parent / "joinedup"


def command(progress: Progress, label: str, *args: str) -> dict[str, Any]:
    """One joinedup command in its own process: wall seconds and peak memory (GB)."""
    task = progress.add_task(label, total=None)
    started = time.perf_counter()
    with PeakMemory() as memory:
        done = subprocess.run([str(JOINEDUP), *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        progress.stop()
        raise SystemExit(f"{label} failed (exit code {done.returncode}):\n{done.stderr[-4000:]}")
    progress.update(task, completed=1, total=1)
    return {"seconds": seconds, "peak_gb": memory.peak / 1e9, "said": done.stdout.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=int, default=1_000_000, help="people to train on")
    parser.add_argument("--score", default="1000000,3000000", help="people in cities to score")
    args = parser.parse_args()
    try:
        scored = [int(s) for s in args.score.split(",")]
    except ValueError:
        raise SystemExit(f"--score: expected people per city, not {args.score}") from None
    WORK.mkdir(parents=True, exist_ok=True)
    lakes = {people: city(people) for people in {args.train, *scored}}
    model = WORK / f"model-{args.train}.json"
    report = WORK / f"report-{args.train}.html"
    results: dict[str, Any] = {"machine": machine(), "train_as_of": TRAIN_AS_OF, "as_of": AS_OF}
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        for lake in lakes.values():
            warm(lake)
        lake = str(lakes[args.train])
        results["train"] = {
            "people": args.train,
            **command(progress, f"train on {args.train:,} people", "risk", "train",
                      "--lake", lake, "--as-of", TRAIN_AS_OF, "--out", str(model)),
        }  # fmt: skip
        results["report"] = {
            "people": args.train,
            **command(progress, f"report on {args.train:,} people", "risk", "report",
                      "--lake", lake, "--model", str(model), "--as-of", AS_OF,
                      "--out", str(report)),
            "figures": json.loads(report.with_suffix(".json").read_text()),
        }  # fmt: skip
        results["score"] = []
        for people in scored:
            scores = WORK / f"scores-{people}.parquet"
            measured = command(progress, f"score {people:,} people", "risk", "score",
                               "--lake", str(lakes[people]), "--model", str(model),
                               "--as-of", AS_OF, "--out", str(scores))  # fmt: skip
            results["score"].append({"people": people, **measured})
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2)
    (OUT / f"risk-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
