"""A user's mistake as the command line says it: the flag, not the library's field name,
in one line on stderr with exit code 2, whichever command raised it."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.cli.refusals import flag, refusal
from joinedup.cli.root import Commands
from joinedup.errors import UserError
from joinedup.lake import LakeError, Problem


def _options() -> set[str]:
    """Every flag of every command."""
    found: set[str] = set()
    command = typer.main.get_command(app)

    def walk(node: object) -> None:
        for param in getattr(node, "params", []):
            found.update(param.opts)
        for child in getattr(node, "commands", {}).values():
            walk(child)

    walk(command)
    return found


def test_a_field_is_shown_as_its_flag() -> None:
    assert [flag(f) for f in ("as_of", "model", "out", "first", "last")] == [
        "--as-of",
        "--model",
        "--out",
        "--from",
        "--to",
    ]
    assert {"--as-of", "--model", "--from", "--to", "--scores", "--admissions"} <= _options()


def test_a_broken_lake_is_one_line_with_its_first_problem() -> None:
    problems = [Problem("person", "sex", "female or male", "'F'"), Problem("spell", "", "x", "y")]
    assert refusal(LakeError(Path("city"), problems)) == (
        "city: person.sex: expected female or male, found 'F' "
        "(and 1 more: joinedup lake check city lists them)"
    )
    assert refusal(LakeError(Path("city"), problems[:1])) == (
        "city: person.sex: expected female or male, found 'F'"
    )


def test_the_root_group_refuses_any_commands_mistake_in_one_line() -> None:
    root = typer.Typer(cls=Commands)

    @root.command()
    def score() -> None:
        raise UserError("2030-01-01 is outside the lake's window", field="as_of")

    @root.command()
    def other() -> None:
        pass

    result = CliRunner().invoke(root, ["score"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: --as-of: 2030-01-01 is outside the lake's window\n"
