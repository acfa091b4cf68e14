"""`joinedup manage`: Django's management commands (migrate, collectstatic, ...)."""

from __future__ import annotations

import typer

from joinedup.cli.database import uses_django


@uses_django
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (migrate, collectstatic, createsuperuser, ...)."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["joinedup manage", *ctx.args])
