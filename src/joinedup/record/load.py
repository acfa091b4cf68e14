"""Loading a synthetic lake into the operational database: all or nothing, once, fast.

Only a synthetic lake (manifest purpose "synthetic"): each person is given a made-up
identity, which must never be attached to a real person's history; real records come in
through the importers.

The lake is checked against the contract first (a LakeError lists every problem and
nothing is written). Then, in ONE transaction: the partnership's organisations, every
lake table with a synthetic identity for each person, a LoadedLake row recording what
was loaded. Any failure rolls all of it back. Rows go in by each database's fast path
(joinedup.record.bulk_insert) straight from Arrow, never one Django object per row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from rich.progress import Progress, TaskID

from joinedup.errors import UserError
from joinedup.lake.fingerprint import lake_fingerprint
from joinedup.lake.manifest import MANIFEST_FILE, Manifest
from joinedup.lake.reader import open_lake, read_table, table_path
from joinedup.lake.schema import TABLE_ORDER
from joinedup.record.bulk_insert import BulkInserter
from joinedup.record.models import (
    LAKE_MODELS,
    LoadedLake,
    Neighbourhood,
    Organisation,
    Person,
    Team,
)
from joinedup.record.partnership import (
    COMMUNITY_TRUST,
    DEFAULT_CITY,
    URGENT_RESPONSE_TEAM,
    contact_organisations,
    partnership_organisations,
    practice_organisation_ids,
    referrer_organisations,
    urgent_response_team_name,
)
from joinedup.record.signals import lake_loaded
from joinedup.record.synthetic_identity import (
    postcode_districts,
    synthetic_identities,
)

BATCH_ROWS = 100_000


class LoadError(UserError):
    """The lake cannot be loaded here; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class LoadSummary:
    lake: Path
    fingerprint: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0


def is_loaded(lake: Path) -> bool:
    """True when this very lake (same manifest and files) is already in the database."""
    if not (Path(lake) / MANIFEST_FILE).is_file():
        return False
    return LoadedLake.objects.filter(fingerprint=lake_fingerprint(lake)).exists()


def _start_afresh() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return (
            f"stop the server, delete {settings['NAME']} (and its -wal and -shm files) "
            "and load again"
        )
    return (
        f"drop and recreate the database {settings['NAME']!r} (or point JOINEDUP_DATABASE_URL "
        "at an empty one) and load again"
    )


def _refuse_if_occupied(lake: Path, fingerprint: str) -> None:
    same = LoadedLake.objects.filter(fingerprint=fingerprint).first()
    if same is not None:
        raise LoadError(
            f"{lake} is already loaded (on {same.loaded_at:%Y-%m-%d %H:%M} UTC); "
            "loading it twice is refused"
        )
    earlier = LoadedLake.objects.order_by("-loaded_at").first()
    if earlier is not None or any(
        m.objects.exists() for m in (Person, Neighbourhood, Organisation)
    ):
        held = f"the city loaded from {earlier.path}" if earlier else "a city"
        raise LoadError(
            f"the database already holds {held}, and one database holds one city; "
            f"to start afresh, {_start_afresh()}"
        )


def _city(manifest: Manifest) -> str:
    name = manifest.extra.get("city")
    return name.strip() if isinstance(name, str) and name.strip() else DEFAULT_CITY


def _with(table: pa.Table, **columns: pa.Array) -> pa.Table:
    for name, values in columns.items():
        table = table.append_column(name, values)
    return table


def _db_columns(model: type[Model], names: list[str]) -> list[str]:
    """The table's column for each lake column (the models name their columns like the lake)."""
    known = {f.column for f in model._meta.concrete_fields}
    missing = [n for n in names if n not in known]
    if missing:
        raise LoadError(
            f"{model._meta.db_table} has no column {', '.join(missing)} (a migration is missing?)"
        )
    return names


class _Loader:
    """One load: the lake's tables prepared in order, each handed to the inserter in batches."""

    def __init__(self, lake: Path, manifest: Manifest, seed: int, progress: Progress | None):
        self.lake = lake
        self.manifest = manifest
        self.seed = seed
        self.progress = progress
        self.task: TaskID | None = None
        self.city = _city(manifest)
        self.person_ids = pa.array([], pa.string())
        self.person_practice_org = pa.array([], pa.string())
        self.table = ""
        self.districts: dict[str, str] = {}  # neighbourhood id -> postcode district, set first

    def counts(self) -> dict[str, int]:
        counts = {}
        for name in TABLE_ORDER:
            path = table_path(self.lake, name)
            counts[name] = ds.dataset(path, format="parquet").count_rows() if path else 0
        return counts

    def prepared(self, name: str) -> pa.Table:
        """The lake table plus the columns the record adds (identities, organisations)."""
        data = read_table(self.lake, name)
        if name == "neighbourhood":
            ids = data.column("neighbourhood_id").to_pylist()
            self.districts = postcode_districts(sorted(ids))
            districts = [self.districts[i] for i in ids]
            return _with(data, postcode_district=pa.array(districts, pa.string()))
        if name == "team":
            hosts = pa.array([COMMUNITY_TRUST] * data.num_rows, pa.string())
            return _with(data, organisation_id=hosts)
        if name == "gp_practice":
            ids = data.column("practice_id").combine_chunks()
            return _with(data, organisation_id=practice_organisation_ids(ids))
        if name == "person":
            return self._people(data)
        if name == "contact":
            position = self._positions(data.column("person_id"))
            organisation = contact_organisations(
                data.column("sector").combine_chunks(),
                data.column("service").combine_chunks(),
                position,
                self.person_practice_org,
            )
            return _with(data, organisation_id=organisation)
        if name == "referral":
            position = self._positions(data.column("person_id"))
            referrer = referrer_organisations(
                data.column("source").combine_chunks(), position, self.person_practice_org
            )
            return _with(data, referrer_organisation_id=referrer)
        return data

    def _positions(self, person_ids: pa.ChunkedArray) -> np.ndarray:
        index = pc.index_in(person_ids, value_set=self.person_ids)
        return np.asarray(index.to_numpy(zero_copy_only=False), dtype=np.int64)

    def _people(self, person: pa.Table) -> pa.Table:
        self.person_ids = person.column("person_id").combine_chunks()
        self.person_practice_org = practice_organisation_ids(
            person.column("practice_id").combine_chunks()
        )
        identities = synthetic_identities(
            self.person_ids,
            person.column("sex").combine_chunks(),
            person.column("neighbourhood_id").combine_chunks(),
            self.districts,
            town=self.city,
            seed=self.seed,
        )
        return _with(person, **{c: identities.column(c) for c in identities.column_names})

    def organisations(self) -> list[Organisation]:
        rows = [
            Organisation(id=o.id, name=o.name, kind=o.kind)
            for o in partnership_organisations(self.city)
        ]
        practices = read_table(self.lake, "gp_practice", ["practice_id", "name"])
        ids = practice_organisation_ids(
            practices.column("practice_id").combine_chunks()
        ).to_pylist()
        for org_id, practice_id, name in zip(
            ids,
            practices.column("practice_id").to_pylist(),
            practices.column("name").to_pylist(),
            strict=True,
        ):
            rows.append(
                Organisation(
                    id=org_id, name=name or practice_id, kind=Organisation.Kind.GP_PRACTICE
                )
            )
        return rows

    def run(self, inserter: BulkInserter) -> dict[str, int]:
        counts = self.counts()
        if self.progress is not None:
            self.task = self.progress.add_task("Loading", total=sum(counts.values()))
        tables = [LAKE_MODELS[name]._meta.db_table for name in TABLE_ORDER]
        rows: dict[str, int] = {}
        self.table = "organisation"
        Organisation.objects.bulk_create(self.organisations(), batch_size=500)
        with inserter.indexes_suspended(tables):
            for name in TABLE_ORDER:
                self.table = name
                if self.progress is not None and self.task is not None:
                    self.progress.update(self.task, description=f"Loading {name}")
                data = self.prepared(name)
                model = LAKE_MODELS[name]
                columns = _db_columns(model, data.column_names)
                rows[name] = inserter.insert(model._meta.db_table, columns, self._batches(data))
            self.table = "rebuilding indexes and keys"
            if self.progress is not None and self.task is not None:
                self.progress.update(self.task, description="Rebuilding indexes")
        self.table = "urgent community response team"
        Team.objects.create(
            id=URGENT_RESPONSE_TEAM,
            kind=Team.Kind.URGENT_COMMUNITY_RESPONSE,
            name=urgent_response_team_name(self.city),
            organisation_id=COMMUNITY_TRUST,
        )
        self.table = "checking keys"
        inserter.check_foreign_keys([Organisation._meta.db_table, *tables])
        self.table = "analysing"
        inserter.analyse(tables)
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description="Loaded")
        return rows

    def _batches(self, data: pa.Table) -> _Batches:
        return _Batches(data, self)


class _Batches:
    """A table's record batches, advancing the progress bar as each is consumed."""

    def __init__(self, data: pa.Table, loader: _Loader):
        self.batches = iter(data.to_batches(max_chunksize=BATCH_ROWS))
        self.loader = loader

    def __iter__(self) -> _Batches:
        return self

    def __next__(self) -> pa.RecordBatch:
        batch = next(self.batches)
        progress, task = self.loader.progress, self.loader.task
        if progress is not None and task is not None:
            progress.advance(task, batch.num_rows)
        return batch


def load_lake(lake: Path, *, seed: int = 1, progress: Progress | None = None) -> LoadSummary:
    """Load the synthetic `lake` into the (migrated) database in one transaction, once.

    Raises LakeError (with every problem) for a lake that breaks the contract, LoadError
    (one line) for anything else; in both cases the database is left as it was.
    """
    started = time.perf_counter()
    lake = Path(lake)
    manifest, _ = open_lake(lake)
    if manifest.purpose != "synthetic":
        raise LoadError(
            f"{lake}: its purpose is {manifest.purpose}, and only a synthetic lake can be loaded "
            "(its people are given made-up names and NHS numbers, which must never be attached "
            "to a real person's record)"
        )
    fingerprint = lake_fingerprint(lake)
    _refuse_if_occupied(lake, fingerprint)
    loader = _Loader(lake, manifest, seed, progress)
    inserter = BulkInserter(connection)
    try:
        with connection.wrap_database_errors, inserter.bulk_session(), transaction.atomic():
            _refuse_if_occupied(lake, fingerprint)  # again, under the write lock
            rows = loader.run(inserter)
            seconds = time.perf_counter() - started
            LoadedLake.objects.create(
                fingerprint=fingerprint,
                path=str(lake.resolve()),
                purpose=manifest.purpose,
                source=manifest.source,
                observation_start=manifest.observation_start,
                observation_end=manifest.observation_end,
                manifest=manifest.to_json(),
                seed=seed,
                rows=rows,
                seconds=round(seconds, 3),
            )
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoadError(
            f"{lake}: {loader.table}: the database refused a row ({first_line}); nothing was loaded"
        ) from exc
    summary = LoadSummary(lake, fingerprint, rows, time.perf_counter() - started)
    lake_loaded.send(sender=LoadedLake, summary=summary)
    return summary
