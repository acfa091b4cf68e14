"""Every command that writes a file or folder, at a place it cannot write or over something
joinedup did not write: one line on stderr, exit code 2, no staging left behind and nothing
deleted; and `--overwrite` replacing what joinedup itself wrote (issue 18).

`joinedup extract` writes too; it needs a loaded database, so its cases are in
test_extract.py, beside its other command-line tests.
"""

from __future__ import annotations

import csv
import os
import re
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from command_line import INSTALLED, one_error_line, run
from joinedup.output_files import PARQUET_KIND
from unwritable import NO_NEW_FILES, staging_left, unwritable_folder

pytestmark = pytest.mark.engines  # no database: run once

SMALL = ["--people", "2000", "--neighbourhoods", "2", "--end", "2020-03-31", "--seed", "5"]
Args = Callable[[Path, Path], list[str]]  # (lake, out) -> the command's arguments

# Each command that writes: the name of what it writes at --out, and its arguments. The
# model file a scoring or report names need not exist: --out is checked before it is read.
WRITERS: dict[str, tuple[str, Args]] = {
    "generate": ("city", lambda lake, out: ["generate", "--out", str(out), *SMALL]),
    "metrics": (
        "metrics.csv",
        lambda lake, out: ["metrics", "--lake", str(lake), "--period", "year", "--out", str(out)],
    ),
    "risk train": (
        "model.json",
        lambda lake, out: ["risk", "train", "--lake", str(lake), "--as-of", "2023-04-01",
                           "--out", str(out)],
    ),
    "risk score": (
        "scores.parquet",
        lambda lake, out: ["risk", "score", "--lake", str(lake), "--as-of", "2023-04-01",
                           "--model", str(lake / "model.json"), "--out", str(out)],
    ),
    "risk report": (
        "report.html",
        lambda lake, out: ["risk", "report", "--lake", str(lake), "--as-of", "2023-04-01",
                           "--model", str(lake / "model.json"), "--out", str(out)],
    ),
}  # fmt: skip


def _writing(command: str, lake: Path, out: Path, *more: str) -> str:
    """The one line `command` refuses with, writing at `out`."""
    return one_error_line(run(*WRITERS[command][1](lake, out), *more, var=out.parent / "var"))


@pytest.mark.parametrize("command", WRITERS)
def test_an_out_nobody_may_write_is_one_line_and_leaves_nothing(
    command: str, tiny_lake: Path, tmp_path: Path
) -> None:
    name = WRITERS[command][0]
    folder = unwritable_folder(tmp_path)
    args = WRITERS[command][1](tiny_lake, folder / name)
    line = one_error_line(run(*args, var=tmp_path / "var"))
    assert f"--out: cannot write {folder / name}: permission denied; nothing was written" in line
    line = one_error_line(run(*WRITERS[command][1](tiny_lake, NO_NEW_FILES / name),
                              var=tmp_path / "var"))  # fmt: skip
    assert f"--out: cannot write {NO_NEW_FILES / name}: /proc takes no new files" in line
    assert staging_left(folder, tmp_path, tiny_lake) == []


def _someone_s(out: Path, *, folder: bool) -> Path:
    """Someone's work at `out`: a folder holding their thesis, or the thesis itself."""
    if folder:
        out.mkdir()
        out = out / "thesis.docx"
    out.write_text("four years of work")
    return out


@pytest.mark.parametrize("command", WRITERS)
def test_an_out_of_the_wrong_kind_is_refused_and_left_alone(
    command: str, tiny_lake: Path, tmp_path: Path
) -> None:
    out = tmp_path / WRITERS[command][0]
    kept = _someone_s(out, folder=command != "generate")  # a file where a folder goes, or not
    expected = "is a file, not a folder for a lake" if command == "generate" else "is a folder"
    for more in ([], ["--overwrite"]):
        assert expected in _writing(command, tiny_lake, out, *more)
    assert kept.read_text() == "four years of work"
    assert staging_left(tmp_path) == []


@pytest.mark.parametrize("command", WRITERS)
def test_overwrite_never_replaces_what_joinedup_did_not_write(
    command: str, tiny_lake: Path, tmp_path: Path
) -> None:
    out = tmp_path / WRITERS[command][0]
    kept = _someone_s(out, folder=command == "generate")
    line = _writing(command, tiny_lake, out)
    assert "already exists" in line and "(use --overwrite to replace it)" in line
    line = _writing(command, tiny_lake, out, "--overwrite")
    assert re.search(r"--out: .* is not an? .* joinedup wrote, and --overwrite replaces", line)
    assert line.endswith("only that: nothing was deleted")
    assert kept.read_text() == "four years of work"
    assert staging_left(tmp_path) == []


def test_a_report_never_replaces_figures_joinedup_did_not_write(
    tiny_lake: Path, tmp_path: Path
) -> None:
    figures = tmp_path / "report.json"
    figures.write_text('{"my": "figures"}')
    line = _writing("risk report", tiny_lake, tmp_path / "report.html", "--overwrite")
    assert "report.json is not a risk report's figures joinedup wrote" in line
    assert figures.read_text() == '{"my": "figures"}'
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("command", WRITERS)
def test_the_help_says_what_overwrite_replaces(command: str, tmp_path: Path) -> None:
    shown = run(*command.split(), "--help", var=tmp_path).stdout
    words = " ".join(shown.replace("│", " ").split())
    assert "--overwrite" in words
    assert "only if joinedup wrote it; anything else there is refused and nothing is deleted" in (
        words
    )


def test_generate_overwrite_replaces_a_lake_joinedup_wrote(tiny_lake: Path) -> None:
    assert (tiny_lake / "episode.parquet").is_file()
    done = run("generate", "--out", str(tiny_lake), "--overwrite", *SMALL,
               var=tiny_lake.parent / "var")  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = (tiny_lake / "manifest.json").read_text()
    assert '"people": 2000' in manifest and '"source": "tests"' not in manifest
    assert (tiny_lake / "truth").is_dir()  # the city's own folder, whole
    assert staging_left(tiny_lake.parent) == []


def test_metrics_replace_their_own_file_only_when_asked(tiny_lake: Path, tmp_path: Path) -> None:
    for name in ("m.csv", "m.parquet"):
        out = tmp_path / name
        args = WRITERS["metrics"][1](tiny_lake, out)
        assert run(*args, var=tmp_path / "var").returncode == 0
        first = out.read_bytes()
        assert "already exists" in one_error_line(run(*args, var=tmp_path / "var"))
        out.write_bytes(first[: len(first) // 2] if name.endswith(".csv") else first)
        done = run(*args, "--overwrite", var=tmp_path / "var")
        assert done.returncode == 0, done.stderr
        assert out.read_bytes() == first
    with open(tmp_path / "m.csv", newline="") as file:
        assert next(csv.reader(file))[0] == "metric"
    metadata = pq.read_schema(tmp_path / "m.parquet").metadata
    assert metadata[PARQUET_KIND.encode()] == b"metrics"
    assert staging_left(tmp_path) == []


def _file_size_limit(limit: int) -> Callable[[], None]:
    def limited() -> None:  # in the child, before joinedup starts
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


@pytest.mark.parametrize("command", ["generate", "metrics"])
def test_a_write_the_system_cuts_short_is_one_line_and_leaves_nothing(
    command: str, tiny_lake: Path, tmp_path: Path
) -> None:
    """The installed command with a limit on the size of any file it writes (RLIMIT_FSIZE):
    the kernel refuses the write past it (EFBIG) part way through, as a full disk does."""
    out = tmp_path / WRITERS[command][0].replace(".csv", ".parquet")
    args = WRITERS[command][1](tiny_lake, out)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOINEDUP_")}
    done = subprocess.run(
        [str(INSTALLED), *args],
        capture_output=True,
        text=True,
        env={**environment, "JOINEDUP_VAR_DIR": str(tmp_path / "var"), "COLUMNS": "200"},
        preexec_fn=_file_size_limit(2_000),
        check=False,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr
    *bars, line = [line for line in done.stderr.splitlines() if line.strip()]
    assert all("━" in bar for bar in bars), done.stderr  # the work's progress, then one line
    assert line == (
        f"error: --out: cannot write {out}: the file would be larger than this system allows; "
        "nothing was written"
    )
    assert not out.exists()
    assert staging_left(tmp_path) == []
