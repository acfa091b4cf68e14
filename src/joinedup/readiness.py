"""Whether this installation is ready: database reachable, migrations applied, static
files collected, a secret key, the audit chain's head readable.

One set of checks for the three places that ask: `joinedup serve` before it starts (so a
missing step is one line saying what to run, not a 500 on every page), the data commands
before they read or write (a database that is not there is refused, never created), and
/health/ for load balancers. Imports no app.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

MIN_SECRET_KEY = 32  # characters; Django's own check warns below 50 in production


def missing_database_file() -> Path | None:
    """SQLite's file when it does not exist yet (opening it would create an empty one)."""
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "sqlite" and not Path(str(name)).exists():
        return Path(str(name))
    return None


def database_problem() -> str:
    """ "" when the database answers; else why not, in one line (never the password)."""
    if (path := missing_database_file()) is not None:
        return f"no database at {path}: run `joinedup manage migrate` to create it"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"the database does not answer ({first})"
    return ""


def pending_migrations() -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrations_problem() -> str:
    if pending := pending_migrations():
        migrations = "migration" if pending == 1 else "migrations"
        return (
            f"the database is not migrated ({pending} {migrations} to apply): "
            "run `joinedup manage migrate` first"
        )
    return ""


def static_problem() -> str:
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if settings.DEBUG or manifest.exists():
        return ""
    return f"static files are not collected into {settings.STATIC_ROOT}"


def secret_key_problem() -> str:
    if len(settings.SECRET_KEY or "") < MIN_SECRET_KEY:
        return (
            f"the secret key is shorter than {MIN_SECRET_KEY} characters: set "
            f"JOINEDUP_SECRET_KEY, or remove {settings.VAR_DIR / 'secret_key'} to have one made"
        )
    return ""


def audit_head_problem() -> str:
    from django.apps import apps

    try:
        apps.get_model("access", "AuditChainHead").objects.filter(pk=1).first()
    except DatabaseError as exc:
        return f"the audit chain's head cannot be read ({type(exc).__name__})"
    return ""
