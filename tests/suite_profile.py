"""`--suite-profile`: where the suite's time goes, per directory and per marker.

pytest's own `--durations` names the slowest tests; this adds the totals a reader needs to
decide what to make faster (a directory or a marker that costs minutes). Reports arrive on
the controlling process under pytest-xdist too, so the figures cover every worker: the
seconds are test time summed over workers (set-up, call and teardown), not wall time.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import PurePosixPath

import pytest
from _pytest.terminal import TerminalReporter


class SuiteProfile:
    """Registered as a plugin when `--suite-profile` is given; adds up every report."""

    def __init__(self, markers: list[str]) -> None:
        self.markers = markers  # pyproject.toml's; "unmarked" for a test with none of them
        self.started = time.monotonic()
        self.seconds: dict[str, dict[str, float]] = {
            "directory": defaultdict(float),
            "marker": defaultdict(float),
        }
        self.tests: dict[str, dict[str, set[str]]] = {
            "directory": defaultdict(set),
            "marker": defaultdict(set),
        }
        self.outcomes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        parts = PurePosixPath(report.nodeid.split("::", 1)[0]).parts
        directory = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
        markers = [m for m in self.markers if m in report.keywords] or ["unmarked"]
        for kind, keys in (("directory", [directory]), ("marker", markers)):
            for key in keys:
                self.seconds[kind][key] += report.duration
                self.tests[kind][key].add(report.nodeid)
                if report.when == "call" or (report.skipped and report.when == "setup"):
                    self.outcomes[f"{kind}:{key}"][report.outcome].add(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        terminal = terminalreporter
        wall = time.monotonic() - self.started
        terminal.write_sep("=", f"suite profile (wall {wall:.0f} s)")
        for kind in ("directory", "marker"):
            terminal.write_line(
                f"{kind:<28} {'tests':>6} {'passed':>7} {'skipped':>8} {'failed':>7} {'seconds':>9}"
            )
            rows = sorted(self.seconds[kind].items(), key=lambda item: -item[1])
            for key, seconds in rows:
                done = self.outcomes[f"{kind}:{key}"]
                terminal.write_line(
                    f"{key:<28} {len(self.tests[kind][key]):>6} {len(done['passed']):>7} "
                    f"{len(done['skipped']):>8} {len(done['failed']):>7} {seconds:>9.1f}"
                )
            terminal.write_line("")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--suite-profile",
        action="store_true",
        help="print the time per test directory and per marker at the end",
    )


def pytest_configure(config: pytest.Config) -> None:
    # On the controlling process only: reports from every worker arrive there.
    if config.getoption("suite_profile") and not hasattr(config, "workerinput"):
        markers = [line.split(":", 1)[0] for line in config.getini("markers")]
        config.pluginmanager.register(SuiteProfile(markers), "suite-profile")
