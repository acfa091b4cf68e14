"""The `joinedup` command as a user runs it.

Commands that keep state run as the installed command in a subprocess with their own var/
folder (their own SQLite database), so these tests never touch the test database
pytest-django manages; the others run in this process (tests/integration/command_line.py).
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from command_line import migrated, one_error_line, run, run_installed

SMALL = ["--people", "2000", "--neighbourhoods", "2", "--seed", "5"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--people", "0"], "people"),
        (["--neighbourhoods", "0"], "neighbourhoods"),
        (["--start", "2019-13-01"], "--start: expected a date YYYY-MM-DD, found '2019-13-01'"),
        (["--start", "2025-04-01", "--end", "2019-03-31"], "end"),
        (["--caseload-admission-rate-ratio", "-1"], "caseload_admission_rate_ratio"),
    ],
)
def test_generate_rejects_bad_arguments_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "city"
    line = one_error_line(run("generate", "--out", str(out), *args, var=tmp_path / "var"))
    assert message in line
    assert not out.exists()


def test_generate_has_a_flag_for_every_planted_effect(tmp_path: Path) -> None:
    from joinedup.synth.config import CityConfig

    help_text = run("generate", "--help", var=tmp_path).stdout
    for effect in CityConfig.effect_fields():
        assert effect.flag in help_text


def test_every_subcommand_has_help(tmp_path: Path) -> None:
    for command in (["generate"], ["lake", "check"], ["load"], ["demo"], ["serve"], ["manage"]):
        result = run(*command, "--help", var=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage:" in result.stdout


def test_generate_check_load_then_refuse_second_load(tmp_path: Path) -> None:
    var = migrated(tmp_path / "var")
    city = tmp_path / "city"
    generated = run("generate", "--out", str(city), *SMALL, var=var)
    assert generated.returncode == 0, generated.stderr
    assert (city / "manifest.json").is_file()
    assert (city / "truth" / "effects.json").is_file()

    again = run("generate", "--out", str(city), *SMALL, var=var)
    assert "already exists and is not empty" in one_error_line(again)

    checked = run("lake", "check", str(city), var=var)
    assert checked.returncode == 0, checked.stderr
    assert "observation window 2019-04-01 to 2025-03-31" in checked.stdout

    loaded = run_installed("load", str(city), var=var)
    assert loaded.returncode == 0, loaded.stderr
    assert "rows/s" in loaded.stdout

    twice = run_installed("load", str(city), var=var)
    assert "already loaded" in one_error_line(twice)


def test_load_of_a_broken_lake_names_the_problem_and_loads_nothing(
    tmp_path: Path, tiny_lake: Path
) -> None:
    import shutil

    lake = tmp_path / "lake"
    shutil.copytree(tiny_lake, lake)
    (lake / "person.parquet").write_bytes(b"not parquet at all")
    var = migrated(tmp_path / "var")
    result = run_installed("load", str(lake), var=var)
    assert result.returncode == 2
    assert "person: expected readable Parquet" in result.stderr
    count = run_installed(
        "manage",
        "shell",
        "-c",
        "from joinedup.record.models import Person; print(Person.objects.count())",
        var=var,
    )
    assert count.stdout.strip().splitlines()[-1] == "0", count.stdout + count.stderr


def test_demo_prepares_everything_and_reuses_it(tmp_path: Path) -> None:
    var = tmp_path / "var"
    city = tmp_path / "demo-city"
    first = run_installed("demo", "--no-serve", *SMALL, "--city", str(city), var=var)
    assert first.returncode == 0, first.stderr
    assert "Generated the demo city" in first.stdout
    # every login is printed whole, whatever the terminal width
    assert "demo-mental-health-practitioner-synthetic-city" in first.stdout
    assert "Stored the outcome figures" in first.stdout  # the dashboards' figures, once
    assert "Bearer demo-hospital-feed-synthetic-city" in first.stdout  # the feed's demo token
    second = run_installed("demo", "--no-serve", *SMALL, "--city", str(city), var=var)
    assert second.returncode == 0, second.stderr
    assert "Reusing the demo city" in second.stdout
    assert "already loaded" in second.stdout
    assert "Stored the outcome figures" not in second.stdout


def test_audit_verify_on_a_fresh_database(tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert run_installed("manage", "migrate", "--verbosity", "0", var=var).returncode == 0
    result = run_installed("audit", "verify", var=var)
    assert result.returncode == 0, result.stderr
    assert "audit log intact: no events yet" in result.stdout


# Every command that reads or changes the database, with arguments it would otherwise accept.
DATA_COMMANDS = {
    "load": ["load", "{lake}"],
    "systems add": ["systems", "add", "--name", "Casterbridge Telecare", "--source", "telecare"],
    "systems rotate": ["systems", "rotate", "--name", "Casterbridge Telecare"],
    "outcomes refresh": ["outcomes", "refresh", "--lake", "{lake}"],
    "risk load": ["risk", "load", "--scores", "{tmp}/scores.parquet"],
    "extract": ["extract", "--out", "{tmp}/extract"],
    "audit verify": ["audit", "verify"],
}
REFUSAL = re.compile(
    r"error: the database is not migrated \(\d+ migrations? to apply\): "
    r"run `joinedup manage migrate` first"
)


def _tables(var: Path) -> list[str]:
    with closing(sqlite3.connect(var / "joinedup.sqlite3")) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return [name for (name,) in rows]


@pytest.mark.parametrize("command", DATA_COMMANDS.values(), ids=DATA_COMMANDS.keys())
def test_a_data_command_refuses_a_database_not_migrated_and_migrates_nothing(
    tmp_path: Path, tiny_lake: Path, command: list[str]
) -> None:
    var = tmp_path / "var"
    args = [arg.format(lake=tiny_lake, tmp=tmp_path) for arg in command]
    # no database yet: refused, and none is created
    line = one_error_line(run_installed(*args, var=var))
    assert line == (
        f"error: no database at {var / 'joinedup.sqlite3'}: "
        "run `joinedup manage migrate` to create it"
    )
    assert not (var / "joinedup.sqlite3").exists()
    # an empty database: refused, and nothing migrated
    (var / "joinedup.sqlite3").touch()
    line = one_error_line(run_installed(*args, var=var))
    assert REFUSAL.fullmatch(line), line
    assert _tables(var) == []  # an operator's database is migrated by the operator
    assert not (tmp_path / "extract").exists()


def test_a_database_behind_this_version_is_refused(tmp_path: Path) -> None:
    var = migrated(tmp_path / "var")
    with closing(sqlite3.connect(var / "joinedup.sqlite3")) as db, db:
        last = "SELECT max(id) FROM django_migrations"
        db.execute(f"DELETE FROM django_migrations WHERE id = ({last})")  # as before an upgrade
    add = ["systems", "add", "--name", "Casterbridge Telecare", "--source", "telecare"]
    line = one_error_line(run_installed(*add, var=var))
    assert REFUSAL.fullmatch(line) and "(1 migration to apply)" in line, line
    with closing(sqlite3.connect(var / "joinedup.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM referrals_systemclient").fetchone() == (0,)
