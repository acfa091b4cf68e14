"""A damaged lake is refused by the check every command makes, not found half way through.

Dates Python cannot hold (year 10000, years before 1) and a data page that cannot be decoded
were once passed by `joinedup lake check` and `load`, then broke `extract`, `metrics`,
`outcomes refresh` and `risk score` with a traceback (or were silently computed on). Each is
now one line naming the table, the column or file, and exit code 2, from every command.
The check is remembered per lake content (reader.open_lake): a lake changed in place, even
keeping its size and times, is checked again.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from command_line import Done, migrated, one_error_line, run, run_installed
from joinedup.lake import LakeError, check_lake, open_lake
from joinedup.lake.reader import EARLIEST, LATEST

EPOCH = np.datetime64("1970-01-01", "D")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The check's remembered verdicts in this test's folder, not the user's cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "joinedup" / "checked-lakes"


@pytest.fixture
def lake(tiny_lake: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "lake"
    shutil.copytree(tiny_lake, copy)
    return copy


def days(text: str) -> int:
    """Days from 1970-01-01 to an ISO date numpy reads and Python may not (10000-01-01)."""
    return int((np.datetime64(text, "D") - EPOCH).astype(int))


def set_raw(lake: Path, table: str, column: str, raw: int, kind: pa.DataType) -> None:
    """Overwrite the first row's `column` with a raw integer of a date or instant type."""
    path = lake / f"{table}.parquet"
    data = pq.read_table(path)
    index = data.schema.get_field_index(column)
    storage = pa.int32() if kind == pa.date32() else pa.int64()
    values = data.column(index).cast(storage).to_pylist()
    values[0] = raw
    data = data.set_column(index, data.field(index), pa.array(values, storage).cast(kind))
    pq.write_table(data, path)


def lake_check(path: Path) -> Done:
    return run("lake", "check", str(path), var=path.parent / "var")


INSTANT = pa.timestamp("us", tz="UTC")
DAY_US = 86_400 * 1_000_000
OUT_OF_RANGE = [
    ("person", "birth_date", days("10000-01-01"), pa.date32(), "10000-01-01"),
    ("person", "death_date", days("-0001-06-01"), pa.date32(), "-001-06-01"),
    ("ae_attendance", "arrival", days("10000-01-01") * DAY_US, INSTANT, "10000-01-01T00:00"),
    ("referral", "received_at", days("-0001-06-01") * DAY_US, INSTANT, "-001-06-01T00:00"),
    ("hospital_spell", "admission_date", days("1799-12-31"), pa.date32(), "1799-12-31"),
]


@pytest.mark.parametrize(("table", "column", "raw", "kind", "shown"), OUT_OF_RANGE)
def test_dates_python_cannot_hold_are_refused_by_lake_check(
    lake: Path, table: str, column: str, raw: int, kind: pa.DataType, shown: str
) -> None:
    set_raw(lake, table, column, raw, kind)
    line = one_error_line(lake_check(lake))
    assert f"{table}.{column}: expected " in line
    assert f"from {EARLIEST} to {LATEST}, found 1 outside, e.g. {shown}" in line


def test_the_window_holds_its_first_and_last_days(lake: Path) -> None:
    set_raw(lake, "person", "birth_date", days("1800-01-01"), pa.date32())
    set_raw(lake, "ae_attendance", "arrival", (days("2201-01-01")) * DAY_US - 1, INSTANT)
    report = check_lake(lake)
    assert report.ok, report.problems


def test_load_refuses_a_year_10000(lake: Path, tmp_path: Path) -> None:
    set_raw(lake, "person", "birth_date", days("10000-01-01"), pa.date32())
    done = run_installed("load", str(lake), var=migrated(tmp_path / "var"))
    line = one_error_line(done)
    assert "person.birth_date: expected dates from 1800-01-01" in line
    assert "e.g. 10000-01-01" in line


def damage_page(file: Path, column: str) -> None:
    """Flip bytes in the middle of `column`'s first data page, in place: the footer (and so
    the file's size and schema) stays valid; only decoding that page fails."""
    metadata = pq.ParquetFile(file).metadata
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    chunk = metadata.row_group(0).column(names.index(column))
    start = chunk.data_page_offset
    end = (chunk.dictionary_page_offset or start) + chunk.total_compressed_size
    middle = (start + end) // 2
    data = bytearray(file.read_bytes())
    data[middle : middle + 4] = bytes(b ^ 0xFF for b in data[middle : middle + 4])
    file.write_bytes(bytes(data))
    assert pq.ParquetFile(file).metadata.num_rows == metadata.num_rows  # footer intact
    with pytest.raises((OSError, pa.ArrowException)):
        pq.read_table(file)


def test_a_damaged_data_page_is_found_by_lake_check(lake: Path) -> None:
    damage_page(lake / "contact.parquet", "person_id")
    line = one_error_line(lake_check(lake))
    assert "contact.person_id: expected readable data pages in contact.parquet, found " in line
    assert "row group 0 unreadable (" in line


def test_a_damaged_page_in_a_folder_table_names_the_file(lake: Path) -> None:
    table = pq.read_table(lake / "contact.parquet")
    (lake / "contact.parquet").unlink()
    (lake / "contact").mkdir()
    pq.write_table(table.slice(0, 4), lake / "contact" / "part-0.parquet", compression="zstd")
    pq.write_table(table.slice(4), lake / "contact" / "part-1.parquet", compression="zstd")
    damage_page(lake / "contact" / "part-1.parquet", "contact_id")
    problems = [str(p) for p in check_lake(lake).problems]
    assert len(problems) == 1
    assert problems[0].startswith(
        "contact.contact_id: expected readable data pages in contact/part-1.parquet"
    )


def test_a_stray_file_in_a_folder_table_is_refused(lake: Path) -> None:
    table = pq.read_table(lake / "contact.parquet")
    (lake / "contact.parquet").unlink()
    (lake / "contact").mkdir()
    pq.write_table(table, lake / "contact" / "part-0.parquet")
    (lake / "contact" / "_SUCCESS").write_text("")  # skipped by every reader
    assert check_lake(lake).ok
    (lake / "contact" / "notes.txt").write_text("rows from the GP feed")
    assert [str(p) for p in check_lake(lake).problems] == [
        "contact: expected only Parquet files in contact/, found contact/notes.txt"
    ]


def test_metrics_refuses_a_damaged_page_in_one_line(lake: Path, tmp_path: Path) -> None:
    damage_page(lake / "contact.parquet", "person_id")
    out = tmp_path / "m.csv"
    line = one_error_line(
        run("metrics", "--lake", str(lake), "--period", "year", "--out", str(out), var=tmp_path)
    )
    assert line.startswith(f"error: {lake}: contact.person_id: expected readable data pages")
    assert not out.exists()


def test_risk_score_refuses_a_damaged_page_in_one_line(
    lake: Path, risk_model: Path, tmp_path: Path
) -> None:
    damage_page(lake / "hospital_spell.parquet", "admission_date")
    out = tmp_path / "scores.parquet"
    done = run("risk", "score", "--lake", str(lake), "--model", str(risk_model),
               "--as-of", "2024-04-01", "--out", str(out), var=tmp_path / "var")  # fmt: skip
    line = one_error_line(done)
    assert "hospital_spell.admission_date: expected readable data pages" in line
    assert not out.exists()


def test_outcomes_refresh_refuses_a_damaged_page(lake: Path, tmp_path: Path) -> None:
    damage_page(lake / "contact.parquet", "contact_date")
    done = run_installed("outcomes", "refresh", "--lake", str(lake), var=migrated(tmp_path / "v"))
    assert "contact.contact_date: expected readable data pages" in one_error_line(done)


def test_a_lake_that_passed_is_remembered_by_its_content(
    lake: Path, _own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import joinedup.lake.reader as reader

    checks: list[Path] = []
    real: Callable[..., object] = reader.check_lake

    def counted(path: Path, *args: object) -> object:
        checks.append(path)
        return real(path, *args)

    monkeypatch.setattr(reader, "check_lake", counted)
    monkeypatch.setattr(reader, "_PASSED", set())
    open_lake(lake)
    assert len(checks) == 1 and len(list(_own_cache.iterdir())) == 1
    reader._PASSED.clear()  # a new process: the marker file alone
    open_lake(lake)
    assert len(checks) == 1
    with monkeypatch.context() as changed:  # a new version of the check: checked again
        changed.setattr(reader, "_rules", lambda: "another-version")
        open_lake(lake)
    assert len(checks) == 2 and len(list(_own_cache.iterdir())) == 2

    # Damaged in place, keeping its size and times: a new fingerprint, checked again.
    file = lake / "contact.parquet"
    times = file.stat()
    damage_page(file, "person_id")
    os.utime(file, ns=(times.st_atime_ns, times.st_mtime_ns))
    with pytest.raises(LakeError, match=r"contact\.person_id: expected readable data pages"):
        open_lake(lake)
    assert len(checks) == 3 and len(list(_own_cache.iterdir())) == 2  # the failure not kept


def test_lake_check_always_checks_and_remembers_a_pass(lake: Path, _own_cache: Path) -> None:
    assert lake_check(lake).returncode == 0
    assert lake_check(lake).returncode == 0  # checked in full again: it is what it is for
    assert len(list(_own_cache.iterdir())) == 1  # found checked by the commands after it


def test_a_changed_value_that_still_decodes_is_caught_by_its_page_checksum(lake: Path) -> None:
    """Uncompressed and plain, so one changed byte is a changed value, not a broken page."""
    path = lake / "contact.parquet"
    pq.write_table(
        pq.read_table(path),
        path,
        compression="none",
        use_dictionary=False,
        write_page_checksum=True,
    )
    metadata = pq.ParquetFile(path).metadata
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    chunk = metadata.row_group(0).column(names.index("contact_id"))
    last = chunk.data_page_offset + chunk.total_compressed_size - 1  # the last id's last byte
    data = bytearray(path.read_bytes())
    data[last] ^= 0x01
    path.write_bytes(bytes(data))
    changed = pq.read_table(path)["contact_id"].to_pylist()
    assert len(set(changed)) == len(changed)  # it decodes, ids still unique: only a checksum knows
    line = one_error_line(lake_check(lake))
    assert "contact" in line and "contact.parquet" in line


def test_the_lakes_joinedup_writes_carry_page_checksums(lake: Path, tmp_path: Path) -> None:
    """A checksum adds a field to each page's header: the same rows without it are smaller."""
    table = pq.read_table(lake / "contact.parquet")
    pq.write_table(table, tmp_path / "plain.parquet", compression="zstd", row_group_size=1_000_000)
    assert (lake / "contact.parquet").stat().st_size > (tmp_path / "plain.parquet").stat().st_size
