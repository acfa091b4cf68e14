"""`joinedup lake check`: a lake against the contract, every problem named."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.terminal import out, print_rows, report_lake_problems

app = typer.Typer(
    help="Check a lake (Parquet tables in the shape of docs/lake.md).", no_args_is_help=True
)


@app.command("check")
def lake_check(lake: Annotated[Path, typer.Argument(help="The lake folder.")]) -> None:
    """Check a lake against the contract: a summary, or one line per problem and exit code 2."""
    from joinedup.lake.reader import check_and_remember

    report = check_and_remember(lake)  # in full; the commands after it need not check again
    if not report.ok or report.manifest is None:
        report_lake_problems(lake, list(report.problems))
    manifest = report.manifest
    out.print(
        f"{lake}: schema version {manifest.schema_version}, purpose {manifest.purpose}, "
        f"source {manifest.source}, pseudonymised {'yes' if manifest.pseudonymised else 'no'}"
    )
    out.print(f"observation window {manifest.observation_start} to {manifest.observation_end}")
    print_rows(report.rows)
