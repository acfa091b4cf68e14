"""Phonetic keys of names (American Soundex), so a typo-tolerant search can use an index.

"Smith", "Smyth" and "Smithe" share S530, so a search for one finds the others among a
million people by an indexed lookup; ranking the few candidates by spelling is left to
joinedup.people.search. Kept here, with the Person it describes, because both the loader
and Person.save fill the key.
"""

from __future__ import annotations

import unicodedata

_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}


def fold(name: str) -> str:
    """A name as letters A-Z only, to compare spellings: "O'Brien" -> "OBRIEN", "Zoë" -> "ZOE"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.upper() if "A" <= c <= "Z")


def soundex(name: str) -> str:
    """The Soundex key of a name ("Robert" -> "R163"), "" for a name with no letters."""
    letters = fold(name)
    if not letters:
        return ""
    key, previous = letters[0], _CODES.get(letters[0], "")
    for letter in letters[1:]:
        code = _CODES.get(letter, "")
        if code and code != previous:
            key += code
            if len(key) == 4:
                break
        if letter not in "HW":  # H and W do not separate letters of the same code
            previous = code
    return key.ljust(4, "0")


def typo_sounds(name: str) -> set[str]:
    """The Soundex keys of every spelling one typing slip away, the first letter kept.

    "Bronw" is "Brown" with two letters swapped, yet their keys differ (B650, B655); a
    search looks up each of these keys (a few dozen, each an indexed lookup) to find a name
    whose typo changed its key. A slip in the first letter is left to other lookups: it
    would add every letter of the alphabet as a first letter.
    """
    letters = fold(name)
    if not letters:
        return set()
    spellings = {letters}
    for i in range(1, len(letters) + 1):
        before, after = letters[:i], letters[i:]
        spellings.add(before + after[1:])  # a letter too many
        if len(after) > 1:
            spellings.add(before + after[1] + after[0] + after[2:])  # two letters swapped
        for code_letter in "ABCDHLMR":  # one letter of each Soundex code, a vowel, and H
            spellings.add(before + code_letter + after)  # a letter missed
            spellings.add(before + code_letter + after[1:])  # a letter mistyped
    return {soundex(spelling) for spelling in spellings if spelling}
