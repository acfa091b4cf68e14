"""What another system sends cannot break the service: every bad body is a JSON refusal
naming its field with nothing saved, on SQLite and PostgreSQL alike, and text stored before
the rules never stops the urgent board or the intake page (docs/hazard-log.md H29)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DataError, connection, transaction
from django.test import Client
from test_referrals import telecare_alert

from joinedup.record.models import Referral
from joinedup.referrals.models import Intake, ReceivedReferral, SystemClient
from joinedup.referrals.system_clients import add_system
from joinedup.referrals.system_requests import MAX_BODY_BYTES
from joinedup.transfers.models import FeedEvent
from joinedup.untrusted_json import MAX_DEPTH
from workspace_world import Workspace, build_workspace

# NUL and surrogates meet each database's own text rules: both databases.
pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


@pytest.fixture
def token(world: Workspace) -> str:
    return add_system("Casterbridge Telecare", "telecare")[1]


def send(token: str, raw: str | bytes, path: str = "/api/referrals/", **headers: Any) -> Any:
    return Client().post(
        path, raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers
    )


def saved() -> tuple[int, int, int, int]:
    return (
        Referral.objects.count(),
        Intake.objects.count(),
        ReceivedReferral.objects.count(),
        FeedEvent.objects.count(),
    )


def unmatched(world: Workspace, **changes: Any) -> dict[str, Any]:
    """A two-hour alert whose person (no NHS number) waits for triage to match them."""
    cora = world.people["cora"]
    person = {"given_name": "Cora", "family_name": "Penhalow", "birth_date": "1951-12-03",
              "postcode": cora.postcode, **changes}  # fmt: skip
    return telecare_alert(cora, person=person)


def raw_with(body: dict[str, Any], marker: str, literal: str) -> str:
    """The JSON text of `body` with the string `marker` replaced by a raw JSON literal, so
    the body can hold what json.dumps will not write (NaN, a lone surrogate's escape)."""
    return json.dumps(body).replace(json.dumps(marker), literal)


@pytest.mark.parametrize(
    ("where", "literal", "status", "field"),
    [
        ("reason", '"Fall \\ud800"', 422, "reason"),
        ("needs", '"\\udfff"', 422, "needs"),
        ("external_id", '"alarm-\\ud83d"', 422, "external_id"),
        ("referrer.name", '"Centre \\udc00"', 422, "referrer.name"),
        ("referrer.role", '"\\ud800"', 422, "referrer.role"),
        ("person.family_name", '"Pen\\u0000halow"', 422, "person.family_name"),
        ("needs", '"Key safe \\u0000 code"', 422, "needs"),
        ("reason", "NaN", 422, "body"),
        ("reason", "Infinity", 422, "body"),
        ("reason", "-Infinity", 422, "body"),
        ("reason", "1e400", 422, "body"),
        ("reason", "1" * 40, 422, "body"),
        ("person.nhs_number", "9990010009", 422, "person.nhs_number"),
        ("person.postcode", "12345", 422, "person.postcode"),
        ("person.birth_date", "19511203", 422, "person.birth_date"),
        ("urgency", "true", 422, "urgency"),
        ("referrer", "[]", 422, "referrer"),
        ("surprise", '"a field nobody declared"', 422, "surprise"),
        ("person.middle_name", '"Ann"', 422, "person.middle_name"),
    ],
)
def test_a_referral_body_a_system_should_not_send_is_refused_by_field(
    world: Workspace, token: str, where: str, literal: str, status: int, field: str
) -> None:
    body = unmatched(world)
    outer, _, inner = where.partition(".")
    if inner:
        body[outer] = {**body[outer], inner: "MARKER"}
    else:
        body[outer] = "MARKER"
    before = saved()
    response = send(token, raw_with(body, "MARKER", literal))
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert saved() == before


def test_nesting_size_and_encoding_are_refused_as_json(world: Workspace, token: str) -> None:
    before = saved()
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    for raw, status in (
        (json.dumps({**unmatched(world), "needs": "x"})[:-1] + ', "n": ' + deep + "}", 400),
        ("[" * 60_000, 400),  # deeper than Python's recursion allows
        (b'{"reason": "\xff\xfe"}', 400),  # not UTF-8
        ("x" * (MAX_BODY_BYTES + 1), 413),
    ):
        response = send(token, raw)
        assert response.status_code == status, response.content
        assert response["Content-Type"] == "application/json"
        assert response.json()["errors"][0]["field"] == "body"
    # a body said to be larger than the limit is refused before it is read
    response = send(token, "{}", CONTENT_LENGTH=str(10 * MAX_BODY_BYTES))
    assert response.status_code == 413 and response.json()["errors"][0]["field"] == "body"
    # ... and one far past Django's own limit, which would otherwise answer an HTML page
    response = send(token, json.dumps({"needs": "x" * 3_000_000}))
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    assert saved() == before


def test_the_feed_reads_its_body_the_same_way(world: Workspace) -> None:
    feed = add_system("Casterbridge General PAS", "hospital", sends_admissions=True)[1]
    before = saved()
    for raw, field in (
        ('{"kind": "update", "spell_id": "S1", "occurred_at": NaN}', "body"),
        ('{"kind": "update", "spell_id": "S\\u0000", "occurred_at": "x"}', "spell_id"),
        ('{"kind": "update", "spell_id": "S1", "note": "\\ud800"}', "note"),
        ("[" * 60_000, "body"),
    ):
        response = send(feed, raw, path="/api/transfers/events/")
        assert 400 <= response.status_code < 500, response.content
        assert field in [e["field"] for e in response.json()["errors"]]
    assert saved() == before


def test_a_person_refused_at_matching_saves_nothing_and_frees_the_external_id(
    world: Workspace, token: str
) -> None:
    """An NHS number known with another date of birth is refused after the body is read:
    nothing is kept, so the same external_id with the details put right is a new referral."""
    cora = world.people["cora"]
    wrong = {"nhs_number": cora.nhs_number, "given_name": "Cora", "family_name": "Penhallow",
             "birth_date": "1951-12-04"}  # fmt: skip
    before = saved()
    refused = send(token, json.dumps(telecare_alert(cora, person=wrong)))
    assert refused.status_code == 422 and saved() == before
    made = send(token, json.dumps(telecare_alert(cora)))
    assert made.status_code == 201, made.content


def test_an_external_id_reused_for_another_referral_is_a_conflict(
    world: Workspace, token: str
) -> None:
    first = send(token, json.dumps(unmatched(world)))
    assert first.status_code == 202
    # the same referral again (spacing aside) is answered as before, nothing new made
    again = send(
        token, json.dumps({**unmatched(world), "reason": " Pendant alarm: fall, cannot get up "})
    )
    assert again.status_code == 200 and again.json()["intake_id"] == first.json()["intake_id"]
    other = send(token, json.dumps({**unmatched(world), "reason": "Smoke alarm"}))
    assert other.status_code == 409
    assert [e["field"] for e in other.json()["errors"]] == ["external_id"]
    assert (Intake.objects.count(), ReceivedReferral.objects.count()) == (1, 1)
    # another system may use the same id for its own referral
    other_system = add_system("Casterbridge Ambulance", "ambulance")[1]
    assert send(other_system, json.dumps(unmatched(world))).status_code == 202


def test_text_stored_before_the_rules_never_stops_the_board_or_the_intake(
    world: Workspace, token: str
) -> None:
    """A surrogate or NUL stored by an older version (or straight into the database) shows as
    the replacement character; the intake can still be matched."""
    held = send(token, json.dumps(unmatched(world, given_name="Cora")))
    assert held.status_code == 202
    intake = Intake.objects.get()
    payload = {**intake.payload, "reason": "Fall \ud800 at home"}
    payload["person"] = {**payload["person"], "family_name": "Pen\ud800halow"}
    if connection.vendor == "postgresql":
        # PostgreSQL cannot hold such text at all: only SQLite could have stored it
        with pytest.raises(DataError), transaction.atomic():
            Intake.objects.filter(pk=intake.pk).update(payload=payload)
        with pytest.raises(DataError), transaction.atomic():
            SystemClient.objects.filter(pk=intake.client_id).update(name="Caster\x00bridge")
        return
    # the surrogates written as JSON escapes, as the API's JSON once stored them
    Intake.objects.filter(pk=intake.pk).update(payload=payload)
    SystemClient.objects.filter(pk=intake.client_id).update(name="Casterbridge\x00Telecare")
    ucr = world.client("ucr_nurse")
    board = ucr.get("/referrals/urgent/")
    assert board.status_code == 200
    assert "Pen\ufffdhalow" in board.content.decode()
    page = ucr.get(f"/referrals/intake/{intake.pk}/")
    assert page.status_code == 200 and "\ufffd" in page.content.decode()
    assert world.client("spa").get("/referrals/triage/").status_code == 200
    matched = ucr.post(
        f"/referrals/intake/{intake.pk}/",
        {"action": "match", "person_choice": world.people["cora"].pk},
    )
    assert matched.status_code == 302
    referral = Referral.objects.get()
    assert ucr.get("/referrals/urgent/").status_code == 200
    assert ucr.get(f"/referrals/{referral.pk}/").status_code == 200
