"""Writing Arrow record batches into the record's tables by each database's fast path.

PostgreSQL: COPY ... FROM STDIN in CSV that pyarrow writes. SQLite: executemany of
tuples prepared column by column. Neither builds a Django model instance per row. Both
run inside the caller's transaction; for a table loaded from empty, its secondary indexes
(and on PostgreSQL its foreign keys) are dropped first and rebuilt in one pass at the
end, which is several times faster than maintaining them row by row and still leaves the
database checking every key and constraint before the transaction commits.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db.backends.base.base import BaseDatabaseWrapper


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_column(array: pa.ChunkedArray | pa.Array) -> list[Any]:
    """Python values as Django's SQLite backend stores them (ISO text for dates and instants)."""
    kind = array.type
    if pa.types.is_date(kind):
        return pc.cast(array, pa.string()).to_pylist()
    if pa.types.is_timestamp(kind):
        utc = array if kind.tz is not None else pc.assume_timezone(array, "UTC")
        seconds = pc.cast(utc, pa.timestamp("s", tz="UTC"), safe=False)
        whole = pc.equal(pc.cast(seconds, utc.type), utc)
        # Django writes "YYYY-MM-DD HH:MM:SS" and adds ".ffffff" only when there is a fraction.
        text = pc.if_else(
            whole,
            pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S"),
            pc.strftime(utc, format="%Y-%m-%d %H:%M:%S"),
        )
        return text.to_pylist()
    return array.to_pylist()


@dataclass
class SuspendedIndex:
    table: str
    name: str
    create_sql: str


@dataclass
class SuspendedForeignKey:
    table: str
    name: str
    definition: str


@dataclass
class BulkInserter:
    """Inserts record batches into tables of one database connection."""

    connection: BaseDatabaseWrapper
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def vendor(self) -> str:
        return str(self.connection.vendor)

    def insert(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> int:
        """Insert every batch (columns named like the table's columns); return the rows written."""
        if self.vendor == "postgresql":
            written = self._copy(table, columns, batches)
        else:
            written = self._executemany(table, columns, batches)
        self.rows[table] = self.rows.get(table, 0) + written
        return written

    def _executemany(
        self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]
    ) -> int:
        sql = (
            f"INSERT INTO {_quote(table)} ({', '.join(_quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        written = 0
        raw = self.connection.connection.cursor()  # the sqlite3 cursor: no per-call query rewriting
        try:
            for batch in batches:
                values = [_sqlite_column(batch.column(c)) for c in columns]
                raw.executemany(sql, list(zip(*values, strict=True)))
                written += batch.num_rows
        finally:
            raw.close()
        return written

    def _copy(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> int:
        names = ", ".join(_quote(c) for c in columns)
        sql = f"COPY {_quote(table)} ({names}) FROM STDIN (FORMAT csv)"
        options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        written = 0
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for batch in batches:
                buffer = io.BytesIO()
                pa_csv.write_csv(batch.select(columns), buffer, options)
                copy.write(buffer.getbuffer())
                written += batch.num_rows
        return written

    @contextmanager
    def bulk_session(self, *, cache_mib: int = 512) -> Iterator[None]:
        """Around (outside) the load's transaction. SQLite: a page cache big enough for the
        indexes being built, and foreign keys checked once at the end (check_foreign_keys)
        instead of row by row; both restored afterwards."""
        if self.vendor != "sqlite":
            yield
            return
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (previous,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = {-cache_mib * 1024}")
        try:
            with self.connection.constraint_checks_disabled():
                yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")

    def check_foreign_keys(self, tables: list[str]) -> None:
        """Raise IntegrityError naming the first key that points nowhere (in the transaction)."""
        self.connection.check_constraints(table_names=tables)

    # Indexes and foreign keys, suspended while a table is loaded from empty.

    def _sqlite_indexes(self, table: str) -> list[SuspendedIndex]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            return [SuspendedIndex(table, name, sql) for name, sql in cursor.fetchall()]

    def _postgres_indexes(self, table: str) -> list[SuspendedIndex]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = %s::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                """,
                [_quote(table)],
            )
            return [SuspendedIndex(table, name, sql) for name, sql in cursor.fetchall()]

    def _postgres_foreign_keys(self, table: str) -> list[SuspendedForeignKey]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [_quote(table)],
            )
            return [
                SuspendedForeignKey(table, name, definition)
                for name, definition in cursor.fetchall()
            ]

    @contextmanager
    def indexes_suspended(self, tables: list[str]) -> Iterator[None]:
        """Drop the secondary indexes (and PostgreSQL foreign keys) of `tables`; rebuild them after.

        Must run inside a transaction: if anything fails, the rollback restores them too.
        """
        if not self.connection.in_atomic_block:
            raise RuntimeError("indexes may only be suspended inside a transaction")
        postgres = self.vendor == "postgresql"
        indexes: list[SuspendedIndex] = []
        keys: list[SuspendedForeignKey] = []
        for table in tables:
            indexes += self._postgres_indexes(table) if postgres else self._sqlite_indexes(table)
            if postgres:
                keys += self._postgres_foreign_keys(table)
        with self.connection.cursor() as cursor:
            for key in keys:
                cursor.execute(
                    f"ALTER TABLE {_quote(key.table)} DROP CONSTRAINT {_quote(key.name)}"
                )
            for index in indexes:
                cursor.execute(f"DROP INDEX {_quote(index.name)}")
        yield
        with self.connection.cursor() as cursor:
            for index in indexes:
                cursor.execute(index.create_sql)
            for key in keys:
                table, name = _quote(key.table), _quote(key.name)
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {key.definition}")

    def analyse(self, tables: list[str]) -> None:
        """Fresh planner statistics, so the first queries on a new city choose good plans."""
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"ANALYZE {_quote(table)}")
            else:
                cursor.execute("PRAGMA analysis_limit = 1000")
                for table in tables:
                    cursor.execute(f"ANALYZE {_quote(table)}")
