"""A small synthetic city: a valid lake, deterministic, consistent record by record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from rich.progress import Progress

from joinedup.lake.diagnoses import ICD10, is_acsc, is_injury
from joinedup.lake.reader import check_lake
from joinedup.lake.schema import TABLES
from joinedup.output_files import OutputError
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig

SMALL = CityConfig(people=2_000, neighbourhoods=2, seed=11)
END = pd.Timestamp(SMALL.end)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "city"
    generate_city(SMALL, out)
    return out


def read(lake: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(lake / f"{table}.parquet")


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def ts(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series)


@pytest.fixture(scope="module")
def person(lake: Path) -> pd.DataFrame:
    p = read(lake, "person")
    p["first"] = ts(p.registered_from)
    last = pd.concat([ts(p.registered_to).fillna(END), ts(p.death_date).fillna(END)], axis=1).min(
        axis=1
    )
    p["last"] = last.clip(upper=END)
    return p.set_index("person_id")


def within_life(person: pd.DataFrame, ids: pd.Series, day: pd.Series) -> pd.Series:
    """True where the day lies in [registered_from, the person's last registered, alive day]."""
    first = person["first"].reindex(ids).to_numpy()
    last = person["last"].reindex(ids).to_numpy()
    d = ts(day).to_numpy()
    return pd.Series((d >= first) & (d <= last), index=day.index)


def test_the_lake_passes_the_contract_check(lake: Path) -> None:
    report = check_lake(lake)
    assert report.ok, "\n".join(str(p) for p in report.problems)
    assert set(report.rows) == set(TABLES)
    assert all(report.rows[t] > 0 for t in TABLES)
    manifest = json.loads((lake / "manifest.json").read_text())
    assert manifest["purpose"] == "synthetic" and manifest["source"] == "generator"
    assert manifest["pseudonymised"] is False
    assert (manifest["observation_start"], manifest["observation_end"]) == (
        "2019-04-01",
        "2025-03-31",
    )


def test_truth_files_are_written(lake: Path) -> None:
    effects = json.loads((lake / "truth" / "effects.json").read_text())
    assert effects["seed"] == SMALL.seed
    assert effects["config"]["people"] == SMALL.people
    for name, value in SMALL.effects().items():
        assert effects["effects"][name]["value"] == value
    risk = pd.read_parquet(lake / "truth" / "risk.parquet")
    assert list(risk.columns) == ["person_id", "as_of", "probability"]
    assert risk.probability.between(0, 1).all()
    as_of = sorted(set(risk.as_of))
    assert as_of == [dt.date(y, 4, 1) for y in range(2019, 2025)]
    teams = pd.read_parquet(lake / "truth" / "teams.parquet")
    assert teams.go_live_date.isna().any() and teams.go_live_date.notna().any()
    assert (lake / "truth" / "capacity.parquet").is_file()


def test_same_seed_same_bytes_other_seed_other_city(lake: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_city(SMALL, again)
    assert digest(again) == digest(lake)
    other = tmp_path / "other"
    generate_city(CityConfig(people=2_000, neighbourhoods=2, seed=12), other)
    assert digest(other)["person.parquet"] != digest(lake)["person.parquet"]
    assert digest(other)["contact.parquet"] != digest(lake)["contact.parquet"]


def test_nothing_happens_outside_registration_or_after_death(
    lake: Path, person: pd.DataFrame
) -> None:
    spells = read(lake, "hospital_spell")
    assert within_life(person, spells.person_id, spells.admission_date).all()
    discharged = spells[spells.discharge_date.notna()]
    assert within_life(person, discharged.person_id, discharged.discharge_date).all()
    contacts = read(lake, "contact")
    assert within_life(person, contacts.person_id, contacts.contact_date).all()
    ae = read(lake, "ae_attendance")
    arrival = ts(ae.arrival).dt.tz_convert(None).dt.normalize()
    assert within_life(person, ae.person_id, arrival).all()
    referrals = read(lake, "referral")
    received = ts(referrals.received_at).dt.tz_convert(None).dt.normalize()
    assert within_life(person, referrals.person_id, received).all()
    episodes = read(lake, "episode")
    assert within_life(person, episodes.person_id, episodes.start_date).all()
    ended = episodes[episodes.end_date.notna()]
    assert within_life(person, ended.person_id, ended.end_date).all()
    packages = read(lake, "care_package")
    started_inside = packages[ts(packages.start_date) >= pd.Timestamp(SMALL.start)]
    assert within_life(person, started_inside.person_id, started_inside.start_date).all()
    first = person["first"].reindex(packages.person_id).to_numpy()
    assert (ts(packages.start_date).to_numpy() >= first).all()
    closed = packages[packages.end_date.notna()]
    assert within_life(person, closed.person_id, closed.end_date).all()
    gone = person[person.death_date.notna() | person.registered_to.notna()].index
    assert not packages[packages.person_id.isin(gone)].end_date.isna().any(), (
        "care continuing after death or a move"
    )
    assert not episodes[episodes.person_id.isin(gone)].end_date.isna().any()
    conditions = read(lake, "condition")
    known = ts(conditions.recorded_date).fillna(ts(conditions.onset_date))
    last = person["last"].reindex(conditions.person_id).to_numpy()
    assert (known.to_numpy() <= last).all()
    assert (ts(conditions.onset_date) <= END).all()


def test_people_are_registered_sensibly(person: pd.DataFrame) -> None:
    assert (ts(person.birth_date) <= person["first"]).all()
    assert not (person.registered_to.notna() & person.death_date.notna()).any()
    assert person.deprivation_decile.between(1, 10).all()
    children = (pd.Timestamp(SMALL.start) - ts(person.birth_date)).dt.days < 18 * 365
    assert not person.lives_alone[children & (person["first"] <= pd.Timestamp(SMALL.start))].any()


def test_stays_are_ordered_and_consistent(lake: Path, person: pd.DataFrame) -> None:
    s = read(lake, "hospital_spell")
    adm, ready, dis = ts(s.admission_date), ts(s.ready_for_discharge_date), ts(s.discharge_date)
    both = ready.notna() & dis.notna()
    assert (ready[ready.notna()] >= adm[ready.notna()]).all()
    assert (dis[both] >= ready[both]).all()
    assert (dis[dis.notna()] >= adm[dis.notna()]).all()
    died = s.discharge_destination == "died"
    death = ts(person.death_date).reindex(s.person_id[died]).to_numpy()
    assert (dis[died].to_numpy() == death).all(), "a death in hospital is the person's death"
    assert s.ready_for_discharge_date[died].isna().all() and s.discharge_pathway[died].isna().all()
    delayed = (dis - ready).dt.days > 0
    assert s.delay_reason[delayed].notna().all() and s.delay_responsibility[delayed].notna().all()
    assert s.delay_reason[both & ~delayed].isna().all()
    out = dis.notna()
    assert (s.discharge_destination[out & (s.discharge_pathway == 3)] == "care_home_new").all()
    assert (s.discharge_destination[out & (s.discharge_pathway == 2)] == "temporary").all()
    assert s.discharge_destination[dis.notna()].notna().all()
    # a person is in one hospital at a time
    s = s.assign(adm=adm, dis=dis.fillna(END)).sort_values(["person_id", "adm"])
    nxt = s.groupby("person_id").adm.shift(-1)
    assert ((nxt.isna()) | (nxt > s.dis)).all()


def test_diagnoses_agree_with_the_acsc_and_fall_flags(lake: Path) -> None:
    s = read(lake, "hospital_spell")
    assert s.primary_diagnosis.map(ICD10.fullmatch).notna().all()  # the feed's format too
    assert (s.acsc == s.primary_diagnosis.map(is_acsc)).all()
    assert s.primary_diagnosis[s.fall].map(is_injury).all()
    assert not (s.acsc & s.fall).any()
    assert not s.acsc[s.admission_method == "elective"].any()


def test_admitted_attendances_match_emergency_admissions(lake: Path) -> None:
    s = read(lake, "hospital_spell")
    ae = read(lake, "ae_attendance")
    admitted = ae[ae.admitted]
    day = ts(admitted.arrival).dt.tz_convert("Europe/London").dt.date
    emergency = s[s.admission_method == "emergency"]
    keys = set(zip(emergency.person_id, emergency.admission_date, strict=True))
    assert all((p, d) in keys for p, d in zip(admitted.person_id, day, strict=True))
    assert 0.6 < len(admitted) / len(emergency) < 0.9


def test_response_minutes_only_on_first_rapid_response_visits(lake: Path) -> None:
    contacts = read(lake, "contact")
    referrals = read(lake, "referral").set_index("referral_id")
    timed = contacts[contacts.response_minutes.notna()]
    assert (timed.service == "rapid_response").all()
    assert timed.referral_id.notna().all()
    assert (referrals.urgency.reindex(timed.referral_id) == "two_hour").all()
    assert not timed.duplicated("referral_id").any(), "one first visit per referral"
    received = (
        ts(referrals.received_at.reindex(timed.referral_id)).dt.tz_convert(None).dt.normalize()
    )
    arrival = received + pd.to_timedelta(timed.response_minutes.to_numpy(), unit="m")
    assert (arrival.dt.normalize().to_numpy() <= ts(timed.contact_date).to_numpy()).all()
    share = (timed.response_minutes <= 120).mean()
    assert 0.6 < share < 0.95
    rapid = contacts[contacts.service == "rapid_response"]
    assert rapid.referral_id.notna().all()


def test_referral_status_agrees_with_its_times(lake: Path) -> None:
    r = read(lake, "referral")
    end = pd.Timestamp(SMALL.end, tz="UTC") + pd.Timedelta(days=1)
    received, accepted, closed = ts(r.received_at), ts(r.accepted_at), ts(r.closed_at)
    assert (accepted[accepted.notna()] >= received[accepted.notna()]).all()
    assert (closed[closed.notna()] >= received[closed.notna()]).all()
    both = accepted.notna() & closed.notna()
    assert (closed[both] >= accepted[both]).all()
    assert (closed[closed.notna()] < end).all() and (accepted[accepted.notna()] < end).all()
    status = r.status
    assert closed[status.isin(["completed", "rejected", "cancelled"])].notna().all()
    assert closed[status.isin(["in-progress", "requested"])].isna().all()
    assert accepted[status.isin(["completed", "in-progress"])].notna().all()
    assert accepted[status.isin(["rejected", "requested"])].isna().all()
    assert (status == "completed").mean() > 0.8
    assert "rejected" in set(status)


def test_episodes_and_teams(lake: Path) -> None:
    teams = read(lake, "team").set_index("team_id")
    episodes = read(lake, "episode")
    declined = episodes.end_reason == "declined"
    assert declined.any() and (episodes.start_date[declined] == episodes.end_date[declined]).all()
    golive = ts(teams.go_live_date.reindex(episodes.team_id)).to_numpy()
    assert (ts(episodes.start_date).to_numpy() >= golive).all(), (
        "no caseload before the team is live"
    )
    assert set(episodes.reason) <= {"case_finding", "post_discharge", "referral", "other"}
    assert "case_finding" in set(episodes.reason)


def test_care_packages_link_to_spells_and_budget_lines(lake: Path) -> None:
    packages = read(lake, "care_package")
    spells = read(lake, "hospital_spell").set_index("spell_id")
    after = packages[packages.after_spell_id.notna()]
    discharge = ts(spells.discharge_date.reindex(after.after_spell_id)).to_numpy()
    assert (ts(after.start_date).to_numpy() >= discharge).all()
    reablement = packages[packages.service_type.isin(["reablement", "intermediate_care"])]
    assert reablement.after_spell_id.notna().mean() > 0.9
    assert (packages.budget_mode.isna() | packages.personal_budget).all()
    homes = packages[packages.service_type.isin(["residential_care", "nursing_care"])]
    assert (
        homes.permanent.any()
        and not packages.permanent[
            ~packages.service_type.isin(["residential_care", "nursing_care"])
        ].any()
    )
    lines = read(lake, "budget_line").set_index("line_id")
    linked = packages[packages.budget_line_id.notna()]
    start = ts(linked.start_date).to_numpy()
    assert (start >= ts(lines.period_start.reindex(linked.budget_line_id)).to_numpy()).all()
    assert (start <= ts(lines.period_end.reindex(linked.budget_line_id)).to_numpy()).all()
    assert lines.planned.gt(0).all() and lines.spent.ge(0).all()


def test_neighbourhood_population_is_the_registered_list_at_the_end(
    lake: Path, person: pd.DataFrame
) -> None:
    nb = read(lake, "neighbourhood").set_index("neighbourhood_id")
    on_end = person[
        (person["first"] <= END) & person.registered_to.isna() & person.death_date.isna()
    ]
    counts = on_end.groupby("neighbourhood_id").size()
    assert (nb.population == counts.reindex(nb.index).fillna(0)).all()


def test_a_failed_run_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from joinedup.synth import city as city_module

    def boom(self: object, contact_rows: int) -> dict[str, int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(city_module.City, "_write_lake", boom)
    out = tmp_path / "city"
    with pytest.raises(RuntimeError):
        generate_city(CityConfig(people=2_000, neighbourhoods=2, end=dt.date(2020, 3, 31)), out)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_lake_is_replaced_only_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "city"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    config = CityConfig(people=2_000, neighbourhoods=2, end=dt.date(2020, 3, 31))
    with pytest.raises(OutputError, match="already exists"):
        generate_city(config, out)
    with pytest.raises(OutputError, match="is not a lake joinedup wrote"):
        generate_city(config, out, overwrite=True)  # not a lake: never replaced
    assert (out / "keep.txt").read_text() == "x"
    (out / "manifest.json").write_text(json.dumps({"schema_version": 1}))  # now a lake
    summary = generate_city(config, out, overwrite=True)
    assert not (out / "keep.txt").exists()
    assert summary.rows["person"] > 2_000 and summary.seconds > 0
    assert (summary.start, summary.end) == (config.start, config.end)


def test_progress_has_a_step_per_month(tmp_path: Path) -> None:
    config = CityConfig(people=2_000, neighbourhoods=2, end=dt.date(2020, 3, 31))
    with Progress(console=Console(file=open("/dev/null", "w")), disable=True) as progress:
        generate_city(config, tmp_path / "city", progress=progress)
        task = progress.tasks[0]
        assert task.total == 12 + 2 and task.completed == task.total


def test_invalid_config_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^people: "):
        generate_city(CityConfig(people=10), tmp_path / "city")
    assert list(tmp_path.iterdir()) == []


def test_ids_sort_in_the_order_they_were_made(lake: Path) -> None:
    person = read(lake, "person")
    assert person.person_id.is_monotonic_increasing
    contacts = read(lake, "contact")
    assert contacts.contact_id.is_unique and contacts.contact_id.is_monotonic_increasing
    assert np.all(person.person_id.str.len() == person.person_id.str.len().iloc[0])
