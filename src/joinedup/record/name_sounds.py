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


def _letters(name: str) -> str:
    """Upper-case A-Z only: accents folded ("Zoë" -> "ZOE"), hyphens, apostrophes dropped."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.upper() if "A" <= c <= "Z")


def soundex(name: str) -> str:
    """The Soundex key of a name ("Robert" -> "R163"), "" for a name with no letters."""
    letters = _letters(name)
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
