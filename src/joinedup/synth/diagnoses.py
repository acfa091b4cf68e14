"""ICD-10 primary diagnoses, grouped so that the acsc and fall flags always agree with the code.

Chronic ambulatory care sensitive conditions follow the NHS Outcomes Framework 2.3.i list
(angina, asthma, congestive heart failure, convulsions and epilepsy, COPD, dementia,
diabetes complications, hypertension, atrial fibrillation, iron-deficiency anaemia,
nutritional deficiency); none of those codes appears in any other group. A fall is an
injury code (S00-T98) whose external cause is a fall; other injuries carry fall = false.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# group name -> (code, weight) pairs
GROUPS: dict[str, tuple[tuple[str, float], ...]] = {
    "acsc_copd": (("J44.1", 0.6), ("J44.0", 0.3), ("J44.9", 0.1)),
    "acsc_heart_failure": (("I50.0", 0.6), ("I50.9", 0.3), ("I11.0", 0.1)),
    "acsc_asthma": (("J45.9", 0.7), ("J46", 0.3)),
    "acsc_diabetes": (("E11.6", 0.3), ("E10.1", 0.3), ("E11.5", 0.25), ("E11.0", 0.15)),
    "acsc_atrial_fibrillation": (("I48.9", 0.7), ("I48.0", 0.3)),
    "acsc_coronary_heart_disease": (("I20.9", 0.5), ("I20.0", 0.3), ("I25.9", 0.2)),
    "acsc_hypertension": (("I10", 1.0),),
    "acsc_dementia": (("F03", 0.6), ("F01.9", 0.2), ("F00.9", 0.2)),
    "acsc_background": (("G40.9", 0.5), ("R56.8", 0.2), ("D50.9", 0.3)),
    "fall": (
        ("S72.0", 0.30),
        ("S72.1", 0.08),
        ("S32.5", 0.08),
        ("S42.2", 0.08),
        ("S52.5", 0.09),
        ("S06.0", 0.12),
        ("S00.9", 0.10),
        ("S22.3", 0.07),
        ("S01.8", 0.08),
    ),
    "injury": (
        ("S06.0", 0.2),
        ("S52.5", 0.15),
        ("S61.0", 0.15),
        ("S82.6", 0.15),
        ("S92.3", 0.1),
        ("T39.1", 0.15),
        ("S01.8", 0.1),
    ),
    "other_child": (
        ("J21.9", 0.2),
        ("J06.9", 0.15),
        ("R50.9", 0.15),
        ("A08.4", 0.12),
        ("J18.9", 0.08),
        ("R11", 0.06),
        ("N39.0", 0.06),
        ("K35.8", 0.08),
        ("R10.4", 0.1),
    ),
    "other_adult": (
        ("R07.4", 0.18),
        ("R10.4", 0.16),
        ("K35.8", 0.06),
        ("N39.0", 0.06),
        ("J18.9", 0.08),
        ("L03.1", 0.06),
        ("K80.0", 0.05),
        ("A09", 0.06),
        ("R55", 0.06),
        ("F10.0", 0.06),
        ("I21.9", 0.06),
        ("K85.9", 0.04),
        ("N20.0", 0.07),
    ),
    "other_older": (
        ("J18.9", 0.18),
        ("N39.0", 0.14),
        ("R55", 0.08),
        ("I21.9", 0.07),
        ("I63.9", 0.07),
        ("R41.0", 0.06),
        ("J22", 0.1),
        ("A41.9", 0.08),
        ("K56.6", 0.04),
        ("R07.4", 0.08),
        ("E87.1", 0.05),
        ("L03.1", 0.05),
    ),
    "elective": (
        ("H25.9", 0.16),
        ("M17.1", 0.1),
        ("M16.1", 0.08),
        ("K40.9", 0.08),
        ("Z51.1", 0.14),
        ("K63.5", 0.1),
        ("N40", 0.05),
        ("C50.9", 0.06),
        ("K57.3", 0.06),
        ("M23.2", 0.06),
        ("G56.0", 0.06),
        ("D25.9", 0.05),
    ),
}
CODES: tuple[str, ...] = tuple(sorted({code for pairs in GROUPS.values() for code, _ in pairs}))
CODE_INDEX = {code: i for i, code in enumerate(CODES)}
ACSC_CONDITIONS = (
    "copd",
    "heart_failure",
    "asthma",
    "diabetes",
    "atrial_fibrillation",
    "coronary_heart_disease",
    "hypertension",
    "dementia",
)


def draw(group: str, n: int, rng: np.random.Generator) -> npt.NDArray[np.int16]:
    """`n` code indices from one group, by its weights."""
    pairs = GROUPS[group]
    codes = np.array([CODE_INDEX[c] for c, _ in pairs], dtype=np.int16)
    weights = np.array([w for _, w in pairs])
    cum = np.cumsum(weights / weights.sum())
    pick = np.searchsorted(cum, rng.random(n), side="right").clip(0, len(pairs) - 1)
    return codes[pick]
