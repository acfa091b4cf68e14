"""`joinedup outcomes refresh`: the dashboards' figures, computed from a lake and stored."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.database import uses_database
from joinedup.cli.options import command_line_user
from joinedup.cli.terminal import TerminalReport
from joinedup.errors import UserError

app = typer.Typer(
    help="The outcome dashboards' figures (computed from a lake, stored for the pages).",
    no_args_is_help=True,
)


@app.command("refresh")
@uses_database
def outcomes_refresh(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to compute the figures from.")],
) -> None:
    """Compute every outcome metric by month and financial year and replace the stored figures
    (all or nothing; audited)."""
    from joinedup.demo_city import store_outcome_figures

    if not lake.is_dir():
        raise UserError(f"{lake} is not a folder", field="lake")
    store_outcome_figures(lake, TerminalReport(), username=command_line_user())
