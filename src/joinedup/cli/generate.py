"""`joinedup generate`: a synthetic city, written as a lake and its truth/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.options import effect_help, overwrite_help, parse_date
from joinedup.cli.terminal import out, print_rows, progress_bar
from joinedup.errors import UserError


def generate(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write the lake and truth/ into.")
    ],
    people: Annotated[int, typer.Option(help="People registered at the start.")] = 100_000,
    neighbourhoods: Annotated[
        int, typer.Option(help="Neighbourhoods, one integrated team each.")
    ] = 12,
    start: Annotated[
        str, typer.Option(help="First day of the window (first of a month).")
    ] = "2019-04-01",
    end: Annotated[str, typer.Option(help="Last day of the window.")] = "2025-03-31",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same lake.")] = 1,
    caseload_admission_rate_ratio: Annotated[
        float, typer.Option(help=effect_help("caseload_admission_rate_ratio"))
    ] = 0.85,
    golive_delay_change: Annotated[
        float, typer.Option(help=effect_help("golive_delay_change"))
    ] = -0.20,
    golive_two_hour_change: Annotated[
        float, typer.Option(help=effect_help("golive_two_hour_change"))
    ] = 0.08,
    overwrite: Annotated[
        bool, typer.Option(help=overwrite_help("a lake (a folder holding manifest.json)"))
    ] = False,
) -> None:
    """Generate a synthetic city: a lake of linked health and social care histories, and truth/."""
    from joinedup.lake.writer import LAKE
    from joinedup.output_files import check_target
    from joinedup.synth.city import generate_city
    from joinedup.synth.config import CityConfig

    config = CityConfig(
        people=people,
        neighbourhoods=neighbourhoods,
        start=parse_date(start, "start"),
        end=parse_date(end, "end"),
        seed=seed,
        caseload_admission_rate_ratio=caseload_admission_rate_ratio,
        golive_delay_change=golive_delay_change,
        golive_two_hour_change=golive_two_hour_change,
    )
    try:
        config.validate()  # its messages name CityConfig's fields, as the flags do
    except ValueError as exc:
        raise UserError(str(exc)) from None
    check_target(out_dir, LAKE, overwrite=overwrite)
    with progress_bar() as progress:
        summary = generate_city(config, out_dir, progress=progress, overwrite=overwrite)
    out.print(
        f"Wrote a synthetic city of {people:,} people to {out_dir} in {summary.seconds:.1f} s"
    )
    print_rows(summary.rows)
