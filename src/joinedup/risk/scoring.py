"""Scoring a lake with a saved model: each person's probability, band and top factors.

Bands are by rank in the population scored, as case finding uses them: the top 1% "very
high", the next 4% "high", the next 15% "moderate", the rest "low" (ties share the higher
band). Top factors are the three features pushing the person's score up most (their
credit in the log-odds by path attribution, risk/attribution.py), so a team sees why, not
only how much; they are worked out for the moderate band and above only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.lake.fingerprint import lake_fingerprint
from joinedup.lake.manifest import Manifest
from joinedup.lake.reader import open_lake
from joinedup.output_files import marked, parquet_kind, write_file
from joinedup.risk.attribution import attributions
from joinedup.risk.compute import RiskError, check_as_of, compute_features
from joinedup.risk.model import RiskModel, matrix

BANDS = (("very_high", 0.01), ("high", 0.05), ("moderate", 0.20))
LOW = "low"
TOP_FACTORS = 3
META_PSEUDONYMISED = "joinedup.pseudonymised"  # "true": person ids are HMAC pseudonyms
META_SOURCE = "joinedup.lake_source"
META_MODEL_AS_OF = "joinedup.model_as_of"
META_LAKE_FINGERPRINT = "joinedup.lake_fingerprint"  # which lake, exactly, was scored
SCORES_FILE = parquet_kind("a risk scores file", "risk-scores")
SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("as_of", pa.date32()),
        ("probability", pa.float64()),
        ("risk_band", pa.string()),
        ("top_factors", pa.list_(pa.string())),
    ]
)


def bands(probability: npt.NDArray[np.float64]) -> list[str]:
    """Each person's band by the share of the population scoring at least as high (ties
    count together, so they share the band)."""
    n = len(probability)
    if n == 0:
        return []
    descending = -np.sort(probability)[::-1]
    # the share scoring strictly higher, plus this person: tied people share the higher band
    share = (np.searchsorted(descending, -probability, side="left") + 1) / n
    chosen = np.select([share <= top for _, top in BANDS], [name for name, _ in BANDS], LOW)
    return list(chosen.tolist())


def top_factors(model: RiskModel, x: npt.NDArray[np.float64], banded: list[str]) -> list[list[str]]:
    """The features adding most to each person's log-odds (only those adding anything), for
    the people in the moderate band or above (the low band is not where a team looks for
    reasons); [] for the rest."""
    wanted = np.flatnonzero(np.array([band != LOW for band in banded], dtype=bool))
    factors: list[list[str]] = [[] for _ in banded]
    if len(wanted) == 0:
        return factors
    credit = attributions(model.booster, x[wanted])
    best = np.argsort(-credit, axis=1, kind="stable")[:, :TOP_FACTORS]
    adds = np.take_along_axis(credit, best, axis=1) > 0
    names = model.features
    for position, chosen, keep in zip(wanted, best, adds, strict=True):
        factors[position] = [names[i] for i, k in zip(chosen, keep, strict=True) if k]
    return factors


def check_lake_fits(model: RiskModel, lake: Path, manifest: Manifest | None = None) -> None:
    """Refuse a lake of another contract version than the model was trained on."""
    if manifest is None:
        manifest, _ = open_lake(lake)
    trained = model.trained.get("lake", {}).get("schema_version")
    if trained is not None and trained != manifest.schema_version:
        raise RiskError(
            f"{lake} follows lake contract version {manifest.schema_version}; the "
            f"model was trained on version {trained}: train it on this lake's version",
            field="lake",
        )


def score(
    model: RiskModel,
    lake: Path,
    as_of: dt.date,
    *,
    engine: str = "duckdb",
    checked: tuple[Manifest, dict[str, Path]] | None = None,
) -> pa.Table:
    """Everyone in the lake's population on `as_of`, with what the operational side needs to
    take the scores back to people (schema metadata: whether the ids are pseudonyms, the
    lake's source and fingerprint, the model's training date)."""
    checked = checked or check_as_of(lake, as_of)
    manifest = checked[0]
    check_lake_fits(model, lake, manifest)
    features = compute_features(lake, as_of, engine=engine, checked=checked)
    x = matrix(features, model.features)
    probability = model.predict(x)
    banded = bands(probability)
    return pa.table(
        {
            "person_id": features.column("person_id"),
            "as_of": features.column("as_of"),
            "probability": pa.array(probability, pa.float64()),
            "risk_band": pa.array(banded, pa.string()),
            "top_factors": pa.array(top_factors(model, x, banded), pa.list_(pa.string())),
        },
        schema=SCHEMA.with_metadata(
            {
                META_PSEUDONYMISED: "true" if manifest.pseudonymised else "false",
                META_SOURCE: manifest.source,
                META_MODEL_AS_OF: str(model.trained.get("as_of", "")),
                META_LAKE_FINGERPRINT: lake_fingerprint(lake),
            }
        ),
    )


def write_scores(table: pa.Table, path: Path, *, overwrite: bool = False) -> None:
    """Parquet, written beside and renamed: a reader never sees half a file. Marked as
    scores (`joinedup.kind`), so that only scores are replaced, and only with `overwrite`."""
    write_file(
        path,
        SCORES_FILE,
        lambda stage: pq.write_table(marked(table, SCORES_FILE), stage),
        overwrite=overwrite,
    )
