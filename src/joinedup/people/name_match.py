"""Ranking people by how closely their names match the words typed, exact matches first.

Names are heard and typed with slips: a part matches when Jaro-Winkler says it is close
or when only a letter or two are wrong, and every way of reading the words as a given and
family name is tried. A date of birth or postcode that matches lifts a person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from joinedup.people.name_similarity import damerau_levenshtein, jaro_winkler
from joinedup.people.search_query import SearchQuery, normalise_postcode
from joinedup.record.name_sounds import fold
from joinedup.record.nhs_number import format_nhs_number

# A name part counts as a match when Jaro-Winkler says it is close, or when only one or
# two letters are wrong (one in a name of four letters or fewer).
SIMILAR = 0.8
INITIAL_SCORE = 0.9  # an initial that fits: a match, but never as good as the name itself
UNUSED_WORD_PENALTY = 0.05  # a word that fits neither name (a middle name, a stray word)
SWAPPED_PENALTY = 0.01  # family name typed first: found, ranked just after the usual order
PART_PENALTY = 0.05  # matching one part of a name ("Jones" of "Smith-Jones"), not all of it
DETAIL_BONUS = 0.1  # a date of birth or postcode that matches, when either could
_NAME_PARTS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Candidate:
    """One person's identity, as much as search may show and nothing else."""

    id: str
    given_name: str
    family_name: str
    birth_date: dt.date
    postcode: str
    nhs_number: str | None
    practice: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or "Name not known"

    @property
    def nhs_number_display(self) -> str:
        """3-3-4, or "" when the person has none (or a stored value that fails the check)."""
        if not self.nhs_number:
            return ""
        try:
            return format_nhs_number(self.nhs_number)
        except ValueError:
            return ""


@dataclass(frozen=True)
class Match:
    person: Candidate
    score: float
    exact: bool


def _spans(count: int) -> list[tuple[int, int]]:
    """Contiguous runs of one or two words: (start, end) with end exclusive."""
    return [(s, s + n) for n in (1, 2) for s in range(count - n + 1)]


Span = tuple[int, int]
Reading = tuple[Span, Span | None]


def readings(words: Sequence[str]) -> list[Reading]:
    """Every way to read the words as (family name span, given name span or None).

    A family name is one word or two ("De Souza"), never an initial; a given name one or
    two words ("Mary Ann"), or None for a single word. Words outside both are extras.
    """
    if len(words) == 1:
        return [((0, 1), None)]
    result: list[Reading] = []
    for family in _spans(len(words)):
        if family[1] - family[0] == 1 and len(words[family[0]]) < 2:
            continue
        for given in _spans(len(words)):
            if given[1] <= family[0] or given[0] >= family[1]:
                result.append((family, given))
    return result


def joined_words(words: Sequence[str], span: tuple[int, int]) -> str:
    return "".join(words[span[0] : span[1]])


def name_variants(name: str) -> tuple[str, ...]:
    """The whole name folded and each of its parts ("Smith-Jones" -> SMITHJONES, SMITH, JONES)."""
    parts = [fold(part) for part in _NAME_PARTS.split(name)]
    return tuple(dict.fromkeys(v for v in (fold(name), *parts) if v))


def letters_allowed_wrong(word: str) -> int:
    """One letter in a short name, two in a longer one."""
    return 1 if len(word) <= 4 else 2


def common_letters(a: str, b: str) -> int:
    """How many letters two names share, counting repeats ("ANNA", "HANNAH": 4)."""
    return sum(min(a.count(c), b.count(c)) for c in set(a))


def could_match(typed: str, name: str, allowed: int) -> bool:
    """False when too few letters are shared for either test to pass (saves computing them).

    Jaro-Winkler reaches SIMILAR (0.8) only when the Jaro similarity is at least 2/3,
    which needs m/|a| + m/|b| >= 1 for m matching letters; and each wrong letter costs at
    most one shared letter, so `allowed` wrong letters leave max(|a|, |b|) - allowed.
    """
    common = common_letters(typed, name)
    return (
        common * (len(typed) + len(name)) >= len(typed) * len(name)
        or common >= max(len(typed), len(name)) - allowed
    )


def part_similarity(typed: str, variants: tuple[str, ...]) -> float | None:
    """How close a typed name is to a person's name, or None when it is not a match.

    A match is within SIMILAR by Jaro-Winkler or at most one or two letters wrong. The
    whole name (variants[0]) counts in full, a part ("Jones" of "Smith-Jones") a little less.
    """
    if not variants:
        return None
    if len(typed) == 1:
        return INITIAL_SCORE if variants[0].startswith(typed) else None
    allowed = letters_allowed_wrong(typed)
    best: float | None = None
    for n, variant in enumerate(variants):
        if not could_match(typed, variant, allowed):
            continue
        similarity = jaro_winkler(typed, variant)
        if similarity >= SIMILAR or damerau_levenshtein(typed, variant) <= allowed:
            score = similarity - (PART_PENALTY if n else 0.0)
            best = score if best is None else max(best, score)
    return best


class NameScorer:
    """How well typed words fit a person's names; remembers each comparison for one search.

    Names repeat across candidates (many Smiths, many Johns), so a search of a thousand
    candidates compares each distinct pair of spellings once.
    """

    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(words)
        self._readings = readings(self.words)
        self._parts: dict[tuple[str, tuple[str, ...]], float | None] = {}
        self._variants: dict[str, tuple[str, ...]] = {}

    def variants(self, name: str) -> tuple[str, ...]:
        if name not in self._variants:
            self._variants[name] = name_variants(name)
        return self._variants[name]

    def part(self, typed: str, variants: tuple[str, ...]) -> float | None:
        """Similarity of a typed name to the closest variant, or None when it is not a match."""
        key = (typed, variants)
        if key not in self._parts:
            self._parts[key] = part_similarity(typed, variants)
        return self._parts[key]

    def score(self, given_name: str, family_name: str) -> tuple[float, bool] | None:
        """(score, exact) of the best reading of the words as this person's names, or None."""
        given, family = self.variants(given_name), self.variants(family_name)
        given_whole = given[0] if given else ""
        family_whole = family[0] if family else ""
        best: tuple[float, bool] | None = None
        for family_span, given_span in self._readings:
            typed_family = joined_words(self.words, family_span)
            if given_span is None:  # one word: either name will do
                options = [
                    (self.part(typed_family, family), typed_family == family_whole),
                    (_less(self.part(typed_family, given)), typed_family == given_whole),
                ]
                found = [(s, exact) for s, exact in options if s is not None]
                if not found:
                    continue
                candidate = max(found, key=lambda found_: (found_[1], found_[0]))
            else:
                f = self.part(typed_family, family)
                if f is None:
                    continue
                typed_given = joined_words(self.words, given_span)
                g = self.part(typed_given, given)
                if g is None:
                    continue
                used = (family_span[1] - family_span[0]) + (given_span[1] - given_span[0])
                extras = len(self.words) - used
                swapped = family_span[0] < given_span[0]
                value = (f + g) / 2 - extras * UNUSED_WORD_PENALTY - swapped * SWAPPED_PENALTY
                exact = not extras and typed_family == family_whole and typed_given == given_whole
                candidate = (value, exact)
            if best is None or (candidate[1], candidate[0]) > (best[1], best[0]):
                best = candidate
        return best


def _less(score: float | None) -> float | None:
    """One word matching a given name: ranked just after the same word matching a family name."""
    return None if score is None else score - SWAPPED_PENALTY


def rank(query: SearchQuery, candidates: Iterable[Candidate]) -> list[Match]:
    """The candidates that match, best first: exact matches, then by closeness, then by name."""
    words = query.words
    scorer = NameScorer(words) if words else None
    matches = []
    for person in candidates:
        if query.nhs_number:
            if person.nhs_number == query.nhs_number:
                matches.append(Match(person, 1.0, True))
            continue
        score, exact = 0.0, True
        if scorer is not None:
            named = scorer.score(person.given_name, person.family_name)
            if named is None:
                continue
            score, exact = named
        for wanted, held in (
            (query.birth_date, person.birth_date),
            (query.postcode, normalise_postcode(person.postcode) if person.postcode else ""),
        ):
            if wanted:
                same = wanted == held
                score += DETAIL_BONUS * same
                exact = exact and same
        matches.append(Match(person, score, exact))
    matches.sort(
        key=lambda m: (
            not m.exact,
            -round(m.score, 9),
            fold(m.person.family_name),
            fold(m.person.given_name),
            m.person.birth_date,
            m.person.id,
        )
    )
    return matches
