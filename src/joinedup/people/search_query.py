"""Reading what staff type into the person search box: identifiers, names, and problems.

An NHS number, a date of birth, a postcode and name words can come in any order and in
the ways people write them; whatever cannot be read is said back as a sentence, so the
page can tell staff what to fix rather than show no one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from joinedup.record.name_sounds import fold
from joinedup.record.nhs_number import check_digit, spaced

MAX_QUERY_LENGTH = 200
MAX_NAME_WORDS = 4
MAX_NAME_LETTERS = 50  # longer is no one's name, and would only slow the lookups
OLDEST_BIRTH_YEAR = 1880

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

EXAMPLES = "an NHS number, a date of birth like 11/02/1938, a postcode like CX1 5AB, or a name"


def normalise_postcode(postcode: str) -> str:
    """Upper case with one space before the last three characters ("cx15ab" -> "CX1 5AB")."""
    compact = re.sub(r"\s+", "", postcode).upper()
    return f"{compact[:-3]} {compact[-3:]}"


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
    read = _Read()
    i = 0
    while i < len(tokens):
        i += read.first(tokens[i:], today)
    errors = read.errors + read.too_many()
    return SearchQuery(
        text=text,
        nhs_number=read.nhs_numbers[0] if read.nhs_numbers else "",
        birth_date=read.dates[0] if read.dates else None,
        postcode=read.postcodes[0] if read.postcodes else "",
        names=tuple(read.names),
        errors=tuple(errors),
    )


@dataclass
class _Read:
    """What the query's words have been read as so far, in the order typed."""

    nhs_numbers: list[str] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)
    postcodes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def first(self, rest: Sequence[str], today: dt.date) -> int:
        """Read the first word of `rest`, with the words after it that belong to it (a
        postcode's second half, a date's month and year, an NHS number's groups of digits);
        returns how many words were read."""
        token = rest[0]
        if (
            len(rest) > 1
            and _POSTCODE_OUTWARD.fullmatch(token)
            and _POSTCODE_INWARD.fullmatch(rest[1])
        ):
            self.postcodes.append(normalise_postcode(token + rest[1]))
            return 2
        if _POSTCODE.fullmatch(token):
            self.postcodes.append(normalise_postcode(token))
            return 1
        if _POSTCODE_OUTWARD.fullmatch(token) and not token.isdigit():
            self.errors.append(
                f"{token.upper()} looks like part of a postcode: enter the full postcode, "
                "like CX1 5AB"
            )
            return 1
        one = _one_token_date(token, today)
        if one is not None:
            self._date(one)
            return 1
        three = _three_token_date(rest, today)
        used, digits = _digit_tokens(rest)
        typed = " ".join(rest[:used])
        if len(digits) == 10:
            problem = nhs_number_problem(digits)
            if problem:
                self.errors.append(problem)
            else:
                self.nhs_numbers.append(digits)
            return used
        if three is not None:
            self._date(three)
            return 3
        if len(digits) >= 6:
            self.errors.append(
                f"{typed} is not an NHS number: it has {len(digits)} digits and an NHS number "
                "has 10"
            )
            return used
        if _NAME_WORD.fullmatch(token):
            self.names.append(token.rstrip("."))
        else:
            self.errors.append(f"We could not read “{typed or token}”: enter {EXAMPLES}")
        return max(used, 1)

    def _date(self, found: dt.date | str) -> None:
        if isinstance(found, str):
            self.errors.append(found)
        else:
            self.dates.append(found)

    def too_many(self) -> list[str]:
        """More than one of an identifier, or more names than anyone has."""
        errors = []
        for found, what in (
            (set(self.nhs_numbers), "NHS number"),
            (set(self.dates), "date of birth"),
            (set(self.postcodes), "postcode"),
        ):
            if len(found) > 1:
                errors.append(f"Enter one {what} (the search has {len(found)})")
        if len(self.names) > MAX_NAME_WORDS:
            errors.append(
                f"Enter at most {MAX_NAME_WORDS} names (the search has {len(self.names)})"
            )
        errors.extend(
            f"“{name[:20]}…” is too long for a name: check it"
            for name in self.names
            if len(fold(name)) > MAX_NAME_LETTERS
        )
        return errors
