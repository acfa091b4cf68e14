"""docs/security.md's role tables are rendered from the permission table and must match it.

Regenerate them with `make docs` (JOINEDUP_WRITE_DOCS=1 runs these tests).
"""

from __future__ import annotations

import os
from pathlib import Path

from joinedup.access.capabilities import role_tables
from joinedup.access.professions import Profession

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
START = "<!-- role tables: rendered by joinedup.access.capabilities.role_tables"
END = "<!-- end of role tables -->"


def documented() -> str:
    text = DOC.read_text()
    start = text.index("\n", text.index(START)) + 1
    return text[start : text.index(END, start)]


def test_the_role_tables_are_the_permission_tables() -> None:
    if os.environ.get("JOINEDUP_WRITE_DOCS"):
        DOC.write_text(DOC.read_text().replace(documented(), role_tables()))
    assert documented() == role_tables(), "docs/security.md has drifted: run `make docs`"


def test_each_profession_is_in_one_row_of_the_profession_table() -> None:
    rows = role_tables().split("\n\n")[1].splitlines()[2:]
    named = [name.strip().lower() for row in rows for name in row.split("|")[1].split(",")]
    assert sorted(named) == sorted(p.label.lower() for p in Profession)
