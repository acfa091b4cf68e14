"""Loading a scores file (`joinedup risk score`) into the operational database, re-identified.

The whole file is checked before anything is written, and refused with one line naming
the problem: not a scores file (its columns and types, its metadata), no rows, a person
twice, a probability missing or outside 0 to 1, an unknown band or factor, more than one
as-of date. Then the ids are taken back to people: a pseudonymised file (an extract's
lake) has HMAC pseudonyms, so every person of this database is run through
joinedup.extract.pseudonym under this database's key, streamed in chunks (100,000
people take about a second); otherwise the ids are the people's own, accepted only when
the file's lake fingerprint is that of a lake loaded into this database (generated cities
of one size share ids, so another city's scores would land on the wrong people). People the
database does not hold are counted, not loaded; a file matching no one is refused (another
database's key, most likely). The previous run is replaced, every row written and the load
audited in one transaction: a failure leaves the previous run current and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rich.progress import Progress

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.casefinding.models import Band, PersonScore, ScoreRun
from joinedup.errors import UserError
from joinedup.record.bulk_insert import BulkInserter
from joinedup.record.models import LoadedLake, Person
from joinedup.risk.features import FEATURES
from joinedup.risk.scoring import (
    META_LAKE_FINGERPRINT,
    META_MODEL_AS_OF,
    META_PSEUDONYMISED,
    META_SOURCE,
    SCHEMA,
)

CHUNK = 20_000  # people read, and score rows written, at a time
NO_MATCH_PSEUDONYMS = (
    "no person matched: was the lake extracted with this database's pseudonymisation key?"
)
NO_MATCH_IDS = (
    "no person matched: the file's ids are not pseudonymised, so they must be this "
    "database's person ids (was its lake loaded here?)"
)


OTHER_LAKE = (
    "the file's ids are not pseudonymised, and the lake it scored is not one loaded into "
    "this database: score the lake that was loaded here, or an extract of this database"
)


class ScoresError(UserError):
    """A scores file that cannot be loaded; the message names the problem, in one line."""


@dataclass(frozen=True)
class ScoresFile:
    """A checked scores file: its rows and what its metadata say."""

    table: pa.Table
    as_of: dt.date
    pseudonymised: bool
    lake_source: str
    model_as_of: dt.date | None
    name: str
    lake_fingerprint: str = ""


@dataclass(frozen=True)
class LoadSummary:
    run: ScoreRun
    seconds: float

    @property
    def in_file(self) -> int:
        return self.run.people_in_file

    @property
    def matched(self) -> int:
        return self.run.people_matched


def _compatible(actual: pa.DataType, expected: pa.DataType) -> bool:
    """The column's type is the scores' (large strings and lists, and float32, accepted)."""
    if pa.types.is_string(expected):
        return pa.types.is_string(actual) or pa.types.is_large_string(actual)
    if pa.types.is_floating(expected):
        return pa.types.is_floating(actual)
    if pa.types.is_date(expected):
        return pa.types.is_date(actual)
    if pa.types.is_list(expected):
        return (pa.types.is_list(actual) or pa.types.is_large_list(actual)) and _compatible(
            actual.value_type, expected.value_type
        )
    return bool(actual == expected)


def _first(mask: pa.ChunkedArray | pa.Array) -> int | None:
    """The first row where `mask` is true (null counts as false), or None."""
    index = pc.index(pc.fill_null(mask, False), True).as_py()
    return None if index < 0 else int(index)


def _row(table: pa.Table, index: int) -> str:
    return f"row {index + 1:,} (person {table.column('person_id')[index].as_py()})"


def _check_columns(table: pa.Table, name: str) -> pa.Table:
    missing = [f.name for f in SCHEMA if f.name not in table.column_names]
    if missing:
        raise ScoresError(
            f"{name}: not a scores file: no column {', '.join(missing)} (a scores file has "
            f"{', '.join(SCHEMA.names)}: write it with joinedup risk score)"
        )
    for expected in SCHEMA:
        actual = table.schema.field(expected.name).type
        if not _compatible(actual, expected.type):
            raise ScoresError(
                f"{name}: not a scores file: column {expected.name} is {actual}, "
                f"expected {expected.type}"
            )
    return table.select(SCHEMA.names).cast(SCHEMA.with_metadata(table.schema.metadata))


def _metadata(table: pa.Table, name: str) -> tuple[bool, str, dt.date | None, str]:
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    flag = meta.get(META_PSEUDONYMISED)
    if flag not in ("true", "false"):
        raise ScoresError(
            f"{name}: not a scores file: its metadata do not say whether the ids are "
            f"pseudonyms ({META_PSEUDONYMISED}): write it with joinedup risk score"
        )
    model_as_of = None
    if text := meta.get(META_MODEL_AS_OF, "").strip():
        try:
            model_as_of = dt.date.fromisoformat(text)
        except ValueError:
            raise ScoresError(
                f"{name}: not a scores file: the model's training date {text!r} is not a date"
            ) from None
    fingerprint = meta.get(META_LAKE_FINGERPRINT, "")
    return flag == "true", meta.get(META_SOURCE, "")[:200], model_as_of, fingerprint


def _check_rows(table: pa.Table, name: str) -> dt.date:
    """Refuse the first bad row; the one as-of date of a good file."""
    if table.num_rows == 0:
        raise ScoresError(f"{name}: the file holds no scores")
    ids = table.column("person_id")
    if (at := _first(pc.is_null(ids))) is not None:
        raise ScoresError(f"{name}: row {at + 1:,} has no person_id")
    counts = pc.value_counts(ids).flatten()
    repeated = pc.filter(counts[0], pc.greater(counts[1], 1))
    if len(repeated):
        times = pc.max(counts[1]).as_py()
        raise ScoresError(
            f"{name}: person {repeated[0].as_py()} appears more than once (up to {times} "
            "times): a scores file has one row a person"
        )
    probability = table.column("probability")
    bad = pc.or_kleene(pc.is_null(probability, nan_is_null=True), pc.less(probability, 0.0))
    if (at := _first(pc.or_kleene(bad, pc.greater(probability, 1.0)))) is not None:
        value = probability[at].as_py()
        shown = "missing" if value is None or value != value else f"{value}"
        raise ScoresError(
            f"{name}: {_row(table, at)}: probability is {shown}, expected a number from 0 to 1"
        )
    bands = table.column("risk_band")
    known = pa.array(Band.values, pa.string())
    if (at := _first(pc.invert(pc.fill_null(pc.is_in(bands, known), False)))) is not None:
        raise ScoresError(
            f"{name}: {_row(table, at)}: unknown risk band {bands[at].as_py()!r} "
            f"(expected {', '.join(Band.values)})"
        )
    factors = pc.list_flatten(table.column("top_factors"))
    features = pa.array(FEATURES, pa.string())
    if (at := _first(pc.invert(pc.is_in(factors, features)))) is not None:
        raise ScoresError(
            f"{name}: unknown factor {factors[at].as_py()!r}: the model's features are not "
            "joinedup.risk.features' (score with a model trained on them)"
        )
    days = pc.unique(table.column("as_of"))
    if days.null_count:
        at = _first(pc.is_null(table.column("as_of")))
        assert at is not None
        raise ScoresError(f"{name}: {_row(table, at)} has no as_of date")
    if len(days) > 1:
        shown = ", ".join(str(d) for d in sorted(days.to_pylist())[:3])
        raise ScoresError(
            f"{name}: more than one as_of date ({shown}{', ...' if len(days) > 3 else ''}): "
            "load one scoring at a time"
        )
    day: dt.date = days[0].as_py()
    return day


def check_scores(table: pa.Table, name: str) -> ScoresFile:
    """The table as a ScoresFile, or ScoresError naming the first problem."""
    pseudonymised, source, model_as_of, fingerprint = _metadata(table, name)
    table = _check_columns(table, name)
    as_of = _check_rows(table, name)
    return ScoresFile(table, as_of, pseudonymised, source, model_as_of, name, fingerprint)


def read_scores(path: Path) -> ScoresFile:
    """The file at `path`, checked (nothing is written)."""
    if not path.is_file():
        raise ScoresError(f"{path} is not a file", field="scores")
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScoresError(f"{path}: not a Parquet file ({first})") from None
    return check_scores(table, str(path))


def _people() -> Iterator[tuple[str, str]]:
    """Every person's id and neighbourhood, streamed in chunks."""
    return (
        Person.objects.order_by().values_list("id", "neighbourhood_id").iterator(chunk_size=CHUNK)
    )


@dataclass(frozen=True)
class Matched:
    """The file's rows that are people of this database, in the file's order."""

    rows: list[int]
    person_ids: list[str]
    neighbourhoods: list[str]


def _key(scores: ScoresFile) -> str:
    key = str(getattr(settings, "PSEUDONYMISATION_KEY", "") or "")
    if scores.pseudonymised and not key:
        raise ScoresError("no pseudonymisation key: set JOINEDUP_PSEUDONYMISATION_KEY")
    return key


def match_people(scores: ScoresFile) -> Matched:
    """Who the file's rows are. A pseudonymised file is matched through every person's
    pseudonym under this database's key (HMAC-SHA256, as joinedup.extract.pseudonym),
    people streamed in chunks. Refuses a file that matches no one (nothing written yet)."""
    secret = _key(scores).encode()
    if (
        not scores.pseudonymised
        and not LoadedLake.objects.filter(fingerprint=scores.lake_fingerprint).exists()
    ):
        # ids that are a lake's own match only that lake's people: generated cities of one
        # size share ids, so matching another city's file by id would score the wrong people
        raise ScoresError(OTHER_LAKE)
    rows = {pid: i for i, pid in enumerate(scores.table.column("person_id").to_pylist())}
    found: list[tuple[int, str, str]] = []
    for person_id, neighbourhood_id in _people():
        file_id = (
            hmac.digest(secret, person_id.encode(), "sha256").hex()
            if scores.pseudonymised
            else person_id
        )
        row = rows.get(file_id)
        if row is not None:
            found.append((row, person_id, neighbourhood_id))
    if not found:
        raise ScoresError(NO_MATCH_PSEUDONYMS if scores.pseudonymised else NO_MATCH_IDS)
    found.sort()
    return Matched([f[0] for f in found], [f[1] for f in found], [f[2] for f in found])


def _score_batches(scores: ScoresFile, run_id: int, matched: Matched) -> Iterator[pa.RecordBatch]:
    rows, people, places = matched.rows, matched.person_ids, matched.neighbourhoods
    for first in range(0, len(rows), CHUNK):
        taken = scores.table.take(pa.array(rows[first : first + CHUNK], pa.int64()))
        factors = [json.dumps(f or []) for f in taken.column("top_factors").to_pylist()]
        yield pa.RecordBatch.from_pydict(
            {
                "run_id": pa.array([run_id] * taken.num_rows, pa.int64()),
                "person_id": pa.array(people[first : first + CHUNK], pa.string()),
                "neighbourhood_id": pa.array(places[first : first + CHUNK], pa.string()),
                "probability": taken.column("probability").combine_chunks(),
                "band": taken.column("risk_band").combine_chunks(),
                "top_factors": pa.array(factors, pa.string()),
            }
        )


def _one_load_at_a_time() -> None:
    """Two loads at once must not both find no run to replace and leave two: on PostgreSQL
    the second waits on a table lock until the first commits, then replaces its run (SQLite
    has one writer at a time already)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{ScoreRun._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')


def store_scores(
    scores: ScoresFile, matched: Matched, by: str, *, progress: Progress | None = None
) -> LoadSummary:
    """Make the matched scores the current run, replacing the previous one, and audit the
    load as `by`: one transaction, so a failure changes nothing."""
    started = time.perf_counter()
    in_file = scores.table.num_rows
    try:
        with transaction.atomic():
            _one_load_at_a_time()
            PersonScore.objects.all().delete()
            ScoreRun.objects.all().delete()
            run = ScoreRun.objects.create(
                as_of=scores.as_of,
                model_as_of=scores.model_as_of,
                lake_source=scores.lake_source,
                pseudonymised=scores.pseudonymised,
                file_name=scores.name[:1000],
                loaded_at=timezone.now(),
                loaded_by=by[:150],
                people_in_file=in_file,
                people_matched=len(matched.rows),
            )
            task = (
                progress.add_task("Storing scores", total=run.people_matched)
                if progress is not None
                else None
            )
            inserter = BulkInserter(connection)
            for batch in _score_batches(scores, run.pk, matched):
                inserter.insert(PersonScore._meta.db_table, batch.schema.names, iter([batch]))
                if progress is not None and task is not None:
                    progress.advance(task, batch.num_rows)
            record_event(
                AuditAction.UPDATE,
                what=(
                    f"risk scores loaded from {Path(scores.name).name} (scored {scores.as_of}, "
                    f"{'pseudonymised' if scores.pseudonymised else 'not pseudonymised'}): "
                    f"{in_file} people in file, {run.people_matched} matched, "
                    f"{run.people_unmatched} not found; previous scores replaced"
                ),
                username=by,
            )
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScoresError(
            f"the database refused the scores ({first}); nothing was changed"
        ) from exc
    if not connection.in_atomic_block:  # fresh planner statistics for the worklist's queries
        BulkInserter(connection).analyse([PersonScore._meta.db_table])
    return LoadSummary(run, time.perf_counter() - started)


def load_scores(path: Path, by: str, *, progress: Progress | None = None) -> LoadSummary:
    """Check the scores file at `path`, re-identify its people and make it the current run.

    All or nothing, in one transaction, audited as `by`; ScoresError (one line) otherwise.
    """
    scores = read_scores(Path(path))
    return store_scores(scores, match_people(scores), by, progress=progress)
