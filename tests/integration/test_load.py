"""Loading a lake into the operational database: every table, identities, all or nothing, once."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import DataError, IntegrityError, connection, transaction
from rich.console import Console
from rich.progress import Progress

from joinedup.access.demo import DemoLoginError, create_demo_logins
from joinedup.access.models import Profession, StaffMember
from joinedup.lake import LakeError, read_table
from joinedup.lake.schema import TABLE_ORDER, TABLES
from joinedup.record import synthetic_identity
from joinedup.record.load import LoadError, is_loaded, load_lake
from joinedup.record.models import (
    LAKE_MODELS,
    AeAttendance,
    Contact,
    GpPractice,
    HospitalSpell,
    LoadedLake,
    Organisation,
    Person,
    Referral,
    Team,
)
from joinedup.record.nhs_number import is_valid

# Bulk loading (COPY on PostgreSQL, executemany on SQLite), check constraints, committed loads.
pytestmark = pytest.mark.both_databases

Tables = dict[str, list[dict[str, Any]]]
MakeLake = Callable[..., Path]
RECORD_MODELS = [*LAKE_MODELS.values(), Organisation, LoadedLake]


def record_rows() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in RECORD_MODELS}


def test_models_match_the_lake_contract() -> None:
    """Every lake column is a model column of the same name, nullability and enumeration."""
    for name, table in TABLES.items():
        model = LAKE_MODELS[name]
        fields = {f.column: f for f in model._meta.concrete_fields}
        for column in table.columns:
            assert column.name in fields, f"{name}.{column.name} has no model column"
            field = fields[column.name]
            nullable = field.null and not field.primary_key
            if (name, column.name) == ("team", "neighbourhood_id"):
                # Area-wide services have none; a constraint keeps it for neighbourhood
                # teams, the only ones extracted (test_extract checks that).
                assert nullable and not column.nullable
                continue
            assert nullable == column.nullable, f"{name}.{column.name}: null={field.null}"
            if column.values is not None:
                assert [value for value, _ in field.choices] == list(column.values), (
                    f"{name}.{column.name}"
                )


@pytest.mark.django_db
def test_loads_every_table_with_identities_and_organisations(tiny_lake: Path) -> None:
    console = Console(file=io.StringIO())
    with Progress(console=console) as progress:
        summary = load_lake(tiny_lake, seed=7, progress=progress)

    for name in TABLE_ORDER:
        expected = read_table(tiny_lake, name).num_rows
        rows = LAKE_MODELS[name].objects
        if name == "team":  # besides the lake's teams, the area-wide urgent response team
            rows = rows.filter(kind=Team.Kind.NEIGHBOURHOOD)
        assert summary.rows[name] == expected == rows.count(), name
    assert summary.total_rows == sum(summary.rows.values()) and summary.rows_per_second > 0
    assert is_loaded(tiny_lake)
    loaded = LoadedLake.objects.get()
    assert loaded.fingerprint == summary.fingerprint and loaded.seed == 7
    assert loaded.purpose == "synthetic" and loaded.rows == summary.rows
    assert loaded.observation_start == dt.date(2019, 4, 1)

    # The lake's values, as they were.
    p2 = Person.objects.get(pk="p2")
    assert p2.birth_date == dt.date(1945, 7, 30) and p2.death_date == dt.date(2023, 1, 15)
    assert p2.has_unpaid_carer and not p2.lives_alone and p2.deprivation_decile == 5
    assert p2.practice_id == "gp-a" and p2.neighbourhood_id == "n-north"
    assert Team.objects.get(pk="t-north").go_live_date == dt.date(2021, 4, 1)
    assert Team.objects.get(pk="t-south").go_live_date is None
    urgent = Team.objects.get(kind=Team.Kind.URGENT_COMMUNITY_RESPONSE)
    assert urgent.neighbourhood is None and urgent.organisation_id == "community-trust"
    spell = HospitalSpell.objects.get(pk="s1")
    assert (spell.discharge_pathway, spell.delay_reason, spell.cost) == (
        1,
        "awaiting_care_package",
        4200.0,
    )
    assert HospitalSpell.objects.get(pk="s4").discharge_date is None
    arrival = AeAttendance.objects.get(pk="a2").arrival
    assert arrival == dt.datetime(2023, 5, 5, 23, 10, 7, 250000, tzinfo=dt.UTC)
    assert (
        AeAttendance.objects.filter(
            arrival__gte=dt.datetime(2024, 11, 20, 14, tzinfo=dt.UTC)
        ).count()
        == 1
    )
    c1 = Contact.objects.get(pk="c1")
    assert (c1.response_minutes, c1.referral_id, c1.team_id, c1.urgent) == (
        95,
        "r1",
        "t-north",
        True,
    )
    assert Referral.objects.get(pk="r2").closed_at is None

    # Synthetic identities: test-range NHS numbers, names, addresses in the neighbourhood's
    # postcode district, phone numbers from Ofcom's drama ranges.
    people = list(Person.objects.order_by("pk"))
    numbers = [p.nhs_number or "" for p in people]
    assert len(set(numbers)) == len(people)
    assert all(n.startswith("999") and is_valid(n) for n in numbers)
    for person in people:
        assert person.given_name and person.family_name and person.town == "Casterbridge"
        district = "CX1" if person.neighbourhood_id == "n-north" else "CX2"
        assert re.fullmatch(rf"{district} [1-9][A-Z]{{2}}", person.postcode), person.postcode
        assert re.fullmatch(r"(07700 900|01632 960)\d{3}", person.phone), person.phone
        assert re.match(r"(Flat )?\d+", person.address_line_1)

    # The partnership's organisations, and who made each contact and referral.
    kinds = list(Organisation.objects.values_list("kind", flat=True))
    assert (kinds.count("nhs_trust"), kinds.count("council"), kinds.count("icb")) == (2, 1, 1)
    assert kinds.count("voluntary") >= 2 and kinds.count("care_provider") >= 2
    assert kinds.count("gp_practice") == GpPractice.objects.count() == 3
    assert GpPractice.objects.get(pk="gp-a").organisation.kind == "gp_practice"
    assert GpPractice.objects.get(pk="gp-a").organisation.name == "Abbey Road Surgery"
    assert (
        Contact.objects.get(pk="c4").organisation == GpPractice.objects.get(pk="gp-a").organisation
    )
    assert Contact.objects.get(pk="c2").organisation.kind == "council"
    assert Contact.objects.get(pk="c3").organisation.kind == "voluntary"
    assert Contact.objects.get(pk="c1").organisation.kind == "nhs_trust"
    assert Referral.objects.get(pk="r2").referrer_organisation.name.endswith(
        "Hospitals NHS Foundation Trust"
    )
    assert Referral.objects.get(pk="r3").referrer_organisation is None
    assert Team.objects.get(pk="t-north").organisation.kind == "nhs_trust"


def test_identities_depend_only_on_the_lake_and_seed() -> None:
    ids = pa.array(["a", "b", "c", "d"])
    sex = pa.array(["female", "male", None, "unknown"])
    places = pa.array(["n1", "n2", "n1", "n2"])
    districts = {"n1": "CX1", "n2": "CX2"}
    first = synthetic_identity.synthetic_identities(ids, sex, places, districts, town="T", seed=3)
    again = synthetic_identity.synthetic_identities(ids, sex, places, districts, town="T", seed=3)
    other = synthetic_identity.synthetic_identities(ids, sex, places, districts, town="T", seed=4)
    assert first.equals(again)
    assert not first.equals(other)
    female = set(synthetic_identity.PersonWords.first_names_female)
    male = set(synthetic_identity.PersonWords.first_names_male)
    given = first.column("given_name").to_pylist()
    assert given[0] in female and given[1] in male


@pytest.mark.django_db(transaction=True)
def test_a_failure_late_in_the_load_leaves_nothing(make_lake: MakeLake) -> None:
    """The last table breaks a database rule (an episode ends before it starts): no row stays."""

    def episode_ends_before_it_starts(tables: Tables) -> None:
        tables["episode"][-1]["end_date"] = dt.date(2020, 1, 1)

    lake = make_lake(edit=episode_ends_before_it_starts)
    before = record_rows()
    with pytest.raises(
        LoadError, match=r"episode: the database refused a row .*nothing was loaded"
    ):
        load_lake(lake)
    assert record_rows() == before == dict.fromkeys(before, 0)
    assert not is_loaded(lake)
    # The indexes dropped for the load came back with the rollback.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Contact._meta.db_table)
    assert "contact_person_date" in constraints
    # And a good lake loads afterwards.
    assert load_lake(make_lake("good")).rows["episode"] == 2


@pytest.mark.django_db(transaction=True)
def test_loading_the_same_lake_twice_is_refused(tiny_lake: Path) -> None:
    load_lake(tiny_lake)
    rows = record_rows()
    with pytest.raises(LoadError, match="already loaded"):
        load_lake(tiny_lake)
    assert record_rows() == rows


@pytest.mark.django_db(transaction=True)
def test_a_second_city_is_refused_with_how_to_start_afresh(
    tiny_lake: Path, make_lake: MakeLake
) -> None:
    load_lake(tiny_lake)
    rows = record_rows()

    def rename(tables: Tables) -> None:
        tables["neighbourhood"][0]["name"] = "Elsewhere"

    other = make_lake("other", edit=rename)
    with pytest.raises(LoadError, match=r"already holds the city loaded from .*to start afresh"):
        load_lake(other)
    assert record_rows() == rows
    assert not is_loaded(other)


@pytest.mark.django_db
def test_a_lake_that_breaks_the_contract_is_refused_before_anything_is_written(
    make_lake: MakeLake,
) -> None:
    def dangling_person(tables: Tables) -> None:
        tables["contact"][0]["person_id"] = "nobody"

    lake = make_lake(edit=dangling_person)
    with pytest.raises(LakeError) as refused:
        load_lake(lake)
    assert any(p.table == "contact" and p.column == "person_id" for p in refused.value.problems)
    assert record_rows() == dict.fromkeys(record_rows(), 0)

    (lake / "episode.parquet").unlink()
    with pytest.raises(LakeError, match="episode"):
        load_lake(lake)


@pytest.mark.django_db
def test_only_a_synthetic_lake_is_loaded(make_lake: MakeLake) -> None:
    """Made-up identities must never be attached to real records."""
    with pytest.raises(LoadError, match="purpose is direct_care, and only a synthetic lake"):
        load_lake(make_lake(purpose="direct_care"))
    assert record_rows() == dict.fromkeys(record_rows(), 0)


@pytest.mark.django_db
def test_more_people_than_test_nhs_numbers_leaves_the_rest_unnumbered(
    tiny_lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    few = np.array([9990000018, 9990000026, 9990000034], dtype=np.int64)
    monkeypatch.setattr(synthetic_identity, "_test_range_numbers", lambda: few)
    load_lake(tiny_lake)
    numbers = list(Person.objects.values_list("nhs_number", flat=True))
    assert sorted(n for n in numbers if n) == [str(n) for n in few]
    assert numbers.count(None) == 3  # never a number outside the test range


@pytest.mark.django_db
def test_the_database_refuses_a_malformed_nhs_number(tiny_lake: Path) -> None:
    load_lake(tiny_lake)
    Person.objects.filter(pk="p1").update(nhs_number="999 123 4567")  # stored without spaces
    assert Person.objects.get(pk="p1").nhs_number == "9991234567"
    for bad in ("12345", "99912345ab", "99912345678"):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            Person.objects.filter(pk="p1").update(nhs_number=bad)


@pytest.mark.django_db
def test_null_in_enumerated_columns_loads(make_lake: MakeLake) -> None:
    lake = make_lake()
    load_lake(lake)
    assert Person.objects.get(pk="p5").sex is None
    assert (
        Contact.objects.get(pk="c8").sector is None
        and Contact.objects.get(pk="c8").organisation is None
    )


# Demo logins belong to a loaded synthetic city, so they are tested here.


@pytest.mark.django_db
def test_demo_logins_one_per_profession_idempotent(tiny_lake: Path) -> None:
    load_lake(tiny_lake)
    logins = create_demo_logins()
    # every profession once, and a community nurse in the urgent community response team
    assert sorted(login.profession for login in logins) == sorted(
        [*Profession.labels, "Community nurse"]
    )
    assert all(login.username.startswith("demo-") for login in logins)
    by_name = {login.username: login for login in logins}
    assert by_name["demo-urgent-response-nurse"].team == "Casterbridge Urgent Community Response"
    social_worker = by_name["demo-social-worker"]
    assert social_worker.organisation == "Casterbridge City Council"
    assert social_worker.team == "Northgate INT"  # the team that went live first
    assert (
        by_name["demo-gp"].organisation == "Abbey Road Surgery"
    )  # a practice in that neighbourhood
    assert by_name["demo-commissioner"].team is None
    staff = StaffMember.objects.get(user__username="demo-social-worker")
    assert staff.profession == "social_worker" and list(
        staff.teams.values_list("id", flat=True)
    ) == ["t-north"]
    user = authenticate(username="demo-social-worker", password=social_worker.password)
    assert user is not None and user.password.startswith("argon2$")
    assert not user.is_staff and authenticate(username="demo-gp", password="wrong") is None

    # A second call creates nothing and resets nothing (a changed password stays changed).
    user.set_password("changed by its owner")
    user.save()
    hashes = dict(get_user_model().objects.values_list("username", "password"))
    assert create_demo_logins() == logins
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert StaffMember.objects.count() == len(logins) == get_user_model().objects.count()


@pytest.mark.django_db
def test_demo_logins_need_a_synthetic_city(tiny_lake: Path) -> None:
    with pytest.raises(DemoLoginError, match="no city is loaded"):
        create_demo_logins()
    load_lake(tiny_lake)
    LoadedLake.objects.update(purpose="direct_care")
    with pytest.raises(DemoLoginError, match="only for a synthetic city"):
        create_demo_logins()
    assert not get_user_model().objects.exists()
