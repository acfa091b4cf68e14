"""`joinedup load` and `joinedup extract`: a lake into the operational database and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.database import uses_database
from joinedup.cli.options import command_line_user, overwrite_help
from joinedup.cli.terminal import out, print_rows, progress_bar
from joinedup.errors import UserError


@uses_database
def load(
    lake: Annotated[Path, typer.Argument(help="The lake folder to load.")],
    seed: Annotated[
        int, typer.Option(help="Seed for the synthetic identities given to each person.")
    ] = 1,
) -> None:
    """Load a lake into the operational database with synthetic identities (all or nothing)."""
    from joinedup.record.load import load_lake

    with progress_bar() as progress:
        summary = load_lake(lake, seed=seed, progress=progress)
    total = sum(summary.rows.values())
    out.print(
        f"Loaded {lake} in {summary.seconds:.1f} s: {total:,} rows, "
        f"{summary.rows_per_second:,.0f} rows/s"
    )
    print_rows(summary.rows)


@uses_database
def extract(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the lake into.")],
    purpose: Annotated[
        str,
        typer.Option(
            help="Both pseudonymised. secondary_use: people with a National Data Opt-out "
            "left out; direct_care: everyone (never to leave the partnership)."
        ),
    ] = "secondary_use",
    overwrite: Annotated[
        bool, typer.Option(help=overwrite_help("a lake (a folder holding manifest.json)"))
    ] = False,
) -> None:
    """Write the operational database as a lake (whole or not at all), audited as an export."""
    from joinedup.extract import extract_lake
    from joinedup.lake.vocabulary import EXTRACT_PURPOSES
    from joinedup.lake.writer import LAKE
    from joinedup.output_files import check_target

    if purpose not in EXTRACT_PURPOSES:
        raise UserError(
            f"expected {' or '.join(EXTRACT_PURPOSES)}, found {purpose!r}", field="purpose"
        )
    check_target(out_dir, LAKE, overwrite=overwrite)
    with progress_bar() as progress:
        summary = extract_lake(
            out_dir,
            purpose=purpose,
            overwrite=overwrite,
            progress=progress,
            username=command_line_user(),
        )
    left_out = (
        f"; {summary.opted_out_people:,} people with a National Data Opt-out left out"
        if purpose == "secondary_use"
        else ""
    )
    out.print(
        f"Extracted the database to {out_dir} for {purpose} in {summary.seconds:.1f} s{left_out}",
        soft_wrap=True,
        highlight=False,
    )
    print_rows(summary.rows)
