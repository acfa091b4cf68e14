"""One estimate with its interval: the shape every evaluation method returns.

Shared so that the report, the JSON of figures and the tests read the same fields whatever
the method (difference in differences, synthetic control, matched cohort).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """A point estimate, its interval (95% unless `level` says otherwise) and how it was made.

    `n` is the number of independent units behind it (neighbourhoods, matched pairs), not rows,
    so a reader can see how little a dozen neighbourhoods can show. `se` and `p_value` are
    None where the method gives none (a percentile bootstrap has no standard error).
    """

    value: float
    lower: float
    upper: float
    method: str
    n: int
    se: float | None = None
    p_value: float | None = None
    level: float = 0.95

    def __post_init__(self) -> None:
        if not self.lower <= self.upper:
            raise ValueError(f"interval lower {self.lower} is above upper {self.upper}")
        if not 0 < self.level < 1:
            raise ValueError(f"level {self.level} is not between 0 and 1")

    def excludes(self, value: float) -> bool:
        """Whether the interval rules `value` out (0 for a difference, 1 for a ratio)."""
        return value < self.lower or value > self.upper
