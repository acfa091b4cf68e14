"""What the model is compared with in the validation report.

(a) **Prior emergency admissions alone**: emergency admissions in the last 12 months as the
    categories 0, 1, 2 and 3 or more, in a logistic regression (so each category's
    probability is, near enough, the share of its people admitted the year after).
(b) **A QAdmissions-style model**: a logistic regression on what a GP record holds, as
    QAdmissions (Hippisley-Cox and Coupland, 2013) does: age (linear and squared), sex,
    deprivation decile (unknown as its own category), each long-term condition and their
    count, and prior emergency admissions (0, 1, 2, 3+). Not QAdmissions' published
    coefficients, which are licensed and fitted on other data: the same kind of model,
    fitted here on the same people as the model it is compared with, which is the fair test.
(c) **Frailty category alone**: none, mild, moderate, severe (the electronic frailty
    index's categories), in a logistic regression.
(d) **The generator's true risk** (`truth/risk.parquet`, generated cities only): each
    person's probability under the generator's own hazards, the best any model could do on
    average: the ceiling.

(a) to (c) are scikit-learn logistic regressions on standardised inputs (L2, C=1, lbfgs):
deterministic, with no random start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from joinedup.risk.features import LONG_TERM
from joinedup.risk.model import matrix

Floats = npt.NDArray[np.float64]

TRUTH_FILE = Path("truth") / "risk.parquet"
CROSS_FIT_FOLDS = 2


def _column(table: pa.Table, name: str) -> Floats:
    return matrix(table, (name,))[:, 0]


def _categories(values: Floats, levels: tuple[float, ...]) -> Floats:
    """One column per level (NaN matches the level NaN: unknown as its own category)."""
    columns = [np.isnan(values) if np.isnan(level) else values == level for level in levels]
    return np.column_stack(columns).astype(np.float64)


def _prior(table: pa.Table) -> Floats:
    return _categories(np.minimum(_column(table, "emergency_12m"), 3), (0, 1, 2, 3))


def _frailty(table: pa.Table) -> Floats:
    return _categories(_column(table, "frailty"), (0, 1, 2, 3))


def _qadmissions(table: pa.Table) -> Floats:
    age = _column(table, "age")
    return np.column_stack(
        [
            age,
            age * age,
            _column(table, "female"),
            _categories(_column(table, "deprivation_decile"), (*range(1, 11), np.nan)),
            matrix(table, tuple(f"condition_{c}" for c in LONG_TERM)),
            _column(table, "condition_count"),
            _prior(table),
        ]
    )


@dataclass(frozen=True)
class Baseline:
    key: str
    label: str
    design: Callable[[pa.Table], Floats]  # the features table -> the regression's inputs
    described: str


BASELINES = (
    Baseline(
        "prior_admissions",
        "Prior emergency admissions alone",
        _prior,
        "emergency admissions in the last 12 months (0, 1, 2, 3 or more)",
    ),
    Baseline(
        "qadmissions_style",
        "QAdmissions-style model",
        _qadmissions,
        "age and age squared, sex, deprivation decile (unknown its own category), each "
        "long-term condition and their count, prior emergency admissions (0, 1, 2, 3+)",
    ),
    Baseline(
        "frailty",
        "Frailty category alone",
        _frailty,
        "frailty: none, mild, moderate, severe",
    ),
)


def _fit(x: Floats, y: Floats) -> Pipeline:
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    pipeline.fit(x, y)
    return pipeline


def _predict(pipeline: Pipeline, x: Floats) -> Floats:
    return np.asarray(pipeline.predict_proba(x)[:, 1], dtype=np.float64)


def _outcome(table: pa.Table) -> Floats:
    return _column(table, "admitted")


@dataclass(frozen=True)
class Fitting:
    """How (a) to (c) were fitted, for the report to say."""

    how: str  # "training date" or "cross-fitted"
    as_of: str  # the date of the features they learned from
    people: int
    admitted: int
    explained: str


def fit_baselines(
    evaluate: pa.Table, learn: pa.Table | None, *, learn_as_of: dt.date | None, seed: int = 1
) -> tuple[dict[str, Floats], Fitting]:
    """Each baseline's probability for every person in `evaluate` (features with `admitted`).

    Learned from `learn` (the features and outcome at the model's training date, on the
    same lake) when given, so they learn from what the model learned from; otherwise
    cross-fitted on `evaluate`: its people split at random (seeded) in two halves, each
    half scored by regressions fitted on the other, so nobody is scored by a fit that saw
    their own outcome.
    """
    y = _outcome(evaluate)
    if learn is not None and learn_as_of is not None:
        y_learn = _outcome(learn)
        scores = {
            b.key: _predict(_fit(b.design(learn), y_learn), b.design(evaluate)) for b in BASELINES
        }
        fitting = Fitting(
            how="training date",
            as_of=learn_as_of.isoformat(),
            people=learn.num_rows,
            admitted=int(y_learn.sum()),
            explained=(
                f"fitted on this lake's {learn.num_rows:,} people on {learn_as_of} (the model's "
                f"training date) and their admissions in the year after, as the model was"
            ),
        )
        return scores, fitting
    fold = np.random.default_rng(seed).permutation(len(y)) % CROSS_FIT_FOLDS
    scores = {}
    for b in BASELINES:
        x = b.design(evaluate)
        p = np.empty(len(y), dtype=np.float64)
        for k in range(CROSS_FIT_FOLDS):
            held = fold == k
            p[held] = _predict(_fit(x[~held], y[~held]), x[held])
        scores[b.key] = p
    as_of = str(evaluate.column("as_of")[0].as_py()) if evaluate.num_rows else ""
    fitting = Fitting(
        how="cross-fitted",
        as_of=as_of,
        people=evaluate.num_rows,
        admitted=int(y.sum()),
        explained=(
            f"cross-fitted on the {evaluate.num_rows:,} people evaluated (the model's training "
            f"date is not in this lake's window): split at random (seed {seed}) in two "
            "halves, each scored by regressions fitted on the other half"
        ),
    )
    return scores, fitting


@dataclass(frozen=True)
class Truth:
    """The generator's true risk for the people it covers, or why there is none."""

    person_id: pa.Array | None
    probability: Floats | None
    reason: str  # "" when present


def read_truth(lake: Path, as_of: dt.date) -> Truth:
    """<lake>/truth/risk.parquet's risks on `as_of` (generated cities only)."""
    path = lake / TRUTH_FILE
    if not path.is_file():
        return Truth(
            None,
            None,
            f"the lake has no {TRUTH_FILE} (only generated cities carry the generator's true risk)",
        )
    table = pq.read_table(path, columns=["person_id", "as_of", "probability"])
    table = table.filter(pc.equal(table.column("as_of"), pa.scalar(as_of, pa.date32())))
    if table.num_rows == 0:
        return Truth(
            None,
            None,
            f"{TRUTH_FILE} holds no risks on {as_of} (it holds each 1 April whose following "
            "year lies in the window)",
        )
    probability = table.column("probability").to_numpy(zero_copy_only=False)
    return Truth(
        table.column("person_id").combine_chunks(), np.asarray(probability, np.float64), ""
    )
