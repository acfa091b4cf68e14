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
    """A UserError when the database is not there, does not answer, or is not migrated
    (joinedup.readiness); a SQLite file that does not exist is never created here."""
    from joinedup.readiness import database_problem, migrations_problem

    if problem := database_problem() or migrations_problem():
        raise UserError(problem)


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
