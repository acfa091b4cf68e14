"""`joinedup risk`: train, score, report on and load the emergency admission risk model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.database import uses_database
from joinedup.cli.options import command_line_user, overwrite_help, parse_date
from joinedup.cli.terminal import err, out, progress_bar
from joinedup.errors import UserError

app = typer.Typer(
    help="Risk of an emergency admission in the next 12 months: train, score, report, load.",
    no_args_is_help=True,
)


def check_year_after(day: dt.date, end: dt.date) -> None:
    """Training and validation need the year after `day` inside the lake (ending `end`)."""
    from joinedup.risk.compute import RiskError

    if day + dt.timedelta(days=365) > end + dt.timedelta(days=1):
        raise RiskError(
            f"the year after {day} must lie within the lake's window (it ends "
            f"{end}): choose {end - dt.timedelta(days=364)} or earlier",
            field="as_of",
        )


@app.command("train")
def risk_train(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to learn from.")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Features before this date, outcome in the year after.")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="The model file to write (JSON).")],
    engine: Annotated[str, typer.Option(help="duckdb (in process) or spark.")] = "duckdb",
    seed: Annotated[int, typer.Option(help="Random seed (the same seed, the same model).")] = 1,
    overwrite: Annotated[
        bool,
        typer.Option(help=overwrite_help('a model (JSON whose "format" is joinedup-risk-model)')),
    ] = False,
) -> None:
    """Train the calibrated model on the features at --as-of and the year that followed."""
    from joinedup.metrics.engines import check_engine
    from joinedup.output_files import check_target
    from joinedup.risk.compute import check_as_of, compute_features
    from joinedup.risk.model import MODEL_FILE, lake_description, train

    day = parse_date(as_of, "as_of")
    check_target(out_file, MODEL_FILE, overwrite=overwrite)
    check_engine(engine)
    checked = check_as_of(lake, day)
    described = lake_description(lake, checked[0])
    check_year_after(day, checked[0].observation_end)
    with progress_bar() as progress:
        task = progress.add_task(f"Features on {engine}", total=2)
        table = compute_features(lake, day, engine=engine, with_outcome=True, checked=checked)
        progress.update(task, advance=1, description="Training")
        model = train(table, as_of=day, lake=described, seed=seed)
        progress.update(task, advance=1, description="Trained")
    model.save(out_file, overwrite=overwrite)
    out.print(
        f"Trained on {model.trained['people']:,} people ({model.trained['admitted']:,} admitted "
        f"in the year after {day}); wrote {out_file}",
        soft_wrap=True,
        highlight=False,
    )


@app.command("score")
def risk_score(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to score.")],
    model_file: Annotated[Path, typer.Option("--model", help="A model from joinedup risk train.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Score on what was known before this.")],
    out_file: Annotated[Path, typer.Option("--out", help="The scores to write: FILE.parquet.")],
    engine: Annotated[str, typer.Option(help="duckdb (in process) or spark.")] = "duckdb",
    overwrite: Annotated[
        bool,
        typer.Option(help=overwrite_help("scores (Parquet marked joinedup.kind=risk-scores)")),
    ] = False,
) -> None:
    """Score everyone in the lake's population on --as-of: probability, band, top factors."""
    from joinedup.metrics.engines import check_engine
    from joinedup.output_files import check_target
    from joinedup.risk.compute import check_as_of
    from joinedup.risk.model import load
    from joinedup.risk.scoring import SCORES_FILE, check_lake_fits, score, write_scores

    day = parse_date(as_of, "as_of")
    if out_file.suffix != ".parquet" or not out_file.parent.is_dir():
        raise UserError(
            f"expected FILE.parquet in an existing folder, found {out_file}", field="out"
        )
    check_target(out_file, SCORES_FILE, overwrite=overwrite)
    check_engine(engine)
    model = load(model_file)
    checked = check_as_of(lake, day)  # before the bar, so a refusal stays one line
    check_lake_fits(model, lake, checked[0])
    with progress_bar() as progress:
        task = progress.add_task(f"Scoring on {engine}", total=1)
        table = score(model, lake, day, engine=engine, checked=checked)
        progress.update(task, advance=1)
    write_scores(table, out_file, overwrite=overwrite)
    out.print(f"Scored {table.num_rows:,} people on {day}; wrote {out_file}", highlight=False)


@app.command("report")
def risk_report(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to judge the model on.")],
    model_file: Annotated[Path, typer.Option("--model", help="A model from joinedup risk train.")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Score on this date, judge on the year after.")
    ],
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", help="The report to write: REPORT.html (and its figures, REPORT.json)."
        ),
    ],
    engine: Annotated[str, typer.Option(help="duckdb (in process) or spark.")] = "duckdb",
    overwrite: Annotated[
        bool,
        typer.Option(
            help=overwrite_help(
                "a report (the page and its figures, each marked as joinedup's risk report)"
            )
        ),
    ] = False,
) -> None:
    """Validate the model on --as-of and the year after, against prior admissions alone, a
    QAdmissions-style model, frailty alone and (generated cities) the generator's true risk."""
    from joinedup.metrics.engines import check_engine
    from joinedup.output_files import check_target
    from joinedup.risk.compute import check_as_of
    from joinedup.risk.model import load
    from joinedup.risk.report import FIGURES_FILE, build_report
    from joinedup.risk.report_html import PAGE_FILE, write_report
    from joinedup.risk.scoring import check_lake_fits

    day = parse_date(as_of, "as_of")
    if out_file.suffix != ".html" or not out_file.parent.is_dir():
        raise UserError(
            f"expected REPORT.html in an existing folder, found {out_file}", field="out"
        )
    figures_file = out_file.with_suffix(".json")
    check_target(out_file, PAGE_FILE, overwrite=overwrite)
    check_target(figures_file, FIGURES_FILE, overwrite=overwrite)
    check_engine(engine)
    model = load(model_file)
    checked = check_as_of(lake, day)  # before the bar, so a refusal stays one line
    check_year_after(day, checked[0].observation_end)
    check_lake_fits(model, lake, checked[0])
    with progress_bar() as progress:
        task = progress.add_task(f"Features on {engine}", total=4)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=name)

        report = build_report(lake, model, day, engine=engine, step=step, checked=checked)
        step("Writing")
        write_report(report, out_file, overwrite=overwrite)
        step("Written")
    auc = {m.key: m.overall.roc_auc for m in report.models}

    def shown(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    ceiling = (
        f"ceiling (generator's truth) {shown(auc['ceiling'])}"
        if "ceiling" in auc
        else f"no ceiling ({report.truth['reason']})"
    )
    met = [t for t in report.targets if t.status == "met"]
    out.print(
        f"ROC AUC on {report.evaluated:,} people on {day}: model {shown(auc['model'])}, "
        f"QAdmissions-style {shown(auc['qadmissions_style'])}, prior emergency admissions "
        f"{shown(auc['prior_admissions'])}, frailty {shown(auc['frailty'])}, {ceiling}",
        soft_wrap=True,
        highlight=False,
    )
    for target in report.targets:
        out.print(f"  {target.status}: {target.name} ({target.detail})", soft_wrap=True,
                  highlight=False)  # fmt: skip
    out.print(
        f"Targets met: {len(met)} of {len(report.targets)}; wrote {out_file} and {figures_file}",
        soft_wrap=True,
        highlight=False,
    )


@app.command("load")
@uses_database
def risk_load(
    scores_file: Annotated[
        Path, typer.Option("--scores", help="Scores from joinedup risk score: FILE.parquet.")
    ],
) -> None:
    """Load scores for case finding: re-identified (pseudonymised ids through this database's
    key), replacing the previous scores (all or nothing; audited)."""
    from joinedup.casefinding.loading import match_people, read_scores, store_scores

    scores = read_scores(scores_file)
    with err.status("Matching people"):  # draws nothing when stderr is not a terminal
        matched = match_people(scores)
    with progress_bar() as progress:
        summary = store_scores(scores, matched, command_line_user(), progress=progress)
    out.print(
        f"Loaded the risk scores of {scores.as_of} in {summary.seconds:.1f} s: "
        f"{summary.in_file:,} people in the file, {summary.matched:,} matched, "
        f"{summary.in_file - summary.matched:,} not found in this database",
        soft_wrap=True,
        highlight=False,
    )
