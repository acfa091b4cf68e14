"""Where a lake's tables are on disk: one Parquet file, or a folder of them, per table.

Its own module because both the reader (what it checks) and the fingerprint (what it hashes)
must agree on exactly which files make a table: a check cached by the fingerprint is only
sound if the fingerprint covers every file the check read.
"""

from __future__ import annotations

from pathlib import Path


def table_path(lake: Path, name: str) -> Path | None:
    """<lake>/<name>.parquet or a folder <lake>/<name>/ of Parquet files; None when absent."""
    file = lake / f"{name}.parquet"
    if file.is_file():
        return file
    folder = lake / name
    if folder.is_dir():
        return folder
    return None


def table_files(path: Path) -> list[Path]:
    """The Parquet files of a table found by table_path, in a fixed order."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.parquet") if p.is_file())


def stray_files(path: Path) -> list[Path]:
    """Files in a table's folder that are not Parquet, yet that a folder reader would open
    (those whose names start with '.' or '_', such as _SUCCESS, are skipped by every reader)."""
    if path.is_file():
        return []
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix != ".parquet"
        and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
    )


def parquet_files(path: Path) -> str:
    """A table's file, or the glob of a folder table's files, for engines that read globs."""
    return str(path / "*.parquet") if path.is_dir() else str(path)
