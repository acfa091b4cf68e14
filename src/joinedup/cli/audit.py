"""`joinedup audit verify`: the audit log's hash chain, recomputed."""

from __future__ import annotations

import typer

from joinedup.cli.database import uses_database
from joinedup.cli.terminal import fail, out

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
@uses_database
def audit_verify() -> None:
    """Recompute the audit log's hash chain and name the first broken link (exit 2 when broken)."""
    from joinedup.access.audit import verify_chain

    result = verify_chain()
    if not result.ok:
        fail(result.message)
    out.print(result.message, highlight=False)
