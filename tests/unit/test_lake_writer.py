"""The lake writer: whole lakes or none, and only tables that fit the contract."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedup.lake import TABLES, LakeWriteError, staged_directory, write_table
from joinedup.lake.schema import empty_table
from joinedup.lake.writer import is_lake
from joinedup.output_files import OutputError


def neighbourhoods(ids: list[str | None]) -> pa.Table:
    return pa.table(
        {
            "neighbourhood_id": pa.array(ids, pa.string()),
            "name": pa.array([f"N {i}" for i in range(len(ids))]),
            "population": pa.array([100] * len(ids), pa.int64()),
        }
    )


def test_write_casts_to_contract_types(tmp_path: Path) -> None:
    path = write_table(tmp_path, "neighbourhood", neighbourhoods(["N1", "N2"]))
    schema = pq.read_schema(path)
    assert schema.field("population").type == pa.int32()
    assert schema.names == list(TABLES["neighbourhood"].column_names)


def test_null_in_required_column_refused(tmp_path: Path) -> None:
    with pytest.raises(LakeWriteError, match=r"neighbourhood.neighbourhood_id: 1 null value\(s\)"):
        write_table(tmp_path, "neighbourhood", neighbourhoods(["N1", None]))
    assert not (tmp_path / "neighbourhood.parquet").exists()


def test_missing_column_refused(tmp_path: Path) -> None:
    with pytest.raises(LakeWriteError, match="neighbourhood: missing column"):
        write_table(tmp_path, "neighbourhood", neighbourhoods(["N1"]).drop_columns(["name"]))


def test_uncastable_type_refused(tmp_path: Path) -> None:
    data = pa.table({"person_id": ["P1"], "birth_date": ["not a date"]})
    bad = empty_table("person").drop_columns(["person_id", "birth_date"])
    for name in bad.column_names:
        data = data.append_column(name, pa.nulls(1, bad.schema.field(name).type))
    with pytest.raises(
        LakeWriteError, match=r"person.birth_date: expected date32\[day\], found string"
    ):
        write_table(tmp_path, "person", data)


def test_staged_directory_leaves_nothing_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with pytest.raises(RuntimeError), staged_directory(out) as stage:
        write_table(stage, "neighbourhood", neighbourhoods(["N1"]))
        raise RuntimeError("generator failed half way")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_staged_directory_appears_whole(tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with staged_directory(out) as stage:
        write_table(stage, "neighbourhood", neighbourhoods(["N1"]))
        assert not out.exists()
    assert (out / "neighbourhood.parquet").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]


def test_staged_directory_refuses_non_empty_unless_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "lake"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with (
        pytest.raises(OutputError, match="already exists and is not empty"),
        staged_directory(out),
    ):
        pass
    assert (out / "keep.txt").read_text() == "x"
    (out / "manifest.json").write_text('{"schema_version": 1}')  # now a lake joinedup wrote
    with staged_directory(out, overwrite=True) as stage:
        (stage / "new.txt").write_text(dt.date.today().isoformat())
    assert [p.name for p in out.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]  # the old lake is gone


def test_overwrite_never_replaces_a_folder_that_is_not_a_lake(tmp_path: Path) -> None:
    out = tmp_path / "writing"
    out.mkdir()
    (out / "thesis.docx").write_text("four years of work")
    for manifest in (None, "not JSON", '["schema_version"]', '{"title": "my thesis"}'):
        if manifest is not None:
            (out / "manifest.json").write_text(manifest)
        with (
            pytest.raises(OutputError, match="is not a lake joinedup wrote") as refused,
            staged_directory(out, overwrite=True),
        ):
            raise AssertionError("never reached: refused before any staging")
        assert "nothing was deleted" in str(refused.value)
        assert (out / "thesis.docx").read_text() == "four years of work"
    assert [p.name for p in tmp_path.iterdir()] == ["writing"]
    assert not is_lake(out) and not is_lake(tmp_path / "missing")
