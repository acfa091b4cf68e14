"""docs/cli.md is the `--help` of every subcommand; this test fails when they drift.

Regenerate with `make docs` (JOINEDUP_WRITE_DOCS=1 runs these tests).
"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from joinedup.cli import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
COMMANDS = [
    [],
    ["generate"],
    ["lake", "check"],
    ["audit", "verify"],
    ["outcomes", "refresh"],
    ["systems", "add"],
    ["systems", "rotate"],
    ["risk", "train"],
    ["risk", "score"],
    ["risk", "load"],
    ["risk", "report"],
    ["load"],
    ["extract"],
    ["metrics"],
    ["demo"],
    ["serve"],
    ["manage"],
]


def render() -> str:
    runner = CliRunner()
    parts = [
        "# The `joinedup` command\n\n"
        "Generated from `--help` (tests/unit/test_cli_docs.py keeps it true). Every failure "
        "a user can cause ends in one line on stderr and exit code 2. The commands that read "
        "or change the database (`load`, `extract`, `audit verify`, `outcomes refresh`, "
        "`systems`, `risk load`) refuse one that is not migrated, saying to run `joinedup "
        "manage migrate` first (after installing or upgrading joinedup): migrating is the "
        "operator's decision. Only `demo` migrates by itself.\n"
    ]
    for command in COMMANDS:
        result = runner.invoke(
            app, [*command, "--help"], prog_name="joinedup", env={"COLUMNS": "100", "NO_COLOR": "1"}
        )
        assert result.exit_code == 0, result.output
        title = " ".join(["joinedup", *command])
        text = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
        parts.append(f"\n## `{title}`\n\n```\n{text}\n```\n")
    return "".join(parts)


def test_cli_reference_is_current() -> None:
    text = render()
    if os.environ.get("JOINEDUP_WRITE_DOCS"):
        DOC.write_text(text)
    assert DOC.read_text() == text, "docs/cli.md is stale: run `make docs`"
