"""Writing a lake that is either complete or absent: staged beside its place, renamed at the end."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.errors import UserError
from joinedup.lake.schema import TABLES, Table


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
    """Write one contract table as <lake>/<name>.parquet (zstd; row groups sized for scans)."""
    table = TABLES[name]
    path = lake / f"{name}.parquet"
    pq.write_table(
        conform(table, data),
        path,
        compression="zstd",
        row_group_size=1_000_000,
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
    with pq.ParquetWriter(lake / f"{name}.parquet", table.arrow_schema, compression="zstd") as out:
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


@contextmanager
def staged_directory(out: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside `out`: on success it becomes `out`, on error it is removed.

    A reader therefore never sees a half-written lake, and a failed run leaves nothing behind.
    """
    out = Path(out)
    if out.exists() and not overwrite and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(
            f"{out} already exists and is not empty (use `overwrite` to replace it)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        stage.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        stage.rename(out)
