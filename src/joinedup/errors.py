"""The one base of every error that reports a user's mistake.

A mistake is something the person asking can put right: a bad argument, a lake that breaks
the contract, a model file that is not one, a lake loaded twice. Each is one line naming
the field at fault. The library names fields as its callers do (`as_of`, `model`); the
command line names them by its flags (`--as-of`, `--model`), so a library message never
speaks of a flag nobody typed. Django-free: the analytical packages (lake, synth, metrics,
risk) raise these too.

Errors that are no one's mistake stay outside: an internal invariant broken (the audit log
is append-only), a refused record (an access decision, said the same way whether or not
the person exists), or a conflict with someone else's change made at the same moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class UserError(ValueError):
    """A user's mistake, in one line naming the field at fault.

    The message names fields in backquotes ("`last` 2024-04-01 is before `first`"); one
    that does not name `field` is read as "`field`: message". str() shows each name as it
    is; `naming(flag)` shows it as `flag(name)` does (the command line's flags).
    """

    field: str | None = None

    def __init__(
        self, message: str = "", *, field: str | None = None, mentions: Iterable[str] = ()
    ) -> None:
        self.field = field
        self.names = (field, *mentions) if field is not None else tuple(mentions)
        marked = f"`{field}`"
        self.template = message if field is None or marked in message else f"{marked}: {message}"
        super().__init__(self.naming(str))

    def naming(self, name: Callable[[str], str]) -> str:
        """The message with every field it names shown as `name(field)`."""
        text = self.template
        for field in self.names:
            text = text.replace(f"`{field}`", name(field))
        return text
