"""The demo, built once: a synthetic city generated (unless one exists) and loaded, its
outcome figures and risk scores stored, demo logins, records, referrals, meetings and a
hospital feed added. A second run adds nothing and says what it reused.

The demo is live: its city's data end on the last whole day before the day it is built
(demo_window), so "today" in the demo is the day after the data end, the day the risk
scores are dated, the hub's board describes and the seeded referrals arrive; nothing in
the lake happens later than now. The clock is read once (prepare_demo), through Django's,
so a test can fix it. A city built on an earlier day is served as it is (it holds what
people did in the demo) with one line saying how to build it again for today: `refresh`,
which replaces the city and empties the demo's own SQLite database, nothing else.

`joinedup demo` runs it and then serves; it tells its user what it did through a Report
(the command line prints it, tests record it). It migrates the database, as only the demo
may: the data commands refuse a database that is not migrated.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Max
from django.utils import timezone
from rich.progress import Progress

from joinedup.access.demo import create_demo_logins
from joinedup.casefinding.demo import load_demo_scores
from joinedup.casefinding.loading import ScoresError
from joinedup.casefinding.models import ScoreRun
from joinedup.errors import UserError
from joinedup.formatting import long_date
from joinedup.lake.manifest import MANIFEST_FILE
from joinedup.lake.writer import LAKE
from joinedup.mdt.demo import seed_demo_meetings
from joinedup.outcomes.refresh import refresh_outcomes, stored_for
from joinedup.output_files import OutputError, check_target
from joinedup.people.demo import DemoRecordSummary, seed_demo_record
from joinedup.record.load import is_loaded, load_lake
from joinedup.record.models import LoadedLake
from joinedup.referrals.demo import seed_demo_referrals
from joinedup.risk.compute import RiskError
from joinedup.risk.model import ModelError
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig
from joinedup.transfers.demo import DEMO_FEED_TOKEN, seed_demo_hospital

# The demo city's window: CityConfig's default length, six whole financial years, then the
# financial year under way up to the day before the demo is built. It starts on 1 April, not
# on the first of any month, because the figures are made by financial year: the outcome
# dashboards store whole months and whole financial years only (joinedup.metrics.periods,
# so a start in, say, December would drop its first year), the Better Care Fund metrics
# and the pooled budget's lines are per financial year, and the generator rebases its
# rates and writes the year-ahead risk truth each 1 April, as it was calibrated on windows
# starting then (docs/synthetic-city.md).
DEMO_YEARS = 6
REFRESH_HOW = "run `make demo-refresh` (or `joinedup demo --refresh`)"
LOST = "changes made in the demo are lost"
SQLITE_FILE = "joinedup.sqlite3"  # the default database's name in the var folder (settings.py)


class Report(Protocol):
    """Where a long-running service tells its user what it did, as it goes."""

    def say(self, line: str, *, strong: bool = False) -> None: ...

    def warn(self, line: str) -> None: ...

    def progress(self) -> AbstractContextManager[Progress | None]: ...


@dataclass(frozen=True)
class DemoCity:
    """Where the demo city lives, and the city to generate when none is there yet (or when
    `refresh` asks for it again)."""

    city: Path
    people: int = 100_000
    neighbourhoods: int = 12
    seed: int = 1
    username: str = ""  # who builds it, for the audit log
    refresh: bool = False  # build the city and its database again, for today


def demo_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last days of a demo city built on `today` (see DEMO_YEARS): from
    1 April six financial years before the one holding `today`, to the day before it."""
    year = today.year if today.month >= 4 else today.year - 1
    return dt.date(year - DEMO_YEARS, 4, 1), today - dt.timedelta(days=1)


def behind_line(end: dt.date, today: dt.date) -> str | None:
    """One line saying how to bring up to `today` a demo city whose data end on `end`, or
    None when they end the day before it, as a city built today does."""
    expected = today - dt.timedelta(days=1)
    days = (expected - end).days
    if days == 0:
        return None
    unit = "day" if abs(days) == 1 else "days"
    return (
        f"The demo city is {abs(days)} {unit} {'behind' if days > 0 else 'ahead'} (its data "
        f"end on {long_date(end)}, not yesterday, {long_date(expected)}): {REFRESH_HOW} to "
        f"build it again up to today; {LOST}"
    )


def prepare_demo(demo: DemoCity, report: Report) -> None:
    """Everything the demo needs, each part added once; DemoLoginError for a city that is not
    synthetic, the lake's errors for a lake that cannot be loaded, a UserError naming
    `refresh` for a database the demo may not empty."""
    now = timezone.now()  # the one reading of the clock: every date the demo adds follows it
    today = timezone.localdate(now)
    if demo.refresh:
        _rebuild(demo, today, report)
    else:
        _generate_unless_present(demo, today, report)
    call_command("migrate", interactive=False, verbosity=0)
    _load_unless_loaded(demo, report)
    if not stored_for(demo.city):
        store_outcome_figures(demo.city, report, username=demo.username)
    _load_risk_scores(demo.city, report)
    _add_logins(report)
    record = seed_demo_record(today=today)
    _add_records(record, now, report)
    hospital = seed_demo_hospital(now)
    report.say(
        f"The hospital feed (POST /api/transfers/events/) takes {hospital.name}'s events with "
        f"Authorization: Bearer {DEMO_FEED_TOKEN}"
    )
    _say_whom_to_try(record, report)
    end = LoadedLake.objects.aggregate(end=Max("observation_end"))["end"]
    if end is not None and (line := behind_line(end, today)) is not None:
        report.warn(line)  # last, so it is seen above "Serving ..."


def store_outcome_figures(lake: Path, report: Report, *, username: str) -> None:
    """Compute and store the dashboards' figures from `lake` (also `joinedup outcomes
    refresh`); the lake's or the metrics' UserError when they cannot be."""
    with report.progress() as progress:
        summary = refresh_outcomes(lake, progress=progress, username=username)
    report.say(
        f"Stored the outcome figures of {lake} in {summary.seconds:.1f} s: "
        f"{summary.rows.get('month', 0):,} monthly and {summary.rows.get('year', 0):,} "
        "financial-year rows"
    )


def _config(demo: DemoCity, today: dt.date) -> CityConfig:
    start, end = demo_window(today)
    config = CityConfig(
        people=demo.people, neighbourhoods=demo.neighbourhoods, seed=demo.seed, start=start, end=end
    )
    try:
        return config.validate()  # its messages name CityConfig's fields, as the flags do
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _generate(demo: DemoCity, config: CityConfig, report: Report, *, overwrite: bool) -> None:
    try:
        with report.progress() as progress:
            generate_city(config, demo.city, progress=progress, overwrite=overwrite)
    except OutputError as exc:
        raise exc.for_field("city") from None
    report.say(
        f"Generated the demo city at {demo.city}: {long_date(config.start)} to "
        f"{long_date(config.end)}"
    )


def _generate_unless_present(demo: DemoCity, today: dt.date, report: Report) -> None:
    if (demo.city / MANIFEST_FILE).is_file():
        report.say(f"Reusing the demo city at {demo.city}")
        return
    config = _config(demo, today)
    # A folder holding anything but a lake is someone else's: refused, never replaced.
    if demo.city.is_dir() and any(demo.city.iterdir()):
        raise OutputError(
            demo.city,
            f"{demo.city} holds no lake ({MANIFEST_FILE}) but is not empty: the demo never "
            "replaces it; choose another `city`",
            field="city",
        )
    check_target(demo.city, LAKE, field="city")
    _generate(demo, config, report, overwrite=False)


def _rebuild(demo: DemoCity, today: dt.date, report: Report) -> None:
    """`refresh`: a new city for `today` in place of the old (only a lake joinedup wrote),
    then the demo's database emptied (only its own SQLite file, holding synthetic cities
    only), each checked before anything is changed. A city that fails to generate leaves
    the old city and database as they were."""
    config = _config(demo, today)
    check_target(demo.city, LAKE, overwrite=True, field="city")
    database = _demo_database()
    _generate(demo, config, report, overwrite=True)
    if database is not None:
        connections.close_all()
        for suffix in ("", "-wal", "-shm", "-journal"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        report.say(f"Emptied the demo's database ({database}) to load the new city")


def _demo_database() -> Path | None:
    """The SQLite file `refresh` deletes to empty the database, None when the database
    holds no city; a UserError naming `refresh` when it holds one the demo may not delete:
    in any database but the demo's own SQLite file in the var folder, or not synthetic."""
    if LoadedLake._meta.db_table not in connection.introspection.table_names():
        return None  # a new or unmigrated database: nothing loaded to lose
    purposes = set(LoadedLake.objects.values_list("purpose", flat=True))
    if not purposes:
        return None
    own = Path(settings.VAR_DIR) / SQLITE_FILE
    name = Path(str(connection.settings_dict["NAME"]))
    if connection.vendor != "sqlite" or name.resolve() != own.resolve():
        hint = (
            ""
            if connection.vendor == "sqlite"
            else ": empty it yourself, or unset JOINEDUP_DATABASE_URL for the demo's own, "
            "and run the demo again"
        )
        raise UserError(
            f"`refresh` empties only the demo's own SQLite database ({own}), never the "
            f"{connection.display_name} database {name}, which holds a city{hint}",
            field="refresh",
        )
    if purposes != {"synthetic"}:
        raise UserError(
            f"`refresh` empties only a database of synthetic cities, and {own} holds a lake "
            f"whose purpose is {', '.join(sorted(purposes - {'synthetic'}))}: nothing was "
            "changed",
            field="refresh",
        )
    return own


def _load_unless_loaded(demo: DemoCity, report: Report) -> None:
    if is_loaded(demo.city):
        report.say("The demo city is already loaded")
        return
    held = LoadedLake.objects.order_by("loaded_at").first()
    if held is not None:  # one database holds one city: say how the demo starts afresh
        raise UserError(
            f"the demo's database holds another city (loaded from {held.path}, its data "
            f"ending on {long_date(held.observation_end)}) than the one at `city`: "
            f"{REFRESH_HOW} to build both again; {LOST}",
            field="city",
        )
    with report.progress() as progress:
        summary = load_lake(demo.city, seed=demo.seed, progress=progress)
    report.say(f"Loaded the demo city in {summary.seconds:.1f} s")


def _load_risk_scores(city: Path, report: Report) -> None:
    """Train, score and load the city's risk scores unless some are loaded already. A city
    that cannot give a model is said so, not fatal: the demo runs without scores."""
    if ScoreRun.objects.exists():
        report.say("Risk scores are already loaded")
        return
    try:
        with report.progress() as progress:
            summary = load_demo_scores(city, progress=progress)
    except (RiskError, ModelError, ScoresError) as exc:
        report.warn(f"Risk scores not loaded: {exc}")
        return
    report.say(
        f"Loaded the risk scores of {summary.run.as_of} for case finding: "
        f"{summary.matched:,} people"
    )


def _add_logins(report: Report) -> None:
    logins = create_demo_logins()
    # One plain line per login, never truncated, so it can be copied from any terminal or log.
    report.say("Demo logins (synthetic city only): username, password, role", strong=True)
    for login in logins:
        where = ", ".join(x for x in (login.organisation, login.team) if x)
        report.say(f"  {login.username}  {login.password}  {login.profession} ({where})")


def _add_records(record: DemoRecordSummary, now: dt.datetime, report: Report) -> None:
    """Say what seed_demo_record added, then add the morning's referrals and the team's
    meetings, dated from `now`."""
    if any(record.created.values()):
        made = ", ".join(f"{count} {what}s" for what, count in record.created.items())
        report.say(f"Added to {record.people} people on {record.team}'s caseload: {made}")
    referrals = seed_demo_referrals(now)
    if referrals:
        report.say(
            f"Added {referrals} referrals of the last few days to the single point of access"
        )
    if seed_demo_meetings(now):
        report.say(
            f"Added last week's MDT meeting of {record.team} (held, with actions) and the next"
        )


def _say_whom_to_try(record: DemoRecordSummary, report: Report) -> None:
    """Whom to look up to see a related and an unrelated viewer, in plain lines."""
    shown = record.showcase
    if shown is None:
        return
    for line in (
        f"Try {shown.name} (NHS number {shown.nhs_number}), on {record.team}'s caseload:",
        f"  demo-district-nurse sees the whole record (key worker: {shown.key_worker})",
        "  demo-discharge-coordinator has no care relationship, sees identity only in "
        "search, and can break the glass with a reason",
        "  demo-team-manager reviews break-glass at /break-glass/",
        "  demo-spa-triage-clinician triages the waiting referrals; demo-gp follows theirs",
    ):
        report.say(line)
