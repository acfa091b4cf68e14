"""`joinedup lake check` and the reader: a valid lake passes, every kind of breach is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from command_line import Done, run
from joinedup.lake import TABLES, LakeError, check_lake, open_lake


def lake_check(path: Path) -> Done:
    """`joinedup lake check PATH`, as a user runs it."""
    return run("lake", "check", str(path), var=path.parent / "var")


@pytest.fixture
def lake(tiny_lake: Path, tmp_path: Path) -> Path:
    """A private copy of the valid tiny lake, free to break."""
    copy = tmp_path / "lake"
    shutil.copytree(tiny_lake, copy)
    return copy


def rewrite(lake: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    path = lake / f"{name}.parquet"
    pq.write_table(change(pq.read_table(path)), path)


def test_valid_lake_passes_and_summarises(lake: Path) -> None:
    report = check_lake(lake)
    assert report.ok, report.problems
    assert set(report.rows) == set(TABLES)
    assert report.rows["person"] > 0
    result = lake_check(lake)
    assert result.returncode == 0, result.stderr
    assert "observation window" in result.stdout
    assert "person" in result.stdout


def test_missing_table_is_named(lake: Path) -> None:
    (lake / "episode.parquet").unlink()
    result = lake_check(lake)
    assert result.returncode == 2
    assert "episode: expected episode.parquet or episode/, found nothing" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_column_type_names_table_column_expected_and_found(lake: Path) -> None:
    def to_string(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("admission_date")
        return t.set_column(i, "admission_date", t.column(i).cast(pa.string()))

    rewrite(lake, "hospital_spell", to_string)
    result = lake_check(lake)
    assert result.returncode == 2
    line = [x for x in result.stderr.splitlines() if "hospital_spell.admission_date" in x]
    assert line and "expected date32[day], found string" in line[0]


def test_missing_column_and_extra_column(lake: Path) -> None:
    rewrite(
        lake,
        "person",
        lambda t: t.drop_columns(["sex"]).append_column("shoe_size", pa.array([9] * t.num_rows)),
    )
    problems = [str(p) for p in check_lake(lake).problems]
    assert problems == ["person.sex: expected string, found no such column"]


def test_corrupt_parquet(lake: Path) -> None:
    (lake / "contact.parquet").write_bytes(b"PAR1 this is not parquet")
    result = lake_check(lake)
    assert result.returncode == 2
    assert "contact: expected readable Parquet, found unreadable" in result.stderr


def test_unknown_enum_value_and_range(lake: Path) -> None:
    def bad(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("discharge_pathway")
        values = t.column(i).to_pylist()
        values[0] = 7
        return t.set_column(i, "discharge_pathway", pa.array(values, pa.int8()))

    rewrite(lake, "hospital_spell", bad)

    def bad_sex(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("sex")
        values = t.column(i).to_pylist()
        values[0] = "F"
        return t.set_column(i, "sex", pa.array(values, pa.string()))

    rewrite(lake, "person", bad_sex)
    problems = [str(p) for p in check_lake(lake).problems]
    assert any(
        p.startswith("hospital_spell.discharge_pathway: expected values 0..3, found")
        for p in problems
    )
    assert "person.sex: expected one of {female, male, other, unknown}, found 'F'" in problems


def test_dangling_key_and_null_required(lake: Path) -> None:
    def dangle(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("person_id")
        values = t.column(i).to_pylist()
        values[0] = "nobody"
        return t.set_column(i, "person_id", pa.array(values, pa.string()))

    rewrite(lake, "contact", dangle)

    def null_birth(t: pa.Table) -> pa.Table:
        i = t.schema.get_field_index("birth_date")
        values = t.column(i).to_pylist()
        values[0] = None
        return t.set_column(i, "birth_date", pa.array(values, pa.date32()))

    rewrite(lake, "person", null_birth)
    problems = [str(p) for p in check_lake(lake).problems]
    assert (
        "contact.person_id: expected ids present in person.person_id, "
        "found 1 dangling, e.g. 'nobody'" in problems
    )
    assert "person.birth_date: expected no nulls, found 1 null value(s)" in problems


def test_bad_manifest(lake: Path) -> None:
    data = json.loads((lake / "manifest.json").read_text())
    data["observation_end"] = "31/03/2025"
    (lake / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(LakeError) as caught:
        open_lake(lake)
    assert "observation_end expected a date YYYY-MM-DD, found '31/03/2025'" in str(caught.value)


def test_partitioned_table_folder_is_read(lake: Path) -> None:
    table = pq.read_table(lake / "contact.parquet")
    (lake / "contact.parquet").unlink()
    (lake / "contact").mkdir()
    half = table.num_rows // 2
    pq.write_table(table.slice(0, half), lake / "contact" / "part-0.parquet")
    pq.write_table(table.slice(half), lake / "contact" / "part-1.parquet")
    report = check_lake(lake)
    assert report.ok, report.problems
    assert report.rows["contact"] == table.num_rows


def test_not_a_folder(tmp_path: Path) -> None:
    result = lake_check(tmp_path / "nowhere")
    assert result.returncode == 2
    assert "expected a folder" in result.stderr
