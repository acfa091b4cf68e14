"""Reading a lake and checking it against the contract, one clear problem per line.

A partnership may build its own lake from its source systems, so every check names the
table and column, what was expected and what was found. Extra columns are allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from joinedup.errors import UserError
from joinedup.lake.manifest import Manifest, ManifestError, read_manifest
from joinedup.lake.schema import TABLE_ORDER, TABLES, Column, Table


@dataclass(frozen=True)
class Problem:
    table: str
    column: str
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: expected {self.expected}, found {self.found}"


class LakeError(UserError):
    """The lake breaks the contract; `problems` lists every way it does."""

    def __init__(self, lake: Path, problems: list[Problem]):
        self.lake = lake
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LakeReport:
    lake: Path
    manifest: Manifest | None
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def table_path(lake: Path, name: str) -> Path | None:
    """<lake>/<name>.parquet or a folder <lake>/<name>/ of Parquet files; None when absent."""
    file = lake / f"{name}.parquet"
    if file.is_file():
        return file
    folder = lake / name
    if folder.is_dir():
        return folder
    return None


def _dataset(path: Path) -> ds.Dataset:
    return ds.dataset(path, format="parquet")


def _string_like(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _string_like(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _type_matches(expected: pa.DataType, found: pa.DataType) -> bool:
    if expected == found:
        return True
    if pa.types.is_string(expected):
        return _string_like(found)
    if pa.types.is_timestamp(expected) and pa.types.is_timestamp(found):
        return bool(found.unit == expected.unit and found.tz in ("UTC", "+00:00", "Etc/UTC"))
    return False


def _column(dataset: ds.Dataset, name: str) -> pa.ChunkedArray:
    return dataset.to_table(columns=[name]).column(name)


def _check_values(table: Table, col: Column, values: pa.ChunkedArray) -> list[Problem]:
    problems: list[Problem] = []
    if not col.nullable and values.null_count:
        problems.append(
            Problem(table.name, col.name, "no nulls", f"{values.null_count} null value(s)")
        )
    if col.values is not None:
        plain = values.cast(pa.string()) if pa.types.is_dictionary(values.type) else values
        found = pc.drop_null(pc.unique(plain))
        allowed = pa.array(col.values, pa.string())
        unknown = pc.filter(found, pc.invert(pc.is_in(found, value_set=allowed)))
        if len(unknown):
            shown = ", ".join(repr(v) for v in unknown.to_pylist()[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            problems.append(
                Problem(table.name, col.name, f"one of {{{', '.join(col.values)}}}", shown + more)
            )
    if col.value_range is not None and len(values) > values.null_count:
        low, high = col.value_range
        lo, hi = pc.min_max(values).values()
        if lo.as_py() < low or hi.as_py() > high:
            problems.append(
                Problem(
                    table.name, col.name, f"values {low}..{high}", f"{lo.as_py()}..{hi.as_py()}"
                )
            )
    return problems


def parquet_files(path: Path) -> str:
    """A table's file, or the glob of a folder table's files, for engines that read globs."""
    return str(path / "*.parquet") if path.is_dir() else str(path)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _key_problems(paths: dict[str, Path]) -> list[Problem]:
    """Duplicate ids and keys that point nowhere, counted by DuckDB (on every core: the
    largest tables hold tens of millions of ids)."""
    problems: list[Problem] = []
    with duckdb.connect() as con:
        for name, path in paths.items():
            source = _sql_string(parquet_files(path))
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({source})')
        for name in paths:
            key = TABLES[name].key
            if not key:
                continue
            row = con.execute(f'SELECT count(*) - count(DISTINCT "{key}") FROM "{name}"').fetchone()
            if row and row[0]:
                problems.append(Problem(name, key, "unique ids", f"{row[0]} duplicate(s)"))
        for name in paths:
            for col in TABLES[name].columns:
                if col.references is None or col.references[0] not in paths:
                    continue
                target, key = col.references
                row = con.execute(
                    f'SELECT count(*), min(t."{col.name}") FROM "{name}" t '
                    f'ANTI JOIN "{target}" k ON k."{key}" = t."{col.name}" '
                    f'WHERE t."{col.name}" IS NOT NULL'
                ).fetchone()
                if row and row[0]:
                    problems.append(
                        Problem(
                            name,
                            col.name,
                            f"ids present in {target}.{key}",
                            f"{row[0]} dangling, e.g. {row[1]!r}",
                        )
                    )
    return problems


def check_lake(lake: Path, tables: Iterable[str] = TABLE_ORDER) -> LakeReport:
    """Check every contract table of `lake`, collecting every problem, not just the first."""
    lake = Path(lake)
    report = LakeReport(lake, None)
    if not lake.is_dir():
        report.problems.append(Problem("lake", "", "a folder", f"no folder at {lake}"))
        return report
    try:
        report.manifest = read_manifest(lake)
    except ManifestError as exc:
        report.problems.append(
            Problem("manifest", "", "a valid manifest.json", str(exc).split(": ", 1)[-1])
        )
    readable: dict[str, Path] = {}
    for name in tables:
        table = TABLES[name]
        path = table_path(lake, name)
        if path is None:
            report.problems.append(Problem(name, "", f"{name}.parquet or {name}/", "nothing"))
            continue
        try:
            dataset = _dataset(path)
            schema = dataset.schema
            report.rows[name] = dataset.count_rows()
        except (pa.ArrowInvalid, OSError) as exc:
            report.problems.append(Problem(name, "", "readable Parquet", f"unreadable ({exc})"))
            continue
        schema_ok = True
        for col in table.columns:
            idx = schema.get_field_index(col.name)
            if idx < 0:
                report.problems.append(Problem(name, col.name, str(col.type), "no such column"))
                schema_ok = False
            elif not _type_matches(col.type, schema.field(idx).type):
                report.problems.append(
                    Problem(name, col.name, str(col.type), str(schema.field(idx).type))
                )
                schema_ok = False
        if not schema_ok:
            continue
        try:
            for col in table.columns:
                if col.nullable and col.values is None and col.value_range is None:
                    continue
                report.problems.extend(_check_values(table, col, _column(dataset, col.name)))
            readable[name] = path
        except (pa.ArrowInvalid, OSError) as exc:
            report.problems.append(Problem(name, "", "readable Parquet", f"unreadable ({exc})"))
    report.problems.extend(_key_problems(readable))
    return report


def open_lake(lake: Path) -> tuple[Manifest, dict[str, Path]]:
    """The lake's manifest and table paths, or LakeError naming every problem."""
    report = check_lake(lake)
    if not report.ok or report.manifest is None:
        raise LakeError(Path(lake), report.problems)
    paths = {name: p for name in TABLE_ORDER if (p := table_path(Path(lake), name)) is not None}
    return report.manifest, paths


def read_table(lake: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """One table as Arrow, dictionary columns decoded to plain strings, extra columns dropped."""
    path = table_path(Path(lake), name)
    if path is None:
        raise LakeError(Path(lake), [Problem(name, "", f"{name}.parquet or {name}/", "nothing")])
    wanted = columns or list(TABLES[name].column_names)
    data = _dataset(path).to_table(columns=wanted)
    arrays = [
        data.column(c).cast(pa.string())
        if pa.types.is_dictionary(data.column(c).type)
        else data.column(c)
        for c in wanted
    ]
    return pa.Table.from_arrays(arrays, names=wanted)
