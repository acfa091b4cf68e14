"""The one `joinedup` command.

Every failure a user can cause (bad arguments, a lake that breaks the contract, a lake
loaded twice) ends in one clear line on stderr and exit code 2, never a traceback and
never a half-written output.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table as RichTable

app = typer.Typer(
    help="joinedup: one shared record and workflow for integrated health and social care.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lake_app = typer.Typer(
    help="Check a lake (Parquet tables in the shape of DATA_MODEL.md).", no_args_is_help=True
)
app.add_typer(lake_app, name="lake")
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
outcomes_app = typer.Typer(
    help="The outcome dashboards' figures (computed from a lake, stored for the pages).",
    no_args_is_help=True,
)
app.add_typer(outcomes_app, name="outcomes")
risk_app = typer.Typer(
    help="Risk of an emergency admission in the next 12 months: train, score, report, load.",
    no_args_is_help=True,
)
app.add_typer(risk_app, name="risk")
systems_app = typer.Typer(
    help="Systems that send referrals (/api/referrals/) or hospital admissions "
    "(/api/transfers/events/).",
    no_args_is_help=True,
)
app.add_typer(systems_app, name="systems")

out = Console()
err = Console(stderr=True)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DEMO_CITY = Path(os.environ.get("JOINEDUP_VAR_DIR", PROJECT_ROOT / "var")) / "demo-city"


def fail(message: str) -> NoReturn:
    """One line that says what is wrong and where; exit code 2."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    ) as progress:
        yield progress


def parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: expected a date YYYY-MM-DD, found {value!r}")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    import django

    django.setup()


def report_lake_problems(lake: Path, problems: list[object]) -> NoReturn:
    for problem in problems:
        message = escape(f"{lake}: {problem}")
        err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def effect_help(name: str) -> str:
    """The planted effect's help text, from CityConfig, so the flag and the config say the same."""
    from joinedup.synth.config import CityConfig

    for effect in CityConfig.effect_fields():
        if effect.name == name:
            return f"Planted effect: {effect.help}"
    raise KeyError(name)


@app.command()
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
    overwrite: Annotated[bool, typer.Option(help="Replace an existing lake at --out.")] = False,
) -> None:
    """Generate a synthetic city: a lake of linked health and social care histories, and truth/."""
    from joinedup.synth.city import generate_city
    from joinedup.synth.config import CityConfig

    config = CityConfig(
        people=people,
        neighbourhoods=neighbourhoods,
        start=parse_date(start, "--start"),
        end=parse_date(end, "--end"),
        seed=seed,
        caseload_admission_rate_ratio=caseload_admission_rate_ratio,
        golive_delay_change=golive_delay_change,
        golive_two_hour_change=golive_two_hour_change,
    )
    try:
        config.validate()
    except ValueError as exc:
        fail(str(exc))
    if out_dir.exists() and not overwrite and (not out_dir.is_dir() or any(out_dir.iterdir())):
        fail(f"--out: {out_dir} already exists and is not empty (use --overwrite to replace it)")
    with progress_bar() as progress:
        summary = generate_city(config, out_dir, progress=progress, overwrite=overwrite)
    out.print(
        f"Wrote a synthetic city of {people:,} people to {out_dir} in {summary.seconds:.1f} s"
    )
    _print_rows(summary.rows)


def _print_rows(rows: dict[str, int]) -> None:
    table = RichTable("table", "rows")
    for name, count in rows.items():
        table.add_row(name, f"{count:,}")
    out.print(table)


@lake_app.command("check")
def lake_check(lake: Annotated[Path, typer.Argument(help="The lake folder.")]) -> None:
    """Check a lake against the contract: a summary, or one line per problem and exit code 2."""
    from joinedup.lake import check_lake

    report = check_lake(lake)
    if not report.ok or report.manifest is None:
        report_lake_problems(lake, list(report.problems))
    manifest = report.manifest
    out.print(
        f"{lake}: schema version {manifest.schema_version}, purpose {manifest.purpose}, "
        f"source {manifest.source}, pseudonymised {'yes' if manifest.pseudonymised else 'no'}"
    )
    out.print(f"observation window {manifest.observation_start} to {manifest.observation_end}")
    _print_rows(report.rows)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain and name the first broken link (exit 2 when broken)."""
    setup_django()
    from joinedup.access.audit import verify_chain

    result = verify_chain()
    if not result.ok:
        fail(result.message)
    out.print(result.message, highlight=False)


def command_line_user() -> str:
    """Who ran the command, for the audit log."""
    import getpass

    try:
        return f"{getpass.getuser()} (command line)"
    except (OSError, KeyError):
        return "command line"


def refresh_outcome_figures(lake: Path) -> None:
    """Compute and store the dashboards' figures from `lake` (setup_django() first)."""
    from joinedup.lake import LakeError
    from joinedup.outcomes.refresh import refresh_outcomes

    try:
        with progress_bar() as progress:
            summary = refresh_outcomes(lake, progress=progress, username=command_line_user())
    except LakeError as exc:
        report_lake_problems(lake, list(exc.problems))
    except ValueError as exc:  # MetricsError, RefreshError, ManifestError
        fail(str(exc))
    out.print(
        f"Stored the outcome figures of {lake} in {summary.seconds:.1f} s: "
        f"{summary.rows.get('month', 0):,} monthly and {summary.rows.get('year', 0):,} "
        "financial-year rows",
        soft_wrap=True,
        highlight=False,
    )


@outcomes_app.command("refresh")
def outcomes_refresh(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to compute the figures from.")],
) -> None:
    """Compute every outcome metric by month and financial year and replace the stored figures
    (all or nothing; audited)."""
    if not lake.is_dir():
        fail(f"--lake: {lake} is not a folder")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    refresh_outcome_figures(lake)


@systems_app.command("add")
def systems_add(
    name: Annotated[str, typer.Option("--name", help="The system's name, e.g. its supplier's.")],
    source: Annotated[
        str, typer.Option("--source", help="The referral source it speaks for, e.g. telecare.")
    ],
    admissions: Annotated[
        bool,
        typer.Option(
            "--admissions",
            help="May also send the acute hospital's admit, update and discharge events.",
        ),
    ] = False,
) -> None:
    """Allow a system to send referrals (and with --admissions, hospital admissions); prints
    its token once (only a hash is kept)."""
    setup_django()
    from django.core.management import call_command

    from joinedup.referrals.system_clients import SystemClientError, add_system

    call_command("migrate", interactive=False, verbosity=0)
    try:
        client, token = add_system(name, source, sends_admissions=admissions)
    except SystemClientError as exc:
        fail(str(exc))
    sends = ", admissions too" if client.sends_admissions else ""
    out.print(
        f"Added {client.name} ({client.source}{sends}). Its token, shown only now:",
        highlight=False,
    )
    out.print(token, soft_wrap=True, highlight=False)


@systems_app.command("rotate")
def systems_rotate(
    name: Annotated[str, typer.Option("--name", help="The system's name, as added.")],
) -> None:
    """Give a system a new token (the old one stops working); prints it once."""
    setup_django()
    from django.core.management import call_command

    from joinedup.referrals.system_clients import SystemClientError, rotate_token

    call_command("migrate", interactive=False, verbosity=0)
    try:
        client, token = rotate_token(name)
    except SystemClientError as exc:
        fail(str(exc))
    out.print(f"A new token for {client.name}, shown only now:", highlight=False)
    out.print(token, soft_wrap=True, highlight=False)


@app.command()
def load(
    lake: Annotated[Path, typer.Argument(help="The lake folder to load.")],
    seed: Annotated[
        int, typer.Option(help="Seed for the synthetic identities given to each person.")
    ] = 1,
) -> None:
    """Load a lake into the operational database with synthetic identities (all or nothing)."""
    setup_django()
    from django.core.management import call_command

    from joinedup.lake import LakeError
    from joinedup.record.load import LoadError, load_lake

    call_command("migrate", interactive=False, verbosity=0)
    try:
        with progress_bar() as progress:
            summary = load_lake(lake, seed=seed, progress=progress)
    except LakeError as exc:
        report_lake_problems(lake, list(exc.problems))
    except LoadError as exc:
        fail(str(exc))
    total = sum(summary.rows.values())
    out.print(
        f"Loaded {lake} in {summary.seconds:.1f} s: {total:,} rows, "
        f"{summary.rows_per_second:,.0f} rows/s"
    )
    _print_rows(summary.rows)


@app.command()
def extract(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the lake into.")],
    purpose: Annotated[
        str,
        typer.Option(
            help="Both pseudonymised. secondary_use: people with a National Data Opt-out "
            "left out; direct_care: everyone (never to leave the partnership)."
        ),
    ] = "secondary_use",
    overwrite: Annotated[bool, typer.Option(help="Replace an existing lake at --out.")] = False,
) -> None:
    """Write the operational database as a lake (whole or not at all), audited as an export."""
    import getpass

    if purpose not in ("secondary_use", "direct_care"):
        fail(f"--purpose: expected secondary_use or direct_care, found {purpose!r}")
    if out_dir.exists() and not overwrite and (not out_dir.is_dir() or any(out_dir.iterdir())):
        fail(f"--out: {out_dir} already exists and is not empty (use --overwrite to replace it)")
    setup_django()
    from joinedup.record.extract import ExtractError, extract_lake

    try:
        who = f"{getpass.getuser()} (command line)"
    except (OSError, KeyError):
        who = "command line"
    try:
        with progress_bar() as progress:
            summary = extract_lake(
                out_dir, purpose=purpose, overwrite=overwrite, progress=progress, username=who
            )
    except ExtractError as exc:
        fail(str(exc))
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
    _print_rows(summary.rows)


@app.command()
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
        typer.Option(help="Only this metric (repeat for more); all of METRICS.md by default."),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(help="Spark master URL for a cluster; local mode (local[2]) by default."),
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish", help="Apply the small-number rule for publication.")
    ] = False,
) -> None:
    """Compute the outcome metrics of METRICS.md on a lake and write their long form."""
    from joinedup.lake import LakeError
    from joinedup.metrics import MetricsError, compute_metrics
    from joinedup.metrics.compute import check_request
    from joinedup.metrics.output import check_output_path, write_long_form

    start = parse_date(first, "--from") if first is not None else None
    end = parse_date(last, "--to") if last is not None else None
    try:
        check_output_path(out_file)
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
        write_long_form(table, out_file)
    except LakeError as exc:
        more = len(exc.problems) - 1
        also = f" (and {more} more: joinedup lake check {lake} lists them)" if more else ""
        fail(f"{lake}: {exc.problems[0]}{also}")
    except MetricsError as exc:
        fail(str(exc))
    suppressed = sum(table.column("suppressed").to_pylist())
    note = f", {suppressed:,} with small numbers withheld" if publish else ""
    out.print(
        f"Wrote {table.num_rows:,} rows ({period}, {engine}{note}) to {out_file}",
        soft_wrap=True,
        highlight=False,
    )


@risk_app.command("train")
def risk_train(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to learn from.")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Features before this date, outcome in the year after.")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="The model file to write (JSON).")],
    engine: Annotated[str, typer.Option(help="duckdb (in process) or spark.")] = "duckdb",
    seed: Annotated[int, typer.Option(help="Random seed (the same seed, the same model).")] = 1,
) -> None:
    """Train the calibrated model on the features at --as-of and the year that followed."""
    from joinedup.lake import LakeError
    from joinedup.metrics.engines import check_engine
    from joinedup.metrics.errors import MetricsError
    from joinedup.risk.compute import RiskError, check_as_of, compute_features
    from joinedup.risk.model import ModelError, lake_description, train

    day = parse_date(as_of, "--as-of")
    if not out_file.parent.is_dir():
        fail(f"--out: the folder {out_file.parent} does not exist")
    try:
        check_engine(engine)
        checked = check_as_of(lake, day)
        described = lake_description(lake, checked[0])
        end = checked[0].observation_end
        if day + dt.timedelta(days=365) > end + dt.timedelta(days=1):
            raise RiskError(
                f"--as-of: the year after {day} must lie within the lake's window (it ends "
                f"{end}): choose {end - dt.timedelta(days=364)} or earlier"
            )
        with progress_bar() as progress:
            task = progress.add_task(f"Features on {engine}", total=2)
            table = compute_features(lake, day, engine=engine, with_outcome=True, checked=checked)
            progress.update(task, advance=1, description="Training")
            model = train(table, as_of=day, lake=described, seed=seed)
            progress.update(task, advance=1, description="Trained")
        model.save(out_file)
    except LakeError as exc:
        fail(f"{lake}: {exc.problems[0]}")
    except (RiskError, ModelError, MetricsError) as exc:
        fail(str(exc))
    out.print(
        f"Trained on {model.trained['people']:,} people ({model.trained['admitted']:,} admitted "
        f"in the year after {day}); wrote {out_file}",
        soft_wrap=True,
        highlight=False,
    )


@risk_app.command("score")
def risk_score(
    lake: Annotated[Path, typer.Option("--lake", help="The lake to score.")],
    model_file: Annotated[Path, typer.Option("--model", help="A model from joinedup risk train.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Score on what was known before this.")],
    out_file: Annotated[Path, typer.Option("--out", help="The scores to write: FILE.parquet.")],
    engine: Annotated[str, typer.Option(help="duckdb (in process) or spark.")] = "duckdb",
) -> None:
    """Score everyone in the lake's population on --as-of: probability, band, top factors."""
    from joinedup.lake import LakeError
    from joinedup.metrics.engines import check_engine
    from joinedup.metrics.errors import MetricsError
    from joinedup.risk.compute import RiskError, check_as_of
    from joinedup.risk.model import ModelError, load
    from joinedup.risk.scoring import check_lake_fits, score, write_scores

    day = parse_date(as_of, "--as-of")
    if out_file.suffix != ".parquet" or not out_file.parent.is_dir():
        fail(f"--out: expected FILE.parquet in an existing folder, found {out_file}")
    try:
        check_engine(engine)
        model = load(model_file)
        checked = check_as_of(lake, day)  # before the bar, so a refusal stays one line
        check_lake_fits(model, lake, checked[0])
        with progress_bar() as progress:
            task = progress.add_task(f"Scoring on {engine}", total=1)
            table = score(model, lake, day, engine=engine, checked=checked)
            progress.update(task, advance=1)
        write_scores(table, out_file)
    except LakeError as exc:
        fail(f"{lake}: {exc.problems[0]}")
    except (RiskError, ModelError, MetricsError) as exc:
        fail(str(exc))
    out.print(f"Scored {table.num_rows:,} people on {day}; wrote {out_file}", highlight=False)


@risk_app.command("report")
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
) -> None:
    """Validate the model on --as-of and the year after, against prior admissions alone, a
    QAdmissions-style model, frailty alone and (generated cities) the generator's true risk."""
    from joinedup.lake import LakeError
    from joinedup.metrics.engines import check_engine
    from joinedup.metrics.errors import MetricsError
    from joinedup.risk.compute import RiskError, check_as_of
    from joinedup.risk.model import ModelError, load
    from joinedup.risk.report import build_report, write_json
    from joinedup.risk.report_html import write_html
    from joinedup.risk.scoring import check_lake_fits

    day = parse_date(as_of, "--as-of")
    if out_file.suffix != ".html" or not out_file.parent.is_dir():
        fail(f"--out: expected REPORT.html in an existing folder, found {out_file}")
    figures_file = out_file.with_suffix(".json")
    try:
        check_engine(engine)
        model = load(model_file)
        checked = check_as_of(lake, day)  # before the bar, so a refusal stays one line
        end = checked[0].observation_end
        if day + dt.timedelta(days=365) > end + dt.timedelta(days=1):
            raise RiskError(
                f"--as-of: the year after {day} must lie within the lake's window (it ends "
                f"{end}): choose {end - dt.timedelta(days=364)} or earlier"
            )
        check_lake_fits(model, lake, checked[0])
        with progress_bar() as progress:
            task = progress.add_task(f"Features on {engine}", total=4)

            def step(name: str) -> None:
                progress.update(task, advance=1, description=name)

            report = build_report(lake, model, day, engine=engine, step=step, checked=checked)
            step("Writing")
            write_json(report, figures_file)
            write_html(report, out_file)
            step("Written")
    except LakeError as exc:
        fail(f"{lake}: {exc.problems[0]}")
    except (RiskError, ModelError, MetricsError) as exc:
        fail(str(exc))
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


@risk_app.command("load")
def risk_load(
    scores_file: Annotated[
        Path, typer.Option("--scores", help="Scores from joinedup risk score: FILE.parquet.")
    ],
) -> None:
    """Load scores for case finding: re-identified (pseudonymised ids through this database's
    key), replacing the previous scores (all or nothing; audited)."""
    if not scores_file.is_file():
        fail(f"--scores: {scores_file} is not a file")
    setup_django()
    from django.core.management import call_command

    from joinedup.casefinding.loading import ScoresError, match_people, read_scores, store_scores

    call_command("migrate", interactive=False, verbosity=0)
    try:
        scores = read_scores(scores_file)
        with err.status("Matching people"):  # draws nothing when stderr is not a terminal
            matched = match_people(scores)
        with progress_bar() as progress:
            summary = store_scores(scores, matched, command_line_user(), progress=progress)
    except ScoresError as exc:
        fail(str(exc))
    out.print(
        f"Loaded the risk scores of {scores.as_of} in {summary.seconds:.1f} s: "
        f"{summary.in_file:,} people in the file, {summary.matched:,} matched, "
        f"{summary.in_file - summary.matched:,} not found in this database",
        soft_wrap=True,
        highlight=False,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
) -> None:
    """Serve the platform with gunicorn (static files by whitenoise, nothing from a CDN)."""
    setup_django()
    from joinedup.server import run

    run(host=host, port=port, workers=workers)


def load_demo_risk_scores(city: Path) -> None:
    """Train, score and load the demo city's risk scores, unless scores are loaded already
    (setup_django() first). A city that cannot give a model is said so, not fatal."""
    from joinedup.casefinding.demo import load_demo_scores
    from joinedup.casefinding.loading import ScoresError
    from joinedup.casefinding.models import ScoreRun
    from joinedup.risk.compute import RiskError
    from joinedup.risk.model import ModelError

    if ScoreRun.objects.exists():
        out.print("Risk scores are already loaded")
        return
    try:
        with progress_bar() as progress:
            summary = load_demo_scores(city, progress=progress)
    except (RiskError, ModelError, ScoresError) as exc:
        err.print(f"Risk scores not loaded: {escape(str(exc))}", highlight=False, soft_wrap=True)
        return
    out.print(
        f"Loaded the risk scores of {summary.run.as_of} for case finding: "
        f"{summary.matched:,} people",
        highlight=False,
    )


@app.command()
def demo(
    people: Annotated[
        int, typer.Option(help="People in the demo city (when it is generated).")
    ] = 100_000,
    neighbourhoods: Annotated[int, typer.Option(help="Neighbourhoods in the demo city.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed of the demo city.")] = 1,
    city: Annotated[
        Path,
        typer.Option(
            help="Where the demo city's lake lives.",
            show_default="<JOINEDUP_VAR_DIR or var>/demo-city",
        ),
    ] = DEFAULT_DEMO_CITY,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Prepare everything but do not serve.")
    ] = False,
) -> None:
    """Build the demo: generate a city unless one exists, load it, add logins and records, serve."""
    from joinedup.synth.city import generate_city
    from joinedup.synth.config import CityConfig

    if not (city / "manifest.json").is_file():
        config = CityConfig(people=people, neighbourhoods=neighbourhoods, seed=seed)
        try:
            config.validate()
        except ValueError as exc:
            fail(str(exc))
        with progress_bar() as progress:
            generate_city(config, city, progress=progress, overwrite=city.exists())
        out.print(f"Generated the demo city at {city}")
    else:
        out.print(f"Reusing the demo city at {city}")
    setup_django()
    from django.core.management import call_command

    from joinedup.access.demo import DemoLoginError, create_demo_logins
    from joinedup.lake import LakeError
    from joinedup.people.demo import seed_demo_record
    from joinedup.record.load import LoadError, is_loaded, load_lake

    call_command("migrate", interactive=False, verbosity=0)
    if is_loaded(city):
        out.print("The demo city is already loaded")
    else:
        try:
            with progress_bar() as progress:
                summary = load_lake(city, seed=seed, progress=progress)
        except LakeError as exc:
            report_lake_problems(city, list(exc.problems))
        except LoadError as exc:
            fail(str(exc))
        out.print(f"Loaded the demo city in {summary.seconds:.1f} s")
    from joinedup.outcomes.refresh import stored_for

    if not stored_for(city):
        refresh_outcome_figures(city)
    load_demo_risk_scores(city)
    try:
        logins = create_demo_logins()
    except DemoLoginError as exc:
        fail(str(exc))
    # One plain line per login, never truncated, so it can be copied from any terminal or log.
    out.print("[bold]Demo logins (synthetic city only): username, password, role[/]")
    for login in logins:
        where = ", ".join(x for x in (login.organisation, login.team) if x)
        out.print(
            f"  {login.username}  {login.password}  {login.profession} ({where})",
            soft_wrap=True,
            highlight=False,
        )
    try:
        record = seed_demo_record()
    except DemoLoginError as exc:
        fail(str(exc))
    if any(record.created.values()):
        made = ", ".join(f"{count} {what}s" for what, count in record.created.items())
        out.print(
            f"Added to {record.people} people on {record.team}'s caseload: {made}",
            soft_wrap=True,
            highlight=False,
        )
    from joinedup.mdt.demo import seed_demo_meetings
    from joinedup.referrals.demo import seed_demo_referrals

    referrals = seed_demo_referrals()
    if referrals:
        out.print(f"Added {referrals} of today's referrals to the single point of access")
    if seed_demo_meetings():
        out.print(
            f"Added last week's MDT meeting of {record.team} (held, with actions) and the next",
            soft_wrap=True,
            highlight=False,
        )
    from joinedup.transfers.demo import DEMO_FEED_TOKEN, seed_demo_hospital

    hospital = seed_demo_hospital()
    out.print(
        f"The hospital feed (POST /api/transfers/events/) takes {hospital.name}'s events with "
        f"Authorization: Bearer {DEMO_FEED_TOKEN}",
        soft_wrap=True,
        highlight=False,
    )
    if record.showcase is not None:
        # Plain lines, like the logins: what to try to see a related and an unrelated viewer.
        shown = record.showcase
        for line in (
            f"Try {shown.name} (NHS number {shown.nhs_number}), on {record.team}'s caseload:",
            f"  demo-district-nurse sees the whole record (key worker: {shown.key_worker})",
            "  demo-discharge-coordinator has no care relationship, sees identity only in "
            "search, and can break the glass with a reason",
            "  demo-team-manager reviews break-glass at /break-glass/",
            "  demo-spa-triage-clinician triages today's referrals; demo-gp follows theirs",
        ):
            out.print(line, soft_wrap=True, highlight=False)
    if not no_serve:
        from joinedup.server import run

        out.print(f"Serving http://{host}:{port}/ (Ctrl+C to stop)")
        run(host=host, port=port, workers=2)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (migrate, collectstatic, createsuperuser, ...)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["joinedup manage", *ctx.args])


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
