"""`joinedup backup` and `joinedup restore`: the whole database, copied while it serves.

A backup is a folder joinedup wrote (so `--overwrite` may replace only another backup):
`backup.json` says what it holds (the database's kind and when it was taken), and
beside it the data: SQLite's online backup (a consistent copy taken page by page while the
server runs) or PostgreSQL's `pg_dump` in its custom format. A restore puts the copy in
place of the database it is given (SQLite's backup API the other way, or `pg_restore
--clean`), then recomputes the audit chain on the restored copy: a backup whose chain does
not verify is reported, never silently trusted. Restoring replaces everything, so it needs
`replace` when the database already holds data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from joinedup.errors import UserError
from joinedup.output_files import Kind, json_kind, staged_folder

FORMAT = "joinedup-backup"
MANIFEST = "backup.json"
DATA = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_MANIFEST_KIND = json_kind("a joinedup backup", FORMAT)
BACKUP = Kind(
    "a joinedup backup",
    lambda path: path.is_dir() and _MANIFEST_KIND.recognise(path / MANIFEST),
    folder=True,
    mark=FORMAT,
)


class BackupError(UserError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    backup: Path
    taken_at: str
    events_checked: int
    last_hash: str


def _vendor() -> str:
    if connection.vendor not in DATA:
        raise BackupError(f"a {connection.vendor} database cannot be backed up")
    return connection.vendor


def _sqlite_file() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy, taken page by page while others write."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as copy:
        reading.backup(copy)


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """pg_dump and pg_restore's connection options, the password in the environment only."""
    db = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"`{tool}` is not installed: install PostgreSQL's client programs")
    done = subprocess.run([tool, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"`{tool}` failed: {last}")


def backup(out: Path, *, overwrite: bool = False) -> dict[str, Any]:
    """Copy the database into the folder `out`; returns what backup.json says."""
    vendor = _vendor()
    with staged_folder(out, BACKUP, overwrite=overwrite) as stage:
        data = stage / DATA[vendor]
        if vendor == "sqlite":
            _sqlite_copy(_sqlite_file(), data)
        else:
            args, env = _pg_environment()
            _run("pg_dump", [*args, "--format=custom", "--no-owner", "--file", str(data)], env)
        manifest = {
            "format": FORMAT,
            "database": vendor,
            "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def _read_manifest(folder: Path) -> dict[str, Any]:
    if not BACKUP.recognise(folder):
        raise BackupError(f"{folder} is not a joinedup backup (no {MANIFEST})", field="backup")
    manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    vendor = manifest.get("database")
    if vendor not in DATA or not (folder / DATA[vendor]).is_file():
        raise BackupError(f"{folder} is incomplete: its data file is missing", field="backup")
    return manifest


def _holds_data() -> bool:
    return bool(connection.introspection.table_names())


def restore(folder: Path, *, replace: bool = False) -> Restored:
    """Put the backup in `folder` in place of this database, then verify its audit chain."""
    from joinedup.access.audit import verify_chain

    manifest = _read_manifest(folder)
    vendor = _vendor()
    if manifest["database"] != vendor:
        raise BackupError(
            f"{folder} is a {manifest['database']} backup; this database is {vendor}",
            field="backup",
        )
    if _holds_data() and not replace:
        raise BackupError(
            "this database already holds data, which a restore replaces entirely",
            field="replace",
        )
    data = folder / DATA[vendor]
    if vendor == "sqlite":
        connection.close()
        _sqlite_copy(data, _sqlite_file())
    else:
        connection.close()
        args, env = _pg_environment()
        _run("pg_restore", [*args, "--clean", "--if-exists", "--no-owner", str(data)], env)
    result = verify_chain()
    if not result.ok:
        raise BackupError(f"restored, but {result.message}", field="backup")
    return Restored(folder, manifest["taken_at"], result.checked, result.last_hash or "")
