"""`joinedup backup` and `joinedup restore` (joinedup.backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from joinedup.cli.database import uses_database, uses_django
from joinedup.cli.options import overwrite_help
from joinedup.cli.terminal import out


@uses_database
def backup(
    out_dir: Annotated[Path, typer.Option("--out", help="The folder to write the backup into.")],
    overwrite: Annotated[bool, typer.Option(help=overwrite_help("a backup"))] = False,
) -> None:
    """Copy the whole database into a backup folder, while the platform keeps serving."""
    from joinedup.backups import backup as take

    manifest = take(out_dir, overwrite=overwrite)
    out.print(f"{out_dir}: {manifest['database']} backup taken at {manifest['taken_at']}")


@uses_django
def restore(
    folder: Annotated[Path, typer.Option("--backup", help="The backup folder to restore.")],
    replace: Annotated[
        bool,
        typer.Option(help="Replace a database that already holds data (everything in it)."),
    ] = False,
) -> None:
    """Put a backup in place of the database (stop the platform first), then verify the
    restored audit chain; run `joinedup manage migrate` after restoring an older backup."""
    from joinedup.backups import restore as put_back

    restored = put_back(folder, replace=replace)
    out.print(
        f"restored {restored.backup} (taken at {restored.taken_at}); audit log intact: "
        f"{restored.events_checked} events checked, last hash {restored.last_hash or '-'}",
        highlight=False,
    )
