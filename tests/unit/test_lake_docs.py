"""docs/lake.md states the contract for readers without the code; it must match schema.py."""

from __future__ import annotations

import re
from pathlib import Path

from joinedup.lake.schema import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "lake.md"


def documented() -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {}
    current = ""
    for line in DOC.read_text().splitlines():
        if line.startswith("### "):
            current = line[4:].strip()
            tables[current] = {}
        elif current and (m := re.match(r"\| `(\w+)` \| ([^|]+) \| (yes|never) \|", line)):
            tables[current][m.group(1)] = f"{m.group(2).strip()} {m.group(3)}"
    return tables


def test_every_table_and_column_is_documented_with_its_type() -> None:
    expected = {
        name: {c.name: f"{c.type} {'yes' if c.nullable else 'never'}" for c in table.columns}
        for name, table in TABLES.items()
    }
    assert documented() == expected
