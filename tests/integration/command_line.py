"""Running `joinedup` in a subprocess as a user would, with its own var/ folder (its own
SQLite database and keys), so a command never touches the database pytest-django manages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, var: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOINEDUP_")}
    # COLUMNS: so rich does not abbreviate long option names in --help.
    environment.update(JOINEDUP_VAR_DIR=str(var), COLUMNS="200", **env)
    return subprocess.run(
        [sys.executable, "-m", "joinedup.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=600,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal's one line on stderr, after checking it is one line with exit code 2."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
