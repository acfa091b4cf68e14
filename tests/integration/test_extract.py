"""`joinedup extract`: the database as a pseudonymised lake, for secondary use or direct care."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress

from command_line import migrated, one_error_line, run_installed
from joinedup.access.models import AuditAction, AuditEvent, Consent
from joinedup.extract import ExtractError, extract_lake
from joinedup.lake import check_lake, read_manifest, read_table
from joinedup.lake.schema import TABLE_ORDER, TABLES
from joinedup.record.load import load_lake
from joinedup.record.models import LAKE_MODELS, Contact, Episode, Person, Referral, Team
from unwritable import NO_NEW_FILES, staging_left, unwritable_folder

# Extracts read through the ORM; the loaded round trips and the committed extract run on both.
pytestmark = pytest.mark.once_on_postgres

MakeLake = Callable[..., Path]
OPTED_OUT = "p1"  # has rows in every person-owned table of the tiny lake
KEY = "a-test-key-of-no-consequence"


def _p3_answers_p1s_referral(tables: dict[str, list[dict[str, Any]]]) -> None:
    """A contact of p3 in response to p1's referral: a reference into an opted-out history."""
    for row in tables["contact"]:
        if row["contact_id"] == "c5":
            row["referral_id"] = "r1"


@pytest.fixture
def loaded(make_lake: MakeLake, settings: Any) -> dict[str, int]:
    """The tiny lake loaded, p1 opted out (and p2's ended opt-out); rows per table."""
    settings.PSEUDONYMISATION_KEY = KEY
    lake = make_lake(edit=_p3_answers_p1s_referral)
    summary = load_lake(lake)
    now = timezone.now()
    opt_out = Consent.Kind.NATIONAL_DATA_OPT_OUT
    Consent.objects.create(person_id=OPTED_OUT, kind=opt_out, recorded_at=now, recorded_by="t")
    Consent.objects.create(
        person_id="p2", kind=opt_out, recorded_at=now, recorded_by="t", ended_at=now
    )
    Consent.objects.create(
        person_id="p3", kind=Consent.Kind.SHARING_OBJECTION, recorded_at=now, recorded_by="t"
    )
    return summary.rows


def _person_rows(name: str, person_id: str) -> int:
    """The person's rows in a table (0 in tables that belong to no one)."""
    model = LAKE_MODELS[name]
    if name != "person" and "person_id" not in TABLES[name].column_names:
        return 0
    key = "pk" if name == "person" else "person_id"
    return model._default_manager.filter(**{key: person_id}).count()


def hmac_hex(person_id: str, key: str) -> str:
    return hmac.new(key.encode(), person_id.encode(), hashlib.sha256).hexdigest()


@pytest.mark.django_db
@pytest.mark.both_databases
def test_secondary_use_is_pseudonymised_without_opted_out_people(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "extract"
    console = Console(file=io.StringIO())
    with Progress(console=console) as progress:
        summary = extract_lake(out, progress=progress)

    report = check_lake(out)
    assert report.ok, report.problems
    for name in TABLE_ORDER:
        expected = loaded[name] - _person_rows(name, OPTED_OUT)
        assert report.rows[name] == summary.rows[name] == expected, name
    assert summary.opted_out_people == 1
    assert report.rows["person"] == 5 and report.rows["contact"] == 5
    assert {t.description for t in progress.tasks} == {f"Extracting {n}" for n in TABLE_ORDER}
    assert all(t.completed == t.total for t in progress.tasks)

    manifest = read_manifest(out)
    assert manifest.pseudonymised is True and manifest.purpose == "secondary_use"
    assert manifest.source == "extract"
    assert manifest.observation_start == dt.date(2019, 4, 1)

    people = read_table(out, "person")
    ids = people.column("person_id").to_pylist()
    originals = list(
        Person.objects.exclude(pk=OPTED_OUT).order_by("pk").values_list("pk", flat=True)
    )
    assert sorted(ids) == sorted(hmac_hex(p, KEY) for p in originals)
    assert hmac_hex(OPTED_OUT, KEY) not in ids and not set(ids) & set(originals)
    assert all(len(i) == 64 for i in ids)
    births = people.column("birth_date").to_pylist()
    assert births and all(b.day == 1 for b in births)
    assert dt.date(1945, 7, 1) in births  # p2 (1945-07-30): month kept, day dropped
    assert people.column_names == list(TABLES["person"].column_names)  # contract columns only
    assert "nhs_number" not in people.column_names and "family_name" not in people.column_names

    contacts = read_table(out, "contact").to_pylist()
    assert {c["contact_id"] for c in contacts} == {"c4", "c5", "c6", "c7", "c8"}
    c5 = next(c for c in contacts if c["contact_id"] == "c5")
    assert c5["referral_id"] is None  # it pointed at the opted-out person's referral
    assert c5["person_id"] == hmac_hex("p3", KEY)
    assert all(r is None for r in read_table(out, "referral").column("reason").to_pylist())
    assert "s1" not in read_table(out, "hospital_spell").column("spell_id").to_pylist()

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.what == "lake extract secondary_use" and event.person_id is None


@pytest.mark.django_db
def test_pseudonyms_are_stable_under_one_key_and_differ_under_another(
    loaded: dict[str, int], tmp_path: Path, settings: Any
) -> None:
    extract_lake(tmp_path / "first")
    extract_lake(tmp_path / "second")
    settings.PSEUDONYMISATION_KEY = "another-key"
    extract_lake(tmp_path / "other")

    def ids(lake: str) -> list[str]:
        return sorted(read_table(tmp_path / lake, "person").column("person_id").to_pylist())

    assert ids("first") == ids("second")
    assert not set(ids("first")) & set(ids("other")) and len(ids("other")) == 5
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 3


@pytest.mark.django_db
@pytest.mark.both_databases
def test_direct_care_keeps_the_opted_out_and_is_pseudonymised_too(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "care"
    summary = extract_lake(out, purpose="direct_care")

    report = check_lake(out)
    assert report.ok, report.problems
    assert report.rows == summary.rows == loaded  # p1's opt-out does not apply to direct care
    manifest = read_manifest(out)
    assert manifest.pseudonymised is True and manifest.purpose == "direct_care"
    people = {r["person_id"]: r for r in read_table(out, "person").to_pylist()}
    assert sorted(people) == sorted(hmac_hex(f"p{i}", KEY) for i in range(1, 7))
    assert people[hmac_hex("p2", KEY)]["birth_date"] == dt.date(1945, 7, 1)
    contacts = {r["contact_id"]: r for r in read_table(out, "contact").to_pylist()}
    assert contacts["c5"]["referral_id"] == "r1"  # p1's referral is in the lake, so kept
    assert set(read_table(out, "referral").column("reason").to_pylist()) == {None}
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.what == "lake extract direct_care" and event.person_id is None


@pytest.mark.django_db
def test_the_urgent_response_team_stays_out_of_the_lake(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    """Teams in the lake are neighbourhood teams: the area-wide service's work loses its team."""
    urgent = Team.objects.get(kind=Team.Kind.URGENT_COMMUNITY_RESPONSE)
    Referral.objects.filter(pk="r1").update(team=urgent)
    Contact.objects.filter(pk="c5").update(team=urgent)
    Episode.objects.create(
        id="e-urgent", person_id="p3", team=urgent, start_date=dt.date(2024, 1, 1)
    )
    out = tmp_path / "care"
    summary = extract_lake(out, purpose="direct_care")

    assert check_lake(out).ok
    assert summary.rows == loaded  # the service's own episode is not a caseload episode
    assert urgent.pk not in read_table(out, "team").column("team_id").to_pylist()
    referrals = {r["referral_id"]: r for r in read_table(out, "referral").to_pylist()}
    contacts = {r["contact_id"]: r for r in read_table(out, "contact").to_pylist()}
    assert referrals["r1"]["team_id"] is None and contacts["c5"]["team_id"] is None
    assert referrals["r2"]["team_id"] == "t-south"  # neighbourhood teams are kept


@pytest.mark.django_db
def test_refuses_an_existing_folder_and_leaves_it_alone(
    loaded: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ExtractError, match="already exists and is not empty"):
        extract_lake(out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["lakes", "taken"]  # no staging left

    with pytest.raises(ExtractError, match="is not a lake joinedup wrote") as refused:
        extract_lake(out, overwrite=True)  # a folder that is not a lake is never replaced
    assert refused.value.field == "out" and "nothing was deleted" in str(refused.value)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["lakes", "taken"]

    lake = tmp_path / "extract"
    extract_lake(lake)
    (lake / "notes.txt").write_text("left in the lake")
    extract_lake(lake, overwrite=True)  # an extract is a lake: replaced whole
    assert check_lake(lake).ok and not (lake / "notes.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["extract", "lakes", "taken"]


@pytest.mark.django_db
def test_an_unknown_purpose_and_an_empty_database_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match=r"^purpose: expected one of") as refused:
        extract_lake(tmp_path / "x", purpose="synthetic")
    assert refused.value.field == "purpose"  # the command line names it --purpose
    with pytest.raises(ExtractError, match="holds no people"):
        extract_lake(tmp_path / "x")
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.exists()


def test_cli_extracts_a_loaded_city_end_to_end(make_lake: MakeLake, tmp_path: Path) -> None:
    var = migrated(tmp_path / "var")
    lake = make_lake()
    assert run_installed("load", str(lake), var=var).returncode == 0
    out = tmp_path / "extract"

    done = run_installed("extract", "--out", str(out), var=var)
    assert done.returncode == 0, done.stderr
    assert "Extracted the database" in done.stdout and "0 people with a National" in done.stdout
    assert "Extracting person" in done.stderr  # the progress bars
    assert run_installed("lake", "check", str(out), var=var).returncode == 0
    key_file = var / "pseudonymisation_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    ids = read_table(out, "person").column("person_id").to_pylist()
    assert sorted(ids) == sorted(hmac_hex(f"p{i}", key) for i in range(1, 7))

    from_env = tmp_path / "from-env"
    done = run_installed(
        "extract", "--out", str(from_env), var=var, JOINEDUP_PSEUDONYMISATION_KEY=KEY
    )
    assert done.returncode == 0, done.stderr
    ids = read_table(from_env, "person").column("person_id").to_pylist()
    assert sorted(ids) == sorted(hmac_hex(f"p{i}", KEY) for i in range(1, 7))

    care = tmp_path / "care"
    done = run_installed("extract", "--out", str(care), "--purpose", "direct_care", var=var)
    assert done.returncode == 0, done.stderr
    assert read_manifest(care).purpose == "direct_care"

    for args, message in (
        (["--out", str(out)], "already exists and is not empty"),
        (["--out", str(tmp_path / "new"), "--purpose", "research"], "--purpose: expected"),
    ):
        refused = run_installed("extract", *args, var=var)
        assert refused.returncode == 2, refused.stderr
        lines = [line for line in refused.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0], refused.stderr
    assert not (tmp_path / "new").exists()
    verified = run_installed("audit", "verify", var=var)
    assert verified.returncode == 0 and "3 events checked" in verified.stdout, verified.stdout

    # --overwrite replaces an extract, never a folder that is not a lake; an unwritable
    # --out is one line; neither leaves staging behind (issue 18).
    thesis = tmp_path / "writing"
    thesis.mkdir()
    (thesis / "thesis.docx").write_text("four years of work")
    folder = unwritable_folder(tmp_path)
    for args, message in (
        (["--out", str(thesis), "--overwrite"], "is not a lake joinedup wrote"),
        (["--out", str(folder / "extract")], "permission denied; nothing was written"),
        (["--out", str(NO_NEW_FILES / "extract")], "/proc takes no new files"),
    ):
        line = one_error_line(run_installed("extract", *args, var=var))
        assert line.startswith("error: --out: ") and message in line, line
    assert (thesis / "thesis.docx").read_text() == "four years of work"
    replaced = run_installed("extract", "--out", str(out), "--overwrite", var=var)
    assert replaced.returncode == 0, replaced.stderr
    assert run_installed("lake", "check", str(out), var=var).returncode == 0
    assert staging_left(tmp_path, folder) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.both_databases
def test_extract_as_its_own_transaction_commits_the_audit_event(
    loaded: dict[str, int], tmp_path: Path, committed_audit: None
) -> None:
    """Outside any transaction (as the command runs): one snapshot, the event committed."""
    from django.db import connection

    assert not connection.in_atomic_block
    summary = extract_lake(tmp_path / "own")
    assert check_lake(tmp_path / "own").ok and summary.rows["person"] == 5
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
