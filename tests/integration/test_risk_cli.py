"""`joinedup risk train` and `joinedup risk score` end to end on a generated city.

Each refusal is one line on stderr, exit code 2, and no file written.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from command_line import one_error_line, run
from joinedup.risk.scoring import SCORES_FILE

pytestmark = pytest.mark.engines  # no database: run once


@pytest.fixture(scope="module")
def city(risk_city: Path) -> Path:
    return risk_city


@pytest.fixture(scope="module")
def model(risk_model: Path) -> Path:
    return risk_model


def test_scores_everyone_with_a_band_and_the_reasons(
    city: Path, model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.parquet"
    done = run("risk", "score", "--lake", str(city), "--model", str(model), "--as-of",
               "2024-04-01", "--out", str(out), var=tmp_path / "var")  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pq.read_table(out)
    assert table.column_names == ["person_id", "as_of", "probability", "risk_band", "top_factors"]
    assert SCORES_FILE.recognise(out)  # marked joinedup.kind=risk-scores, for --overwrite
    assert table.schema.metadata[b"joinedup.kind"] == b"risk-scores"
    rows = table.to_pylist()
    assert len({r["person_id"] for r in rows}) == len(rows) > 9_000
    assert all(0 < r["probability"] < 1 for r in rows)
    share = {band: n / len(rows) for band, n in collections.Counter(
        r["risk_band"] for r in rows).items()}  # fmt: skip
    assert share["very_high"] <= 0.01 and share["very_high"] + share["high"] <= 0.05
    assert 0.75 <= share["low"] <= 0.81
    top = max(rows, key=lambda r: r["probability"])
    assert top["risk_band"] == "very_high" and 1 <= len(top["top_factors"]) <= 3
    assert all(r["top_factors"] == [] for r in rows if r["risk_band"] == "low")
    assert f"Scored {len(rows):,} people on 2024-04-01" in done.stdout


def _refused(tmp_path: Path, *args: str) -> str:
    result = run(*args, var=tmp_path / "var")
    line = one_error_line(result)
    assert not any(p.suffix in (".json", ".parquet") for p in tmp_path.glob("out*")), args
    return line


def test_refusals_name_what_is_wrong(city: Path, model: Path, tmp_path: Path) -> None:
    score = ("risk", "score", "--lake", str(city), "--as-of", "2024-04-01")
    out = str(tmp_path / "out.parquet")
    assert "the year after 2024-06-01 must lie within the lake's window" in _refused(
        tmp_path, "risk", "train", "--lake", str(city), "--as-of", "2024-06-01",
        "--out", str(tmp_path / "out.json"),
    )  # fmt: skip
    assert "--as-of: 2030-01-01 is outside the lake's window" in _refused(
        tmp_path, "risk", "score", "--lake", str(city), "--as-of", "2030-01-01",
        "--model", str(model), "--out", out,
    )  # fmt: skip
    assert "--out: expected FILE.parquet" in _refused(
        tmp_path, *score, "--model", str(model), "--out", str(tmp_path / "out.csv")
    )
    assert "--engine: expected one of duckdb, spark" in _refused(
        tmp_path, *score, "--model", str(model), "--out", out, "--engine", "excel"
    )
    document = json.loads(model.read_text())
    other_features = tmp_path / "other-features.json"
    other_features.write_text(json.dumps({**document, "features": document["features"][:-1]}))
    assert "was trained on other features" in _refused(
        tmp_path, *score, "--model", str(other_features), "--out", out
    )
    other_lake = tmp_path / "other-lake.json"
    trained = {**document["trained"], "lake": {**document["trained"]["lake"], "schema_version": 99}}
    other_lake.write_text(json.dumps({**document, "trained": trained}))
    assert "the model was trained on version 99" in _refused(
        tmp_path, *score, "--model", str(other_lake), "--out", out
    )
    assert "is not a joinedup risk model" in _refused(
        tmp_path, *score, "--model", str(tmp_path / "missing.json"), "--out", out
    )
    damaged = {
        "no-features": {k: v for k, v in document.items() if k != "features"},
        "bad-calibration": {**document, "calibration": {"intercept": "x", "slope": 1}},
        "bad-trees": {**document, "booster": "not trees"},
    }
    for name, broken in damaged.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(broken))
        assert "is a damaged joinedup risk model" in _refused(
            tmp_path, *score, "--model", str(path), "--out", out
        ), name
