"""The hospital feed end to end through the test client: admit, update and discharge
applied once however often they are sent, late events refused, every field checked with
nothing saved on a refusal, only systems allowed to send admissions, every event audited."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from command_line import migrated, one_error_line, run_installed
from joinedup.access.demo import DemoLoginError
from joinedup.access.models import AuditAction, AuditEvent, Profession
from joinedup.record.models import CarePackage, Episode, HospitalSpell, LoadedLake, Person
from joinedup.referrals.models import SystemClient
from joinedup.referrals.system_clients import SystemClientError, add_system, rotate_token
from joinedup.transfers.demo import DEMO_FEED_TOKEN, seed_demo_hospital
from joinedup.transfers.hub_access import shows_ward
from joinedup.transfers.models import FeedEvent, PlanChange, Stay
from racing import at_once
from workspace_world import Workspace, add_staff, build_workspace, nhs_number

# The feed through the ORM; the duplicate race and unstorable text run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

PAS = "Casterbridge General PAS"
SPELL = "CGH-2025-004411"
# Ten days ago at 09:00 (the hospital's time), whole seconds: every event is in the past.
START = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(
    days=10
)


def at(days: float = 0, hours: float = 0) -> str:
    return (START + dt.timedelta(days=days, hours=hours)).isoformat()


def day(days: int = 0) -> str:
    return (START.date() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


@pytest.fixture
def token(world: Workspace) -> str:
    return add_system(PAS, "hospital", sends_admissions=True)[1]


def post(token: str | None, body: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    payload = body if isinstance(body, str) else json.dumps(body)
    return Client().post(
        "/api/transfers/events/", payload, content_type="application/json", **headers
    )


def admit(who: Person, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "admit",
        "spell_id": SPELL,
        "occurred_at": at(),
        "person": {"nhs_number": who.nhs_number, "birth_date": who.birth_date.isoformat()},
        "admission_date": day(),
        "admission_method": "emergency",
        "ward": "Ward 7",
        "expected_discharge_date": day(5),
    }
    return {**body, **changes}


def update(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "update",
        "spell_id": SPELL,
        "occurred_at": at(3),
        "ready_for_discharge_date": day(3),
        "proposed_pathway": 1,
        "delay_reason": "awaiting_care_package",
        "delay_responsibility": "social_care",
        "note": "Medically optimised; needs four calls a day",
    }
    return {**body, **changes}


def discharge(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "discharge",
        "spell_id": SPELL,
        "occurred_at": at(8),
        "discharge_date": day(8),
        "discharge_destination": "usual_residence",
        "discharge_pathway": 1,
    }
    return {**body, **changes}


def saved() -> dict[str, int]:
    """Rows of everything an event can write, by table."""
    models = (HospitalSpell, Stay, PlanChange, FeedEvent, AuditEvent, CarePackage, Episode)
    return {model.__name__: model.objects.count() for model in models}


def feed_audit(person: Person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(person_id=person.pk, username=PAS).order_by("sequence"))


def applied(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    return body


def refused(response: Any, status: int) -> list[dict[str, str]]:
    assert response.status_code == status, response.content
    errors: list[dict[str, str]] = response.json()["errors"]
    assert errors and all(e["field"] and e["message"] for e in errors)
    return errors


def test_admit_update_and_discharge_are_applied_and_each_is_audited(
    world: Workspace, token: str
) -> None:
    cora = world.people["cora"]

    first = applied(post(token, admit(cora)))
    assert first["spell_id"] == SPELL and first["kind"] == "admit"
    spell = HospitalSpell.objects.get(pk=SPELL)
    assert (spell.person, spell.admission_date.isoformat(), spell.admission_method) == (
        cora,
        day(),
        "emergency",
    )
    assert (spell.acsc, spell.fall, spell.cost, spell.discharge_date) == (False, False, None, None)
    stay = Stay.objects.get(pk=SPELL)
    assert (stay.ward, stay.expected_discharge_date.isoformat(), stay.version) == (
        "Ward 7",
        day(5),
        1,
    )
    assert stay.last_event_at == START and stay.updated_by == PAS
    assert [(c.changed_by, c.ward) for c in PlanChange.objects.filter(spell=spell)] == [
        (PAS, "Ward 7")
    ]
    assert [(e.action, SPELL in e.what) for e in feed_audit(cora)] == [(AuditAction.CREATE, True)]

    applied(post(token, update()))
    spell.refresh_from_db()
    stay.refresh_from_db()
    assert (
        spell.ready_for_discharge_date.isoformat(),
        spell.delay_reason,
        spell.delay_responsibility,
    ) == (day(3), "awaiting_care_package", "social_care")
    assert (stay.proposed_pathway, stay.version, stay.ward) == (1, 2, "Ward 7")
    assert stay.last_event_at == START + dt.timedelta(days=3)
    latest = PlanChange.objects.filter(spell=spell).last()
    assert latest is not None
    assert (latest.changed_by, latest.delay_reason, latest.proposed_pathway, latest.note) == (
        PAS,
        "awaiting_care_package",
        1,
        "Medically optimised; needs four calls a day",
    )
    assert feed_audit(cora)[-1].action == AuditAction.UPDATE

    # A later update clears the expected date with null and leaves what it does not send.
    applied(
        post(
            token,
            {
                "kind": "update",
                "spell_id": SPELL,
                "occurred_at": at(4),
                "expected_discharge_date": None,
                "ward": "Ward 9",
            },
        )
    )
    stay.refresh_from_db()
    spell.refresh_from_db()
    assert (stay.expected_discharge_date, stay.ward, stay.proposed_pathway) == (None, "Ward 9", 1)
    assert spell.delay_reason == "awaiting_care_package"
    assert PlanChange.objects.filter(spell=spell).count() == 3

    audited = len(feed_audit(cora))
    applied(post(token, discharge()))
    spell.refresh_from_db()
    assert (
        spell.discharge_date.isoformat(),
        spell.discharge_destination,
        spell.discharge_pathway,
    ) == (day(8), "usual_residence", 1)
    package = CarePackage.objects.get(after_spell=spell)
    assert package.service_type == "reablement" and package.person == cora
    assert Stay.objects.get(pk=SPELL).last_event_at == START + dt.timedelta(days=8)
    discharged = feed_audit(cora)[audited:]
    assert discharged and all(
        e.action in (AuditAction.UPDATE, AuditAction.CREATE) for e in discharged
    )
    assert any("discharged" in e.what and SPELL in e.what for e in discharged)
    assert FeedEvent.objects.filter(spell_id=SPELL).count() == 4
    assert set(FeedEvent.objects.values_list("client__name", flat=True)) == {PAS}


def test_every_event_sent_again_changes_nothing_and_gets_the_same_answer(
    world: Workspace, token: str
) -> None:
    cora = world.people["cora"]
    answers = [applied(post(token, body)) for body in (admit(cora), update(), discharge())]
    before = saved()
    for body, answer in zip((admit(cora), update(), discharge()), answers, strict=True):
        assert applied(post(token, body), status=200) == answer
    # The same instant written with another offset is the same event.
    same_time = (START + dt.timedelta(days=3)).astimezone(dt.timezone(dt.timedelta(hours=5)))
    assert applied(post(token, update(occurred_at=same_time.isoformat())), 200) == answers[1]
    assert saved() == before


def test_the_same_spell_kind_and_time_with_another_body_is_refused(
    world: Workspace, token: str
) -> None:
    applied(post(token, admit(world.people["cora"])))
    before = saved()
    errors = refused(post(token, admit(world.people["cora"], ward="Ward 12")), 409)
    assert errors[0]["field"] == "occurred_at" and "different admit event" in errors[0]["message"]
    assert saved() == before and Stay.objects.get().ward == "Ward 7"


def test_an_event_older_than_the_latest_applied_is_refused_as_out_of_order(
    world: Workspace, token: str
) -> None:
    applied(post(token, admit(world.people["cora"])))
    applied(post(token, update(occurred_at=at(3, hours=2))))
    before = saved()
    errors = refused(post(token, update(occurred_at=at(3), delay_reason="housing")), 409)
    latest = (START + dt.timedelta(days=3, hours=2)).astimezone(dt.UTC).isoformat()
    assert errors == [
        {
            "field": "occurred_at",
            "message": f"out of order: the latest event for spell {SPELL} happened at {latest}",
        }
    ]
    refused(post(token, discharge(occurred_at=at(3, hours=1), discharge_date=day(3))), 409)
    assert saved() == before
    assert HospitalSpell.objects.get().delay_reason == "awaiting_care_package"


@pytest.mark.parametrize("body", [update, discharge])
def test_an_update_or_discharge_for_a_spell_never_admitted_is_refused(
    world: Workspace, token: str, body: Any
) -> None:
    before = saved()
    errors = refused(post(token, body(spell_id="CGH-404")), 409)
    assert errors == [{"field": "spell_id", "message": "spell CGH-404 has not been admitted"}]
    assert saved() == before


def test_admitting_again_or_sending_anything_after_the_discharge_is_refused(
    world: Workspace, token: str
) -> None:
    cora = world.people["cora"]
    applied(post(token, admit(cora)))
    again = refused(post(token, admit(cora, occurred_at=at(hours=1))), 409)
    assert again[0]["field"] == "spell_id" and "already admitted" in again[0]["message"]
    applied(post(token, discharge()))
    before = saved()
    for body in (
        update(occurred_at=at(9)),
        discharge(occurred_at=at(9)),
        admit(cora, occurred_at=at(9)),
    ):
        errors = refused(post(token, body), 409)
        assert errors[0]["field"] == "spell_id"
        assert f"spell {SPELL} was discharged on {day(8)}" in errors[0]["message"]
    assert saved() == before


NOT_ON_RECORD = nhs_number(900_000)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lambda w: admit(w.people["cora"], kind="transfer"), "kind"),
        (lambda w: admit(w.people["cora"], spell_id="CGH 1"), "spell_id"),
        (lambda w: admit(w.people["cora"], occurred_at="2025-03-04T10:15:00"), "occurred_at"),
        (lambda w: admit(w.people["cora"], occurred_at="yesterday"), "occurred_at"),
        (
            lambda w: admit(
                w.people["cora"], occurred_at=(timezone.now() + dt.timedelta(hours=1)).isoformat()
            ),
            "occurred_at",
        ),
        (
            lambda w: admit(
                w.people["cora"], person={"nhs_number": NOT_ON_RECORD, "birth_date": "1951-12-03"}
            ),
            "person",  # the same answer as a wrong date of birth: nothing confirmed
        ),
        (
            lambda w: admit(
                w.people["cora"], person={"nhs_number": "1234567890", "birth_date": "1951-12-03"}
            ),
            "person.nhs_number",
        ),
        (
            lambda w: admit(
                w.people["cora"],
                person={"nhs_number": w.people["cora"].nhs_number, "birth_date": "1951-12-04"},
            ),
            "person",
        ),
        (lambda w: admit(w.people["cora"], occurred_at="0001-01-01T00:30:00+01:00"), "occurred_at"),
        (lambda w: admit(w.people["cora"], ward="W\ud800"), "ward"),
        (lambda w: admit(w.people["cora"], person="Cora Penhallow"), "person"),
        (lambda w: admit(w.people["cora"], admission_method="urgent"), "admission_method"),
        (lambda w: admit(w.people["cora"], admission_date="04/03/2025"), "admission_date"),
        (lambda w: admit(w.people["cora"], admission_date=day(1)), "admission_date"),
        (
            lambda w: admit(w.people["cora"], expected_discharge_date=day(-1)),
            "expected_discharge_date",
        ),
        (lambda w: admit(w.people["cora"], ward=""), "ward"),
        (lambda w: admit(w.people["cora"], discharge_date=day()), "discharge_date"),
        (lambda w: update(ready_for_discharge_date=day(-2)), "ready_for_discharge_date"),
        (lambda w: update(ready_for_discharge_date=day(4)), "ready_for_discharge_date"),
        (lambda w: update(expected_discharge_date="2025-02-30"), "expected_discharge_date"),
        (lambda w: update(proposed_pathway=4), "proposed_pathway"),
        (lambda w: update(proposed_pathway="1"), "proposed_pathway"),
        (lambda w: update(delay_reason="waiting"), "delay_reason"),
        (lambda w: update(delay_responsibility="council"), "delay_responsibility"),
        (lambda w: update(ward=7), "ward"),
        (lambda w: update(note="Call the son\x00"), "note"),
        (lambda w: update(note="x" * 2001), "note"),
        (lambda w: update(ready_for_discharge_date=None), "delay_reason"),
        (lambda w: update(delay_reason=None), "delay_responsibility"),
        (
            lambda w: {
                "kind": "update",
                "spell_id": SPELL,
                "occurred_at": at(3),
                "delay_reason": "housing",
            },
            "delay_reason",
        ),
        (lambda w: {"kind": "update", "spell_id": SPELL, "occurred_at": at(3)}, "body"),
        (lambda w: discharge(discharge_date=day(-1)), "discharge_date"),
        (lambda w: discharge(discharge_date=day(9)), "discharge_date"),
        (lambda w: discharge(discharge_destination="home"), "discharge_destination"),
        (lambda w: discharge(discharge_pathway=5), "discharge_pathway"),
        (lambda w: discharge(discharge_pathway=True), "discharge_pathway"),
        (lambda w: discharge(proposed_pathway=1), "proposed_pathway"),
    ],
)
@pytest.mark.both_databases
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    world: Workspace, token: str, body: Any, field: str
) -> None:
    sent = body(world)
    if sent.get("kind") != "admit":
        applied(post(token, admit(world.people["cora"])))
    before, plan = saved(), list(Stay.objects.values())
    errors = refused(post(token, sent), 422)
    assert field in [e["field"] for e in errors], errors
    assert saved() == before and list(Stay.objects.values()) == plan


@pytest.mark.parametrize(("body", "field"), [("{not json", "body"), ("[1, 2]", "body")])
def test_a_body_that_is_not_a_json_object_is_refused(
    world: Workspace, token: str, body: str, field: str
) -> None:
    assert refused(post(token, body), 400)[0]["field"] == field
    assert not FeedEvent.objects.exists()


def test_only_a_system_allowed_to_send_admissions_may(world: Workspace) -> None:
    _, referrals_only = add_system("Casterbridge Telecare", "telecare")
    body = admit(world.people["cora"])
    assert refused(post(None, body), 401)[0]["field"] == "Authorization"
    assert refused(post("not-a-token", body), 401)[0]["field"] == "Authorization"
    forbidden = refused(post(referrals_only, body), 403)
    assert forbidden[0]["field"] == "Authorization"
    assert "Casterbridge Telecare" in forbidden[0]["message"]
    assert "--admissions" in forbidden[0]["message"]
    assert saved()["HospitalSpell"] == 0 and saved()["AuditEvent"] == 0
    assert Client().get("/api/transfers/events/").status_code == 405


def test_a_spell_loaded_from_a_lake_takes_updates_and_gets_its_stay(
    world: Workspace, token: str
) -> None:
    bert = world.people["bert"]
    HospitalSpell.objects.create(
        id="lake-s1",
        person=bert,
        admission_date=START.date(),
        admission_method="emergency",
        primary_diagnosis="J44.1",
        acsc=True,
        fall=False,
    )
    early = update(spell_id="lake-s1", occurred_at=at(-1), ready_for_discharge_date=None)
    early = refused(post(token, early), 422)
    assert early[0]["field"] == "occurred_at" and "before the admission" in early[0]["message"]
    assert not Stay.objects.exists()
    applied(post(token, update(spell_id="lake-s1", proposed_pathway=2)))
    stay = Stay.objects.get(pk="lake-s1")
    assert (stay.proposed_pathway, stay.ward, stay.updated_by) == (2, "", PAS)
    assert [e.action for e in feed_audit(bert)] == [AuditAction.UPDATE]
    applied(post(token, discharge(spell_id="lake-s1", discharge_pathway=2)))
    assert HospitalSpell.objects.get(pk="lake-s1").discharge_pathway == 2
    assert CarePackage.objects.get(after_spell_id="lake-s1").service_type == "intermediate_care"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kind", "same", "answers"),
    [("admit", True, [200, 201]), ("admit", False, [201, 409]), ("update", True, [200, 201])],
)
@pytest.mark.both_databases
def test_an_event_sent_twice_at_once_is_applied_once(
    committed_audit: None, kind: str, same: bool, answers: list[int]
) -> None:
    """Two requests racing: the spell's lock or the database's unique constraints let one
    in; the other is answered as a repeat (the same event) or refused (another admission)."""
    world = build_workspace()
    token = add_system(PAS, "hospital", sends_admissions=True)[1]
    cora = world.people["cora"]
    if kind == "admit":
        bodies = [admit(cora), admit(cora) if same else admit(cora, occurred_at=at(hours=1))]
    else:
        applied(post(token, admit(cora)))
        bodies = [update(), update()]
    statuses = at_once(lambda body: post(token, body).status_code, bodies)
    assert sorted(statuses) == answers
    assert HospitalSpell.objects.filter(pk=SPELL).count() == 1
    assert FeedEvent.objects.filter(spell_id=SPELL, kind=kind).count() == 1
    assert PlanChange.objects.filter(spell_id=SPELL).count() == (1 if kind == "admit" else 2)
    assert len(feed_audit(cora)) == (1 if kind == "admit" else 2)


def test_systems_add_with_admissions_allows_a_system_to_send_them(tmp_path: Path) -> None:
    """The command a system administrator runs, in its own database (see command_line)."""
    migrated(tmp_path)
    made = run_installed(
        "systems", "add", "--name", PAS, "--source", "hospital", "--admissions", var=tmp_path
    )
    assert made.returncode == 0, made.stderr
    assert f"Added {PAS} (hospital, admissions too)" in made.stdout
    plain = run_installed(
        "systems", "add", "--name", "Casterbridge Telecare", "--source", "telecare", var=tmp_path
    )
    assert plain.returncode == 0 and "admissions" not in plain.stdout
    with closing(sqlite3.connect(tmp_path / "joinedup.sqlite3")) as db:
        rows = db.execute("SELECT name, sends_admissions FROM referrals_systemclient").fetchall()
    assert sorted(rows) == [(PAS, 1), ("Casterbridge Telecare", 0)]
    # Admissions come from the acute hospital's system, never a GP's or telecare's.
    gp = one_error_line(
        run_installed(
            "systems", "add", "--name", "EMIS", "--source", "gp", "--admissions", var=tmp_path
        )
    )
    assert "--admissions" in gp and "--source hospital" in gp
    again = one_error_line(
        run_installed(
            "systems", "add", "--name", PAS, "--source", "hospital", "--admissions", var=tmp_path
        )
    )
    assert "--name" in again
    rotated = run_installed("systems", "rotate", "--name", PAS, var=tmp_path)
    assert rotated.returncode == 0 and f"A new token for {PAS}" in rotated.stdout


def test_a_rotated_token_replaces_the_old_and_the_system_keeps_its_stays(
    world: Workspace, token: str
) -> None:
    applied(post(token, admit(world.people["cora"])))
    client, new = rotate_token(PAS)
    assert client.name == PAS and new != token
    assert post(token, update()).status_code == 401  # the old token stops at once
    applied(post(new, update()))  # the stay it admitted is still its own
    with pytest.raises(SystemClientError, match=r"^name: no system is called") as unknown:
        rotate_token("No such system")
    assert unknown.value.field == "name"  # the command line names it --name


def test_a_body_nested_too_deep_is_not_json(token: str) -> None:
    assert refused(post(token, "[" * 60_000), 400)[0]["field"] == "body"


def test_a_person_already_in_hospital_is_not_admitted_again(world: Workspace, token: str) -> None:
    assert post(token, admit(world.people["cora"])).status_code == 201
    again = post(token, admit(world.people["cora"], spell_id="CGH-2", occurred_at=at(1)))
    problems = refused(again, 409)
    assert problems[0]["field"] == "person" and SPELL in problems[0]["message"]
    assert HospitalSpell.objects.filter(person=world.people["cora"]).count() == 1


def test_an_update_older_than_a_change_on_the_board_is_refused(
    world: Workspace, token: str
) -> None:
    applied(post(token, admit(world.people["cora"])))
    changed = START + dt.timedelta(days=2)
    Stay.objects.filter(pk=SPELL).update(updated_by="coordinator", updated_at=changed)
    older = {"kind": "update", "spell_id": SPELL, "occurred_at": at(1), "ward": "Ward 8"}
    problems = refused(post(token, older), 409)
    assert (
        "changed on the board" in problems[0]["message"] and "coordinator" in problems[0]["message"]
    )
    assert post(token, {**older, "occurred_at": at(3)}).status_code == 201


def test_the_demo_hospital_sends_with_its_published_token_only_on_a_synthetic_city(
    world: Workspace,
) -> None:
    def lake(purpose: str) -> None:
        LoadedLake.objects.all().delete()
        LoadedLake.objects.create(
            fingerprint="f" * 64, path="demo-city", purpose=purpose, source="joinedup synth",
            observation_start=dt.date(2019, 4, 1), observation_end=dt.date(2025, 3, 31),
            manifest={}, seed=1, rows={}, seconds=1.0,
        )  # fmt: skip

    lake("direct_care")
    with pytest.raises(DemoLoginError, match="only for a synthetic city"):
        seed_demo_hospital()
    assert not SystemClient.objects.exists()
    lake("synthetic")
    hospital = seed_demo_hospital()
    assert seed_demo_hospital() == hospital and SystemClient.objects.count() == 1
    assert hospital.sends_admissions and hospital.token_sha256 != DEMO_FEED_TOKEN
    applied(post(DEMO_FEED_TOKEN, admit(world.people["cora"])))
    assert HospitalSpell.objects.get(pk=SPELL).person == world.people["cora"]
    assert refused(post(DEMO_FEED_TOKEN + "x", update()), 401)


def test_a_person_who_died_before_the_admission_gets_the_unknown_person_answer(
    world: Workspace, token: str
) -> None:
    cora = world.people["cora"]
    unknown = refused(
        post(token, admit(cora, person={"nhs_number": NOT_ON_RECORD, "birth_date": "1951-12-03"})),
        422,
    )
    Person.objects.filter(pk=cora.pk).update(death_date=START.date() - dt.timedelta(days=30))
    before = saved()
    assert refused(post(token, admit(cora)), 422) == unknown  # confirms nothing
    assert saved() == before
    # died on the day of the admission: a stay ending in death, admitted
    Person.objects.filter(pk=cora.pk).update(death_date=START.date())
    applied(post(token, admit(cora)))


def test_the_admission_s_audit_never_names_the_ward(world: Workspace, token: str) -> None:
    """Audit texts are shown in the person's access report, to staff the ward is hidden
    from (an objection to sharing, a sensitive stay)."""
    applied(post(token, admit(world.people["cora"], ward="Ward 7 (mental health liaison)")))
    assert [e.what for e in feed_audit(world.people["cora"])] == [
        f"hospital spell {SPELL} admitted on {day()} (emergency) (hospital feed)"
    ]


def test_the_diagnosis_sent_sets_the_contract_s_flags_and_the_stay_s_sensitivity(
    world: Workspace, token: str
) -> None:
    """Sent with the admission or coded later: acsc follows the code (metrics 3 and 4 and
    the risk model read it), fall goes with an injury, and a sensitive diagnosis hides the
    ward from the hub's roles, as for a spell loaded from a lake."""
    cora = world.people["cora"]
    applied(post(token, admit(cora, primary_diagnosis="S72.0", fall=True)))
    spell = HospitalSpell.objects.get(pk=SPELL)
    assert (spell.primary_diagnosis, spell.acsc, spell.fall) == ("S72.0", False, True)
    version, changes = Stay.objects.get(pk=SPELL).version, PlanChange.objects.count()
    applied(post(token, {"kind": "update", "spell_id": SPELL, "occurred_at": at(1),
                         "primary_diagnosis": "J44.1", "fall": False}))  # fmt: skip
    spell.refresh_from_db()
    assert (spell.primary_diagnosis, spell.acsc, spell.fall) == ("J44.1", True, False)
    # the plan is as it was: an open plan form is not made stale by a coded diagnosis
    assert (Stay.objects.get(pk=SPELL).version, PlanChange.objects.count()) == (version, changes)
    assert feed_audit(cora)[-1].what.endswith("updated: primary diagnosis, fall (hospital feed)")
    applied(post(token, {"kind": "update", "spell_id": SPELL, "occurred_at": at(2),
                         "primary_diagnosis": "F20.0"}))  # fmt: skip
    assert not shows_ward(
        add_staff(world, "coord", Profession.DISCHARGE_COORDINATOR, "acute", "Dee", "Charge"),
        False,
        HospitalSpell.objects.get(pk=SPELL).primary_diagnosis,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"primary_diagnosis": "stroke"}, "primary_diagnosis"),
        ({"primary_diagnosis": "i63.9"}, "primary_diagnosis"),
        ({"primary_diagnosis": 639}, "primary_diagnosis"),
        ({"primary_diagnosis": "I63.9", "fall": True}, "fall"),  # not an injury
        ({"fall": "yes"}, "fall"),
        ({"fall": True}, "fall"),  # with no injury sent with it
    ],
)
def test_a_diagnosis_that_is_not_icd_10_or_a_fall_without_an_injury_is_refused(
    world: Workspace, token: str, changes: dict[str, Any], field: str
) -> None:
    before = saved()
    errors = refused(post(token, admit(world.people["cora"], **changes)), 422)
    assert field in [e["field"] for e in errors] and saved() == before
    applied(post(token, admit(world.people["cora"])))
    # a fall sent later needs the injury, sent now or before
    later = {"kind": "update", "spell_id": SPELL, "occurred_at": at(1), "fall": True}
    assert "fall" in [e["field"] for e in refused(post(token, later), 422)]
    applied(post(token, {**later, "primary_diagnosis": "S72.0"}))
    # ... and a code that is no injury, for a stay recorded as a fall, needs fall: false
    recoded = {
        "kind": "update",
        "spell_id": SPELL,
        "occurred_at": at(2),
        "primary_diagnosis": "J44.1",
    }
    assert "fall" in [e["field"] for e in refused(post(token, recoded), 422)]
    applied(post(token, {**recoded, "fall": False}))


def test_a_stay_admitted_by_one_hospital_s_system_takes_events_only_from_it(
    world: Workspace, token: str
) -> None:
    applied(post(token, admit(world.people["cora"])))
    other = add_system("Casterbridge Community Hospital PAS", "hospital", sends_admissions=True)[1]
    before = saved()
    # told nothing of another hospital's stay: answered exactly as a stay never admitted
    unknown = refused(post(other, update(spell_id="CGH-NEVER")), 409)[0]["message"]
    problems = refused(post(other, update()), 409)
    assert problems[0]["field"] == "spell_id"
    assert problems[0]["message"] == unknown.replace("CGH-NEVER", SPELL)
    assert PAS not in problems[0]["message"]
    assert refused(post(other, discharge()), 409) and saved() == before
    applied(post(token, update()))
    # ... not its discharge either
    applied(post(token, discharge()))
    problems = refused(post(other, update(occurred_at=at(9))), 409)
    assert problems[0]["message"] == unknown.replace("CGH-NEVER", SPELL)
    # ... nor, admitting under its spell id, when it was admitted or discharged
    taken = refused(post(other, admit(world.people["bert"], occurred_at=at(9))), 409)[0]
    assert taken["field"] == "spell_id" and "in use" in taken["message"]
    assert "discharged" not in taken["message"] and "admitted on" not in taken["message"]
    applied(post(token, admit(world.people["cora"], spell_id="CGH-2", occurred_at=at(9, hours=1))))
    again = post(other, admit(world.people["cora"], spell_id="CCH-9", occurred_at=at(9, hours=1)))
    message = refused(again, 409)[0]["message"]
    assert "another system" in message and "CGH-2" not in message


def test_a_coded_diagnosis_applies_after_a_board_change_and_a_lake_s_flags_stand(
    world: Workspace, token: str
) -> None:
    applied(post(token, admit(world.people["cora"])))
    Stay.objects.filter(pk=SPELL).update(
        updated_by="coordinator", updated_at=START + dt.timedelta(days=2)
    )
    coded = {
        "kind": "update",
        "spell_id": SPELL,
        "occurred_at": at(1),
        "primary_diagnosis": "F20.0",
    }
    applied(post(token, coded))  # older than the board's change, but the plan is not touched
    assert HospitalSpell.objects.get(pk=SPELL).primary_diagnosis == "F20.0"
    # A lake's spell: a fall with no code (the contract allows it) still takes plan updates,
    # and its flags stand until the hospital codes it.
    lake = HospitalSpell.objects.create(
        id="LAKE-1", person=world.people["dot"], admission_date=START.date(),
        admission_method="emergency", primary_diagnosis=None, acsc=True, fall=True,
    )  # fmt: skip
    applied(post(token, {"kind": "update", "spell_id": "LAKE-1", "occurred_at": at(1),
                         "ward": "Ward 9"}))  # fmt: skip
    lake.refresh_from_db()
    assert (lake.acsc, lake.fall, Stay.objects.get(pk="LAKE-1").ward) == (True, True, "Ward 9")
