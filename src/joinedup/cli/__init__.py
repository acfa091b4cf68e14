"""The one `joinedup` command.

Every failure a user can cause (bad arguments, a lake that breaks the contract, a lake
loaded twice, a database not migrated) ends in one clear line on stderr and exit code 2,
never a traceback and never a half-written output. Commands parse their options and call
a service; one module per command group.
"""

from joinedup.cli.root import app, main

__all__ = ["app", "main"]
