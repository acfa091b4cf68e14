"""The people of one month's step: who they are, their ages, and their days at risk.

Every monthly step (deaths, moves, admissions, onsets, care, referrals, contacts) works on
the same arrays over the people registered that month, each person's first and last day
at risk cut to the month. Bundled, they travel together and are narrowed together.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from joinedup.synth.people import Index, People

DAYS_PER_YEAR = 365.25


class AtRisk(NamedTuple):
    """People (`idx` into `people`) with their ages and first and last days at risk."""

    people: People
    idx: Index
    ages: npt.NDArray[np.int16]
    first: npt.NDArray[np.int32]
    last: npt.NDArray[np.int32]

    def only(self, keep: npt.NDArray[np.bool_]) -> AtRisk:
        """The people where `keep` is true."""
        return AtRisk(
            self.people, self.idx[keep], self.ages[keep], self.first[keep], self.last[keep]
        )

    def until(self, last: npt.NDArray[np.int32]) -> AtRisk:
        """The same people at risk up to another last day each."""
        return self._replace(last=last)

    def years(self) -> npt.NDArray[np.float32]:
        """Each person's time at risk, in years."""
        return ((self.last - self.first + 1).clip(0) / DAYS_PER_YEAR).astype(np.float32)
