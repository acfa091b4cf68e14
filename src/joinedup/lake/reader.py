"""Reading a lake and checking it against the contract, one clear problem per line.

A partnership may build its own lake from its source systems, so every check names the
table and column, what was expected and what was found. Extra columns are allowed.

Every data page of every file is decoded (pyarrow, row group by row group), so a damaged
page is refused here rather than found half way through a metrics run, and the values are
checked in that same pass. Dates and instants must lie between 1800-01-01 and 2200-12-31:
Parquet holds years Python cannot (10000, or before year 1), which DuckDB reads but the
loader and the extract cannot turn into Python dates. The ranges are taken on the Arrow
arrays as integers, never by converting values to Python objects.

`open_lake` is how every command reads a lake: this check, remembered per lake content
(see its docstring for the cache).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from joinedup.errors import UserError
from joinedup.lake.fingerprint import lake_fingerprint
from joinedup.lake.layout import parquet_files as parquet_files  # for the engines
from joinedup.lake.layout import stray_files, table_files
from joinedup.lake.layout import table_path as table_path  # for the loader
from joinedup.lake.manifest import Manifest, ManifestError, read_manifest
from joinedup.lake.schema import DATE, INSTANT, TABLE_ORDER, TABLES, Column

EARLIEST = dt.date(1800, 1, 1)
LATEST = dt.date(2200, 12, 31)
_EPOCH = dt.date(1970, 1, 1)
_DAY_US = 86_400 * 1_000_000
DAYS = ((EARLIEST - _EPOCH).days, (LATEST - _EPOCH).days)
MICROSECONDS = (DAYS[0] * _DAY_US, (DAYS[1] + 1) * _DAY_US - 1)
# What pyarrow raises on a file or page it cannot read (ArrowInvalid is a ValueError too).
UNREADABLE = (pa.ArrowException, OSError, ValueError)


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


def _dataset(path: Path) -> ds.Dataset:
    return ds.dataset(path, format="parquet")


def _one_line(exc: BaseException) -> str:
    """pyarrow's and DuckDB's messages on one line, not too long for a terminal."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 240 else text[:237] + "..."


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


def _shown_instant(value: int, *, date: bool) -> str:
    """A date (days) or instant (microseconds) written even when Python cannot hold it."""
    return str(np.datetime64(value, "D") if date else np.datetime64(value, "us"))


@dataclass
class _Tally:
    """What one contract column held, over every row group of every file of its table."""

    column: Column
    nulls: int = 0
    found: dict[str, None] = field(default_factory=dict)  # enumerated values, first seen first
    low: int | None = None
    high: int | None = None
    outside: int = 0  # dates or instants outside EARLIEST..LATEST
    example: int | None = None
    ascending: bool = False  # for a table's id: every id so far above the one before
    last: str | None = None

    def add(self, chunk: pa.Array) -> None:
        col = self.column
        self.nulls += chunk.null_count
        if self.ascending:
            self._ascend(chunk)
        if len(chunk) == chunk.null_count:
            return
        if col.values is not None:
            if pa.types.is_dictionary(chunk.type):
                used = chunk.dictionary.take(pc.drop_null(pc.unique(chunk.indices)))
            else:
                used = pc.drop_null(pc.unique(chunk))
            self.found.update(dict.fromkeys(str(v) for v in used.to_pylist()))
        if col.value_range is not None:
            self._bounds(chunk)
        if col.type in (DATE, INSTANT):
            self._window(chunk.cast(pa.int32() if col.type == DATE else pa.int64()))

    def _ascend(self, ids: pa.Array) -> None:
        """Ids in strictly ascending order are unique, which is proven here in one pass over
        what was decoded anyway (the generator and the extract write them so); otherwise
        DuckDB counts the duplicates. Bytewise order, which is Python's order of str."""
        if not len(ids):
            return
        if ids.null_count or pa.types.is_dictionary(ids.type):
            self.ascending = False
            return
        ordered = pc.all(pc.greater(ids.slice(1), ids.slice(0, len(ids) - 1))).as_py()
        after_last = self.last is None or ids[0].as_py() > self.last
        self.ascending = after_last and ordered is not False  # None: a single id
        self.last = ids[len(ids) - 1].as_py()

    def _bounds(self, values: pa.Array) -> None:
        lo, hi = (v.as_py() for v in pc.min_max(values).values())
        self.low = lo if self.low is None else min(self.low, lo)
        self.high = hi if self.high is None else max(self.high, hi)

    def _window(self, values: pa.Array) -> None:
        first, last = DAYS if self.column.type == DATE else MICROSECONDS
        lo, hi = (v.as_py() for v in pc.min_max(values).values())
        if first <= lo and hi <= last:
            return
        out = pc.or_(pc.less(values, first), pc.greater(values, last))
        self.outside += pc.sum(out).as_py() or 0
        if self.example is None:
            self.example = lo if lo < first else hi

    def problems(self, table: str) -> list[Problem]:
        col, problems = self.column, []
        if not col.nullable and self.nulls:
            problems.append(Problem(table, col.name, "no nulls", f"{self.nulls} null value(s)"))
        if col.values is not None:
            unknown = [v for v in self.found if v not in col.values]
            if unknown:
                shown = ", ".join(repr(v) for v in unknown[:5])
                more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
                expected = f"one of {{{', '.join(col.values)}}}"
                problems.append(Problem(table, col.name, expected, shown + more))
        if col.value_range is not None and self.low is not None and self.high is not None:
            low, high = col.value_range
            if self.low < low or self.high > high:
                found = f"{self.low}..{self.high}"
                problems.append(Problem(table, col.name, f"values {low}..{high}", found))
        if self.outside and self.example is not None:
            kind = "dates" if col.type == DATE else "instants (UTC)"
            example = _shown_instant(self.example, date=col.type == DATE)
            problems.append(
                Problem(
                    table,
                    col.name,
                    f"{kind} from {EARLIEST} to {LATEST}",
                    f"{self.outside} outside, e.g. {example}",
                )
            )
        return problems


def _schema_problems(name: str, schema: pa.Schema, where: str) -> list[Problem]:
    """The contract's columns missing from, or of another type in, one file's schema."""
    problems = []
    for col in TABLES[name].columns:
        idx = schema.get_field_index(col.name)
        if idx < 0:
            problems.append(Problem(name, col.name, str(col.type), f"no such column{where}"))
        elif not _type_matches(col.type, schema.field(idx).type):
            found = f"{schema.field(idx).type}{where}"
            problems.append(Problem(name, col.name, str(col.type), found))
    return problems


@dataclass(frozen=True)
class _File:
    """One Parquet file of a table: its name in the lake, and its footer, read once."""

    shown: str
    path: Path
    metadata: pq.FileMetaData
    dictionaries: tuple[str, ...]  # its enumerated columns, read as dictionaries to tally

    def open(self) -> pq.ParquetFile:
        return pq.ParquetFile(
            self.path,
            metadata=self.metadata,
            read_dictionary=list(self.dictionaries),
            page_checksum_verification=True,
        )


def _open_files(lake: Path, name: str, files: list[Path]) -> tuple[list[_File], list[Problem]]:
    """Each file's footer; the problems of any that cannot be read or do not fit the contract."""
    enumerated = [c.name for c in TABLES[name].columns if c.values is not None]
    opened: list[_File] = []
    problems: list[Problem] = []
    for file in files:
        shown = file.relative_to(lake).as_posix()
        try:
            with pq.ParquetFile(file) as parquet:
                metadata, schema = parquet.metadata, parquet.schema_arrow
        except UNREADABLE as exc:
            found = f"unreadable {shown} ({_one_line(exc)})"
            problems.append(Problem(name, "", "readable Parquet", found))
            continue
        where = f" in {shown}" if len(files) > 1 else ""
        for problem in _schema_problems(name, schema, where):
            if problem not in problems:
                problems.append(problem)
        read_as_dictionary = tuple(c for c in enumerated if c in schema.names)
        opened.append(_File(shown, file, metadata, read_as_dictionary))
    return opened, problems


def _unreadable_column(parquet: pq.ParquetFile, group: int) -> str:
    """The first column of a row group that cannot be decoded on its own ('' if none)."""
    for column in parquet.schema_arrow.names:
        try:
            parquet.read_row_group(group, columns=[column], use_threads=False)
        except UNREADABLE:
            return column
    return ""


@dataclass
class _Decoded:
    """One table after its pages were decoded."""

    readable: bool  # every page decoded
    problems: list[Problem]
    unique_ids: bool = False  # its ids proven unique on the way (_Tally._ascend)


def _decode(name: str, files: list[_File]) -> _Decoded:
    """Decode every page of every file of a table, tallying its contract columns on the way.
    The first row group that cannot be decoded stops the table with a problem naming its
    file, row group and column."""
    table = TABLES[name]
    tallies = {col.name: _Tally(col, ascending=col.name == table.key) for col in table.columns}
    for file in files:
        try:
            parquet = file.open()
        except UNREADABLE as exc:
            found = f"unreadable {file.shown} ({_one_line(exc)})"
            return _Decoded(False, [Problem(name, "", "readable Parquet", found)])
        with parquet:
            for group in range(parquet.num_row_groups):
                try:
                    data = parquet.read_row_group(group, use_threads=True)
                except UNREADABLE as exc:
                    column = _unreadable_column(parquet, group)
                    found = f"row group {group} unreadable ({_one_line(exc)})"
                    expected = f"readable data pages in {file.shown}"
                    return _Decoded(False, [Problem(name, column, expected, found)])
                for column, tally in tallies.items():
                    for chunk in data.column(column).chunks:
                        tally.add(chunk)
    problems = [problem for tally in tallies.values() for problem in tally.problems(name)]
    return _Decoded(True, problems, bool(table.key) and tallies[table.key].ascending)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _key_problems(files: dict[str, list[Path]], unique: set[str]) -> list[Problem]:
    """Duplicate ids (but for the tables in `unique`, proven so already) and keys that point
    nowhere, counted by DuckDB (on every core: the largest tables hold tens of millions of
    ids) over the very files decoded."""
    problems: list[Problem] = []
    files = dict(files)  # less any DuckDB cannot read
    with duckdb.connect() as con:
        for name, paths in list(files.items()):
            listed = ", ".join(_sql_string(str(p)) for p in paths)
            try:
                con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{listed}])')
            except duckdb.Error as exc:
                problems.append(Problem(name, "", "Parquet DuckDB reads", _one_line(exc)))
                del files[name]
        for name in files:
            key = TABLES[name].key
            if not key or name in unique:
                continue
            try:
                row = con.execute(
                    f'SELECT count(*) - count(DISTINCT "{key}") FROM "{name}"'
                ).fetchone()
            except duckdb.Error as exc:
                problems.append(Problem(name, key, "readable ids", _one_line(exc)))
                continue
            if row and row[0]:
                problems.append(Problem(name, key, "unique ids", f"{row[0]} duplicate(s)"))
        for name in files:
            for col in TABLES[name].columns:
                if col.references is None or col.references[0] not in files:
                    continue
                target, key = col.references
                try:
                    row = con.execute(
                        f'SELECT count(*), min(t."{col.name}") FROM "{name}" t '
                        f'ANTI JOIN "{target}" k ON k."{key}" = t."{col.name}" '
                        f'WHERE t."{col.name}" IS NOT NULL'
                    ).fetchone()
                except duckdb.Error as exc:
                    problems.append(Problem(name, col.name, "readable keys", _one_line(exc)))
                    continue
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


def _check_table(lake: Path, name: str, report: LakeReport) -> _Decoded:
    """One table: its files, their schemas, every page decoded and every value tallied."""
    path = table_path(lake, name)
    if path is None:
        return _Decoded(False, [Problem(name, "", f"{name}.parquet or {name}/", "nothing")])
    stray = stray_files(path)
    if stray:
        shown = stray[0].relative_to(lake).as_posix()
        more = f" and {len(stray) - 1} more" if len(stray) > 1 else ""
        return _Decoded(False, [Problem(name, "", f"only Parquet files in {name}/", shown + more)])
    files = table_files(path)
    if not files:
        return _Decoded(False, [Problem(name, "", f"Parquet files in {name}/", "none")])
    opened, problems = _open_files(lake, name, files)
    report.rows[name] = sum(file.metadata.num_rows for file in opened)
    if problems:
        return _Decoded(False, problems)
    return _decode(name, opened)


def check_lake(lake: Path, tables: Iterable[str] = TABLE_ORDER) -> LakeReport:
    """Check every contract table of `lake`, collecting every problem, not just the first:
    the manifest, each table's files, columns and types, every data page decoded and its
    values (nulls, enumerations, ranges, the date window), then ids and keys."""
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
    readable: dict[str, list[Path]] = {}
    unique: set[str] = set()
    for name in tables:
        decoded = _check_table(lake, name, report)
        report.problems.extend(decoded.problems)
        if decoded.readable and (path := table_path(lake, name)) is not None:
            readable[name] = table_files(path)
        if decoded.unique_ids:
            unique.add(name)
    report.problems.extend(_key_problems(readable, unique))
    return report


# The check's own version: a change to the contract, the check or the decoders makes every
# remembered verdict stale (so a stricter check is never skipped for a lake checked before).
_RULE_SOURCES = ("fingerprint.py", "layout.py", "manifest.py", "reader.py", "schema.py")


@functools.cache
def _rules() -> str:
    digest = hashlib.sha256(f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}".encode())
    for source in _RULE_SOURCES:
        digest.update((Path(__file__).parent / source).read_bytes())
    return digest.hexdigest()[:16]


def _cache_folder() -> Path | None:
    """$XDG_CACHE_HOME/joinedup/checked-lakes (~/.cache when unset), None without a home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "joinedup" / "checked-lakes"


_PASSED: set[str] = set()  # this process's lakes that passed, by _cache_key


def _cache_key(lake: Path) -> str | None:
    """The rules' version and the lake's fingerprint; None when there is nothing to hash."""
    try:
        return f"{_rules()}-{lake_fingerprint(lake)}"
    except OSError:
        return None


def _passed_before(key: str) -> bool:
    if key in _PASSED:
        return True
    folder = _cache_folder()
    return folder is not None and (folder / key).is_file()


def _remember(key: str) -> None:
    _PASSED.add(key)
    folder = _cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).touch()
    except OSError:
        pass  # a read-only home: checked again next time, nothing worse


def _tables(lake: Path) -> dict[str, Path]:
    return {name: p for name in TABLE_ORDER if (p := table_path(lake, name)) is not None}


def _check_remembering(lake: Path, key: str | None) -> LakeReport:
    report = check_lake(lake)
    if report.ok and key is not None and _cache_key(lake) == key:  # unchanged while checked
        _remember(key)
    return report


def check_and_remember(lake: Path) -> LakeReport:
    """check_lake, always in full; a lake that passes is remembered for open_lake (what
    `joinedup lake check` runs, so the commands after it find the lake checked)."""
    return _check_remembering(Path(lake), _cache_key(Path(lake)))


def open_lake(lake: Path) -> tuple[Manifest, dict[str, Path]]:
    """The lake's manifest and table paths after check_lake, or LakeError naming every
    problem. Every command that reads a lake (load, metrics, outcomes refresh, risk) comes
    through here, so each reads only what the contract promises.

    The check decodes the whole lake (seconds for a million people), so a lake that passed
    is remembered by its content: the key is the lake's fingerprint (SHA-256 over the
    manifest and every byte of every table file: a read at disk speed, a fifth of a second
    for a million people, against the decode's seconds of CPU) with the version of the
    rules (lake/*.py and the pyarrow and DuckDB that decode). Sizes and times alone would not
    do: a file rewritten in place within a clock tick keeps both. Remembered in this process
    and, so repeat runs stay fast, as an empty marker file named by the key under
    $XDG_CACHE_HOME/joinedup/checked-lakes: the user's own cache, never inside the lake
    (which may be read-only or shared) and never the operational database (the analytical
    packages are Django-free). A lake that fails is never remembered; deleting the folder
    forgets every verdict. Folder tables' stray files are looked for on every call (they are
    outside the fingerprint)."""
    lake = Path(lake)
    key = _cache_key(lake)
    if key is not None and _passed_before(key):
        tables = _tables(lake)
        if not any(stray_files(path) for path in tables.values()):
            return read_manifest(lake), tables
    report = _check_remembering(lake, key)
    if not report.ok or report.manifest is None:
        raise LakeError(lake, report.problems)
    return report.manifest, _tables(lake)


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
