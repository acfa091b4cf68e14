"""The risk model on a generated city: deterministic, calibrated, saved safely, refused
when it does not fit.

Trained on the features of 1 April 2022 and the year after, judged on 1 April 2023 and the
year after (the next year, as it will be used). The city, LightGBM and the split are all
seeded, so every figure here is exactly reproducible.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn.metrics import roc_auc_score

from joinedup.output_files import OutputError
from joinedup.risk import model as risk_model
from joinedup.risk.compute import compute_features
from joinedup.risk.features import FEATURES
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig

pytestmark = pytest.mark.engines  # no database: run once

TRAIN_AS_OF = dt.date(2022, 4, 1)
TEST_AS_OF = dt.date(2023, 4, 1)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("risk") / "city"
    generate_city(CityConfig(people=20_000, neighbourhoods=3, seed=5), out)
    return out


@pytest.fixture(scope="module")
def years(city: Path) -> tuple[pa.Table, pa.Table]:
    return (
        compute_features(city, TRAIN_AS_OF, with_outcome=True),
        compute_features(city, TEST_AS_OF, with_outcome=True),
    )


@pytest.fixture(scope="module")
def trained(years: tuple[pa.Table, pa.Table]) -> risk_model.RiskModel:
    return risk_model.train(years[0], as_of=TRAIN_AS_OF, lake={"name": "test city"}, seed=7)


def test_the_next_years_admissions_are_ranked_and_calibrated(
    trained: risk_model.RiskModel, years: tuple[pa.Table, pa.Table]
) -> None:
    test = years[1]
    y = test.column("admitted").to_numpy()
    p = trained.predict(risk_model.matrix(test))
    assert ((p > 0) & (p < 1)).all()
    auc = roc_auc_score(y, p)
    assert auc > roc_auc_score(y, test.column("emergency_12m").to_numpy())  # beats prior use
    assert auc > 0.6
    assert abs(p.mean() - y.mean()) < 0.2 * y.mean()  # calibrated on average, a year on
    intercept, slope = risk_model.platt(np.log(p / (1 - p)), y.astype(float))
    assert 0.9 < slope < 1.2, (intercept, slope)  # 1.09 for this city and seed


def test_the_same_seed_gives_the_same_model_and_another_does_not(
    trained: risk_model.RiskModel, years: tuple[pa.Table, pa.Table]
) -> None:
    x = risk_model.matrix(years[1])
    again = risk_model.train(years[0], as_of=TRAIN_AS_OF, lake={"name": "test city"}, seed=7)
    other = risk_model.train(years[0], as_of=TRAIN_AS_OF, lake={"name": "test city"}, seed=8)
    assert np.array_equal(again.predict(x), trained.predict(x))
    assert not np.array_equal(other.predict(x), trained.predict(x))


def test_saved_and_loaded_it_scores_the_same(
    trained: risk_model.RiskModel, years: tuple[pa.Table, pa.Table], tmp_path: Path
) -> None:
    path = tmp_path / "model.json"
    trained.save(path)
    document = json.loads(path.read_text())
    assert document["features"] == list(FEATURES)
    assert document["trained"]["as_of"] == "2022-04-01" and document["trained"]["seed"] == 7
    assert not (tmp_path / "model.json.partial").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no staging left beside it
    x = risk_model.matrix(years[1])
    assert np.array_equal(risk_model.load(path).predict(x), trained.predict(x))


def test_a_model_replaces_only_a_model_and_only_when_asked(
    trained: risk_model.RiskModel, tmp_path: Path
) -> None:
    path = tmp_path / "model.json"
    trained.save(path)
    assert risk_model.MODEL_FILE.recognise(path)
    with pytest.raises(OutputError, match="already exists"):
        trained.save(path)
    trained.save(path, overwrite=True)
    thesis = tmp_path / "thesis.json"
    thesis.write_text('{"title": "my thesis"}')
    with pytest.raises(OutputError, match="is not a risk model joinedup wrote") as refused:
        trained.save(thesis, overwrite=True)
    assert refused.value.field == "out"
    assert thesis.read_text() == '{"title": "my thesis"}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "thesis.json"]


def test_a_file_that_is_not_this_model_is_refused(
    trained: risk_model.RiskModel, tmp_path: Path
) -> None:
    path = tmp_path / "model.json"
    trained.save(path)
    good = json.loads(path.read_text())
    cases = {
        "not json": ("{not json", "is not a joinedup risk model"),
        "another format": (json.dumps({"format": "pickle"}), "is not a joinedup risk model"),
        "old version": (json.dumps({**good, "format_version": 0}), "format version 0"),
        "other features": (
            json.dumps({**good, "features": [*good["features"][:-1], "shoe_size"]}),
            "no longer: shoe_size",
        ),
    }
    for name, (text, message) in cases.items():
        bad = tmp_path / f"{name}.json"
        bad.write_text(text)
        with pytest.raises(risk_model.ModelError, match=message):
            risk_model.load(bad)


def test_training_needs_the_outcome_and_enough_people(years: tuple[pa.Table, pa.Table]) -> None:
    with pytest.raises(risk_model.ModelError, match="needs the outcome"):
        risk_model.train(years[0].drop_columns(["admitted"]), as_of=TRAIN_AS_OF, lake={})
    with pytest.raises(risk_model.ModelError, match="too few to train on"):
        risk_model.train(years[0].slice(0, 100), as_of=TRAIN_AS_OF, lake={})
