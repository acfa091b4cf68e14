"""joinedup.output_files on real files: an output appears whole or not at all, a place that
cannot be written is one refusal naming the field, and an existing output is replaced only
when asked and only when joinedup wrote it (issue 18)."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedup.lake.writer import LAKE
from joinedup.output_files import (
    Kind,
    OutputError,
    check_target,
    json_kind,
    marked,
    parquet_kind,
    staged_files,
    staged_folder,
    text_kind,
    write_file,
)
from unwritable import NO_NEW_FILES, staging_left, unwritable_folder

DOCUMENT = json_kind("a test document", "joinedup-test")
CSV = text_kind("a test CSV", "a,b,c", first_line=True)
PAGE = text_kind("a test page", '<meta name="generator" content="joinedup test">')
PARQUET = parquet_kind("a test Parquet file", "test")
TABLE = pa.table({"a": [1, 2]})


def _json(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text)


# Each kind: a file joinedup wrote, and files it did not (same suffix, other content).
OURS_AND_THEIRS: list[
    tuple[Kind, str, Callable[[Path], object], list[Callable[[Path], object]]]
] = [
    (
        DOCUMENT,
        "doc.json",
        _json('{"format": "joinedup-test", "figures": [1]}'),
        [_json('{"format": "thesis"}'), _json("[1, 2]"), _json("not JSON at all")],
    ),
    (
        CSV,
        "table.csv",
        _json("a,b,c\r\n1,2,3\r\n"),
        [_json("a,b\r\n1,2\r\n"), _json("title\na,b,c\n"), _json("a,b,c,d\n")],
    ),
    (
        PAGE,
        "page.html",
        _json('<!DOCTYPE html><head><meta name="generator" content="joinedup test"></head>'),
        [_json("<!DOCTYPE html><h1>My thesis</h1>"), _json('<meta name="generator" content="x">')],
    ),
    (
        PARQUET,
        "table.parquet",
        lambda path: pq.write_table(marked(TABLE, PARQUET), path),
        [
            lambda path: pq.write_table(TABLE, path),
            lambda path: pq.write_table(
                TABLE.replace_schema_metadata({"joinedup.kind": "x"}), path
            ),
            _json("PAR1 but not Parquet"),
        ],
    ),
]


def test_a_file_appears_whole_and_nothing_stays_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "doc.json"

    def write(stage: Path) -> None:
        assert stage.parent == tmp_path and stage.name.endswith(".partial")
        stage.write_text('{"format": "joinedup-test"}')
        assert not out.exists()  # a reader sees nothing until it is whole

    write_file(out, DOCUMENT, write)
    assert json.loads(out.read_text()) == {"format": "joinedup-test"}
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # as any file the user makes


@pytest.mark.parametrize("failure", [RuntimeError("half way"), KeyboardInterrupt()])
def test_a_failed_or_interrupted_write_leaves_what_was_there(
    tmp_path: Path, failure: BaseException
) -> None:
    out = tmp_path / "doc.json"
    out.write_text('{"format": "joinedup-test", "run": 1}')
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "manifest.json").write_text('{"schema_version": 1}')

    def fail(stage: Path) -> None:
        (stage / "person.parquet" if stage.is_dir() else stage).write_text("half")
        raise failure

    with pytest.raises(type(failure)):
        write_file(out, DOCUMENT, fail, overwrite=True)
    with pytest.raises(type(failure)), staged_folder(lake, LAKE, overwrite=True) as stage:
        fail(stage)
    assert out.read_text() == '{"format": "joinedup-test", "run": 1}'
    assert [p.name for p in lake.iterdir()] == ["manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json", "lake"]


def _fill_the_disk(stage: Path) -> None:
    """Write into the stage, then meet a full disk: /dev/full answers every write with
    ENOSPC from the kernel. Opened without O_CREAT (and never through a library that removes
    its target on failure, as pyarrow does), so /dev/full is never touched."""
    (stage / "person.parquet" if stage.is_dir() else stage).write_text("the first rows")
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        os.write(full, b"the rest of the rows")
    finally:
        os.close(full)


def test_a_full_disk_is_one_refusal_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as refused:
        write_file(tmp_path / "doc.json", DOCUMENT, _fill_the_disk)
    assert refused.value.field == "out"
    assert str(refused.value) == (
        f"out: cannot write {tmp_path / 'doc.json'}: the disk is full; nothing was written"
    )
    with (
        pytest.raises(OutputError, match="the disk is full"),
        staged_folder(tmp_path / "lake", LAKE) as stage,
    ):
        _fill_the_disk(stage)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "the file system is read-only"),
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk quota is used up"),
        (errno.EFBIG, "the file would be larger than this system allows"),
        (errno.EIO, "input/output error"),
    ],
)
def test_each_write_error_is_said_in_words(tmp_path: Path, code: int, words: str) -> None:
    def fail(stage: Path) -> None:
        stage.write_text("half")
        raise OSError(code, os.strerror(code), str(stage))  # as open() or write() raise it

    with pytest.raises(OutputError, match=f"cannot write .*: {words}; nothing was written"):
        write_file(tmp_path / "doc.json", DOCUMENT, fail, field="model")
    assert list(tmp_path.iterdir()) == []


def test_an_error_reading_an_input_is_not_taken_for_a_failed_write(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_file(tmp_path / "doc.json", DOCUMENT, lambda _: (tmp_path / "input").read_text())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", [DOCUMENT, LAKE], ids=["file", "folder"])
def test_a_folder_nobody_may_write_is_refused_before_any_work(tmp_path: Path, kind: Kind) -> None:
    folder = unwritable_folder(tmp_path)
    with pytest.raises(OutputError, match="permission denied; nothing was written") as refused:
        check_target(folder / "joinedup-out", kind)
    assert refused.value.field == "out"
    with pytest.raises(OutputError, match=f"{NO_NEW_FILES} takes no new files"):
        check_target(NO_NEW_FILES / "joinedup-out", kind)
    assert staging_left(folder, tmp_path) == []


def test_the_wrong_kind_of_place_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "doc.json"
    folder.mkdir()
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    cases = [
        (folder, DOCUMENT, "is a folder, not a file for a test document"),
        (file, LAKE, "is a file, not a folder for a lake"),
        (tmp_path / "missing" / "doc.json", DOCUMENT, "the folder .*missing does not exist"),
        (file / "doc.json", DOCUMENT, "notes.txt is not a folder"),
        (file / "lake", LAKE, "notes.txt is not a folder"),
        (Path("/dev/null"), DOCUMENT, "/dev/null is not an ordinary file"),
    ]
    for path, kind, message in cases:
        for overwrite in (False, True):
            with pytest.raises(OutputError, match=message):
                check_target(path, kind, overwrite=overwrite)
    assert file.read_text() == "mine" and list(folder.iterdir()) == []


def test_a_lake_s_missing_folders_are_made(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "lake"
    with staged_folder(out, LAKE) as stage:
        (stage / "manifest.json").write_text('{"schema_version": 1}')
    assert [p.name for p in out.iterdir()] == ["manifest.json"]


@pytest.mark.parametrize(
    ("kind", "name", "ours", "theirs"), OURS_AND_THEIRS, ids=lambda v: getattr(v, "name", "")
)
def test_an_output_is_replaced_only_when_asked_and_only_if_joinedup_wrote_it(
    tmp_path: Path,
    kind: Kind,
    name: str,
    ours: Callable[[Path], object],
    theirs: list[Callable[[Path], object]],
) -> None:
    out = tmp_path / name
    new = (tmp_path / "new").resolve()
    ours(new)
    for write in theirs:
        write(out)
        before = out.read_bytes()
        assert not kind.recognise(out)
        with pytest.raises(OutputError, match=r"already exists \(use overwrite to replace it\)"):
            write_file(out, kind, ours)
        with pytest.raises(
            OutputError, match=f"is not {kind.name} joinedup wrote.*nothing was deleted"
        ) as refused:
            write_file(out, kind, ours, overwrite=True)
        assert refused.value.naming(lambda f: f"--{f}").startswith("--out: ")
        assert out.read_bytes() == before
    ours(out)
    assert kind.recognise(out)
    with pytest.raises(OutputError, match="already exists"):
        write_file(out, kind, ours)
    out.write_bytes(b"")  # an empty file loses nothing: replaced without asking
    write_file(out, kind, ours)
    write_file(out, kind, lambda stage: stage.write_bytes(new.read_bytes()), overwrite=True)
    assert out.read_bytes() == new.read_bytes()
    assert staging_left(tmp_path) == []


def test_several_files_are_checked_before_any_is_written(tmp_path: Path) -> None:
    page, figures = tmp_path / "report.html", tmp_path / "report.json"
    figures.write_text("my own notes")
    targets = [(figures, DOCUMENT), (page, PAGE)]
    with (
        pytest.raises(OutputError, match=r"report\.json is not a test document"),
        staged_files(targets, overwrite=True),
    ):
        raise AssertionError("no staging is made when a target is refused")
    assert figures.read_text() == "my own notes" and not page.exists()
    figures.unlink()
    with staged_files(targets) as (figures_stage, page_stage):
        figures_stage.write_text('{"format": "joinedup-test"}')
        page_stage.write_text('<meta name="generator" content="joinedup test">')
    assert DOCUMENT.recognise(figures) and PAGE.recognise(page)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]


def test_what_appears_at_the_place_while_writing_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with (
        pytest.raises(OutputError, match="already exists and is not empty"),
        staged_folder(out, LAKE) as stage,
    ):
        (stage / "manifest.json").write_text('{"schema_version": 1}')
        out.mkdir()  # someone's folder, made while the lake was being written
        (out / "thesis.docx").write_text("four years of work")
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]

    doc = tmp_path / "doc.json"

    def write_while_someone_saves(stage: Path) -> None:
        stage.write_text('{"format": "joinedup-test"}')
        doc.write_text("my notes")

    with pytest.raises(OutputError, match="is not a test document joinedup wrote"):
        write_file(doc, DOCUMENT, write_while_someone_saves, overwrite=True)
    assert doc.read_text() == "my notes"
    assert staging_left(tmp_path) == []
