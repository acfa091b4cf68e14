"""Options as typed, checked the same way by every command that takes them."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from pathlib import Path

from joinedup.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DEMO_CITY = Path(os.environ.get("JOINEDUP_VAR_DIR", PROJECT_ROOT / "var")) / "demo-city"


def parse_date(value: str, field: str) -> dt.date:
    """A date typed as YYYY-MM-DD; `field` names the option (see refusals.flag)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"expected a date YYYY-MM-DD, found {value!r}", field=field) from None


def overwrite_help(what: str) -> str:
    """An --overwrite flag's help: what it replaces, and that it replaces nothing else."""
    return (
        f"Replace {what} at --out, only if joinedup wrote it; anything else there is refused "
        "and nothing is deleted."
    )


def command_line_user() -> str:
    """Who ran the command, for the audit log."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (OSError, KeyError):
        return "command line"


def effect_help(name: str) -> str:
    """The planted effect's help text, from CityConfig, so the flag and the config say the same."""
    from joinedup.synth.config import CityConfig

    for effect in CityConfig.effect_fields():
        if effect.name == name:
            return f"Planted effect: {effect.help}"
    raise KeyError(name)
