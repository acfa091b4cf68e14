"""A lake's fingerprint: which lake, exactly, was checked, loaded, refreshed or scored.

The operational database keeps the fingerprint of every lake loaded into it (a second load
of the same lake is refused), the outcome figures the one they were computed from, and a
scores file the one it was scored on, so scores whose ids are the lake's own (not
pseudonyms) are taken back only to the people of that very lake. The reader keys its
cache of lakes that passed the check by it (reader.open_lake), so it hashes every byte: a
lake whose files changed in any way, even keeping their sizes and times, is checked again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from joinedup.lake.layout import table_files, table_path
from joinedup.lake.manifest import MANIFEST_FILE
from joinedup.lake.schema import TABLE_ORDER


def lake_fingerprint(lake: Path) -> str:
    """SHA-256 over the manifest and every contract table's files (names, sizes and contents)."""
    lake = Path(lake)
    digest = hashlib.sha256()
    digest.update((lake / MANIFEST_FILE).read_bytes())
    for name in TABLE_ORDER:
        path = table_path(lake, name)
        if path is None:
            continue
        for file in table_files(path):
            digest.update(
                f"\n{file.relative_to(lake).as_posix()}\n{file.stat().st_size}\n".encode()
            )
            with file.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
    return digest.hexdigest()
