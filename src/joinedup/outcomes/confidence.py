"""95% confidence intervals for the league tables, from the counts alone.

A neighbourhood of a few thousand people has a rate that moves a lot by chance, so a
league table that calls every difference "better" or "worse" misleads. As Public Health
England's Fingertips tools do, a neighbourhood is called better or worse than the area
only when its interval leaves out the area's value. Rates use Byar's approximation to the
Poisson interval for the count of events; proportions use Wilson's score interval (both
from the Association of Public Health Observatories' technical briefing 3, "Commonly used
public health statistics and their confidence intervals", 2008). Pure Python.
"""

from __future__ import annotations

import math

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


def poisson_count_interval(events: float, z: float = Z_95) -> tuple[float, float]:
    """Byar's interval for a Poisson count (0 events: lower limit 0)."""
    if events < 0:
        raise ValueError(f"a count of events cannot be negative ({events})")
    if events == 0:
        lower = 0.0
    else:
        lower = events * (1 - 1 / (9 * events) - z / (3 * math.sqrt(events))) ** 3
    upper_base = events + 1
    upper = upper_base * (1 - 1 / (9 * upper_base) + z / (3 * math.sqrt(upper_base))) ** 3
    return lower, upper


def rate_interval(
    events: float, population: float, per: float = 100_000, z: float = Z_95
) -> tuple[float, float] | None:
    """The interval of events x `per` / population; None without a population."""
    if population <= 0:
        return None
    lower, upper = poisson_count_interval(events, z)
    return lower * per / population, upper * per / population


def proportion_interval(
    successes: float, total: float, per: float = 100, z: float = Z_95
) -> tuple[float, float] | None:
    """Wilson's score interval of successes / total, times `per`; None when total is 0."""
    if total <= 0:
        return None
    if not 0 <= successes <= total:
        raise ValueError(f"{successes} successes out of {total} is not a proportion")
    p = successes / total
    centre = 2 * total * p + z * z
    spread = z * math.sqrt(z * z + 4 * total * p * (1 - p))
    denominator = 2 * (total + z * z)
    return (centre - spread) / denominator * per, (centre + spread) / denominator * per
