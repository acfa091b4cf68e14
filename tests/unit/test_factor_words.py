"""Every risk feature has plain words for the worklist and the MDT agenda, and no words are
left over for a feature that no longer exists."""

from __future__ import annotations

from joinedup.risk.factor_words import FACTOR_WORDS, factors_in_words
from joinedup.risk.features import FEATURES


def test_every_feature_has_words_and_only_features_do() -> None:
    assert [name for name in FEATURES if not FACTOR_WORDS.get(name, "").strip()] == []
    assert sorted(set(FACTOR_WORDS) - set(FEATURES)) == []


def test_words_are_plain_not_the_column_name() -> None:
    for name, words in FACTOR_WORDS.items():
        assert "_" not in words, (name, words)
        assert words[0].isupper(), (name, words)
    assert len(set(FACTOR_WORDS.values())) == len(FACTOR_WORDS)  # no two features read alike


def test_a_score_s_factors_read_as_one_line() -> None:
    assert (
        factors_in_words(["emergency_12m", "frailty"])
        == "Emergency admissions in the last 12 months; Frailty"
    )
    assert factors_in_words([]) == ""
