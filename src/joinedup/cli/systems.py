"""`joinedup systems`: the systems allowed to send referrals and hospital admissions."""

from __future__ import annotations

from typing import Annotated

import typer

from joinedup.cli.database import uses_database
from joinedup.cli.terminal import out

app = typer.Typer(
    help="Systems that send referrals (/api/referrals/) or hospital admissions "
    "(/api/transfers/events/).",
    no_args_is_help=True,
)


@app.command("add")
@uses_database
def systems_add(
    name: Annotated[str, typer.Option("--name", help="The system's name, e.g. its supplier's.")],
    source: Annotated[
        str, typer.Option("--source", help="The referral source it speaks for, e.g. telecare.")
    ],
    admissions: Annotated[
        bool,
        typer.Option(
            "--admissions",
            help="May also send the acute hospital's admit, update and discharge events.",
        ),
    ] = False,
) -> None:
    """Allow a system to send referrals (and with --admissions, hospital admissions); prints
    its token once (only a hash is kept)."""
    from joinedup.referrals.system_clients import add_system

    client, token = add_system(name, source, sends_admissions=admissions)
    sends = ", admissions too" if client.sends_admissions else ""
    out.print(
        f"Added {client.name} ({client.source}{sends}). Its token, shown only now:",
        highlight=False,
    )
    out.print(token, soft_wrap=True, highlight=False)


@app.command("rotate")
@uses_database
def systems_rotate(
    name: Annotated[str, typer.Option("--name", help="The system's name, as added.")],
) -> None:
    """Give a system a new token (the old one stops working); prints it once."""
    from joinedup.referrals.system_clients import rotate_token

    client, token = rotate_token(name)
    out.print(f"A new token for {client.name}, shown only now:", highlight=False)
    out.print(token, soft_wrap=True, highlight=False)
