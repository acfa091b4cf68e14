"""The root `joinedup` command: every command group registered, and one way to refuse.

A user's mistake (joinedup.errors.UserError), raised by a command or a service it calls,
is caught here, once, for every command: one line on stderr naming the flag at fault, and
exit code 2. The catch sits in the root group rather than around `app()` so that a test
invoking `app` in process sees exactly what the installed command does.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from joinedup.cli import (
    audit,
    backups,
    generate,
    lake,
    load_extract,
    manage,
    metrics,
    outcomes,
    risk,
    serve,
    systems,
)
from joinedup.cli.refusals import refusal
from joinedup.cli.terminal import err, fail
from joinedup.errors import UserError


class Commands(TyperGroup):
    """The root group: a UserError from any command ends as one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:  # ctx: the Context of typer's own click
        try:
            return super().invoke(ctx)
        except UserError as mistake:
            fail(refusal(mistake))


app = typer.Typer(
    cls=Commands,
    help="joinedup: one shared record and workflow for integrated health and social care.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(generate.generate)
app.command()(load_extract.load)
app.command()(load_extract.extract)
app.command()(metrics.metrics)
app.command()(serve.serve)
app.command()(serve.demo)
app.command()(backups.backup)
app.command()(backups.restore)
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    manage.manage
)
app.add_typer(lake.app, name="lake")
app.add_typer(audit.app, name="audit")
app.add_typer(outcomes.app, name="outcomes")
app.add_typer(risk.app, name="risk")
app.add_typer(systems.app, name="systems")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
