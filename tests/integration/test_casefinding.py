"""Case finding: loading risk scores (checked, re-identified, all or nothing, audited), the
team's worklist page (who is listed, in what order, who may see it, the audit), adding a
listed person to the next MDT meeting, the MDT agenda and the caseload reading the scores.

The loader runs on the real pipeline too: a generated city loaded, extracted as a
pseudonymised lake, scored by a model trained on the city, and the scores taken back to
the database's people.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.utils import timezone

from clock import clock_at
from command_line import migrated, one_error_line, run_installed
from joinedup.access.models import AuditAction, AuditEvent, BreakGlass, Consent
from joinedup.casefinding.demo import demo_dates, load_demo_scores
from joinedup.casefinding.interim_risk import RULE
from joinedup.casefinding.loading import NO_MATCH_PSEUDONYMS, ScoresError, load_scores
from joinedup.casefinding.models import Band, PersonScore, ScoreRun
from joinedup.casefinding.worklist import STALE_AFTER_DAYS, current_run, worklist
from joinedup.extract import extract_lake, pseudonym
from joinedup.lake.fingerprint import lake_fingerprint
from joinedup.lake.reader import open_lake
from joinedup.mdt.agenda import INTERIM_RULE, build_agenda
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.record.load import load_lake
from joinedup.record.models import Episode, HospitalSpell, LoadedLake, Person, Referral
from joinedup.risk.compute import compute_features
from joinedup.risk.model import RiskModel, train
from joinedup.risk.scoring import (
    BANDS,
    LOW,
    META_LAKE_FINGERPRINT,
    META_MODEL_AS_OF,
    META_PSEUDONYMISED,
    META_SOURCE,
    SCHEMA,
    score,
    write_scores,
)
from joinedup.synth.city import generate_city
from joinedup.synth.config import CityConfig
from workspace_world import Workspace, add_person, build_workspace

# Worklists and agendas read scores through the ORM; the loads run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

MOMENT = timezone.now()  # every test's clock starts here: one date throughout
TODAY = timezone.localdate(MOMENT)
_clock = clock_at(MOMENT)
AS_OF = dt.date(2025, 4, 1)
KEY = "a-case-finding-test-key"
LAKE = "f" * 64  # the fingerprint of the lake the world stands for
ROW = 'class="nhsuk-table__row" id="person-'


# --- scores files ------------------------------------------------------------------------


def scores_table(
    rows: list[tuple[str, float, str, list[str]]],
    *,
    as_of: dt.date = AS_OF,
    pseudonymised: bool = False,
    lake: str = LAKE,
) -> pa.Table:
    """A scores table as `joinedup risk score` writes it: (person_id, probability, band,
    top factors) per row."""
    return pa.table(
        {
            "person_id": [r[0] for r in rows],
            "as_of": [as_of] * len(rows),
            "probability": [r[1] for r in rows],
            "risk_band": [r[2] for r in rows],
            "top_factors": [r[3] for r in rows],
        },
        schema=SCHEMA.with_metadata(
            {
                META_PSEUDONYMISED: "true" if pseudonymised else "false",
                META_SOURCE: "tests",
                META_MODEL_AS_OF: "2023-04-01",
                META_LAKE_FINGERPRINT: lake,
            }
        ),
    )


def write(path: Path, table: pa.Table) -> Path:
    pq.write_table(table, path)
    return path


# --- the world ---------------------------------------------------------------------------


@pytest.fixture
def world() -> Iterator[Workspace]:
    world = build_workspace()
    LoadedLake.objects.create(
        fingerprint=LAKE, path="tests", purpose="synthetic", source="tests",
        observation_start=dt.date(2019, 4, 1), observation_end=dt.date(2025, 3, 31),
        manifest={}, seed=1, rows={}, seconds=0.0,
    )  # fmt: skip
    yield world


def person(world: Workspace, key: str, serial: int, place: str = "n-north", **extra: Any) -> Person:
    return add_person(
        world, key, serial, place, birth_date=dt.date(1941, 3, 4), family_name="Scored", **extra
    )


def referral(person_id: str, team_id: str, status: str, n: int = 1) -> None:
    received = timezone.now() - dt.timedelta(days=30)
    closed = status in {"completed", "rejected", "cancelled"}
    Referral.objects.create(
        id=f"r-{person_id}-{n}",
        person_id=person_id,
        received_at=received,
        source="gp",
        urgency="routine",
        team_id=team_id,
        status=status,
        accepted_at=received if status != "requested" else None,
        closed_at=received + dt.timedelta(days=5) if closed else None,
    )


FACTORS = ["emergency_12m", "frailty"]


@pytest.fixture
def scored(world: Workspace, tmp_path: Path) -> dict[str, Any]:
    """Northgate's people scored, each just inside or outside the worklist.

    Listed, in this order: fay 0.62, ivy 0.41 (her referral is closed), cora 0.30, jo 0.22
    (her episode ended). Not listed: ada 0.90 (on Northgate's caseload), bert 0.80 (open
    referral to Southmead), dot 0.70 (moderate band), gus 0.95 (died), hal 0.85
    (registration ended), kim 0.75 (moved to Southmead after the load), eli 0.99 (lives in
    Southmead: Southmead's list), liz 0.50 (on the urgent response team's caseload).
    """
    person(world, "fay", 61_000)
    person(world, "gus", 62_000, death_date=TODAY - dt.timedelta(days=3))
    person(world, "hal", 63_000, registered_to=TODAY - dt.timedelta(days=10))
    person(world, "ivy", 64_000)
    person(world, "jo", 65_000)
    person(world, "kim", 66_000)
    person(world, "liz", 67_000)
    referral("p-bert", "t-south", "accepted")
    referral("p-ivy", "t-north", "completed")
    Episode.objects.create(
        id="e-jo", person_id="p-jo", team=world.north, start_date=dt.date(2023, 1, 1),
        end_date=TODAY - dt.timedelta(days=1),
    )  # fmt: skip
    Episode.objects.create(
        id="e-liz", person_id="p-liz", team=world.ucr, start_date=TODAY - dt.timedelta(days=2)
    )
    rows = [
        ("p-eli", 0.99, "very_high", ["age"]),
        ("p-gus", 0.95, "very_high", FACTORS),
        ("p-ada", 0.90, "very_high", FACTORS),
        ("p-hal", 0.85, "very_high", FACTORS),
        ("p-bert", 0.80, "very_high", FACTORS),
        ("p-kim", 0.75, "very_high", FACTORS),
        ("p-dot", 0.70, "moderate", FACTORS),
        ("p-fay", 0.62, "very_high", FACTORS),
        ("p-liz", 0.50, "high", FACTORS),
        ("p-ivy", 0.41, "high", ["bed_days_12m"]),
        ("p-cora", 0.30, "high", []),
        ("p-jo", 0.22, "high", FACTORS),
        ("p-nobody", 0.97, "very_high", FACTORS),  # not in this database
    ]
    summary = load_scores(write(tmp_path / "scores.parquet", scores_table(rows)), "analyst")
    Person.objects.filter(pk="p-kim").update(neighbourhood_id="n-south")
    return {"summary": summary}


LISTED = ["p-fay", "p-ivy", "p-cora", "p-jo"]


def listed(response: Any) -> list[str]:
    body = response.content.decode()
    return [chunk.split('"', 1)[0] for chunk in body.split(ROW)[1:]]


# --- loading -----------------------------------------------------------------------------


def test_bands_are_the_scoring_s() -> None:
    assert set(Band.values) == {name for name, _ in BANDS} | {LOW}


@pytest.mark.both_databases
def test_loads_matched_people_counts_the_rest_and_audits_once(
    world: Workspace, scored: dict[str, Any]
) -> None:
    run_ = ScoreRun.objects.get()
    assert (run_.people_in_file, run_.people_matched, run_.people_unmatched) == (13, 12, 1)
    assert (run_.as_of, run_.model_as_of, run_.pseudonymised) == (
        AS_OF,
        dt.date(2023, 4, 1),
        False,
    )
    assert run_.loaded_by == "analyst" and run_.lake_source == "tests"
    fay = PersonScore.objects.get(person_id="p-fay")
    assert (fay.probability, fay.band, fay.top_factors) == (0.62, "very_high", FACTORS)
    assert fay.neighbourhood_id == "n-north"
    assert not PersonScore.objects.filter(person_id="p-nobody").exists()
    events = AuditEvent.objects.filter(what__startswith="risk scores loaded")
    assert events.count() == 1
    event = events.get()
    assert event.action == AuditAction.UPDATE and event.username == "analyst"
    assert event.person_id is None
    assert "13 people in file, 12 matched, 1 not found" in event.what


@pytest.mark.both_databases
def test_a_new_load_replaces_the_previous_run(world: Workspace, tmp_path: Path) -> None:
    load_scores(write(tmp_path / "a.parquet", scores_table([("p-ada", 0.5, "high", [])])), "a")
    later = scores_table([("p-bert", 0.4, "high", [])], as_of=dt.date(2025, 5, 1))
    load_scores(write(tmp_path / "b.parquet", later), "b")
    assert list(ScoreRun.objects.values_list("as_of", flat=True)) == [dt.date(2025, 5, 1)]
    assert list(PersonScore.objects.values_list("person_id", flat=True)) == ["p-bert"]
    assert current_run() == ScoreRun.objects.get()


GOOD = [("p-ada", 0.5, "high", ["frailty"]), ("p-bert", 0.2, "moderate", [])]


def _bad_tables() -> list[tuple[str, pa.Table | bytes, str]]:
    good = scores_table(GOOD)
    return [
        ("no column", good.drop_columns(["risk_band"]), "not a scores file: no column risk_band"),
        (
            "a type",
            good.set_column(2, "probability", pa.array(["0.5", "0.2"])),
            "column probability is string, expected double",
        ),
        ("no metadata", good.replace_schema_metadata(None), "whether the ids are pseudonyms"),
        ("empty", good.slice(0, 0), "holds no scores"),
        ("twice", scores_table([*GOOD, GOOD[0]]), "person p-ada appears more than once"),
        (
            "above 1",
            scores_table([GOOD[0], ("p-bert", 1.5, "high", [])]),
            "row 2 (person p-bert): probability is 1.5, expected a number from 0 to 1",
        ),
        (
            "below 0",
            scores_table([("p-ada", -0.1, "high", [])]),
            "probability is -0.1",
        ),
        ("NaN", scores_table([GOOD[0], ("p-bert", math.nan, "high", [])]), "is missing"),
        (
            "a band",
            scores_table([GOOD[0], ("p-bert", 0.2, "extreme", [])]),
            "unknown risk band 'extreme'",
        ),
        ("a factor", scores_table([("p-ada", 0.5, "high", ["shoe_size"])]), "'shoe_size'"),
        (
            "two dates",
            pa.concat_tables(
                [scores_table(GOOD[:1]), scores_table(GOOD[1:], as_of=dt.date(2025, 5, 1))]
            ),
            "more than one as_of date (2025-04-01, 2025-05-01)",
        ),
        ("not parquet", b"person_id,probability\np-ada,0.5\n", "not a Parquet file"),
    ]


@pytest.mark.parametrize(
    ("what", "bad", "message"), _bad_tables(), ids=[b[0] for b in _bad_tables()]
)
def test_a_bad_file_is_refused_naming_the_problem_and_changes_nothing(
    world: Workspace, tmp_path: Path, what: str, bad: pa.Table | bytes, message: str
) -> None:
    load_scores(write(tmp_path / "good.parquet", scores_table(GOOD)), "first")
    before = (list(ScoreRun.objects.values()), list(PersonScore.objects.values()))
    events = AuditEvent.objects.count()
    path = tmp_path / "bad.parquet"
    if isinstance(bad, bytes):
        path.write_bytes(bad)
    else:
        write(path, bad)
    with pytest.raises(ScoresError, match="^" + str(path)) as refused:
        load_scores(path, "second")
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert (list(ScoreRun.objects.values()), list(PersonScore.objects.values())) == before
    assert AuditEvent.objects.count() == events


def test_a_file_of_strangers_is_refused(world: Workspace, tmp_path: Path, settings: Any) -> None:
    settings.PSEUDONYMISATION_KEY = KEY
    other_key = [(pseudonym("p-ada", "another key"), 0.5, "high", [])]
    path = write(tmp_path / "s.parquet", scores_table(other_key, pseudonymised=True))
    with pytest.raises(ScoresError, match="no person matched: was the lake extracted with"):
        load_scores(path, "analyst")
    assert not ScoreRun.objects.exists() and not AuditEvent.objects.exists()
    plain = write(tmp_path / "p.parquet", scores_table([("p-nobody", 0.5, "high", [])]))
    with pytest.raises(ScoresError, match="no person matched: the file's ids are not pseudo"):
        load_scores(plain, "analyst")


def test_ids_of_another_lake_are_refused(world: Workspace, tmp_path: Path) -> None:
    """Generated cities of one size share ids (P0000001 is someone in each): a file scored on
    another lake would put its scores on this database's people."""
    rows = [("p-ada", 0.9, "very_high", ["age"])]
    for lake in ("0" * 64, ""):  # another lake's fingerprint, or none
        path = write(tmp_path / "other.parquet", scores_table(rows, lake=lake))
        with pytest.raises(ScoresError, match="the lake it scored is not one loaded into this"):
            load_scores(path, "analyst")
    assert not ScoreRun.objects.exists()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("casefinding") / "city"
    generate_city(CityConfig(people=2000, neighbourhoods=2, seed=11), out)
    return out


@pytest.fixture(scope="module")
def model(city: Path) -> RiskModel:
    trained_on, _ = demo_dates(open_lake(city)[0])
    table = compute_features(city, trained_on, with_outcome=True)
    return train(table, as_of=trained_on, lake={"schema_version": 1})


@pytest.mark.both_databases
def test_a_pseudonymised_extract_s_scores_come_back_to_its_people(
    city: Path, model: RiskModel, tmp_path: Path, settings: Any
) -> None:
    """The real pipeline: load a city, extract it (pseudonymised), score the extract, load
    the scores: each score lands on the person whose pseudonym it carried."""
    settings.PSEUDONYMISATION_KEY = KEY
    load_lake(city)
    extract = tmp_path / "extract"
    extract_lake(extract, purpose="secondary_use", username="tests")
    _, scored_on = demo_dates(open_lake(city)[0])
    table = score(model, extract, scored_on)
    assert table.schema.metadata[META_PSEUDONYMISED.encode()] == b"true"
    stranger = scores_table([(pseudonym("p-nobody", KEY), 0.5, "low", [])], as_of=scored_on)
    path = tmp_path / "scores.parquet"
    write_scores(pa.concat_tables([table, stranger.cast(table.schema)]), path)
    summary = load_scores(path, "analyst")
    assert summary.in_file == table.num_rows + 1
    assert summary.matched == table.num_rows > 1500
    assert summary.run.pseudonymised and summary.run.as_of == scored_on
    expected = {
        r["person_id"]: (r["probability"], r["risk_band"], r["top_factors"])
        for r in table.to_pylist()
    }
    stored = PersonScore.objects.values_list("person_id", "probability", "band", "top_factors")
    assert {
        hmac.new(KEY.encode(), pid.encode(), "sha256").hexdigest(): (p, b, f)
        for pid, p, b, f in stored
    } == expected
    assert PersonScore.objects.filter(band__in=["very_high", "high"]).count() > 50
    # The same file under another database's key matches no one, and is refused whole.
    settings.PSEUDONYMISATION_KEY = "another database's key"
    with pytest.raises(ScoresError, match=NO_MATCH_PSEUDONYMS.replace("?", r"\?")):
        load_scores(path, "analyst")
    assert PersonScore.objects.count() == summary.matched


@pytest.mark.both_databases
def test_the_demo_trains_scores_and_loads(city: Path) -> None:
    load_lake(city)
    summary = load_demo_scores(city)
    trained_on, scored_on = demo_dates(open_lake(city)[0])
    assert (trained_on, scored_on) == (dt.date(2024, 4, 1), dt.date(2025, 4, 1))
    run_ = ScoreRun.objects.get()
    assert run_.as_of == scored_on and run_.model_as_of == trained_on
    assert run_.people_matched == run_.people_in_file == summary.matched > 1500
    assert run_.loaded_by == "joinedup demo"


# --- the worklist page -------------------------------------------------------------------


def test_the_worklist_lists_the_team_s_unknown_high_risk_people_highest_first(
    world: Workspace, scored: dict[str, Any]
) -> None:
    response = world.client("nurse").get("/case-finding/t-north/")
    assert response.status_code == 200
    assert listed(response) == LISTED
    html = response.content.decode()
    assert "62%" in html and "Very high" in html
    assert "Emergency admissions in the last 12 months" in html and "Frailty" in html
    assert "Days in hospital in the last 12 months" in html
    assert "1 April 2025" in html and "1 April 2023" in html  # the scores' and model's dates
    assert "prompt for professional judgement, not a decision" in html
    assert 'href="/case-finding/t-north/"' in html  # in the team's links and the menu
    for absent in ("Elias", "Gus", "Hal", "Kim", "Liz", "Dorothy", "Ada", "Bertram"):
        assert f">{absent} " not in html, absent


def test_each_listed_person_is_audited_once_as_viewed(
    world: Workspace, scored: dict[str, Any]
) -> None:
    world.client("manager").get("/case-finding/t-north/")
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, username="manager")
    assert sorted(viewed.values_list("person_id", flat=True)) == sorted(LISTED)
    assert set(viewed.values_list("what", flat=True)) == {"case-finding worklist of Northgate INT"}


def test_another_team_sees_only_its_own_neighbourhood(
    world: Workspace, scored: dict[str, Any]
) -> None:
    outsider = world.client("outsider")
    refused = outsider.get("/case-finding/t-north/")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert not any(world.people[k].given_name in body for k in ("fay", "ivy", "cora", "jo"))
    assert listed(outsider.get("/case-finding/t-south/")) == ["p-eli"]
    # kim moved to Southmead after the load: off Northgate's list now, on Southmead's at the
    # next load (the row keeps the neighbourhood it was loaded with)
    assert "p-kim" not in listed(world.client("nurse").get("/case-finding/t-north/"))
    assert not AuditEvent.objects.filter(
        username="outsider", person_id__in=LISTED, action=AuditAction.VIEW
    ).exists()


@pytest.mark.parametrize("who", ["commissioner", "ucr_nurse", "spa", "outsider"])
def test_only_the_team_s_members_may_see_it(
    world: Workspace, scored: dict[str, Any], who: str
) -> None:
    assert world.client(who).get("/case-finding/t-north/").status_code == 403
    assert (
        world.client(who).post("/case-finding/t-north/", {"person_id": "p-fay"}).status_code == 403
    )
    assert Client().get("/case-finding/t-north/").status_code == 302  # to log in
    assert world.client("nurse").get("/case-finding/t-nowhere/").status_code == 404


def test_breaking_the_glass_opens_a_record_not_a_list(
    world: Workspace, scored: dict[str, Any]
) -> None:
    now = timezone.now()
    BreakGlass.objects.create(
        staff=world.staff["outsider"], person_id="p-fay", reason="Called by her daughter",
        started_at=now, expires_at=now + dt.timedelta(hours=4),
    )  # fmt: skip
    assert world.client("outsider").get("/case-finding/t-north/").status_code == 403


def test_without_scores_the_page_says_so(world: Workspace) -> None:
    response = world.client("nurse").get("/case-finding/t-north/")
    assert response.status_code == 200
    assert "No risk scores are loaded" in response.content.decode()
    assert listed(response) == []
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


# --- from the worklist to the MDT ----------------------------------------------------------


def _meeting(world: Workspace, days: int = 1) -> Meeting:
    now = timezone.now()
    return Meeting.objects.create(
        team=world.north, starts_at=now + dt.timedelta(days=days), location="Room 2",
        created_at=now, created_by="manager",
    )  # fmt: skip


def test_the_manager_adds_a_listed_person_to_the_next_meeting(
    world: Workspace, scored: dict[str, Any]
) -> None:
    later = _meeting(world, days=8)
    meeting = _meeting(world, days=1)
    manager = world.client("manager")
    assert "Add to the MDT agenda" in manager.get("/case-finding/t-north/").content.decode()
    response = manager.post("/case-finding/t-north/", {"person_id": "p-ivy"})
    assert response.status_code == 302
    assert response["Location"] == "/case-finding/t-north/#person-p-ivy"
    page = manager.get(response["Location"]).content.decode()  # where the manager lands
    assert "Ivy Scored is on the agenda of the MDT meeting on" in page
    assert "On the agenda" in page
    item = AgendaItem.objects.get(person_id="p-ivy")
    assert item.meeting == meeting and item.reason == AgendaItem.Reason.HIGH_RISK
    assert (item.detail, item.factors) == ("Risk score 41% (high band)", ["bed_days_12m"])
    agenda = manager.get(f"/mdt/{meeting.pk}/").content.decode()
    assert "Risk score 41% (high band): Days in hospital in the last 12 months" in agenda
    assert not AgendaItem.objects.filter(meeting=later).exists()
    added = AuditEvent.objects.filter(action=AuditAction.CREATE, person_id="p-ivy")
    assert list(added.values_list("what", flat=True)) == ["mdt agenda: added from case finding"]
    # again: already there, nothing added or audited twice
    manager.post("/case-finding/t-north/", {"person_id": "p-ivy"})
    assert AgendaItem.objects.filter(person_id="p-ivy").count() == 1 == added.count()


def test_only_the_manager_adds_and_only_listed_people(
    world: Workspace, scored: dict[str, Any]
) -> None:
    _meeting(world)
    nurse = world.client("nurse")
    assert "Add to the MDT agenda" not in nurse.get("/case-finding/t-north/").content.decode()
    assert nurse.post("/case-finding/t-north/", {"person_id": "p-fay"}).status_code == 403
    manager = world.client("manager")
    for stranger in ("p-eli", "p-ada", "p-nobody", ""):
        response = manager.post("/case-finding/t-north/", {"person_id": stranger})
        assert response.status_code == 400, stranger
        assert "not on the team&#39;s worklist today" in response.content.decode()
    assert not AgendaItem.objects.exists()
    refused = AuditEvent.objects.filter(what__endswith="add refused")
    assert sorted(refused.values_list("person_id", flat=True)) == ["p-ada", "p-eli"]


def test_without_a_meeting_the_manager_is_told_to_schedule_one(
    world: Workspace, scored: dict[str, Any]
) -> None:
    manager = world.client("manager")
    assert "No MDT meeting is scheduled" in manager.get("/case-finding/t-north/").content.decode()
    response = manager.post("/case-finding/t-north/", {"person_id": "p-fay"})
    assert response.status_code == 409
    assert not AgendaItem.objects.exists()


# --- the MDT agenda and the caseload ------------------------------------------------------


def _admitted_twice(world: Workspace) -> Person:
    """Two emergency admissions this year: high risk by the interim rule."""
    sam = person(world, "sam", 70_000)
    for n, back in enumerate((30, 200), start=1):
        admitted = TODAY - dt.timedelta(days=back)
        HospitalSpell.objects.create(
            id=f"s-sam-{n}", person=sam, admission_date=admitted,
            admission_method="emergency", acsc=False, fall=False,
            discharge_date=admitted + dt.timedelta(days=3),
        )  # fmt: skip
    return sam


def test_the_agenda_takes_the_worklist_s_top_people_when_scores_exist(
    world: Workspace, scored: dict[str, Any]
) -> None:
    _admitted_twice(world)  # by the interim rule only: not on the agenda while scores exist
    meeting = _meeting(world)
    items = [i for i in build_agenda(meeting) if i.reason == AgendaItem.Reason.HIGH_RISK]
    assert [i.person_id for i in items] == LISTED
    on = timezone.localdate(meeting.starts_at)
    assert [s.person_id for s in worklist(world.north, on, current_run())] == LISTED
    details = {i.person_id: i.detail for i in items}
    assert details["p-fay"] == "Risk score 62% (very high band)"
    assert {i.person_id: i.factors for i in items}["p-fay"] == FACTORS
    assert details["p-cora"] == "Risk score 30% (high band)"
    html = world.client("manager").get(f"/mdt/{meeting.pk}/").content.decode()
    assert "Risk scores of 1 April 2025" in html and "top 20" in html
    assert RULE not in html


def test_the_agenda_falls_back_to_the_interim_rule_without_scores(world: Workspace) -> None:
    _admitted_twice(world)
    meeting = _meeting(world)
    items = [i for i in build_agenda(meeting) if i.reason == AgendaItem.Reason.HIGH_RISK]
    assert [(i.person_id, i.detail) for i in items] == [
        ("p-sam", "2 emergency admissions in 12 months")
    ]
    html = world.client("manager").get(f"/mdt/{meeting.pk}/").content.decode()
    assert INTERIM_RULE.replace("'", "&#39;") in html and RULE in html


def test_the_caseload_shows_scores_when_loaded(world: Workspace, scored: dict[str, Any]) -> None:
    Episode.objects.create(id="e-cora", person_id="p-cora", team=world.north, start_date=TODAY)
    html = world.client("manager").get("/teams/t-north/caseload/").content.decode()
    assert "Risk score (highest first, people not scored last)" in html
    assert 'data-person="p-ada"' in html and "90%" in html and "Very high" in html
    # highest score first: ada (0.90) before cora (0.30)
    assert html.index('data-person="p-ada"') < html.index('data-person="p-cora"')
    assert "Risk scores of 1 April 2025" in html and RULE not in html


# --- the command --------------------------------------------------------------------------


def test_joinedup_risk_load_end_to_end(make_lake: Any, tmp_path: Path) -> None:
    var = migrated(tmp_path / "var")
    lake = make_lake()
    assert run_installed("load", str(lake), var=var).returncode == 0
    rows = [("p1", 0.4, "high", ["frailty"]), ("p4", 0.1, "moderate", []), ("zz", 0.2, "low", [])]
    good = write(tmp_path / "scores.parquet", scores_table(rows, lake=lake_fingerprint(lake)))
    done = run_installed("risk", "load", "--scores", str(good), var=var)
    assert done.returncode == 0, done.stderr
    assert "3 people in the file, 2 matched, 1 not found in this database" in done.stdout
    assert "━" in done.stderr  # the progress bar
    bad = write(tmp_path / "bad.parquet", scores_table([("p1", 2.0, "high", [])], lake=""))
    line = one_error_line(run_installed("risk", "load", "--scores", str(bad), var=var))
    assert "probability is 2.0" in line
    missing = one_error_line(
        run_installed("risk", "load", "--scores", str(tmp_path / "no.parquet"), var=var)
    )
    assert "--scores:" in missing and "is not a file" in missing
    check = run_installed(
        "manage", "shell", "-c",
        "from joinedup.casefinding.models import PersonScore as S; "
        "print(sorted(S.objects.values_list('person_id', flat=True)))",
        var=var,
    )  # fmt: skip
    assert check.stdout.strip().splitlines()[-1] == "['p1', 'p4']", check.stderr


def test_old_scores_are_flagged_on_the_worklist_and_the_agenda(
    world: Workspace, scored: dict[str, Any], tmp_path: Path
) -> None:
    old = (TODAY - AS_OF).days
    assert old > STALE_AFTER_DAYS  # the fixture's scores are of 1 April 2025
    html = world.client("nurse").get("/case-finding/t-north/").content.decode()
    assert 'id="stale"' in html and f"These scores are {old:,} days old" in html
    assert f"These scores are {old:,} days old" in _agenda_html(world)

    recent = TODAY - dt.timedelta(days=STALE_AFTER_DAYS)
    rows = [("p-fay", 0.62, "very_high", FACTORS)]
    load_scores(write(tmp_path / "recent.parquet", scores_table(rows, as_of=recent)), "analyst")
    html = world.client("nurse").get("/case-finding/t-north/").content.decode()
    assert 'id="stale"' not in html and "days old" not in html
    assert "days old" not in _agenda_html(world)


def _agenda_html(world: Workspace) -> str:
    meeting = _meeting(world)
    build_agenda(meeting)
    return str(world.client("manager").get(f"/mdt/{meeting.pk}/").content.decode())


# --- what each viewer may see of a score -------------------------------------------------

SENSITIVE = ["condition_severe_mental_illness", "service_home_care", "emergency_12m"]


def _score_people(world: Workspace, tmp_path: Path) -> Meeting:
    """Obi (who objects to sharing between health and social care) and Pam, both with a
    mental health factor, a social care factor and a hospital factor; on the agenda."""
    person(world, "obi", 81_000)
    person(world, "pam", 82_000)
    Consent.objects.create(
        person=world.people["obi"], kind=Consent.Kind.SHARING_OBJECTION,
        recorded_at=timezone.now(), recorded_by="gp",
    )  # fmt: skip
    rows = [("p-obi", 0.7, "very_high", SENSITIVE), ("p-pam", 0.6, "very_high", SENSITIVE)]
    load_scores(write(tmp_path / "scores.parquet", scores_table(rows)), "analyst")
    meeting = _meeting(world)
    build_agenda(meeting)
    return meeting


def _cells(html: str, person_id: str) -> str:
    return html.split(f'id="person-{person_id}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    ("viewer", "obi_sees", "pam_sees"),
    [
        # council social worker: reads mental health detail; not Obi's health detail at all
        ("social_worker", [], ["Severe mental illness", "Receives home care", "Emergency"]),
        # NHS district nurse: no mental health detail; not Obi's social care records
        ("nurse", ["Emergency"], ["Receives home care", "Emergency"]),
        # voluntary care navigator: neither
        ("navigator", [], ["Receives home care", "Emergency"]),
    ],
)
def test_factors_follow_the_record_s_rules_on_the_worklist_and_the_agenda(
    world: Workspace, tmp_path: Path, viewer: str, obi_sees: list[str], pam_sees: list[str]
) -> None:
    meeting = _score_people(world, tmp_path)
    worklist_html = world.client(viewer).get("/case-finding/t-north/").content.decode()
    agenda_html = world.client(viewer).get(f"/mdt/{meeting.pk}/").content.decode()
    everything = ["Severe mental illness", "Receives home care", "Emergency"]
    for person_id, sees in (("p-obi", obi_sees), ("p-pam", pam_sees)):
        row = _cells(worklist_html, person_id)
        for words in everything:
            assert (words in row) == (words in sees), (viewer, person_id, words)
        if len(sees) < len(everything):
            assert "not shown to you" in row or "Detail hidden" in row
    obi_hidden = world.staff[viewer].organisation.kind != "nhs_trust"
    assert ("70%" in _cells(worklist_html, "p-obi")) == (not obi_hidden)
    assert "Severe mental illness" not in agenda_html or viewer == "social_worker"
    assert "Receives home care" in agenda_html  # Pam's, for everyone


@pytest.mark.both_databases
def test_a_nul_in_an_id_is_not_found_not_an_error(world: Workspace, scored: dict[str, Any]) -> None:
    manager = world.client("manager")
    assert manager.get("/case-finding/t-north%00/").status_code == 404
    _meeting(world)
    refused = manager.post("/case-finding/t-north/", {"person_id": "p-fay\x00"})
    assert refused.status_code == 400 and not AgendaItem.objects.exists()  # not listed


def test_the_caseload_hides_an_objector_s_risk_outside_health(
    world: Workspace, scored: dict[str, Any]
) -> None:
    Consent.objects.create(
        person=world.people["ada"], kind=Consent.Kind.SHARING_OBJECTION,
        recorded_at=timezone.now(), recorded_by="gp",
    )  # fmt: skip

    def ada(viewer: str) -> str:
        html = world.client(viewer).get("/teams/t-north/caseload/").content.decode()
        return html.split('data-person="p-ada"', 1)[1].split("</tr>", 1)[0]

    assert "Detail hidden" in ada("social_worker") and "90%" not in ada("social_worker")
    assert "90%" in ada("nurse") and "Detail hidden" not in ada("nurse")
