"""The state of every person the city has ever held, one numpy array per attribute.

Rows are never removed: a person who dies or moves away keeps their row (the person table
is written from these arrays), and the monthly steps work on the indices of the people
registered and alive that month. Arrays grow by doubling as people are born or move in.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from joinedup.synth.timeline import LONG_AGO, NEVER

Index = npt.NDArray[np.int64]

# name: (dtype, fill); conditions have their own 2-D array.
FIELDS: dict[str, tuple[Any, Any]] = {
    "birth": (np.int32, 0),
    "birth_year": (np.int16, 0),
    "birth_md": (np.int16, 0),
    "sex": (np.int8, 0),  # index into schema.SEX
    "decile": (np.int8, 5),
    "neighbourhood": (np.int16, 0),
    "practice": (np.int32, 0),
    "alone": (np.bool_, False),
    "carer": (np.bool_, False),
    "reg_from": (np.int32, 0),
    "reg_to": (np.int32, NEVER),
    "death": (np.int32, NEVER),
    "burden": (np.float32, 0.0),  # latent multimorbidity (standard normal)
    "ltc_count": (np.int8, 0),  # long-term conditions held now (frailty apart)
    "frailty": (np.int8, 0),  # 0 fit, 1 mild, 2 moderate, 3 severe
    "frailty_row": (np.int64, -1),  # its row in the condition log
    "adm_mult": (
        np.float32,
        1.0,
    ),  # static emergency admission multiplier (conditions, frailty, ...)
    "mort_mult": (np.float32, 1.0),  # static death hazard multiplier
    "last_discharge": (np.int32, LONG_AGO),
    "busy_until": (
        np.int32,
        LONG_AGO,
    ),  # last day of the latest hospital stay (NEVER: in hospital, end unknown)
    "spell": (np.int64, -1),  # latest hospital spell
    "residence": (np.int8, 0),  # 0 own home, 1 residential care, 2 nursing care
    "residence_package": (np.int64, -1),
    "home_care": (np.int64, -1),  # open package rows
    "telecare": (np.int64, -1),
    "day_care": (np.int64, -1),
    "episode": (np.int64, -1),  # open caseload episode
    "episode_start": (np.int32, NEVER),
    "episode_end": (np.int32, LONG_AGO),  # planned last day of the open (or last) episode
    "last_offer": (np.int32, LONG_AGO),
}


class People:
    """Per-person arrays with room to grow; `n` people are in use."""

    def __init__(self, capacity: int, conditions: int):
        self.n = 0
        self._capacity = 0
        self.conditions = conditions
        self.arrays: dict[str, npt.NDArray[Any]] = {}
        self.onset = np.empty((conditions, 0), dtype=np.int32)  # NEVER = does not have it
        self.condition_row = np.empty((conditions, 0), dtype=np.int64)
        self._grow(max(capacity, 16))

    def _grow(self, capacity: int) -> None:
        for name, (dtype, fill) in FIELDS.items():
            new = np.full(capacity, fill, dtype=dtype)
            if name in self.arrays:
                new[: self.n] = self.arrays[name][: self.n]
            self.arrays[name] = new
        onset = np.full((self.conditions, capacity), NEVER, dtype=np.int32)
        onset[:, : self.n] = self.onset[:, : self.n]
        self.onset = onset
        rows = np.full((self.conditions, capacity), -1, dtype=np.int64)
        rows[:, : self.n] = self.condition_row[:, : self.n]
        self.condition_row = rows
        self._capacity = capacity

    def add(self, count: int) -> Index:
        """Room for `count` new people; returns their indices."""
        if self.n + count > self._capacity:
            capacity = self._capacity
            while capacity < self.n + count:
                capacity *= 2
            self._grow(capacity)
        start = self.n
        self.n += count
        return np.arange(start, start + count, dtype=np.int64)

    def __getattr__(self, name: str) -> npt.NDArray[Any]:
        arrays = self.__dict__.get("arrays")
        if arrays is not None and name in arrays:
            return arrays[name]
        raise AttributeError(name)

    def column(self, name: str) -> npt.NDArray[Any]:
        return self.arrays[name][: self.n]

    def present(self, first: int, last: int) -> Index:
        """People registered and alive on at least one day of [first, last]."""
        n = self.n
        a = self.arrays
        mask = (a["reg_from"][:n] <= last) & (a["reg_to"][:n] >= first) & (a["death"][:n] >= first)
        return np.flatnonzero(mask)

    def count_on(self, day: int) -> int:
        n = self.n
        a = self.arrays
        return int(
            np.count_nonzero(
                (a["reg_from"][:n] <= day) & (a["reg_to"][:n] >= day) & (a["death"][:n] > day)
            )
        )
