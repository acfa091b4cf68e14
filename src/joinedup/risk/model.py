"""The risk model: gradient-boosted trees for an emergency admission in the next 12 months.

LightGBM learns from the features at one as-of date and the outcome in the year after it;
its scores are then calibrated (Platt scaling: a logistic regression on the trees' log-odds,
fitted on scores each person got from trees that never saw them), so that a person given 20% has,
among people like them, about a one-in-five chance. Deterministic for a seed (one thread,
LightGBM's deterministic mode). Saved as one JSON document holding the trees in LightGBM's
text format (never a pickle: loading a model file runs no code), its feature list,
training window, version and evaluation; a model is refused for features it was not
trained on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from joinedup.lake.manifest import Manifest
from joinedup.output_files import json_kind, write_file
from joinedup.risk.features import FEATURES
from joinedup.risk.model_file import FORMAT, FORMAT_VERSION, ModelError, read_model_file

MODEL_FILE = json_kind("a risk model", FORMAT)  # how --overwrite knows a model file
FOLDS = 5
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}
MAX_ROUNDS = 1_000
PATIENCE = 30  # rounds without a better cross-validated log loss before stopping


@dataclass
class RiskModel:
    booster: lgb.Booster
    calibration: tuple[float, float]  # (intercept, slope) on the trees' log-odds
    features: tuple[str, ...]
    trained: dict[str, Any]  # as_of, outcome_days, people, admitted, lake, seed
    evaluation: dict[str, Any] = field(default_factory=dict)

    def raw(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The trees' log-odds."""
        threads = (
            os.cpu_count() or 1
        )  # training is single-threaded (reproducible); scoring need not be
        return np.asarray(
            self.booster.predict(x, raw_score=True, num_threads=threads), dtype=np.float64
        )

    def predict(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Calibrated probabilities of an emergency admission in the next 12 months."""
        intercept, slope = self.calibration
        return 1.0 / (1.0 + np.exp(-(intercept + slope * self.raw(x))))

    def save(self, path: Path, *, overwrite: bool = False) -> None:
        """Write the model as JSON (written beside, then renamed: never half a file); an
        existing file is replaced only with `overwrite`, and only if it is a model."""
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "features": list(self.features),
            "calibration": {"intercept": self.calibration[0], "slope": self.calibration[1]},
            "trained": self.trained,
            "evaluation": self.evaluation,
            "lightgbm_version": lgb.__version__,
            "booster": self.booster.model_to_string(),
        }
        text = json.dumps(document, default=str)
        write_file(path, MODEL_FILE, lambda stage: stage.write_text(text), overwrite=overwrite)


def matrix(table: pa.Table, features: tuple[str, ...] = FEATURES) -> npt.NDArray[np.float64]:
    """The features as a float matrix in the model's order (null: NaN, which trees handle)."""
    missing = [name for name in features if name not in table.column_names]
    if missing:
        raise ModelError(f"features: missing {', '.join(missing)}")
    columns = [
        table.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False) for name in features
    ]
    return np.column_stack(columns) if columns else np.empty((table.num_rows, 0))


def _log_likelihood(
    raw: npt.NDArray[np.float64], y: npt.NDArray[np.float64], a: float, b: float
) -> float:
    eta = a + b * raw
    return float(np.sum(y * eta - np.logaddexp(0, eta)))


def platt(raw: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Intercept and slope of a logistic regression of the outcome on the log-odds, by
    Newton's method from (0, 1), each step halved until the likelihood does not fall (two
    parameters: no library needed, exactly reproducible, and it settles even for scores
    far from calibrated, which the validation report also judges with it)."""
    a, b = 0.0, 1.0
    best = _log_likelihood(raw, y, a, b)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(a + b * raw)))
        w = np.maximum(p * (1 - p), 1e-12)
        g = np.array([np.sum(y - p), np.sum((y - p) * raw)])
        h = np.array([[np.sum(w), np.sum(w * raw)], [np.sum(w * raw), np.sum(w * raw * raw)]])
        step = np.linalg.solve(h, g)
        scale = 1.0
        while (
            scale > 1e-6
            and _log_likelihood(raw, y, a + scale * step[0], b + scale * step[1]) < best
        ):
            scale /= 2
        a, b = a + scale * step[0], b + scale * step[1]
        best = _log_likelihood(raw, y, a, b)
        if np.max(np.abs(scale * step)) < 1e-10:
            break
    return float(a), float(b)


def _folds(n: int, seed: int) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """FOLDS (train, test) index pairs, every person in exactly one test part (seeded)."""
    fold = np.random.default_rng(seed).permutation(n) % FOLDS
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(FOLDS)]


def lake_description(lake: Path, manifest: Manifest) -> dict[str, Any]:
    """What a model keeps of the lake it learns from (its checked manifest)."""
    return {
        "path": str(lake),
        "schema_version": manifest.schema_version,
        "source": manifest.source,
        "purpose": manifest.purpose,
        "observation_start": manifest.observation_start.isoformat(),
        "observation_end": manifest.observation_end.isoformat(),
    }


def train(table: pa.Table, *, as_of: dt.date, lake: dict[str, Any], seed: int = 1) -> RiskModel:
    """A calibrated model from features with the outcome (`admitted`) at `as_of`.

    Cross-validation (FOLDS parts) chooses how many rounds of trees to grow (stopping when
    the held-out log loss has not improved for PATIENCE rounds) and gives every person a
    score from trees that never saw them; the final trees are grown on everyone for that
    many rounds and calibrated on those out-of-fold scores. So the calibration rests on all
    the people, not a fifth of them, and a small lake gets fewer rounds (less overfitting).
    """
    if "admitted" not in table.column_names:
        raise ModelError("training needs the outcome: compute the features with_outcome")
    y = table.column("admitted").to_numpy(zero_copy_only=False).astype(np.float64)
    if table.num_rows < 200 or y.sum() < 20 or y.sum() > len(y) - 20:
        raise ModelError(
            f"{table.num_rows:,} people with {int(y.sum()):,} admitted in the year "
            "after is too few to train on (at least 200 people and 20 of each outcome)",
            field="as_of",
        )
    x = matrix(table)
    params = {**PARAMS, "seed": seed}
    folds = _folds(len(y), seed)
    data = lgb.Dataset(x, label=y, feature_name=list(FEATURES), free_raw_data=False)
    cv = lgb.cv(
        params,
        data,
        num_boost_round=MAX_ROUNDS,
        folds=folds,
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
        return_cvbooster=True,
    )
    losses = cv["valid binary_logloss-mean"]
    boosters = cv["cvbooster"]
    assert isinstance(losses, list) and isinstance(boosters, lgb.CVBooster)
    rounds = len(losses)
    out_of_fold = np.empty(len(y))
    for booster, (_, test) in zip(boosters.boosters, folds, strict=True):
        out_of_fold[test] = booster.predict(x[test], raw_score=True, num_iteration=rounds)
    model = RiskModel(
        booster=lgb.train(params, data, rounds),
        calibration=platt(out_of_fold, y),
        features=FEATURES,
        trained={
            "as_of": as_of.isoformat(),
            "outcome_days": 365,
            "people": len(y),
            "admitted": int(y.sum()),
            "folds": FOLDS,
            "cross_validated_log_loss": float(losses[-1]),
            "seed": seed,
            "lake": lake,
            "params": params,
            "rounds": rounds,
        },
    )
    return model


def load(path: Path) -> RiskModel:
    """A saved model, read against its declared schema (risk/model_file.py) before LightGBM
    sees any of it; refused with one line naming the file and the problem if it is not one."""
    checked = read_model_file(Path(path), FEATURES)
    try:
        booster = lgb.Booster(model_str=checked.trees)
    except lgb.basic.LightGBMError as exc:  # not expected of checked trees; still one line
        shown = " ".join(str(exc).split())
        raise ModelError(
            f"{path} is a damaged joinedup risk model: {shown}", field="model"
        ) from None
    return RiskModel(
        booster=booster,
        calibration=checked.calibration,
        features=checked.features,
        trained=checked.trained,
        evaluation=checked.evaluation,
    )
