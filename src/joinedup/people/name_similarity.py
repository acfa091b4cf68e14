"""How alike two spellings of a name are: Jaro-Winkler similarity and Damerau-Levenshtein distance.

Written here, in plain Python, because person search ranks a few hundred candidates at
most and needs nothing faster; no string-matching library is among the dependencies.
Jaro-Winkler suits names: it forgives transposed letters ("Jhon" for "John") and weighs
a shared beginning, which is the part people rarely get wrong. The edit distance says
how many letters are wrong, for the "one or two letters" rule.
"""

from __future__ import annotations

WINKLER_PREFIX = 4  # at most four shared leading letters raise the score
WINKLER_SCALE = 0.1


def jaro(a: str, b: str) -> float:
    """Jaro similarity: 1.0 for equal strings, 0.0 for strings with no letter in common."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used = [False] * len(b)
    a_matches: list[str] = []
    for i, letter in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == letter:
                used[j] = True
                a_matches.append(letter)
                break
    if not a_matches:
        return 0.0
    b_matches = [letter for j, letter in enumerate(b) if used[j]]
    transpositions = sum(x != y for x, y in zip(a_matches, b_matches, strict=True)) / 2
    m = len(a_matches)
    return (m / len(a) + m / len(b) + (m - transpositions) / m) / 3


def jaro_winkler(a: str, b: str) -> float:
    """Jaro similarity raised for a shared prefix of up to four letters ("Smyth"/"Smith" 0.89)."""
    similarity = jaro(a, b)
    prefix = 0
    for x, y in zip(a[:WINKLER_PREFIX], b[:WINKLER_PREFIX], strict=False):
        if x != y:
            break
        prefix += 1
    return similarity + prefix * WINKLER_SCALE * (1 - similarity)


def damerau_levenshtein(a: str, b: str) -> int:
    """Letters inserted, deleted, changed or swapped with a neighbour to turn `a` into `b`.

    The optimal-string-alignment form: each letter is edited at most once, which is how
    typing mistakes happen ("Jhon" is one swap from "John").
    """
    if a == b:
        return 0
    if not a or not b:
        return len(a) or len(b)
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[len(b)]
