"""The demo, built once: a synthetic city generated (unless one exists) and loaded, its
outcome figures and risk scores stored, demo logins, records, referrals, meetings and a
hospital feed added. A second run adds nothing and says what it reused.

`joinedup demo` runs it and then serves; it tells its user what it did through a Report
(the command line prints it, tests record it). It migrates the database, as only the demo
may: the data commands refuse a database that is not migrated.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.core.management import call_command
from rich.progress import Progress

from joinedup.access.demo import create_demo_logins
from joinedup.casefinding.demo import load_demo_scores
from joinedup.casefinding.loading import ScoresError
from joinedup.casefinding.models import ScoreRun
from joinedup.errors import UserError
from joinedup.lake.manifest import MANIFEST_FILE
from joinedup.lake.writer import LAKE
from joinedup.mdt.demo import seed_demo_meetings
from joinedup.outcomes.refresh import refresh_outcomes, stored_for
from joinedup.output_files import OutputError, check_target
from joinedup.people.demo import DemoRecordSummary, seed_demo_record
from joinedup.record.load import is_loaded, load_lake
from joinedup.referrals.demo import seed_demo_referrals
from joinedup.risk.compute import RiskError
from joinedup.risk.model import ModelError
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig
from joinedup.transfers.demo import DEMO_FEED_TOKEN, seed_demo_hospital


class Report(Protocol):
    """Where a long-running service tells its user what it did, as it goes."""

    def say(self, line: str, *, strong: bool = False) -> None: ...

    def warn(self, line: str) -> None: ...

    def progress(self) -> AbstractContextManager[Progress | None]: ...


@dataclass(frozen=True)
class DemoCity:
    """Where the demo city lives, and the city to generate when none is there yet."""

    city: Path
    people: int = 100_000
    neighbourhoods: int = 12
    seed: int = 1
    username: str = ""  # who builds it, for the audit log


def prepare_demo(demo: DemoCity, report: Report) -> None:
    """Everything the demo needs, each part added once; DemoLoginError for a city that is not
    synthetic, the lake's errors for a lake that cannot be loaded."""
    _generate_unless_present(demo, report)
    call_command("migrate", interactive=False, verbosity=0)
    _load_unless_loaded(demo, report)
    if not stored_for(demo.city):
        store_outcome_figures(demo.city, report, username=demo.username)
    _load_risk_scores(demo.city, report)
    _add_logins(report)
    record = seed_demo_record()
    _add_records(record, report)
    hospital = seed_demo_hospital()
    report.say(
        f"The hospital feed (POST /api/transfers/events/) takes {hospital.name}'s events with "
        f"Authorization: Bearer {DEMO_FEED_TOKEN}"
    )
    _say_whom_to_try(record, report)


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


def _generate_unless_present(demo: DemoCity, report: Report) -> None:
    if (demo.city / MANIFEST_FILE).is_file():
        report.say(f"Reusing the demo city at {demo.city}")
        return
    config = CityConfig(people=demo.people, neighbourhoods=demo.neighbourhoods, seed=demo.seed)
    try:
        config.validate()  # its messages name CityConfig's fields, as the flags do
    except ValueError as exc:
        raise UserError(str(exc)) from None
    # A folder holding anything but a lake is someone else's: refused, never replaced.
    if demo.city.is_dir() and any(demo.city.iterdir()):
        raise OutputError(
            demo.city,
            f"{demo.city} holds no lake ({MANIFEST_FILE}) but is not empty: the demo never "
            "replaces it; choose another `city`",
            field="city",
        )
    check_target(demo.city, LAKE, field="city")
    try:
        with report.progress() as progress:
            generate_city(config, demo.city, progress=progress)
    except OutputError as exc:
        raise exc.for_field("city") from None
    report.say(f"Generated the demo city at {demo.city}")


def _load_unless_loaded(demo: DemoCity, report: Report) -> None:
    if is_loaded(demo.city):
        report.say("The demo city is already loaded")
        return
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


def _add_records(record: DemoRecordSummary, report: Report) -> None:
    """Say what seed_demo_record added, then add today's referrals and the team's meetings."""
    if any(record.created.values()):
        made = ", ".join(f"{count} {what}s" for what, count in record.created.items())
        report.say(f"Added to {record.people} people on {record.team}'s caseload: {made}")
    referrals = seed_demo_referrals()
    if referrals:
        report.say(f"Added {referrals} of today's referrals to the single point of access")
    if seed_demo_meetings():
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
        "  demo-spa-triage-clinician triages today's referrals; demo-gp follows theirs",
    ):
        report.say(line)
