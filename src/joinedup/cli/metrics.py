"""`joinedup metrics`: the outcome metrics of docs/metrics.md on a lake, in their long form."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.options import overwrite_help, parse_date
from joinedup.cli.terminal import out, progress_bar


def metrics(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to compute the metrics from.")],
    period: Annotated[str, typer.Option(help="month, quarter or year (financial year).")],
    out_file: Annotated[
        Path, typer.Option("--out", help="The file to write: FILE.csv or FILE.parquet.")
    ],
    first: Annotated[
        str | None,
        typer.Option("--from", help="First period: the one holding this date (YYYY-MM-DD)."),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="Last period: the one holding this date (YYYY-MM-DD)."),
    ] = None,
    engine: Annotated[str, typer.Option(help="duckdb (in process) or spark.")] = "duckdb",
    metric: Annotated[
        list[str] | None,
        typer.Option(help="Only this metric (repeat for more); all of docs/metrics.md by default."),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(help="Spark master URL for a cluster; local mode (local[2]) by default."),
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish", help="Apply the small-number rule for publication.")
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            help=overwrite_help(
                "a metrics file (a CSV whose first line is the long form's header, or a "
                "Parquet file marked joinedup.kind=metrics)"
            )
        ),
    ] = False,
) -> None:
    """Compute the outcome metrics of docs/metrics.md on a lake and write their long form."""
    from joinedup.metrics import compute_metrics
    from joinedup.metrics.compute import check_request
    from joinedup.metrics.output import check_output_path, write_long_form

    start = parse_date(first, "first") if first is not None else None
    end = parse_date(last, "last") if last is not None else None
    check_output_path(out_file, overwrite=overwrite)
    check_request(period, engine, metric)
    # The bar starts once the lake has passed its check, so a refusal stays one line.
    with progress_bar() as progress:
        task = progress.add_task(f"Metrics on {engine}", total=3, visible=False)
        table = compute_metrics(
            lake,
            period,
            start,
            end,
            engine=engine,
            metrics=metric,
            spark_master=spark_master,
            publish=publish,
            on_step=lambda _step: progress.update(task, advance=1, visible=True),
        )
    write_long_form(table, out_file, overwrite=overwrite)
    suppressed = sum(table.column("suppressed").to_pylist())
    note = f", {suppressed:,} with small numbers withheld" if publish else ""
    out.print(
        f"Wrote {table.num_rows:,} rows ({period}, {engine}{note}) to {out_file}",
        soft_wrap=True,
        highlight=False,
    )
