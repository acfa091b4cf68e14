"""String ids made by Arrow compute (prefix + number), never by a Python loop over rows.

Ids are the row's position plus one, zero-padded to a fixed width so that they sort in the
order the generator made them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


def make_ids(prefix: str, count: int, width: int | None = None, start: int = 0) -> pa.Array:
    """Ids of rows start..start+count-1: prefix + (row + 1), zero-padded to `width` digits."""
    digits = width if width is not None else max(1, len(str(start + count)))
    return format_ids(prefix, np.arange(start, start + count, dtype=np.int64), digits)


def format_ids(prefix: str, rows: npt.NDArray[np.integer], width: int) -> pa.Array:
    """Ids of these row numbers (prefix + row + 1, zero-padded), null where a row is negative."""
    rows = np.asarray(rows, dtype=np.int64)
    numbers = pc.cast(pa.array(rows + 1, mask=rows < 0), pa.string())
    padded = pc.utf8_lpad(numbers, width=width, padding="0")
    return pc.binary_join_element_wise(prefix, padded, "")


def id_width(people: int) -> int:
    """Digits for event ids of a city of this size: room for a hundred events a person."""
    return len(str(max(people, 1) * 100))


def take_ids(ids: pa.Array, index: npt.NDArray[np.integer]) -> pa.Array:
    """ids[index] with null wherever index is negative (an absent reference)."""
    positions = pa.array(np.asarray(index, dtype=np.int64), mask=np.asarray(index) < 0)
    return pc.take(ids, positions)
