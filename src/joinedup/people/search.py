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

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db.models import Q
from django.utils import timezone

from joinedup.people.name_similarity import damerau_levenshtein, jaro_winkler
from joinedup.record.models import Person
from joinedup.record.name_sounds import fold, soundex, typo_sounds
from joinedup.record.nhs_number import check_digit, format_nhs_number, spaced

RESULT_LIMIT = 25  # people shown; more than this and the page asks for a narrower search
CANDIDATE_LIMIT = 1000  # rows one lookup may return; reaching it also asks for more detail
MAX_QUERY_LENGTH = 200
MAX_NAME_WORDS = 4
MAX_NAME_LETTERS = 50  # longer is no one's name, and would only slow the lookups
OLDEST_BIRTH_YEAR = 1880

# A name part counts as a match when Jaro-Winkler says it is close, or when only one or
# two letters are wrong (one in a name of four letters or fewer).
SIMILAR = 0.8
INITIAL_SCORE = 0.9  # an initial that fits: a match, but never as good as the name itself
UNUSED_WORD_PENALTY = 0.05  # a word that fits neither name (a middle name, a stray word)
SWAPPED_PENALTY = 0.01  # family name typed first: found, ranked just after the usual order
PART_PENALTY = 0.05  # matching one part of a name ("Jones" of "Smith-Jones"), not all of it
DETAIL_BONUS = 0.1  # a date of birth or postcode that matches, when either could

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_SEPARATORS = re.compile(r"[\s,;]+")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_DIGITS = re.compile(r"\d+(?:-\d+)*")
_POSTCODE_OUTWARD = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?", re.IGNORECASE)
_POSTCODE_INWARD = re.compile(r"\d[A-Z]{2}", re.IGNORECASE)
_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})", re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’\-.][^\W\d_]+)*\.?")
_NAME_PARTS = re.compile(r"[\s\-]+")

EXAMPLES = "an NHS number, a date of birth like 11/02/1938, a postcode like CX1 5AB, or a name"


def normalise_postcode(postcode: str) -> str:
    """Upper case with one space before the last three characters ("cx15ab" -> "CX1 5AB")."""
    compact = re.sub(r"\s+", "", postcode).upper()
    return f"{compact[:-3]} {compact[-3:]}"


# --- reading the query ----------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, read: at most one of each identifier, the name words, and any problems."""

    text: str
    nhs_number: str = ""
    birth_date: dt.date | None = None
    postcode: str = ""
    names: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def words(self) -> tuple[str, ...]:
        """The name words folded to A-Z ("Smith," -> "SMITH")."""
        return tuple(w for w in (fold(name) for name in self.names) if w)

    @property
    def guidance(self) -> str:
        """Why a query without errors is too little to search on, or "" when it will do."""
        if self.blank or self.errors or self.nhs_number or self.birth_date or self.postcode:
            return ""
        words = self.words
        if not any(len(word) > 1 for word in words):
            return (
                "Enter more of the person's details: their given and family names, or an NHS "
                "number, a date of birth or a postcode"
            )
        if len(words) == 1:
            return (
                f"“{self.names[0]}” alone matches too many people: add a given or family name, "
                "a date of birth or a postcode"
            )
        return ""

    @property
    def searchable(self) -> bool:
        return not self.blank and not self.errors and not self.guidance


def _date(year: int, month: int, day: int, typed: str, today: dt.date) -> dt.date | str:
    """The date, or what is wrong with it as a date of birth."""
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return f"{typed} is not a real date: check the day and month"
    if date > today:
        return f"{typed} is in the future: check the date of birth"
    if year < OLDEST_BIRTH_YEAR:
        return f"{typed} is too long ago to be a date of birth: check the year"
    return date


def _one_token_date(token: str, today: dt.date) -> dt.date | str | None:
    """A date written as one word (11/02/1938, 11-02-1938, 11.02.1938, 1938-02-11), else None."""
    iso = _ISO_DATE.fullmatch(token)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        return _date(year, month, day, token, today)
    numeric = _NUMERIC_DATE.fullmatch(token)
    if numeric:
        day_text, _, month_text, year_text = numeric.groups()
        if len(year_text) == 2:
            return f"Write the year of {token} in full, like 11/02/1938"
        return _date(int(year_text), int(month_text), int(day_text), token, today)
    return None


def _three_token_date(tokens: Sequence[str], today: dt.date) -> dt.date | str | None:
    """A date written as three words ("1 Feb 1938", "1st February 1938", "11 02 1938")."""
    if len(tokens) < 3:
        return None
    day, month_text, year = tokens[:3]
    day_match = _DAY.fullmatch(day)
    if not day_match or not _YEAR.fullmatch(year):
        return None
    month = MONTHS.get(month_text.lower().rstrip("."))
    if month is None and re.fullmatch(r"\d{1,2}", month_text):
        month = int(month_text)
    if month is None:
        return None
    return _date(int(year), month, int(day_match.group(1)), " ".join(tokens[:3]), today)


def nhs_number_problem(digits: str) -> str:
    """What is wrong with ten digits as an NHS number, or "" when the check digit is right."""
    shown = spaced(digits)
    expected = check_digit(digits[:9])
    if expected is None:
        return (
            f"{shown} is not a valid NHS number: no NHS number can start with the digits "
            f"{digits[:9]}, so check them"
        )
    if expected != int(digits[9]):
        return f"{shown} is not a valid NHS number: its check digit does not match"
    return ""


def _digit_tokens(tokens: Sequence[str]) -> tuple[int, str]:
    """Leading tokens of digits, up to the first ten digits or more: (tokens used, digits)."""
    digits = ""
    used = 0
    for token in tokens:
        if not _DIGITS.fullmatch(token) or len(digits) >= 10:
            break
        digits += token.replace("-", "")
        used += 1
    return used, digits


def parse_query(text: str, today: dt.date | None = None) -> SearchQuery:
    """Read what was typed into the one search box; every problem comes back as a sentence."""
    text = " ".join(text.split())
    if not text:
        return SearchQuery(text="")
    if len(text) > MAX_QUERY_LENGTH:
        return SearchQuery(
            text=text[:MAX_QUERY_LENGTH],
            errors=(f"The search is too long: use at most {MAX_QUERY_LENGTH} characters",),
        )
    today = today or timezone.localdate()
    tokens = [t for t in _SEPARATORS.split(text) if t]
    nhs_numbers: list[str] = []
    dates: list[dt.date] = []
    postcodes: list[str] = []
    names: list[str] = []
    errors: list[str] = []

    def add_date(found: dt.date | str) -> None:
        if isinstance(found, str):
            errors.append(found)
        else:
            dates.append(found)

    i = 0
    while i < len(tokens):
        token = tokens[i]
        rest = tokens[i:]
        if (
            len(rest) > 1
            and _POSTCODE_OUTWARD.fullmatch(token)
            and _POSTCODE_INWARD.fullmatch(rest[1])
        ):
            postcodes.append(normalise_postcode(token + rest[1]))
            i += 2
            continue
        if _POSTCODE.fullmatch(token):
            postcodes.append(normalise_postcode(token))
            i += 1
            continue
        if _POSTCODE_OUTWARD.fullmatch(token) and not token.isdigit():
            errors.append(
                f"{token.upper()} looks like part of a postcode: enter the full postcode, "
                "like CX1 5AB"
            )
            i += 1
            continue
        one = _one_token_date(token, today)
        if one is not None:
            add_date(one)
            i += 1
            continue
        three = _three_token_date(rest, today)
        used, digits = _digit_tokens(rest)
        typed = " ".join(rest[:used])
        if len(digits) == 10:
            problem = nhs_number_problem(digits)
            if problem:
                errors.append(problem)
            else:
                nhs_numbers.append(digits)
            i += used
            continue
        if three is not None:
            add_date(three)
            i += 3
            continue
        if len(digits) >= 6:
            errors.append(
                f"{typed} is not an NHS number: it has {len(digits)} digits and an NHS number "
                "has 10"
            )
            i += used
            continue
        if _NAME_WORD.fullmatch(token):
            names.append(token.rstrip("."))
        else:
            errors.append(f"We could not read “{typed or token}”: enter {EXAMPLES}")
        i += max(used, 1)

    for found, what in (
        (set(nhs_numbers), "NHS number"),
        (set(dates), "date of birth"),
        (set(postcodes), "postcode"),
    ):
        if len(found) > 1:
            errors.append(f"Enter one {what} (the search has {len(found)})")
    if len(names) > MAX_NAME_WORDS:
        errors.append(f"Enter at most {MAX_NAME_WORDS} names (the search has {len(names)})")
    errors.extend(
        f"“{name[:20]}…” is too long for a name: check it"
        for name in names
        if len(fold(name)) > MAX_NAME_LETTERS
    )
    return SearchQuery(
        text=text,
        nhs_number=nhs_numbers[0] if nhs_numbers else "",
        birth_date=dates[0] if dates else None,
        postcode=postcodes[0] if postcodes else "",
        names=tuple(names),
        errors=tuple(errors),
    )


# --- ranking --------------------------------------------------------------------------


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


def _joined(words: Sequence[str], span: tuple[int, int]) -> str:
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
            typed_family = _joined(self.words, family_span)
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
                typed_given = _joined(self.words, given_span)
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


# --- the candidates ---------------------------------------------------------------------

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
        typed_family = _joined(words, family_span)
        typed_given = _joined(words, given_span)
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
