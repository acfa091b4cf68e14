"""Risk bands are by rank in the population scored; people with the same score share the
higher band (nobody drops a band because of how a tie happens to be ordered)."""

from __future__ import annotations

import numpy as np

from joinedup.risk.scoring import bands


def test_the_shares_of_a_population_with_no_ties() -> None:
    p = np.linspace(0.99, 0.0, 1_000)  # highest first, all different
    banded = bands(p)
    assert banded[:10] == ["very_high"] * 10
    assert banded[10:50] == ["high"] * 40
    assert banded[50:200] == ["moderate"] * 150
    assert set(banded[200:]) == {"low"}


def test_ties_share_the_higher_band() -> None:
    p = np.full(100, 0.01)
    p[:2] = 0.9  # two tied at the top of 100: both in the top 1%
    p[2:7] = 0.5  # five tied just under: all in the next band
    banded = bands(p)
    assert banded[:2] == ["very_high", "very_high"]
    assert banded[2:7] == ["high"] * 5
    assert bands(np.array([])) == []
