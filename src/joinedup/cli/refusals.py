"""A user's mistake as the command line says it: one line naming the flag, not the field.

Library errors name the field at fault as their callers know it (`as_of`, `first`); here
each becomes the flag a user typed (`--as-of`, `--from`).
"""

from __future__ import annotations

from joinedup.errors import UserError

# Fields whose flag is not simply --field-name.
FLAGS = {"first": "--from", "last": "--to"}


def flag(field: str) -> str:
    """The command line's flag for a library's field."""
    return FLAGS.get(field) or "--" + field.replace("_", "-")


def refusal(mistake: UserError) -> str:
    """The one line a command prints for `mistake`.

    A lake that breaks the contract is named with its first problem and how many more
    (`joinedup lake check` lists them all, one a line)."""
    from joinedup.lake import LakeError

    if isinstance(mistake, LakeError) and mistake.problems:
        more = len(mistake.problems) - 1
        lake = mistake.lake
        also = f" (and {more} more: joinedup lake check {lake} lists them)" if more else ""
        return f"{lake}: {mistake.problems[0]}{also}"
    return mistake.naming(flag)
