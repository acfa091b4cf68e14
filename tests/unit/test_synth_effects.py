"""The planted effects are really in the data, and the risk truth agrees with what happens.

Two cities differing only in one effect share their seed, so (every step drawing from its
own stream) the same people are found for the caseloads; their admission rates on the
caseload then differ by the planted ratio.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig

BASE = CityConfig(people=20_000, neighbourhoods=4, seed=5, end=dt.date(2022, 3, 31))


def build(tmp_path_factory: pytest.TempPathFactory, name: str, **effects: float) -> Path:
    out = tmp_path_factory.mktemp(name) / "city"
    generate_city(
        CityConfig(**{**BASE.to_json(), "start": BASE.start, "end": BASE.end, **effects}), out
    )
    return out


@pytest.fixture(scope="module")
def no_effect(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(
        tmp_path_factory,
        "none",
        caseload_admission_rate_ratio=1.0,
        golive_delay_change=0.0,
        golive_two_hour_change=0.0,
    )


@pytest.fixture(scope="module")
def strong_effect(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(
        tmp_path_factory,
        "strong",
        caseload_admission_rate_ratio=0.5,
        golive_delay_change=-0.5,
        golive_two_hour_change=0.2,
    )


def caseload_admission_rate(lake: Path) -> float:
    """Emergency admissions per person-day on a caseload (accepted episodes, start to end)."""
    episodes = pd.read_parquet(lake / "episode.parquet")
    episodes = episodes[episodes.end_reason.fillna("") != "declined"]
    start = pd.to_datetime(episodes.start_date)
    end = pd.to_datetime(episodes.end_date).fillna(pd.Timestamp(BASE.end))
    days = float((end - start).dt.days.add(1).sum())
    spells = pd.read_parquet(lake / "hospital_spell.parquet")
    spells = spells[spells.admission_method == "emergency"]
    merged = spells.merge(episodes.assign(s=start, e=end)[["person_id", "s", "e"]], on="person_id")
    admitted = pd.to_datetime(merged.admission_date)
    count = float(((admitted >= merged.s) & (admitted <= merged.e)).sum())
    return count / days


def test_caseload_rate_ratio_is_planted(no_effect: Path, strong_effect: Path) -> None:
    ratio = caseload_admission_rate(strong_effect) / caseload_admission_rate(no_effect)
    assert 0.35 < ratio < 0.7, f"caseload admission rate ratio {ratio:.2f}, planted 0.5"


def mean_delay_after_golive(lake: Path) -> float:
    teams = pd.read_parquet(lake / "team.parquet")
    neighbourhood_golive = teams.set_index("neighbourhood_id").go_live_date
    person = pd.read_parquet(lake / "person.parquet", columns=["person_id", "neighbourhood_id"])
    spells = pd.read_parquet(lake / "hospital_spell.parquet").merge(person, on="person_id")
    ready = pd.to_datetime(spells.ready_for_discharge_date)
    delay = (pd.to_datetime(spells.discharge_date) - ready).dt.days
    golive = pd.to_datetime(spells.neighbourhood_id.map(neighbourhood_golive))
    after = golive.notna() & (ready >= golive) & (delay > 0)
    return float(delay[after].mean())


def test_golive_shortens_delays(no_effect: Path, strong_effect: Path) -> None:
    ratio = mean_delay_after_golive(strong_effect) / mean_delay_after_golive(no_effect)
    assert 0.4 < ratio < 0.75, (
        f"delays after go-live {ratio:.2f} of the no-effect city, planted 0.5"
    )


def two_hour_share_after_golive(lake: Path) -> float:
    contacts = pd.read_parquet(lake / "contact.parquet")
    timed = contacts[contacts.response_minutes.notna() & contacts.team_id.notna()]
    return float((timed.response_minutes <= 120).mean())


def test_golive_raises_the_two_hour_share(no_effect: Path, strong_effect: Path) -> None:
    low, high = two_hour_share_after_golive(no_effect), two_hour_share_after_golive(strong_effect)
    assert 0.1 < high - low < 0.3, (low, high)


def test_true_risk_is_calibrated_against_what_happens(no_effect: Path) -> None:
    """Mean true risk matches the share admitted within 12 months, overall and by risk fifth."""
    risk = pd.read_parquet(no_effect / "truth" / "risk.parquet")
    spells = pd.read_parquet(no_effect / "hospital_spell.parquet")
    spells = spells[spells.admission_method == "emergency"]
    person = pd.read_parquet(no_effect / "person.parquet").set_index("person_id")
    first = spells.groupby("person_id").admission_date.apply(sorted)
    outcome = []
    for person_id, as_of in zip(risk.person_id, risk.as_of, strict=True):
        until = as_of + dt.timedelta(days=364)
        outcome.append(any(as_of <= d <= until for d in first.get(person_id, [])))
    risk["admitted"] = outcome
    left = pd.to_datetime(person.registered_to.reindex(risk.person_id)).to_numpy()
    as_of = pd.to_datetime(risk.as_of).to_numpy()
    moved = left <= as_of + np.timedelta64(364, "D")  # NaT compares False
    stayed = risk[~moved]  # the truth is for people who stay registered
    assert stayed.admitted.mean() == pytest.approx(stayed.probability.mean(), rel=0.12)
    stayed = stayed.assign(fifth=pd.qcut(stayed.probability, 5, labels=False))
    by_fifth = stayed.groupby("fifth")[["probability", "admitted"]].mean()
    assert np.all(np.diff(by_fifth.admitted.to_numpy()) > 0), "higher true risk, more admissions"
    top = by_fifth.iloc[-1]
    assert top.admitted == pytest.approx(top.probability, rel=0.15)
