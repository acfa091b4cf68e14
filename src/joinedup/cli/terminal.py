"""What a command shows: results on stdout; refusals, warnings and progress bars on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table as RichTable

out = Console()
err = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """One line that says what is wrong and where; exit code 2."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def report_lake_problems(lake: Path, problems: list[object]) -> NoReturn:
    """Every problem of a lake, one line each (what `joinedup lake check` is for); exit code 2."""
    for problem in problems:
        message = escape(f"{lake}: {problem}")
        err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    ) as progress:
        yield progress


def print_rows(rows: dict[str, int]) -> None:
    table = RichTable("table", "rows")
    for name, count in rows.items():
        table.add_row(name, f"{count:,}")
    out.print(table)


class TerminalReport:
    """A service's report (joinedup.demo_city.Report) shown on the terminal: each line whole,
    never wrapped, so it can be copied from any terminal or log."""

    def say(self, line: str, *, strong: bool = False) -> None:
        if strong:
            out.print(f"[bold]{escape(line)}[/]", highlight=False, soft_wrap=True)
        else:
            out.print(line, markup=False, highlight=False, soft_wrap=True)

    def warn(self, line: str) -> None:
        err.print(line, markup=False, highlight=False, soft_wrap=True)

    def progress(self) -> AbstractContextManager[Progress | None]:
        return progress_bar()
