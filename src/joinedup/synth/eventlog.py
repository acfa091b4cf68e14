"""A table under construction: numpy columns that grow as rows are appended and can be updated.

Events are appended month by month and some are changed later (a spell's discharge is set
when it happens; a package is closed when its person dies), so rows live in preallocated
arrays that double when full, with compact dtypes chosen per column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


class EventLog:
    """Columns of one kind of event; `append` returns the new rows' positions."""

    def __init__(self, columns: dict[str, Any], fill: dict[str, Any] | None = None):
        self._dtypes = {name: np.dtype(dtype) for name, dtype in columns.items()}
        self._fill = fill or {}
        self._size = 0
        self._arrays: dict[str, npt.NDArray[Any]] = {}
        self._allocate(1024)

    def _allocate(self, capacity: int) -> None:
        for name, dtype in self._dtypes.items():
            new = np.full(capacity, self._fill.get(name, 0), dtype=dtype)
            old = self._arrays.get(name)
            if old is not None:
                new[: self._size] = old[: self._size]
            self._arrays[name] = new

    def __len__(self) -> int:
        return self._size

    def append(self, **values: Any) -> npt.NDArray[np.int64]:
        """Add rows: arrays of one length or scalars; missing columns get their fill."""
        lengths = {np.size(v) for v in values.values() if np.ndim(v) > 0}
        if len(lengths) > 1:
            raise ValueError(f"EventLog.append: columns of different lengths {sorted(lengths)}")
        count = lengths.pop() if lengths else 0
        unknown = set(values) - set(self._dtypes)
        if unknown:
            raise KeyError(f"EventLog.append: unknown column(s) {sorted(unknown)}")
        start = self._size
        if start + count > len(next(iter(self._arrays.values()))):
            capacity = len(next(iter(self._arrays.values())))
            while capacity < start + count:
                capacity *= 2
            self._allocate(capacity)
        for name, value in values.items():
            self._arrays[name][start : start + count] = value
        self._size = start + count
        return np.arange(start, start + count, dtype=np.int64)

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        """The column's filled part (a view: writes go through)."""
        return self._arrays[name][: self._size]

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        return {name: self[name] for name in self._dtypes}

    def release(self) -> None:
        """Free the memory once the table is written."""
        self._arrays = {name: np.empty(0, dtype=d) for name, d in self._dtypes.items()}
        self._size = 0
