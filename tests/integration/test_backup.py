"""`joinedup backup` and `joinedup restore` round trip on SQLite and PostgreSQL: the restored
copy holds the data, its audit chain verifies to the same last hash, and a restore never
replaces a database holding data unless told to, nor trusts a chain that does not verify."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from command_line import migrated, one_error_line, run_installed

POSTGRES = os.environ.get("JOINEDUP_TEST_POSTGRES_URL", "")
VENDORS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not POSTGRES, reason="JOINEDUP_TEST_POSTGRES_URL is not set"),
    ),
]


@pytest.fixture
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict, dict]]:
    """The settings of a migrated database and of an empty one (own var/ folders each)."""
    source, target = {"var": migrated(tmp_path / "source")}, {"var": tmp_path / "target"}
    target["var"].mkdir()
    if request.param == "sqlite":
        yield source, target
        return
    names = [f"joinedup_backup_{uuid.uuid4().hex[:12]}_{side}" for side in ("from", "to")]
    with closing(psycopg.connect(POSTGRES, autocommit=True)) as server:
        for name in names:
            server.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES.rsplit("/", 1)[0]
    source["JOINEDUP_DATABASE_URL"], target["JOINEDUP_DATABASE_URL"] = (
        f"{base}/{name}" for name in names
    )
    done = run_installed("manage", "migrate", "--verbosity", "0", **source)
    assert done.returncode == 0, done.stderr
    try:
        yield source, target
    finally:
        with closing(psycopg.connect(POSTGRES, autocommit=True)) as server:
            for name in names:
                server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _last_hash(verified: str) -> str:
    assert "audit log intact:" in verified, verified
    return verified.split()[-1]


@pytest.mark.parametrize("two_databases", VENDORS, indirect=True)
def test_a_backup_restores_whole_with_its_audit_chain(
    two_databases: tuple[dict, dict], tiny_lake: Path, tmp_path: Path
) -> None:
    source, target = two_databases
    assert run_installed("load", str(tiny_lake), **source).returncode == 0
    extract = run_installed("extract", "--out", str(tmp_path / "extract"), **source)
    assert extract.returncode == 0, extract.stderr  # an audited export
    add = ["systems", "add", "--name", "Casterbridge Telecare", "--source", "telecare"]
    assert run_installed(*add, **source).returncode == 0
    verified = run_installed("audit", "verify", **source)
    assert verified.returncode == 0 and "no events" not in verified.stdout
    kept = tmp_path / "backup"

    taken = run_installed("backup", "--out", str(kept), **source)
    assert taken.returncode == 0, taken.stderr
    assert (kept / "backup.json").exists() and not list(tmp_path.glob(".backup.*"))
    # --overwrite replaces only a backup: someone's folder is refused and kept
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter-1.docx").write_text("draft")
    one_error_line(run_installed("backup", "--out", str(thesis), "--overwrite", **source))
    assert (thesis / "chapter-1.docx").read_text() == "draft"
    # a place that takes no files is one line, with nothing left behind
    line = one_error_line(run_installed("backup", "--out", "/proc/joinedup-backup", **source))
    assert "--out" in line and "nothing was written" in line
    again = run_installed("backup", "--out", str(kept), "--overwrite", **source)
    assert again.returncode == 0, again.stderr

    restored = run_installed("restore", "--backup", str(kept), **target)
    assert restored.returncode == 0, restored.stderr
    assert _last_hash(restored.stdout) == _last_hash(verified.stdout)
    on_copy = run_installed("audit", "verify", **target)
    assert on_copy.returncode == 0 and on_copy.stdout == verified.stdout
    rotate = run_installed("systems", "rotate", "--name", "Casterbridge Telecare", **target)
    assert rotate.returncode == 0, rotate.stderr  # the data came across
    line = one_error_line(run_installed("restore", "--backup", str(kept), **target))
    assert "--replace" in line and "holds data" in line
    replaced = run_installed("restore", "--backup", str(kept), "--replace", **target)
    assert replaced.returncode == 0, replaced.stderr
    line = one_error_line(run_installed("restore", "--backup", str(thesis), **target))
    assert "not a joinedup backup" in line


def test_a_backup_whose_chain_does_not_verify_is_reported(tiny_lake: Path, tmp_path: Path) -> None:
    source = migrated(tmp_path / "source")
    assert run_installed("load", str(tiny_lake), var=source).returncode == 0
    extract = run_installed("extract", "--out", str(tmp_path / "extract"), var=source)
    assert extract.returncode == 0, extract.stderr
    kept = tmp_path / "backup"
    assert run_installed("backup", "--out", str(kept), var=source).returncode == 0
    with closing(sqlite3.connect(kept / "database.sqlite3")) as copy, copy:
        triggers = copy.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for (name,) in triggers.fetchall():
            copy.execute(f'DROP TRIGGER "{name}"')
        changed = copy.execute("UPDATE access_auditevent SET what = 'nothing to see'")
        assert changed.rowcount >= 1
    target = tmp_path / "target"
    target.mkdir()
    line = one_error_line(run_installed("restore", "--backup", str(kept), var=target))
    assert "restored, but audit log broken at sequence 1" in line
