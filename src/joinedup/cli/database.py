"""Django, set up in this one place, for the commands that use it.

A command that reads or changes data refuses a database that is not migrated (say after
an upgrade) rather than migrating it: migrating a production database is its operator's
decision, taken with `joinedup manage migrate`. Only `demo` migrates by itself.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from joinedup.errors import UserError

P = ParamSpec("P")
R = TypeVar("R")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    import django

    django.setup()


def refuse_unmigrated() -> None:
    """A UserError when any migration is not applied to the database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if pending:
        migrations = "migration" if pending == 1 else "migrations"
        raise UserError(
            f"the database is not migrated ({pending} {migrations} to apply): "
            "run `joinedup manage migrate` first"
        )


def uses_django(command: Callable[P, R]) -> Callable[P, R]:
    """Set Django up before `command` runs (serve, manage, demo)."""

    @functools.wraps(command)
    def with_django(*args: P.args, **kwargs: P.kwargs) -> R:
        setup_django()
        return command(*args, **kwargs)

    return with_django


def uses_database(command: Callable[P, R]) -> Callable[P, R]:
    """Set Django up and refuse a database not migrated before `command` reads or changes it."""

    @functools.wraps(command)
    def with_database(*args: P.args, **kwargs: P.kwargs) -> R:
        setup_django()
        refuse_unmigrated()
        return command(*args, **kwargs)

    return with_database
