"""`joinedup extract`: the operational database written as a pseudonymised lake, for a purpose.

Every extract is pseudonymised (docs/lake.md): each person id becomes a keyed hash
(HMAC-SHA256 under settings.PSEUDONYMISATION_KEY, which never leaves the operational side,
so a score computed on the lake can be re-identified for direct care by the key holder),
birth dates move to the first of the month, and free-text referral reasons are left out
(staff may have typed a name into one). The purpose decides who is in it: secondary_use
(planning, evaluation, publication) leaves out people with a National Data Opt-out in force,
with every row of theirs; direct_care (risk scoring for the person's own care team, to
which the opt-out does not apply) keeps everyone and never leaves the partnership.

Only contract columns are read, so no identity field can reach the lake. The reads and the
audit event share one transaction (one consistent snapshot on PostgreSQL); the lake is
written in a staging folder and checked against the contract before it takes its place.
It stands above the apps it reads (the record, people's opt-outs, the audit), not inside one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Min, Model, QuerySet
from django.utils import timezone
from rich.progress import Progress

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction, Consent
from joinedup.errors import UserError
from joinedup.lake.manifest import Manifest
from joinedup.lake.reader import check_lake
from joinedup.lake.schema import TABLE_ORDER, TABLES, Table
from joinedup.lake.vocabulary import EXTRACT_PURPOSES
from joinedup.lake.writer import LakeWriteError, staged_directory, write_batches
from joinedup.output_files import OutputError
from joinedup.record.models import LAKE_MODELS, LoadedLake, Person, Team

CHUNK_ROWS = 20_000  # rows fetched from the database, and handed to Arrow, at a time

Transform = Callable[[Any], Any]


class ExtractError(UserError):
    """The extract cannot be made; the message is one line saying why."""


@dataclass(frozen=True)
class ExtractSummary:
    out: Path
    purpose: str
    rows: dict[str, int] = field(default_factory=dict)
    opted_out_people: int = 0
    seconds: float = 0.0


def pseudonym(person_id: str, key: str) -> str:
    """The person's id in a pseudonymised lake: HMAC-SHA256 of the operational id, as hex."""
    return hmac.new(key.encode(), person_id.encode(), hashlib.sha256).hexdigest()


def opted_out_people() -> QuerySet[Consent, Any]:
    """Ids of people with a National Data Opt-out in force (a subquery, never a long list)."""
    return Consent.objects.filter(
        kind=Consent.Kind.NATIONAL_DATA_OPT_OUT, ended_at__isnull=True
    ).values("person_id")


def _owned_by_people(name: str) -> bool:
    return name == "person" or "person_id" in TABLES[name].column_names


def _area_wide_teams() -> set[str]:
    """Teams that are not integrated neighbourhood teams: not in the lake's team table."""
    return set(Team.objects.exclude(kind=Team.Kind.NEIGHBOURHOOD).values_list("pk", flat=True))


def _rows(name: str, purpose: str) -> QuerySet[Any, Any]:
    model = LAKE_MODELS[name]
    rows = model._default_manager.order_by("pk")
    if name == "team":
        rows = rows.filter(kind=Team.Kind.NEIGHBOURHOOD)
    elif name == "episode":  # only neighbourhood teams hold caseloads; never extract others
        rows = rows.filter(team__kind=Team.Kind.NEIGHBOURHOOD)
    if purpose == "secondary_use" and _owned_by_people(name):
        key = "pk" if name == "person" else "person_id"
        rows = rows.exclude(**{f"{key}__in": opted_out_people()})
    return rows


def _fields(model: type[Model], table: Table) -> list[str]:
    """The model attribute holding each lake column (the models name their columns like it)."""
    by_column = {f.column: f.attname for f in model._meta.concrete_fields}
    missing = [c.name for c in table.columns if c.name not in by_column]
    if missing:
        raise ExtractError(
            f"{model._meta.db_table} has no column {', '.join(missing)} (a migration is missing?)"
        )
    return [by_column[c.name] for c in table.columns]


def _left_out_keys(name: str) -> set[str]:
    """Keys of a person-owned table's rows that belong to opted-out people."""
    model = LAKE_MODELS[name]
    ids = model._default_manager.filter(person_id__in=opted_out_people()).values_list(
        "pk", flat=True
    )
    return set(ids.iterator(chunk_size=CHUNK_ROWS))


def _unless_in(gone: set[str]) -> Transform:
    return lambda value: None if value in gone else value


def _transforms(table: Table, purpose: str, key: str) -> dict[str, Transform]:
    """What pseudonymisation changes in each column, and the references secondary use cuts."""
    changes: dict[str, Transform] = {}
    for col in table.columns:
        target = col.references[0] if col.references else None
        if col.name == "person_id":
            changes[col.name] = lambda v: pseudonym(v, key)
        elif target == "team" and table.name != "team" and (area_wide := _area_wide_teams()):
            # A referral or visit of an area-wide service (urgent community response):
            # the lake's teams are neighbourhood teams only, so its team is not applicable.
            changes[col.name] = _unless_in(area_wide)
        elif (
            purpose == "secondary_use"
            and target is not None
            and target != "person"
            and _owned_by_people(target)
        ):
            # A reference to another person's opted-out row (a contact answering a
            # referral made for someone else): unknown here, so null.
            gone = _left_out_keys(target)
            if gone:
                changes[col.name] = _unless_in(gone)
    if table.name == "person":
        changes["birth_date"] = lambda v: v.replace(day=1)
    if table.name == "referral":
        changes["reason"] = lambda v: None
    return changes


def _batches(
    table: Table,
    rows: QuerySet[Any, Any],
    changes: dict[str, Transform],
    advance: Callable[[int], None],
) -> Iterator[pa.Table]:
    fields = _fields(rows.model, table)
    chunk: list[tuple[Any, ...]] = []
    for row in rows.values_list(*fields).iterator(chunk_size=CHUNK_ROWS):
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield _arrow(table, chunk, changes)
            advance(len(chunk))
            chunk = []
    if chunk:
        yield _arrow(table, chunk, changes)
        advance(len(chunk))


def _arrow(table: Table, rows: list[tuple[Any, ...]], changes: dict[str, Transform]) -> pa.Table:
    arrays = []
    for col, values in zip(table.columns, zip(*rows, strict=True), strict=True):
        change = changes.get(col.name)
        arrays.append(pa.array([change(v) for v in values] if change else values, col.type))
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema)


def _window() -> tuple[dt.date, dt.date, dict[str, Any]]:
    """The loaded lake's observation window; without one, first registration to today."""
    loaded = LoadedLake.objects.order_by("-loaded_at").first()
    if loaded is not None:
        extra = {"city": loaded.manifest["city"]} if "city" in loaded.manifest else {}
        return loaded.observation_start, loaded.observation_end, extra
    first = Person.objects.aggregate(first=Min("registered_from"))["first"]
    if first is None:
        raise ExtractError("the database holds no people: there is nothing to extract")
    today = timezone.localdate()
    return first, max(first, today), {}


def extract_lake(
    out: Path,
    *,
    purpose: str = "secondary_use",
    overwrite: bool = False,
    progress: Progress | None = None,
    username: str = "",
) -> ExtractSummary:
    """Write the database as a lake at `out` for `purpose`, whole or not at all, audited.

    Raises ExtractError (one line) for anything a user can cause; `out` is then untouched.
    With `overwrite` an existing lake at `out` is replaced; any other folder is refused.
    """
    started = time.perf_counter()
    out = Path(out)
    if purpose not in EXTRACT_PURPOSES:
        raise ExtractError(
            f"expected one of {', '.join(EXTRACT_PURPOSES)}, found {purpose!r}", field="purpose"
        )
    key = str(getattr(settings, "PSEUDONYMISATION_KEY", "") or "")
    if purpose == "secondary_use" and not key:
        raise ExtractError("no pseudonymisation key: set JOINEDUP_PSEUDONYMISATION_KEY")
    table_name = "the database"
    rows: dict[str, int] = {}
    try:
        with staged_directory(out, overwrite=overwrite) as stage:
            outermost = not connection.in_atomic_block
            with transaction.atomic():
                if outermost and connection.vendor == "postgresql":
                    # Every table as of one moment, so the lake's keys all meet.
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                start, end, extra = _window()
                opted_out = (
                    Person.objects.filter(pk__in=opted_out_people()).count()
                    if purpose == "secondary_use"
                    else 0
                )
                for name in TABLE_ORDER:
                    table_name = name
                    table = TABLES[name]
                    query = _rows(name, purpose)
                    task = (
                        progress.add_task(f"Extracting {name}", total=query.count())
                        if progress is not None
                        else None
                    )

                    def advance(n: int, task: Any = task) -> None:
                        if progress is not None and task is not None:
                            progress.advance(task, n)

                    changes = _transforms(table, purpose, key)
                    rows[name] = write_batches(
                        stage, name, _batches(table, query, changes, advance)
                    )
                table_name = "the manifest"
                Manifest(
                    observation_start=start,
                    observation_end=end,
                    pseudonymised=True,
                    purpose=purpose,
                    source="extract",
                    extra={**extra, "extracted_at": timezone.now().isoformat(timespec="seconds")},
                ).write(stage)
                report = check_lake(stage)
                if not report.ok:
                    raise ExtractError(
                        f"the extract would break the lake contract ({report.problems[0]}); "
                        "nothing was written"
                    )
                table_name = "the audit log"
                record_event(AuditAction.EXPORT, what=f"lake extract {purpose}", username=username)
    except OutputError as exc:  # the place refused, or the disk: said as the extract's own
        raise ExtractError(exc.detail, field=exc.field, mentions=exc.mentions) from None
    except LakeWriteError as exc:
        raise ExtractError(f"{exc}; nothing was written") from exc
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExtractError(
            f"{table_name}: the database refused the read ({first}); nothing was written"
        ) from exc
    except OSError as exc:
        raise ExtractError(f"{out}: could not write the lake ({exc}); nothing was written") from exc
    return ExtractSummary(out, purpose, rows, opted_out, time.perf_counter() - started)
