"""The database and security settings are really in force, not just written down."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import override_settings

# The database settings themselves (each backend's tests skip on the other).
pytestmark = pytest.mark.both_databases

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("JOINEDUP_DATABASE_URL")),
    reason="SQLite settings (JOINEDUP_DATABASE_URL is set)",
)
postgres_only = pytest.mark.skipif(
    not os.environ.get("JOINEDUP_DATABASE_URL"), reason="needs JOINEDUP_DATABASE_URL (PostgreSQL)"
)


def pragma(name: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_runs_in_wal_mode_with_full_synchronous_writes() -> None:
    assert connection.vendor == "sqlite"
    assert not connection.is_in_memory_db()
    for _ in range(2):  # on the first connection and on a fresh one
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        connection.close()
        connection.ensure_connection()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_transactions_take_the_write_lock_at_begin() -> None:
    """transaction_mode IMMEDIATE: a second writer waits at BEGIN, not midway through its work."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        with transaction.atomic():
            connection.ensure_connection()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


@sqlite_only
def test_test_database_is_a_file_too() -> None:
    """Not :memory:, so the tests run in WAL mode like production."""
    name = Path(connection.settings_dict["NAME"])
    assert name.parent == settings.VAR_DIR and name.suffix == ".sqlite3"


@postgres_only
@pytest.mark.django_db
def test_postgres_url_is_used() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == connection.settings_dict["NAME"]


def test_secret_key_and_database_live_under_the_var_directory(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "JOINEDUP_SECRET_KEY"}
    environment |= {
        "JOINEDUP_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "joinedup.settings",
    }
    show = (
        "from django.conf import settings as s; "
        "print(s.SECRET_KEY); print(s.DATABASES['default']['NAME'])"
    )

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", show],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.splitlines()

    def key() -> str:
        return run()[0]

    first = key()
    assert len(first) >= 50
    assert key() == first
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    environment["JOINEDUP_SECRET_KEY"] = "from-the-environment"
    assert key() == "from-the-environment"
    if "JOINEDUP_DATABASE_URL" not in environment:
        assert run()[1] == str(tmp_path / "joinedup.sqlite3")


def test_passwords_are_hashed_with_argon2() -> None:
    """As configured, not as the tests run (argon2 at its lowest cost, conftest.py)."""
    from joinedup import settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=configured.PASSWORD_HASHERS):
        hashed = make_password("a demo password")
    assert hashed.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")


def test_cookies_are_secure_http_only_and_not_cross_site() -> None:
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.ALLOWED_HOSTS[:2] == ["127.0.0.1", "localhost"]
