"""Writing a lake that is either complete or absent: staged beside its place, renamed at the end
(joinedup.output_files), and put over only a lake, never over a folder joinedup did not write."""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.errors import UserError
from joinedup.lake.manifest import MANIFEST_FILE
from joinedup.lake.schema import TABLES, Table
from joinedup.output_files import Kind, staged_folder


class LakeWriteError(UserError):
    """A table handed to the writer does not fit the contract."""


def conform(table: Table, data: pa.Table) -> pa.Table:
    """Order and cast columns to the contract's types; refuse missing columns or required nulls."""
    missing = [c.name for c in table.columns if c.name not in data.column_names]
    if missing:
        raise LakeWriteError(f"{table.name}: missing column(s) {', '.join(missing)}")
    arrays = []
    for col in table.columns:
        array = data.column(col.name)
        if array.type != col.type:
            try:
                array = array.cast(col.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise LakeWriteError(
                    f"{table.name}.{col.name}: expected {col.type}, found {array.type} ({exc})"
                ) from None
        if not col.nullable and array.null_count:
            raise LakeWriteError(
                f"{table.name}.{col.name}: {array.null_count} null value(s) in a required column"
            )
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema)


def write_table(lake: Path, name: str, data: pa.Table) -> Path:
    """Write one contract table as <lake>/<name>.parquet (zstd; row groups sized for scans;
    a checksum on every page, so `lake check` finds a changed byte that would still decode)."""
    table = TABLES[name]
    path = lake / f"{name}.parquet"
    pq.write_table(
        conform(table, data),
        path,
        compression="zstd",
        row_group_size=1_000_000,
        write_page_checksum=True,
    )
    return path


def write_batches(
    lake: Path, name: str, batches: Iterable[pa.Table], *, row_group_rows: int = 1_000_000
) -> int:
    """Write one contract table from batches, holding at most about one row group in memory.

    For writers that read their rows in chunks (the extract); returns the rows written.
    """
    table = TABLES[name]
    written, pending, pending_rows = 0, [], 0
    with pq.ParquetWriter(
        lake / f"{name}.parquet",
        table.arrow_schema,
        compression="zstd",
        write_page_checksum=True,
    ) as out:
        for batch in batches:
            pending.append(conform(table, batch))
            pending_rows += batch.num_rows
            if pending_rows >= row_group_rows:
                out.write_table(pa.concat_tables(pending), row_group_size=row_group_rows)
                written, pending, pending_rows = written + pending_rows, [], 0
        if pending_rows or not written:
            rows = pa.concat_tables(pending) if pending else table.arrow_schema.empty_table()
            out.write_table(rows, row_group_size=row_group_rows)
            written += pending_rows
    return written


def is_lake(folder: Path) -> bool:
    """Whether `folder` is a lake joinedup wrote: it holds the manifest, a JSON object with a
    schema version (any version, so an older lake can be replaced too)."""
    try:
        document = json.loads((Path(folder) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and "schema_version" in document


LAKE = Kind("a lake", is_lake, folder=True, mark=MANIFEST_FILE)


def staged_directory(out: Path, *, overwrite: bool = False) -> AbstractContextManager[Path]:
    """Yield a temporary folder beside `out`: on success it becomes `out`, on error it is removed.

    A reader therefore never sees a half-written lake, and a failed run leaves nothing behind.
    An existing `out` that is not empty is replaced only with `overwrite`, and only if it is
    a lake (`is_lake`); anything else is refused (OutputError) and left as it was.
    """
    return staged_folder(Path(out), LAKE, overwrite=overwrite)
