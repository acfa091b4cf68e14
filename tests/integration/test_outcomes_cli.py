"""`joinedup outcomes refresh` end to end, in subprocesses with their own var/ folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from command_line import migrated, run_installed

COUNT = (
    "from joinedup.outcomes.models import OutcomeResult, OutcomeRun; "
    "print(OutcomeRun.objects.count(), OutcomeResult.objects.count())"
)


def stored(var: Path) -> str:
    result = run_installed("manage", "shell", "-c", COUNT, var=var)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_refresh_stores_the_figures_and_a_bad_lake_changes_nothing(
    tmp_path: Path, tiny_lake: Path
) -> None:
    var = migrated(tmp_path / "var")
    first = run_installed("outcomes", "refresh", "--lake", str(tiny_lake), var=var)
    assert first.returncode == 0, first.stderr
    assert "Stored the outcome figures of" in first.stdout
    assert "5,472 monthly and 456 financial-year rows" in first.stdout
    assert stored(var) == "1 5928"
    assert "audit log intact: 1 events checked" in run_installed("audit", "verify", var=var).stdout

    broken = tmp_path / "broken"
    shutil.copytree(tiny_lake, broken)
    (broken / "person.parquet").write_bytes(b"not parquet at all")
    failed = run_installed("outcomes", "refresh", "--lake", str(broken), var=var)
    assert failed.returncode == 2
    assert "person: expected readable Parquet" in failed.stderr
    assert "Traceback" not in failed.stderr
    missing = run_installed("outcomes", "refresh", "--lake", str(tmp_path / "nowhere"), var=var)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: --lake: {tmp_path / 'nowhere'} is not a folder"
    ]
    assert stored(var) == "1 5928"  # the first figures, untouched
