"""Finding a person from what staff type into one box: reading the query, the candidates, ranking.

Staff type an NHS number, a date of birth, a postcode, a name, or a name with a date of
birth or postcode, spelt as they heard it. parse_query says which is which (or what is
wrong, in words); find_people fetches a bounded handful of candidates through indexed
lookups only, so a search costs the same among a million people as among a hundred; rank
orders them by how closely their names match, exact matches first.

The lookups, and why each is enough:
- an NHS number: the unique index, nothing else (it identifies the person);
- a date of birth and/or a postcode: everyone with either (indexed), then the names are
  compared letter by letter, so even a wrong first letter ("Kohn" for "John") is found;
- a name alone: the Soundex keys of each way the words can be read (given then family,
  family then given, a two-word family name), so "Smyth" finds "Smith"; when that finds
  few, also the family key with the given name's first letter, and the keys of the
  family name's one-slip spellings with the given key (joinedup.record.name_sounds), for
  a typo that changed a key.
A name alone with typos that change both names' keys, or a wrong first letter, is not
found; a date of birth or postcode finds it.

No Django request handling here: the view audits and shows what this returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db.models import Q

from joinedup.people.name_match import Candidate, Match, joined_words, rank, readings
from joinedup.people.search_query import SearchQuery, normalise_postcode, parse_query
from joinedup.record.models import Person
from joinedup.record.name_sounds import soundex, typo_sounds

__all__ = [
    "Candidate",
    "SearchQuery",
    "SearchResults",
    "find_people",
    "normalise_postcode",
    "parse_query",
]

RESULT_LIMIT = 25  # people shown; more than this and the page asks for a narrower search
CANDIDATE_LIMIT = 1000  # rows one lookup may return; reaching it also asks for more detail


_CANDIDATE_FIELDS = (
    "id",
    "given_name",
    "family_name",
    "birth_date",
    "postcode",
    "nhs_number",
    "practice__name",
)


def _fetch(conditions: Sequence[Q]) -> tuple[list[Candidate], bool]:
    """Up to CANDIDATE_LIMIT people meeting any indexed condition, and whether there were more."""
    if not conditions:
        return [], False
    query = Person.objects.filter(reduce(or_, conditions)).values_list(*_CANDIDATE_FIELDS)
    rows = list(query[: CANDIDATE_LIMIT + 1])
    return [Candidate(*row) for row in rows[:CANDIDATE_LIMIT]], len(rows) > CANDIDATE_LIMIT


def _initial_range(letter: str) -> Q:
    """Given-name keys starting with a letter, as a range the composite index can use."""
    return Q(given_name_sound__gte=letter, given_name_sound__lt=chr(ord(letter) + 1))


def sound_conditions(words: Sequence[str], *, widen: bool = False) -> list[Q]:
    """Indexed conditions for each reading of the words as (family name, given name).

    Narrow: the family name's Soundex key with the given name's (or its initial). Widened,
    for a typo that changed a key: the family key with the given name's first letter, and
    the keys of the family name's one-slip spellings with the given key.
    """
    conditions: dict[tuple[Any, ...], Q] = {}
    for family_span, given_span in readings(words):
        if given_span is None:
            continue
        typed_family = joined_words(words, family_span)
        typed_given = joined_words(words, given_span)
        family_key, given_key = soundex(typed_family), soundex(typed_given)
        if not family_key or not given_key:
            continue
        if widen or len(typed_given) == 1:
            initial = typed_given[0]
            conditions[(family_key, initial)] = Q(family_name_sound=family_key) & _initial_range(
                initial
            )
        else:
            conditions[(family_key, given_key)] = Q(
                family_name_sound=family_key, given_name_sound=given_key
            )
        if widen and len(typed_given) > 1:
            slips = tuple(sorted(typo_sounds(typed_family) - {family_key}))
            conditions[(slips, given_key)] = Q(
                family_name_sound__in=slips, given_name_sound=given_key
            )
    return list(conditions.values())


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    matches: list[Match] = field(default_factory=list)
    total: int = 0  # how many matched (of the candidates looked at)
    incomplete: bool = False  # a lookup reached CANDIDATE_LIMIT: there may be others

    @property
    def more(self) -> bool:
        """More people may match than are shown: the page asks for a narrower search."""
        return self.incomplete or self.total > len(self.matches)


def find_people(query: SearchQuery, limit: int = RESULT_LIMIT) -> SearchResults:
    """The people matching a searchable query, best first, at most `limit` of them."""
    if not query.searchable:
        return SearchResults(query)
    if query.nhs_number:
        candidates, incomplete = _fetch([Q(nhs_number=query.nhs_number)])
    elif query.birth_date or query.postcode:
        conditions = []
        if query.birth_date:
            conditions.append(Q(birth_date=query.birth_date))
        if query.postcode:
            compact = query.postcode.replace(" ", "")
            conditions.append(Q(postcode__in=[query.postcode, compact]))
        # With a name, either detail brings candidates (one may be out of date or mistyped)
        # and the name decides; without one, only people with both are shown.
        candidates, incomplete = _fetch([reduce(or_ if query.words else and_, conditions)])
    else:
        candidates, incomplete = _fetch(sound_conditions(query.words))
        matches = rank(query, candidates)
        if len(matches) < limit and not incomplete:
            wider, incomplete = _fetch(sound_conditions(query.words, widen=True))
            seen = {c.id for c in candidates}
            candidates += [c for c in wider if c.id not in seen]
    matches = rank(query, candidates)
    return SearchResults(query, matches[:limit], len(matches), incomplete)
