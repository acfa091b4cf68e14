"""The single point of access end to end through the test client: form, matching, triage,
routing, the lifecycle, the closed loop, the urgent response board and the endpoint."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from date_boxes import date_boxes, typed_boxes
from joinedup.access.models import AuditAction, AuditEvent, Consent
from joinedup.formatting import long_date
from joinedup.record.models import Contact, Episode, Person, Referral
from joinedup.referrals.models import Intake, ReferralEvent
from joinedup.referrals.system_clients import add_system
from joinedup.referrals.workflow import (
    Actor,
    change_status,
    create_referral,
    redirect_to_team,
)
from page_notices import notices
from workspace_world import Workspace, build_workspace

# Referrals through the ORM; the transition constraint runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]


def arrival_boxes(moment: dt.datetime) -> dict[str, str]:
    """The first visit's date input and time box, as a nurse fills them in (local time)."""
    local = timezone.localtime(moment)
    return {**date_boxes("arrived-at", local), "arrived-at-time": f"{local:%H:%M}"}


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


BORN = "person-birth-date"  # the date of birth's date input


def form(person: Person | None = None, **changes: str) -> dict[str, str]:
    data = {
        "person.nhs_number": person.nhs_number or "" if person else "",
        "person.given_name": person.given_name if person else "",
        "person.family_name": person.family_name if person else "",
        **(date_boxes(BORN, person.birth_date) if person else typed_boxes(BORN, "", "", "")),
        "person.postcode": person.postcode if person else "",
        "consent": "agreed",
        "urgency": "routine",
        "reason": "Struggling with stairs since a fall",
        "needs": "Assessment for equipment; lives alone; key safe 1234.",
        "source": "gp",
        "referrer.name": "Dr Gus Penrose",
        "referrer.role": "GP, Abbey Road Surgery",
        "referrer.phone": "01632 960123",
    }
    data.update(changes)
    return data


def test_a_gp_refers_by_nhs_number_and_nothing_else_is_needed(world: Workspace) -> None:
    ada = world.people["ada"]
    response = world.client("gp").post("/referrals/new/", form(ada))

    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    assert (referral.person, referral.status, referral.team, referral.urgency) == (
        ada,
        "requested",
        None,
        "routine",
    )
    assert referral.referred_by == world.user("gp") and referral.referrer_phone == "01632 960123"
    event = referral.events.get()
    assert (event.kind, event.to_status, event.username) == ("created", "requested", "gp")
    audit = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert audit.person_id == ada.pk and audit.username == "gp"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"person.given_name": ""}, "person-given-name", "Enter the given name"),
        (typed_boxes(BORN, "", "", ""), "person-birth-date-day", "Enter the date of birth"),
        (
            typed_boxes(BORN, "11", "13", "1938"),
            "person-birth-date-day",
            "The date of birth must be a real date, like 11 2 1938",
        ),
        (
            typed_boxes(BORN, "11", "2", ""),
            "person-birth-date-day",
            "The date of birth must include a year",
        ),
        (
            date_boxes(BORN, dt.date(2100, 2, 11)),
            "person-birth-date-day",
            "The date of birth must be today or in the past",
        ),
        (
            date_boxes(BORN, dt.date(1889, 2, 11)),
            "person-birth-date-day",
            "The date of birth must be in 1890 or later",
        ),
        ({"person.nhs_number": "999 000 0001"}, "person-nhs-number", "not a valid NHS number"),
        ({"person.postcode": "NOT A CODE"}, "person-postcode", "not a UK postcode"),
        ({"urgency": "soon"}, "urgency", "choose how urgent it is (two_hour, urgent, routine)"),
        ({"reason": " "}, "reason", "enter the reason for referral"),
        ({"needs": ""}, "needs", "enter what the person needs"),
        ({"referrer.phone": ""}, "referrer-phone", "enter a phone number to call back"),
        (date_boxes(BORN, dt.date(1938, 2, 12)), "person-nhs-number", "different date of birth"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    world: Workspace, changes: dict[str, str], field: str, message: str
) -> None:
    before = AuditEvent.objects.count(), Person.objects.count()
    response = world.client("gp").post("/referrals/new/", form(world.people["ada"], **changes))

    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert f'href="#{field}"' in body and message.lower() in body.lower()
    assert f'id="{field}"' in body  # the link lands on the field
    for name, typed in changes.items():  # a date's boxes show back what was typed
        if name.startswith(BORN) and typed:
            assert re.search(rf'name="{name}"[^>]*value="{typed}"', body), name
    assert not Referral.objects.exists()
    # nothing changed; the one answer that discloses someone (whose NHS number it is) is
    # audited as a search hit on them
    disclosed = list(AuditEvent.objects.filter(action=AuditAction.SEARCH_HIT).values_list(
        "person_id", flat=True
    ))  # fmt: skip
    assert disclosed == (["p-ada"] if "different date of birth" in message else [])
    assert (AuditEvent.objects.count() - len(disclosed), Person.objects.count()) == before


def test_likely_matches_are_offered_and_a_duplicate_needs_confirmation(world: Workspace) -> None:
    bert = world.people["bert"]
    gp = world.client("gp")
    details = form(bert, **{"person.nhs_number": "", "person.given_name": "Bertie"})

    shown = gp.post("/referrals/new/", details).content.decode()
    assert "People already known with similar details" in shown
    # Dorothy shares his birth date and postcode, but not a name: not a likely match
    assert bert.pk in shown and world.people["dot"].pk not in shown
    assert not Referral.objects.exists()

    refused = gp.post("/referrals/new/", {**details, "person_choice": "new"}).content.decode()
    assert "Confirm that none of the people listed" in refused
    assert "Choose the person&#39;s GP practice" in refused  # the new person's details too
    assert Person.objects.count() == len(world.people) and not Referral.objects.exists()

    chosen = gp.post("/referrals/new/", {**details, "person_choice": bert.pk})
    assert chosen.status_code == 302 and Referral.objects.get().person == bert


def test_a_new_person_is_made_only_when_confirmed_and_is_audited(world: Workspace) -> None:
    gp = world.client("gp")
    details = form(world.people["bert"], **{"person.nhs_number": "", "person.given_name": "Bertie"})
    new = {
        **details, "person_choice": "new", "confirm_new": "yes", "new_sex": "male",
        "new_practice": world.practice.pk, "new_lives_alone": "no", "new_has_unpaid_carer": "yes",
    }  # fmt: skip
    response = gp.post("/referrals/new/", new)

    assert response.status_code == 302
    made = Person.objects.get(given_name="Bertie")
    assert made.neighbourhood_id == "n-north" and made.has_unpaid_carer and not made.lives_alone
    assert Referral.objects.get().person == made
    audit = AuditEvent.objects.get(person_id=made.pk, what="person record at referral")
    assert "confirmed none of 1 likely matches" in audit.reason


def _refer(world: Workspace, key: str, urgency: str, ago: dt.timedelta) -> Referral:
    return create_referral(
        person=world.people[key], urgency=urgency, source="gp", reason=f"{key} {urgency}",
        needs="Help", actor=Actor(user=world.user("gp")), now=timezone.now() - ago,
    )  # fmt: skip


def test_triage_queue_is_most_urgent_then_longest_waiting_and_for_triage_only(
    world: Workspace,
) -> None:
    routine_old = _refer(world, "ada", "routine", dt.timedelta(days=3))
    urgent_new = _refer(world, "bert", "urgent", dt.timedelta(hours=1))
    urgent_old = _refer(world, "cora", "urgent", dt.timedelta(hours=6))
    two_hour = _refer(world, "eli", "two_hour", dt.timedelta(minutes=10))

    body = world.client("spa").get("/referrals/triage/").content.decode()
    order = [
        body.index(f"referral-{r.pk}") for r in (two_hour, urgent_old, urgent_new, routine_old)
    ]
    assert order == sorted(order)
    assert body.count("Overdue") == 2  # urgent after 6 hours, routine after 3 days
    viewed = set(AuditEvent.objects.filter(what="triage queue").values_list("person_id", flat=True))
    assert viewed == {"p-ada", "p-bert", "p-cora", "p-eli"}
    for who in ("gp", "nurse", "commissioner"):
        assert world.client(who).get("/referrals/triage/").status_code == 403


def test_accepting_routes_to_the_team_and_puts_the_person_on_its_caseload(
    world: Workspace,
) -> None:
    referral = _refer(world, "bert", "routine", dt.timedelta(hours=2))
    spa = world.client("spa")
    page = spa.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Suggested from the person's neighbourhood" in page and "Northgate INT" in page

    response = spa.post(
        f"/referrals/{referral.pk}/act/",
        {
            "action": "status",
            "status": "accepted",
            "team": "t-north",
            "expected_status": "requested",
        },
    )
    assert response.status_code == 302
    assert notices(spa, response["Location"]) == ["The referral is accepted for Northgate INT."]
    referral.refresh_from_db()
    assert (referral.status, referral.team_id) == ("accepted", "t-north")
    assert referral.accepted_at is not None
    assert Episode.objects.filter(person=referral.person, team_id="t-north", end_date=None).exists()
    accepted = referral.events.get(kind="status")
    assert (accepted.from_status, accepted.to_status, accepted.username) == (
        "requested",
        "accepted",
        "spa",
    )
    # a second clinician on a stale page is told what happened, and nothing changes
    stale = spa.post(
        f"/referrals/{referral.pk}/act/",
        {"action": "status", "status": "rejected", "reason": "x", "expected_status": "requested"},
    )
    assert stale.status_code == 409
    assert "was changed by Sian Pascoe" in stale.content.decode()  # a name, not a login
    history = spa.get(f"/referrals/{referral.pk}/").content.decode()
    history = history[history.index('id="history"') :]
    assert "Sian Pascoe, Casterbridge Community Health NHS Trust" in history
    assert referral.events.count() == 3  # created, accepted, added to caseload


@pytest.mark.both_databases
def test_illegal_transitions_are_refused_by_the_page_and_by_the_database(
    world: Workspace,
) -> None:
    referral = _refer(world, "bert", "routine", dt.timedelta(hours=2))
    response = world.client("spa").post(
        f"/referrals/{referral.pk}/act/", {"action": "status", "status": "completed"}
    )
    assert response.status_code == 400
    assert "cannot become completed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "requested" and referral.events.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralEvent.objects.create(
            referral=referral, at=timezone.now(), kind="status",
            from_status="requested", to_status="completed",
        )  # fmt: skip


@pytest.mark.parametrize("action", ["status", "redirect"])
def test_an_unknown_team_is_refused_naming_the_field(world: Workspace, action: str) -> None:
    referral = _refer(world, "bert", "routine", dt.timedelta(hours=2))
    Referral.objects.filter(pk=referral.pk).update(team=world.north)
    response = world.client("spa").post(
        f"/referrals/{referral.pk}/act/",
        {"action": action, "status": "accepted", "team": "t-nowhere", "reason": "x"},
    )
    assert response.status_code == 400
    assert "There is no team &#39;t-nowhere&#39;" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "requested" and referral.events.count() == 1


def test_reject_needs_a_reason_and_redirect_moves_the_referral(world: Workspace) -> None:
    referral = _refer(world, "eli", "routine", dt.timedelta(hours=2))
    spa = world.client("spa")
    refused = spa.post(f"/referrals/{referral.pk}/act/", {"action": "status", "status": "rejected"})
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()

    moved = spa.post(
        f"/referrals/{referral.pk}/act/",
        {"action": "redirect", "team": "t-south", "reason": "Lives in Southmead"},
    )
    assert notices(spa, moved["Location"]) == ["The referral is redirected to Southmead INT."]
    referral.refresh_from_db()
    assert (referral.status, referral.team_id) == ("requested", "t-south")
    assert referral.events.filter(kind="redirected", to_team_id="t-south").exists()
    # the team it is now with may decide; a member of another team may not even see it
    assert world.client("outsider").get(f"/referrals/{referral.pk}/").status_code == 200
    assert world.client("nurse").get(f"/referrals/{referral.pk}/").status_code == 403
    assert world.client("commissioner").get(f"/referrals/{referral.pk}/").status_code == 403


def test_the_referrer_follows_each_referral_to_its_outcome(world: Workspace) -> None:
    waiting = _refer(world, "ada", "urgent", dt.timedelta(hours=9))
    done = _refer(world, "bert", "routine", dt.timedelta(days=1))
    team = Actor(user=world.user("nurse"))
    change_status(done.pk, "accepted", actor=Actor(user=world.user("spa")), team=world.north)
    change_status(done.pk, "in-progress", actor=team)
    change_status(done.pk, "completed", actor=team, reason="Equipment delivered; plan agreed")

    body = world.client("gp").get("/referrals/mine/").content.decode()
    assert "Equipment delivered; plan agreed" in body and "Completed" in body
    assert f"referral-{waiting.pk}" in body and "Not accepted in time" in body
    assert body.count("Not accepted in time") == 1
    assert "Make a referral" in body
    assert world.client("nurse").get("/referrals/mine/").content.decode().count("referral-") == 0


def test_two_hour_referrals_go_to_the_urgent_board_and_the_first_visit_stops_the_clock(
    world: Workspace,
) -> None:
    referral = create_referral(
        person=world.people["cora"], urgency="two_hour", source="ambulance", reason="Fall",
        needs="Lift", actor=Actor(user=world.user("gp")),
        now=(timezone.now() - dt.timedelta(minutes=50)).replace(second=0, microsecond=0),
    )  # fmt: skip
    assert referral.team == world.ucr
    board = world.client("ucr_nurse").get("/referrals/urgent/").content.decode()
    assert f"urgent-{referral.pk}" in board
    assert "1 h 10 min" in board or "1 h 9 min" in board
    assert world.client("spa").get("/referrals/urgent/").status_code == 200
    assert world.client("nurse").get("/referrals/urgent/").status_code == 403

    arrived = timezone.localtime(referral.received_at + dt.timedelta(minutes=45))
    ucr = world.client("ucr_nurse")
    response = ucr.post(
        f"/referrals/{referral.pk}/act/",
        {"action": "first_visit", **arrival_boxes(arrived)},
    )
    assert response.status_code == 302
    assert notices(ucr, response["Location"]) == [
        "First visit recorded, 45 minutes after the referral."
    ]
    referral.refresh_from_db()
    assert referral.status == "in-progress" and referral.first_visit_at is not None
    visit = Contact.objects.get(referral=referral)
    assert (visit.service, visit.response_minutes, visit.urgent, visit.team_id) == (
        "rapid_response",
        45,
        True,
        "t-ucr",
    )
    kinds = list(referral.events.values_list("kind", "to_status"))
    assert kinds == [("created", "requested"), ("status", "accepted"),
                     ("status", "in-progress"), ("first_visit", None)]  # fmt: skip
    board = world.client("ucr_nurse").get("/referrals/urgent/").content.decode()
    assert f"urgent-{referral.pk}" not in board
    assert "Urgent Community Response" in board and "100%" in board and "Meets 70%" in board

    again = world.client("ucr_nurse").post(
        f"/referrals/{referral.pk}/act/",
        {"action": "first_visit", **arrival_boxes(arrived)},
    )
    assert again.status_code == 403 and Contact.objects.filter(referral=referral).count() == 1


def test_a_visit_before_the_referral_is_refused(world: Workspace) -> None:
    referral = _refer(world, "cora", "two_hour", dt.timedelta(minutes=20))
    early = timezone.localtime(referral.received_at - dt.timedelta(hours=1))
    response = world.client("ucr_nurse").post(
        f"/referrals/{referral.pk}/act/",
        {"action": "first_visit", **arrival_boxes(early)},
    )
    assert response.status_code == 400
    assert "cannot be before the referral" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ({"arrived-at_day": "31", "arrived-at_month": "2"}, "arrived-at", "real date"),
        ({"arrived-at_day": ""}, "arrived-at", "The date of the first visit must include a day"),
        ({"arrived-at-time": "25:10"}, "arrived-at-time", "must be a real time"),
        ({"arrived-at-time": ""}, "arrived-at-time", "Enter the time the responder arrived"),
    ],
)
def test_a_first_visit_typed_wrong_is_refused_at_its_box(
    world: Workspace, typed: dict[str, str], field: str, words: str
) -> None:
    referral = _refer(world, "cora", "two_hour", dt.timedelta(minutes=20))
    arrived = referral.received_at + dt.timedelta(minutes=10)
    response = world.client("ucr_nurse").post(
        f"/referrals/{referral.pk}/act/",
        {"action": "first_visit", **arrival_boxes(arrived), **typed},
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Contact.objects.exists()
    assert f'href="#{field}"' in page and words in page  # the summary links to the box
    for box, value in typed.items():  # what was typed is shown back
        assert f'name="{box}" type="text" value="{value}"' in page or (
            f'name="{box}"' in page and value == ""
        )


# --- the endpoint for systems ---------------------------------------------------------


def post_json(token: str | None, body: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    payload = body if isinstance(body, str) else json.dumps(body)
    return Client().post("/api/referrals/", payload, content_type="application/json", **headers)


def telecare_alert(who: Person, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": "alarm-1",
        "urgency": "two_hour",
        "reason": "Pendant alarm: fall, cannot get up",
        "needs": "Lift and assess; no injury reported",
        "person": {
            "nhs_number": who.nhs_number,
            "given_name": who.given_name,
            "family_name": who.family_name,
            "birth_date": who.birth_date.isoformat(),
            "postcode": who.postcode,
        },
        "referrer": {"name": "Monitoring centre", "phone": "01632 960999"},
    }
    body.update(changes)
    return body


def test_the_endpoint_makes_a_referral_once_per_external_id(world: Workspace) -> None:
    _, token = add_system("Casterbridge Telecare", "telecare")
    cora = world.people["cora"]

    made = post_json(token, telecare_alert(cora))
    assert made.status_code == 201, made.content
    body = made.json()
    referral = Referral.objects.get(pk=body["referral_id"])
    assert (referral.source, referral.team, referral.source_system) == (
        "telecare",
        world.ucr,
        "Casterbridge Telecare",
    )
    assert body["status"] == "requested" and body["team"] == "Urgent Community Response"
    again = post_json(token, telecare_alert(cora))
    assert again.status_code == 200 and again.json()["referral_id"] == referral.pk
    assert Referral.objects.count() == 1
    status = Client().get(f"/api/referrals/{referral.pk}/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert status.json()["status"] == "requested"
    urgent = world.client("ucr_nurse").get("/referrals/urgent/").content.decode()
    assert f"urgent-{referral.pk}" in urgent


@pytest.mark.parametrize(
    ("token", "body", "status", "field"),
    [
        (None, {}, 401, "Authorization"),
        ("wrong", {}, 401, "Authorization"),
        ("good", "{not json", 400, "body"),
        ("good", [1, 2], 400, "body"),
        ("good", {"urgency": "now"}, 422, "urgency"),
        ("good", {"person": {"nhs_number": "1234567890"}}, 422, "person.nhs_number"),
        ("good", {"person": "Ada"}, 422, "person"),
        ("good", {"reason": 7}, 422, "reason"),
    ],
)
def test_the_endpoint_names_what_is_wrong_and_saves_nothing(
    world: Workspace, token: str | None, body: Any, status: int, field: str
) -> None:
    _, good = add_system("Casterbridge Telecare", "telecare")
    if isinstance(body, dict):
        body = {**telecare_alert(world.people["cora"]), **body}
    response = post_json(good if token == "good" else token, body)
    assert response.status_code == status
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Referral.objects.exists() and not Intake.objects.exists()


def test_an_uncertain_person_waits_for_triage_to_match_them(world: Workspace) -> None:
    _, token = add_system("NHS 111", "nhs111")
    bert = world.people["bert"]
    details = {"given_name": "Bert", "family_name": "Oakes", "postcode": bert.postcode,
               "birth_date": bert.birth_date.isoformat()}  # fmt: skip
    held = post_json(token, telecare_alert(bert, person=details, urgency="urgent"))
    assert held.status_code == 202 and held.json()["status"] == "awaiting_match"
    assert not Referral.objects.exists()
    intake = Intake.objects.get()

    spa = world.client("spa")
    assert f"/referrals/intake/{intake.pk}/" in spa.get("/referrals/triage/").content.decode()
    page = spa.get(f"/referrals/intake/{intake.pk}/").content.decode()
    assert bert.pk in page and "Bert Oakes" in page
    matched = spa.post(
        f"/referrals/intake/{intake.pk}/", {"action": "match", "person_choice": bert.pk}
    )
    assert matched.status_code == 302
    referral = Referral.objects.get()
    assert referral.person == bert and referral.received_at == intake.received_at
    assert referral.source == "nhs111" and referral.source_system == "NHS 111"
    intake.refresh_from_db()
    assert intake.status == "matched" and intake.referral == referral
    repeat = post_json(token, telecare_alert(bert, person=details, urgency="urgent"))
    assert repeat.status_code == 200 and repeat.json()["referral_id"] == referral.pk


def test_a_loaded_first_visit_counts_and_old_data_are_reported_as_such(world: Workspace) -> None:
    """A lake records a first visit as a contact with response_minutes and no arrival time."""
    received = timezone.now() - dt.timedelta(days=400)
    visited = Referral.objects.create(
        id="r-lake", person=world.people["cora"], received_at=received, source="gp",
        urgency="two_hour", team=world.north, status="in-progress", accepted_at=received,
    )  # fmt: skip
    Contact.objects.create(
        id="c-lake", person=world.people["cora"], contact_date=received.date(),
        service="rapid_response", sector="health", team=world.north, referral=visited,
        urgent=True, response_minutes=150,
    )  # fmt: skip
    ucr = world.client("ucr_nurse")
    board = ucr.get("/referrals/urgent/").content.decode()
    assert "urgent-r-lake" not in board
    assert f"The latest first visit on record was on {long_date(received.date())}" in board
    assert "Northgate INT" in board and "0%" in board and "Below 70%" in board
    page = world.client("spa").get("/referrals/r-lake/").content.decode()
    assert "150 minutes after the referral, after the two hours" in page
    assert "Record first visit" not in page


def test_an_unmatched_two_hour_alert_is_on_the_urgent_board_and_its_team_can_match_it(
    world: Workspace,
) -> None:
    """The two-hour clock runs while the person is matched: the board shows it at once."""
    _, token = add_system("Casterbridge Telecare", "telecare")
    cora = world.people["cora"]
    sent = {"given_name": "Cora", "family_name": "Penhalow", "birth_date": "1951-12-03",
            "postcode": cora.postcode}  # fmt: skip
    held = post_json(token, telecare_alert(cora, person=sent))
    assert held.status_code == 202
    intake = Intake.objects.get()
    board = world.client("ucr_nurse").get("/referrals/urgent/").content.decode()
    assert f"/referrals/intake/{intake.pk}/" in board and "Penhalow" in board
    assert "Two-hour referrals whose person is not yet matched" in board
    assert world.client("nurse").get(f"/referrals/intake/{intake.pk}/").status_code == 403
    matched = world.client("ucr_nurse").post(
        f"/referrals/intake/{intake.pk}/", {"action": "match", "person_choice": cora.pk}
    )
    assert matched.status_code == 302
    referral = Referral.objects.get()
    assert referral.person == cora and referral.team == world.ucr
    board = world.client("ucr_nurse").get("/referrals/urgent/").content.decode()
    assert f"urgent-{referral.pk}" in board and "not yet matched" not in board


def test_a_referrals_words_follow_the_persons_objection_to_sharing(world: Workspace) -> None:
    """As on the record: a GP's referral (health) is hidden from council staff under an
    objection; health staff and its author still read it."""
    ada = world.people["ada"]
    referral = create_referral(
        person=ada, urgency="urgent", source="gp", reason="Low mood, stopped eating",
        needs="Same-day review", actor=Actor(user=world.user("gp")),
    )  # fmt: skip
    change_status(referral.pk, "accepted", actor=Actor(user=world.user("spa")), team=world.north)
    Consent.objects.create(
        person=ada, kind=Consent.Kind.SHARING_OBJECTION, recorded_at=timezone.now(),
        recorded_by="gp",
    )  # fmt: skip
    council = world.client("social_worker").get(f"/referrals/{referral.pk}/").content.decode()
    assert "Low mood" not in council and "Same-day review" not in council
    assert "Hidden: the person objects to sharing" in council
    for who in ("nurse", "gp", "spa"):
        page = world.client(who).get(f"/referrals/{referral.pk}/").content.decode()
        assert "Low mood" in page and "Same-day review" in page, who


def test_likely_matches_shown_on_the_form_are_audited_as_search_hits(world: Workspace) -> None:
    bert = world.people["bert"]
    details = form(bert, **{"person.nhs_number": "", "person.given_name": "Bertie"})
    world.client("gp").post("/referrals/new/", details)
    hits = AuditEvent.objects.filter(action=AuditAction.SEARCH_HIT, username="gp")
    assert list(hits.values_list("person_id", flat=True)) == [bert.pk]
    # an NHS number that is no one's rules out everyone recorded with another number
    unknown = form(bert, **{"person.nhs_number": "9990770018", "person.given_name": "Bertie"})
    page = world.client("gp").post("/referrals/new/", unknown).content.decode()
    assert bert.pk not in page and "No one with these details is known" in page


def test_accepting_after_a_redirect_the_page_did_not_show_is_refused(world: Workspace) -> None:
    referral = _refer(world, "bert", "routine", dt.timedelta(hours=2))
    Referral.objects.filter(pk=referral.pk).update(team=world.north)
    # triage redirects it to Southmead while a Northgate nurse has the page open
    redirect_to_team(
        referral.pk, world.south, actor=Actor(user=world.user("spa")), reason="Lives south"
    )
    stale = world.client("spa").post(
        f"/referrals/{referral.pk}/act/",
        {"action": "status", "status": "accepted", "expected_status": "requested",
         "expected_team": "t-north"},
    )  # fmt: skip
    assert stale.status_code == 409
    referral.refresh_from_db()
    assert (referral.status, referral.team_id) == ("requested", "t-south")
