"""Scores on a generated city: the same from either engine's features, and blind to the future.

The features are checked edge by edge in tests/spec; here the whole pipeline (features,
model, bands, top factors) is compared end to end on a city, as `joinedup risk score` runs it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from joinedup.lake.reader import table_path
from joinedup.risk.compute import compute_features
from joinedup.risk.model import RiskModel, train
from joinedup.risk.scoring import score
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig

pytestmark = pytest.mark.engines  # no database: run once

TRAIN_AS_OF = dt.date(2022, 4, 1)
AS_OF = dt.date(2023, 4, 1)
# table -> (id column, the date that places a row after the as-of date)
LATER = {
    "hospital_spell": ("spell_id", "admission_date"),
    "ae_attendance": ("attendance_id", "arrival"),
    "contact": ("contact_id", "contact_date"),
    "care_package": ("package_id", "start_date"),
    "episode": ("episode_id", "start_date"),
}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("risk-scores") / "city"
    generate_city(CityConfig(people=8_000, neighbourhoods=2, seed=11), out)
    return out


@pytest.fixture(scope="module")
def model(city: Path) -> RiskModel:
    table = compute_features(city, TRAIN_AS_OF, with_outcome=True)
    return train(table, as_of=TRAIN_AS_OF, lake={"schema_version": 1}, seed=3)


@pytest.mark.spark
def test_scores_are_the_same_from_either_engines_features(city: Path, model: RiskModel) -> None:
    duckdb = score(model, city, AS_OF, engine="duckdb")
    spark = score(model, city, AS_OF, engine="spark")
    assert duckdb.num_rows > 7_000
    assert duckdb.equals(spark)  # every probability to the last bit, every band and factor
    assert pc.sum(pc.not_equal(duckdb.column("risk_band"), "low")).as_py() > 1_000


def _with_a_second_future(city: Path, out: Path) -> int:
    """A copy of the lake in which every event after AS_OF happens twice (new ids)."""
    shutil.copytree(city, out)
    added = 0
    for name, (key, when) in LATER.items():
        path = table_path(out, name)
        assert path is not None and path.is_file(), name
        table = pq.read_table(path)
        later = table.filter(pc.greater_equal(table.column(when), pa.scalar(AS_OF)))
        assert later.num_rows > 0, name
        renamed = pc.binary_join_element_wise("again-", later.column(key).cast(pa.string()), "")
        later = later.set_column(later.schema.get_field_index(key), key, renamed)
        pq.write_table(pa.concat_tables([table, later.cast(table.schema)]), path)
        added += later.num_rows
    return added


def test_events_after_the_as_of_date_change_no_score(
    city: Path, model: RiskModel, tmp_path: Path
) -> None:
    doubled = tmp_path / "doubled"
    added = _with_a_second_future(city, doubled)
    assert added > 10_000
    before = score(model, city, AS_OF)
    after = score(model, doubled, AS_OF)
    assert before.equals(after)
    # ...while the same events before the date do move scores (the comparison can fail)
    assert not score(model, city, dt.date(2024, 4, 1)).equals(
        score(model, doubled, dt.date(2024, 4, 1))
    )
