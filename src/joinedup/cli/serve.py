"""`joinedup serve` and `joinedup demo`: the platform served, with or without a demo city."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.database import uses_django
from joinedup.cli.options import DEFAULT_DEMO_CITY, command_line_user
from joinedup.cli.terminal import TerminalReport, out
from joinedup.errors import UserError


def ready_to_serve() -> None:
    """Refuse, saying what to run, a database missing, unreachable or not migrated, or an
    unusable secret key; collect the static files when they are not (joinedup.readiness)."""
    from joinedup.readiness import (
        database_problem,
        migrations_problem,
        secret_key_problem,
        static_problem,
    )

    if problem := database_problem() or migrations_problem() or secret_key_problem():
        raise UserError(problem)
    if problem := static_problem():
        from django.core.management import call_command

        out.print(f"{problem}: collecting them now")
        call_command("collectstatic", interactive=False, verbosity=0)


@uses_django
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
) -> None:
    """Serve the platform with gunicorn (static files by whitenoise, nothing from a CDN).

    First checks that the database is there and migrated and the secret key usable (saying
    what to run if not), and collects the static files when they are missing."""
    from joinedup.server import run

    ready_to_serve()
    run(host=host, port=port, workers=workers)


@uses_django
def demo(
    people: Annotated[
        int, typer.Option(help="People in the demo city (when it is generated).")
    ] = 100_000,
    neighbourhoods: Annotated[int, typer.Option(help="Neighbourhoods in the demo city.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed of the demo city.")] = 1,
    city: Annotated[
        Path,
        typer.Option(
            help="Where the demo city's lake lives.",
            show_default="<JOINEDUP_VAR_DIR or var>/demo-city",
        ),
    ] = DEFAULT_DEMO_CITY,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Prepare everything but do not serve.")
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Build the demo city again, its data ending yesterday, and load it into an "
            "emptied database: replaces only a lake joinedup wrote at --city and only the "
            "SQLite database in the var folder, if it holds synthetic cities only. What was "
            "done in the demo is lost.",
        ),
    ] = False,
) -> None:
    """Build the demo: generate a city unless one exists, load it, add logins and records, serve.

    The city's data end yesterday, so the demo's today is the day it is built. A city built
    on an earlier day is served as it is, with a line saying how to refresh it."""
    from joinedup.demo_city import DemoCity, prepare_demo

    wanted = DemoCity(
        city, people, neighbourhoods, seed, username=command_line_user(), refresh=refresh
    )
    prepare_demo(wanted, TerminalReport())
    if not no_serve:
        from joinedup.server import run

        ready_to_serve()
        out.print(f"Serving http://{host}:{port}/ (Ctrl+C to stop)")
        run(host=host, port=port, workers=2)
