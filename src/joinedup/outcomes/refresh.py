"""Computing the outcome metrics from a lake and storing them for the dashboards.

refresh_outcomes checks the lake once and runs joinedup.metrics.compute_metrics twice
(monthly, for the charts, and by financial year, for the league tables and the Audit
Commission calculation) with exact figures (the dashboards are internal to the
partnership; docs/metrics.md's publication rule is for what leaves it), then store_outcomes
replaces everything stored in one transaction: the old results stay until the new ones
are all in, and a failure part-way leaves the old ones untouched.

The replacement is audited (action "update", no person): no person's data is read or
shown, but the audit log is where a partnership looks for who changed the figures its
decisions rest on. Viewing the dashboards is not audited, like the partnership overview:
the audit log records access to people's data, and these pages hold none.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from rich.progress import Progress, TaskID

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.errors import UserError
from joinedup.lake.fingerprint import lake_fingerprint
from joinedup.lake.manifest import MANIFEST_FILE
from joinedup.metrics.long_form import SCHEMA as LONG_FORM
from joinedup.outcomes.models import OutcomeResult, OutcomeRun, PeriodKind

ENGINE = "duckdb"
WHO = "joinedup outcomes refresh"  # the audit's username when no one is named
PERIOD_KINDS = (PeriodKind.MONTH, PeriodKind.YEAR)
COLUMNS = tuple(LONG_FORM.names)
BATCH = 2_000


class RefreshError(UserError):
    """The results cannot be stored; the message is one line saying why. Nothing was changed."""


@dataclass(frozen=True)
class RefreshSummary:
    lake: Path
    rows: dict[str, int]  # period kind -> rows stored
    seconds: float


def stored_for(lake: Path) -> bool:
    """True when the stored results were computed from this very lake (same fingerprint)."""
    if not (Path(lake) / MANIFEST_FILE).is_file():
        return False
    return OutcomeRun.objects.filter(lake_fingerprint=lake_fingerprint(lake)).exists()


def refresh_outcomes(
    lake: Path, progress: Progress | None = None, *, username: str = ""
) -> RefreshSummary:
    """Compute every metric by month and by financial year, and store them in place of the old.

    Raises the lake's LakeError for a lake that breaks the contract, MetricsError when the
    metrics cannot be computed (both ValueErrors) and RefreshError when they cannot be
    stored; in every case what was stored before is left as it was.
    """
    from joinedup.metrics.compute import check_lake_for_metrics, compute_metrics

    started = time.perf_counter()
    lake = Path(lake)
    checked = check_lake_for_metrics(lake)  # once for both period kinds
    tables: dict[str, Any] = {}
    for kind in PERIOD_KINDS:
        step: Callable[[str], None] | None = None
        task: TaskID | None = None
        if progress is not None:
            # compute_metrics names each step it finishes; how many there are is its business,
            # so the bar counts them as they come and is completed at the end.
            task = progress.add_task(f"Outcome metrics by {kind.label.lower()}", total=None)

            def step(_: str, task: TaskID = task) -> None:
                progress.advance(task)

        tables[kind.value] = compute_metrics(checked, kind.value, engine=ENGINE, on_step=step)
        if progress is not None and task is not None:
            done = max(next(t.completed for t in progress.tasks if t.id == task), 1)
            progress.update(task, total=done, completed=done)
    manifest = checked.manifest
    rows = {kind: table.num_rows for kind, table in tables.items()}
    store_outcomes(
        {kind: table.to_pylist() for kind, table in tables.items()},
        lake=lake,
        manifest=manifest.to_json(),
        observation=(manifest.observation_start, manifest.observation_end),
        fingerprint=lake_fingerprint(lake),
        seconds=time.perf_counter() - started,
        progress=progress,
        username=username,
    )
    return RefreshSummary(lake, rows, time.perf_counter() - started)


def _check_row(kind: str, row: Mapping[str, Any], index: int) -> None:
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise RefreshError(
            f"{kind} results, row {index + 1}: missing column(s) {', '.join(missing)}; "
            "nothing was stored"
        )
    for column in ("period_start", "period_end"):
        if not isinstance(row[column], dt.date):
            raise RefreshError(
                f"{kind} results, row {index + 1}: {column} is not a date "
                f"({row[column]!r}); nothing was stored"
            )


def store_outcomes(
    results: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    lake: Path,
    manifest: dict[str, Any],
    observation: tuple[dt.date, dt.date],
    fingerprint: str,
    seconds: float = 0.0,
    engine: str = ENGINE,
    progress: Progress | None = None,
    username: str = "",
) -> OutcomeRun:
    """Replace every stored result with `results` ({"month"|"year": rows as dicts}), all or
    nothing, and audit the replacement."""
    unknown = sorted(set(results) - set(PeriodKind.values))
    if unknown:
        raise RefreshError(f"unknown period kind(s) {', '.join(unknown)}; nothing was stored")
    prepared: dict[str, list[Mapping[str, Any]]] = {k: list(v) for k, v in results.items()}
    for kind, rows in prepared.items():
        for index, row in enumerate(rows):
            _check_row(kind, row, index)
    total = sum(len(rows) for rows in prepared.values())
    task = progress.add_task("Storing outcome metrics", total=total) if progress else None
    try:
        with transaction.atomic():
            OutcomeResult.objects.all().delete()
            OutcomeRun.objects.all().delete()
            run = OutcomeRun.objects.create(
                lake_path=str(lake)[:1000],
                lake_fingerprint=fingerprint,
                manifest=manifest,
                observation_start=observation[0],
                observation_end=observation[1],
                engine=engine,
                computed_at=timezone.now(),
                seconds=seconds,
                rows=total,
            )
            for kind, rows in prepared.items():
                for first in range(0, len(rows), BATCH):
                    batch = rows[first : first + BATCH]
                    OutcomeResult.objects.bulk_create(
                        [
                            OutcomeResult(
                                run=run,
                                period_kind=kind,
                                **{c: row[c] for c in COLUMNS if c != "suppressed"},
                                suppressed=bool(row["suppressed"]),
                            )
                            for row in batch
                        ]
                    )
                    if progress is not None and task is not None:
                        progress.advance(task, len(batch))
            record_event(
                AuditAction.UPDATE,
                what=f"outcome metrics replaced: {total} rows from lake {fingerprint[:12]}",
                username=username or WHO,
            )
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RefreshError(
            f"the database refused the outcome metrics ({first_line}); nothing was changed"
        ) from exc
    return run
