"""Hospital diagnoses as the lake contract flags them (docs/lake.md, hospital_spell).

`acsc`: the primary diagnosis is a chronic ambulatory care sensitive condition on the list
of NHS Outcomes Framework indicator 2.3.i; `fall`: an injury (ICD-10 S00-T98) caused by a
fall (W00-W19, a cause recorded beside it, so not told from the primary diagnosis alone).
Shared by the generator and the hospital feed, so a generated spell and a fed one are
flagged by the same list.
"""

from __future__ import annotations

import re

# An ICD-10 code as the lake writes it: a letter, two digits, then a dot and up to four
# more characters (I63.9, S72.00).
ICD10 = re.compile(r"[A-Z]\d{2}(\.[0-9A-Z]{1,4})?", re.ASCII)

ACSC_PREFIXES = (
    "I20",
    "I24.0",
    "I24.8",
    "I24.9",
    "I25",
    "J45",
    "J46",
    "I11.0",
    "I50",
    "J81",
    "G40",
    "G41",
    "R56",
    "O15",
    "J20",
    "J41",
    "J42",
    "J43",
    "J44",
    "J47",
    "F00",
    "F01",
    "F02",
    "F03",
    "E10",
    "E11",
    "E12",
    "E13",
    "E14",
    "I10",
    "I11.9",
    "I48",
    "D50.1",
    "D50.8",
    "D50.9",
    "E40",
    "E41",
    "E42",
    "E43",
    "E55.0",
    "E64.3",
)


def is_acsc(code: str | None) -> bool:
    """None (not coded yet) is not an ambulatory care sensitive condition."""
    return code is not None and code.startswith(ACSC_PREFIXES)


def is_injury(code: str) -> bool:
    """ICD-10 chapter XIX (S00-T98): the diagnoses a fall can be recorded with."""
    return code[:1] in ("S", "T")
