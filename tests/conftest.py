"""Shared fixtures: a tiny valid lake covering every table, and a loaded city with demo logins."""

from __future__ import annotations

import atexit
import datetime as dt
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from django.db import connection

from joinedup.lake.manifest import Manifest
from joinedup.lake.schema import DATE, INSTANT, TABLES
from joinedup.lake.writer import write_table

pytest_plugins = ("suite_layout", "suite_profile")


def pytest_configure(config: pytest.Config) -> None:
    """The run's own cache folder (checked lakes are remembered there, joinedup.lake.reader),
    for the commands the tests start too: never the runner's ~/.cache."""
    cache = tempfile.mkdtemp(prefix="joinedup-test-cache-")
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    os.environ["XDG_CACHE_HOME"] = cache


WINDOW = (dt.date(2019, 4, 1), dt.date(2025, 3, 31))


def _rows(name: str, *rows: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Rows as dicts of the contract's columns, ISO text turned into dates and UTC instants."""
    table = TABLES[name]
    result = []
    for row in rows:
        item = dict(zip(table.column_names, row, strict=True))
        for column in table.columns:
            value = item[column.name]
            if isinstance(value, str) and column.type == DATE:
                item[column.name] = dt.date.fromisoformat(value)
            elif isinstance(value, str) and column.type == INSTANT:
                item[column.name] = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        result.append(item)
    return result


def tiny_lake_tables() -> dict[str, list[dict[str, Any]]]:
    """Every contract table: 6 people in 2 neighbourhoods, a little of everything (with nulls)."""
    # fmt: off
    return {
        "neighbourhood": _rows(
            "neighbourhood", ("n-north", "Northgate", 3), ("n-south", "Southmead", 3)
        ),
        "team": _rows(
            "team",
            ("t-north", "n-north", "Northgate INT", "2021-04-01"),
            ("t-south", "n-south", "Southmead INT", None),
        ),
        "gp_practice": _rows(
            "gp_practice",
            ("gp-a", "n-north", "Abbey Road Surgery"),
            ("gp-b", "n-north", "Bridge Street Medical Centre"),
            ("gp-c", "n-south", "Castle Health Centre"),
        ),
        # id, birth, sex, decile, neighbourhood, practice, alone, carer, from, to, death
        "person": _rows(
            "person",
            ("p1", "1938-02-11", "female", 2, "n-north", "gp-a", True, False, "2019-04-01", None,
             None),
            ("p2", "1945-07-30", "male", 5, "n-north", "gp-a", False, True, "2019-04-01", None,
             "2023-01-15"),
            ("p3", "1990-12-01", "other", 9, "n-north", "gp-b", False, False, "2020-06-01", None,
             None),
            ("p4", "1952-03-03", "female", 1, "n-south", "gp-c", True, False, "2019-04-01", None,
             None),
            ("p5", "1960-09-09", None, None, "n-south", "gp-c", False, False, "2019-04-01",
             "2022-08-31", None),
            ("p6", "2001-01-20", "unknown", 7, "n-south", "gp-c", False, False, "2021-01-01",
             None, None),
        ),
        "condition": _rows(
            "condition",
            ("p1", "heart_failure", "84114007", "2015-05-01", None, None),
            ("p2", "copd", "13645005", "2010-01-01", "2010-02-01", None),
            ("p4", "frailty_moderate", None, "2020-01-01", None, None),
        ),
        # id, person, admission, method, diagnosis, acsc, fall, ready, discharge, pathway,
        # destination, delay reason, responsibility, cost
        "hospital_spell": _rows(
            "hospital_spell",
            ("s1", "p1", "2020-01-10", "emergency", "I50.0", True, False, "2020-01-20",
             "2020-01-25", 1,
             "usual_residence", "awaiting_care_package", "social_care", 4200.0),
            ("s2", "p2", "2022-12-01", "emergency", "J44.1", True, False, "2023-01-15",
             "2023-01-15", 0,
             "died", None, None, 6100.0),
            ("s3", "p4", "2021-06-01", "elective", "M17.1", False, False, "2021-06-03",
             "2021-06-03", 0,
             "usual_residence", None, None, 3000.0),
            ("s4", "p4", "2024-11-20", "emergency", "S72.0", False, True, None, None, None,
             None, None, None, None),
        ),
        "ae_attendance": _rows(
            "ae_attendance",
            ("a1", "p1", "2020-01-10T08:30:00", True, 250.0),
            ("a2", "p3", "2023-05-05T23:10:07.250000", False, 180.0),
            ("a3", "p4", "2024-11-20T14:00:00", True, None),
        ),
        # id, person, received, source, urgency, reason, team, status, accepted, closed
        "referral": _rows(
            "referral",
            ("r1", "p1", "2021-05-01T09:00:00", "gp", "two_hour", "Fall at home", "t-north",
             "completed",
             "2021-05-01T09:20:00", "2021-06-01T12:00:00"),
            ("r2", "p4", "2022-02-02T10:00:00", "hospital", "routine", None, "t-south",
             "in-progress",
             "2022-02-03T10:00:00", None),
            ("r3", "p6", "2023-03-03T11:00:00", "self", "urgent", "Carer breakdown", None,
             "requested",
             None, None),
        ),
        # id, person, date, service, sector, team, referral, urgent, response minutes, cost
        "contact": _rows(
            "contact",
            ("c1", "p1", "2021-05-01", "rapid_response", "health", "t-north", "r1", True, 95,
             120.0),
            ("c2", "p1", "2021-05-08", "social_work", "social_care", "t-north", "r1", False,
             None, 80.0),
            ("c3", "p1", "2021-05-15", "care_navigation", "voluntary", None, None, False, None,
             None),
            ("c4", "p2", "2020-03-03", "gp", "health", None, None, False, None, 35.0),
            ("c5", "p3", "2022-07-07", "mental_health", "health", None, None, False, None, 90.0),
            ("c6", "p4", "2022-02-10", "therapy", "health", "t-south", "r2", False, None, 60.0),
            ("c7", "p4", "2022-02-17", "social_work", "social_care", "t-south", "r2", False,
             None, 75.0),
            ("c8", "p6", "2023-03-10", "other", None, None, None, False, None, None),
        ),
        "budget_line": _rows(
            "budget_line",
            ("b1", "Reablement at home", "reablement", "pooled", None, "2021-04-01", "2022-03-31",
             250000.0, 231000.0),
            ("b2", "Northgate INT", "integrated_teams", "nhs", "n-north", "2021-04-01",
             "2022-03-31",
             400000.0, None),
        ),
        # id, person, type, start, end, hours, weekly cost, funder, personal budget, mode,
        # permanent, after spell, budget line
        "care_package": _rows(
            "care_package",
            ("k1", "p1", "reablement", "2020-01-25", "2020-03-01", 10.0, 280.0, "pooled", False,
             None,
             False, "s1", "b1"),
            ("k2", "p4", "home_care", "2022-03-01", None, 7.5, 210.0, "council", True,
             "direct_payment",
             False, None, None),
        ),
        "episode": _rows(
            "episode",
            ("e1", "p1", "t-north", "2021-05-01", "2021-08-01", "referral", "goals_met"),
            ("e2", "p4", "t-south", "2022-02-02", "2022-02-02", "case_finding", "declined"),
        ),
    }
    # fmt: on


def write_lake(path: Path, tables: dict[str, list[dict[str, Any]]], **manifest: Any) -> Path:
    """Write `tables` (rows as dicts) as a lake at `path` with a synthetic manifest."""
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        schema = TABLES[name].arrow_schema
        write_table(path, name, pa.Table.from_pylist(rows, schema=schema))
    Manifest(
        observation_start=manifest.pop("observation_start", WINDOW[0]),
        observation_end=manifest.pop("observation_end", WINDOW[1]),
        pseudonymised=manifest.pop("pseudonymised", False),
        purpose=manifest.pop("purpose", "synthetic"),
        source=manifest.pop("source", "tests"),
        extra=manifest,
    ).write(path)
    return path


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix(request: pytest.FixtureRequest) -> None:
    """Each pytest-xdist worker its own test database: PostgreSQL's named test_<name>_gw0 and
    so on (pytest-django's own rule); SQLite's file is already one per process
    (settings.py) and keeps its .sqlite3 name. PostgreSQL's commits do not wait for the
    disk."""
    from django.conf import settings

    worker = getattr(request.config, "workerinput", {}).get("workerid")
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        # The test database need not survive a power cut: a commit returns without waiting
        # for the disk (a few ms each, on every request of a transactional test). The
        # server, its SQL and its locking are the production ones all the same.
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    if worker and database["ENGINE"] != "django.db.backends.sqlite3":
        test = database.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + str(database['NAME'])}_{worker}"


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> None:
    """Each test its own in-memory cache, never the shared one under var/."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings: Any) -> None:
    """Argon2 at its lowest cost (tests/password_hashing.py); production's own hasher list
    is checked by test_settings_db."""
    settings.PASSWORD_HASHERS = ["password_hashing.CheapArgon2PasswordHasher"]


@pytest.fixture
def make_lake(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny lake, optionally changed: make_lake("name", edit=lambda tables: ...)."""

    def make(
        name: str = "lake",
        edit: Callable[[dict[str, list[dict[str, Any]]]], None] | None = None,
        **manifest: Any,
    ) -> Path:
        tables = tiny_lake_tables()
        if edit is not None:
            edit(tables)
        return write_lake(tmp_path / "lakes" / name, tables, **manifest)

    return make


@pytest.fixture
def tiny_lake(make_lake: Callable[..., Path]) -> Path:
    return make_lake()


def _audit_triggers() -> Any:
    return importlib.import_module("joinedup.access.migrations.0003_audit_append_only")


class _TriggerSchemaEditor:
    """Just enough of a schema editor for the migration's trigger functions."""

    connection = connection

    @staticmethod
    def execute(sql: str, params: None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.fixture
def committed_audit() -> Iterator[None]:
    """For tests that commit audit events (transactional tests, live servers).

    The test database's flush deletes rows with DELETE on SQLite, which the append-only
    triggers refuse; afterwards the triggers are dropped, the events removed and the
    triggers re-created, as the database owner could.
    """
    yield
    triggers = _audit_triggers()
    triggers.drop_triggers(None, _TriggerSchemaEditor())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM access_auditevent")
        cursor.execute("DELETE FROM access_auditchainhead")
    triggers.create_triggers(None, _TriggerSchemaEditor())


@pytest.fixture(scope="session")
def risk_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated city for the risk commands' tests (generated once a session)."""
    from joinedup.synth.city import generate_city
    from joinedup.synth.config import CityConfig

    out = tmp_path_factory.mktemp("risk-city") / "city"
    generate_city(CityConfig(people=10_000, neighbourhoods=3, seed=9), out)
    return out


@pytest.fixture(scope="session")
def risk_model(risk_city: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`joinedup risk train` on risk_city at 1 April 2023, as the command line runs it."""
    from command_line import run

    folder = tmp_path_factory.mktemp("risk-model")
    path = folder / "model.json"
    done = run("risk", "train", "--lake", str(risk_city), "--as-of", "2023-04-01",
               "--out", str(path), var=folder / "var")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Trained on" in done.stdout and "━" in done.stderr  # the progress bar
    return path
