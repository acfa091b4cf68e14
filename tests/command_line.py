"""Running `joinedup` commands from the tests, two ways.

`run` calls the command in this process with Typer's test runner: the same code from argument
parsing to exit code, without a Python start-up per call. It is for the commands that never
open Django's database (generate, lake check, metrics, risk train, score and report); one
that tried would be refused by pytest-django, since these tests do not ask for the database.

`run_installed` starts the installed `joinedup` command in a subprocess, as a user or a
scheduler does, with its own var/ folder (its own SQLite database and keys), so it never
touches the database pytest-django manages. It is for the commands that keep state
(load, demo, manage, audit, outcomes refresh, systems, extract, risk load), and so it is also
what proves the installed command and its exit codes end to end. Those commands refuse a
database that is not migrated, as an operator's would be: `migrated(var)` gives a var/ whose
database `joinedup manage migrate` has migrated (once per test process, then copied).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from joinedup.cli import app

INSTALLED = Path(sys.executable).with_name("joinedup")


@dataclass(frozen=True)
class Done:
    """What a command did: the fields of subprocess.CompletedProcess the tests read."""

    returncode: int
    stdout: str
    stderr: str


# COLUMNS: so rich does not abbreviate long option names in --help.
_SETTINGS = {"COLUMNS": "200"}


def installed_environment(var: Path, env: dict[str, str]) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOINEDUP_")}
    environment.update(_SETTINGS, JOINEDUP_VAR_DIR=str(var), **env)
    return environment


def run(*args: str, var: Path, **env: str) -> Done:
    """`joinedup ARGS` in this process; an unexpected exception is its traceback on stderr."""
    # As in a fresh process: none of pytest's JOINEDUP_ settings, the command's own var/.
    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("JOINEDUP_")}
    overrides.update(_SETTINGS, JOINEDUP_VAR_DIR=str(var), **env)
    result = CliRunner().invoke(app, list(args), env=overrides)
    stderr = result.stderr
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Done(result.exit_code, result.stdout, stderr)


def run_installed(*args: str, var: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `joinedup ARGS` in a subprocess, with its own var/ folder."""
    return subprocess.run(
        [str(INSTALLED), *args],
        capture_output=True,
        text=True,
        env=installed_environment(var, env),
        check=False,
        timeout=600,
    )


@functools.cache
def _migrated_database() -> Path:
    """One database migrated by the installed `joinedup manage migrate`, for copying."""
    var = Path(tempfile.mkdtemp(prefix="joinedup-migrated-"))
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    done = run_installed("manage", "migrate", "--verbosity", "0", var=var)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (var / "joinedup.sqlite3-wal").exists()  # all of it is in the one file
    return var / "joinedup.sqlite3"


def migrated(var: Path) -> Path:
    """`var`, holding a database as `joinedup manage migrate` leaves it (keys of its own)."""
    var.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_database(), var / "joinedup.sqlite3")
    return var


def one_error_line(result: Done | subprocess.CompletedProcess[str]) -> str:
    """The refusal's one line on stderr, after checking it is one line with exit code 2."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
