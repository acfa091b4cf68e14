"""What came of an urgent response visit: recorded once, after the first visit, by the team
the referral is with; it ends the referral, is audited and in the history, and the urgent
board shows it and counts each team's outcomes over the last 28 days."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from clock import clock_at
from joinedup.access.models import AuditAction, AuditEvent, Profession
from joinedup.record.models import Contact, Referral, Team
from joinedup.referrals.models import ReferralEvent, VisitOutcome
from joinedup.referrals.visit_outcomes import TeamOutcomes, outcomes_by_team
from joinedup.referrals.workflow import (
    Actor,
    ReferralConflictError,
    ReferralError,
    change_status,
    create_referral,
    record_first_visit,
    record_visit_outcome,
)
from workspace_world import Workspace, add_staff, build_workspace

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

MOMENT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
clock = clock_at(MOMENT)


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def visited(world: Workspace, key: str = "cora", *, hours_ago: float = 1.0) -> Referral:
    """A two-hour referral received `hours_ago`, visited 30 minutes after it arrived."""
    received = MOMENT - dt.timedelta(hours=hours_ago)
    referral = create_referral(
        person=world.people[key], urgency="two_hour", source="ambulance", reason="Fall",
        needs="Lift and assess", actor=Actor(user=world.user("gp")), now=received,
    )  # fmt: skip
    arrived = received + dt.timedelta(minutes=30)
    record_first_visit(referral.pk, arrived, actor=Actor(user=world.user("ucr_nurse")), now=arrived)
    referral.refresh_from_db()
    assert referral.status == "in-progress"
    return referral


def post_outcome(client: Client, referral: Referral, **fields: str) -> tuple[int, str]:
    data = {"expected_status": "in-progress", **fields}
    response = client.post(f"/referrals/{referral.pk}/outcome/", data)
    return response.status_code, text(response.content)


def text(content: bytes) -> str:
    """A page as read: entities (the apostrophe in "visit's") unescaped."""
    return html.unescape(content.decode())


def get(client: Client, path: str) -> str:
    return text(client.get(path).content)


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"outcome": "stayed_home"}, "completed", "Stayed at home with support"),
        ({"outcome": "admitted"}, "completed", "Admitted to hospital"),
        (
            {"outcome": "referred_on", "referred_to_team": "t-north"},
            "completed",
            "Referred on to Northgate INT",
        ),
        (
            {"outcome": "referred_on", "referred_to": "Falls clinic, Casterbridge Hospitals"},
            "completed",
            "Referred on to Falls clinic, Casterbridge Hospitals",
        ),
        ({"outcome": "declined"}, "cancelled", "Declined the service"),
    ],
)
def test_each_outcome_is_kept_ends_the_referral_and_is_audited(
    world: Workspace, fields: dict[str, str], status: str, words: str
) -> None:
    referral = visited(world)
    nurse = world.client("ucr_nurse")
    page = get(nurse, f"/referrals/{referral.pk}/")
    assert "Record the visit's outcome" in page and "not recorded yet" in page
    form = get(nurse, f"/referrals/{referral.pk}/outcome/")
    for label in ("Stayed at home with support", "Admitted to hospital",
                  "Referred on to another service or team", "Declined the service",
                  "Save outcome"):  # fmt: skip
        assert label in form
    audits_before = AuditEvent.objects.count()

    response = nurse.post(
        f"/referrals/{referral.pk}/outcome/", {"expected_status": "in-progress", **fields}
    )

    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    referral.refresh_from_db()
    assert referral.status == status and referral.closed_at is not None
    assert referral.outcome == f"Visit outcome: {words}"
    kept = VisitOutcome.objects.get(referral=referral)
    assert (kept.outcome, kept.recorded_by, kept.referred_to_team_id, kept.referred_to) == (
        fields["outcome"],
        "ucr_nurse",
        fields.get("referred_to_team"),
        fields.get("referred_to", ""),
    )
    history = list(referral.events.values_list("kind", "to_status", "reason", "username"))
    assert history[-2:] == [
        ("visit_outcome", None, words, "ucr_nurse"),
        ("status", status, f"Visit outcome: {words}", "ucr_nurse"),
    ]
    audited = AuditEvent.objects.order_by("sequence")[audits_before:]
    assert [(a.action, a.person_id, a.username, a.what) for a in audited] == [
        (AuditAction.CREATE, "p-cora", "ucr_nurse",
         f"visit outcome for referral {referral.pk}: {fields['outcome']}"),
        (AuditAction.UPDATE, "p-cora", "ucr_nurse", f"referral {referral.pk} {status}"),
    ]  # fmt: skip

    shown = get(nurse, f"/referrals/{referral.pk}/")
    assert f"Outcome saved for Cora Penhallow: {words}. The referral is {status}." in shown
    assert re.search(rf'id="visit-outcome">Outcome: <strong>{re.escape(words)}</strong>', shown)
    assert "by Ursula Crane" in shown and "Record the visit's outcome" not in shown
    # The confirmation is shown once.
    assert "Outcome saved" not in get(nurse, f"/referrals/{referral.pk}/")
    board = get(nurse, "/referrals/urgent/")
    row = board[board.index(f'id="visited-{referral.pk}"') :]
    row = row[: row.index("</tr>")]
    assert words in row and "Record the visit" not in row


def test_a_second_outcome_is_refused_with_409_naming_who_recorded_it(world: Workspace) -> None:
    referral = visited(world)
    first, _ = post_outcome(world.client("ucr_nurse"), referral, outcome="admitted")
    assert first == 302
    events = referral.events.count()

    code, body = post_outcome(world.client("spa"), referral, outcome="stayed_home")

    assert code == 409
    assert "Ursula Crane already recorded the visit's outcome on 20 November 2026" in body
    assert "Admitted to hospital" in body and 'href="#outcome"' in body
    assert VisitOutcome.objects.get(referral=referral).outcome == "admitted"
    assert referral.events.count() == events
    # Through the workflow too (two people submitting at once queue on the referral's lock).
    with pytest.raises(ReferralConflictError, match="already recorded"):
        record_visit_outcome(referral.pk, "declined", actor=Actor(user=world.user("spa")))


def test_a_change_since_the_page_was_opened_is_refused_with_409(world: Workspace) -> None:
    referral = visited(world)
    change_status(
        referral.pk, "on-hold", actor=Actor(user=world.user("spa")), reason="Awaiting family"
    )

    code, body = post_outcome(world.client("ucr_nurse"), referral, outcome="stayed_home")

    assert code == 409
    assert "This referral was changed by Sian Pascoe" in body and "it is now on-hold" in body
    assert not VisitOutcome.objects.exists()
    assert referral.events.filter(kind="visit_outcome").count() == 0


def test_no_outcome_before_the_first_visit(world: Workspace) -> None:
    referral = create_referral(
        person=world.people["cora"], urgency="two_hour", source="telecare", reason="Fall",
        needs="Lift", actor=Actor(user=world.user("gp")), now=MOMENT - dt.timedelta(minutes=20),
    )  # fmt: skip
    nurse = world.client("ucr_nurse")
    assert "Record the visit's outcome" not in get(nurse, f"/referrals/{referral.pk}/")
    form = get(nurse, f"/referrals/{referral.pk}/outcome/")
    assert "Record the first visit before what came of it." in form and "Save outcome" not in form

    code, body = post_outcome(nurse, referral, outcome="stayed_home", expected_status="requested")

    assert code == 400
    assert "Record the first visit before what came of it" in body and 'href="#outcome"' in body
    assert not VisitOutcome.objects.exists()
    referral.refresh_from_db()
    assert referral.status == "requested"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "outcome", "Choose what came of the visit"),
        ({"outcome": "moved_away"}, "outcome", "Choose what came of the visit"),
        ({"outcome": "referred_on"}, "referred-to-team",
         "Choose the team the person was referred on to, or write the service"),
        ({"outcome": "referred_on", "referred_to_team": "t-north", "referred_to": "Falls clinic"},
         "referred-to", "Choose one of the teams or write the service, not both"),
        ({"outcome": "referred_on", "referred_to": "x" * 101}, "referred-to",
         "Write the service in 100 characters or fewer"),
        ({"outcome": "referred_on", "referred_to_team": "t-nowhere"}, "referred-to-team",
         "There is no team 't-nowhere'; choose one from the list"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_saves_nothing(
    world: Workspace, fields: dict[str, str], field: str, message: str
) -> None:
    referral = visited(world)

    code, body = post_outcome(world.client("ucr_nurse"), referral, **fields)

    assert code == 400 and "There is a problem" in body
    assert f'href="#{field}"' in body and message in body
    assert f'id="{field}"' in body  # the summary's link lands on the field
    assert not VisitOutcome.objects.exists()
    referral.refresh_from_db()
    assert referral.status == "in-progress"


def test_only_those_who_record_first_visits_may_record_the_outcome(world: Workspace) -> None:
    referral = visited(world)
    other_ucr = Team.objects.create(
        id="t-ucr-2", kind=Team.Kind.URGENT_COMMUNITY_RESPONSE, name="East Urgent Response",
        organisation=world.organisations["trust"],
    )  # fmt: skip
    add_staff(world, "other_ucr", Profession.COMMUNITY_NURSE, "trust", "Odile", "Ray")
    world.staff["other_ucr"].teams.add(other_ucr)
    # The referrer sees the referral, not the button; the others are refused outright.
    referrer_page = get(world.client("gp"), f"/referrals/{referral.pk}/")
    assert "Record the visit" not in referrer_page
    for who in ("gp", "nurse", "outsider", "other_ucr", "commissioner"):
        client = world.client(who)
        assert client.get(f"/referrals/{referral.pk}/outcome/").status_code == 403, who
        code, _ = post_outcome(client, referral, outcome="stayed_home")
        assert code == 403, who
    assert not VisitOutcome.objects.exists()
    # Triage may record a first visit, so it may record what came of it.
    assert world.client("spa").get(f"/referrals/{referral.pk}/outcome/").status_code == 200


def test_not_for_referrals_other_than_two_hour(world: Workspace) -> None:
    referral = create_referral(
        person=world.people["ada"], urgency="urgent", source="gp", reason="Falls",
        needs="Assess", actor=Actor(user=world.user("gp")), now=MOMENT,
    )  # fmt: skip
    assert world.client("spa").get(f"/referrals/{referral.pk}/outcome/").status_code == 403
    with pytest.raises(ReferralError, match="only two-hour referrals"):
        record_visit_outcome(referral.pk, "stayed_home", actor=Actor(user=world.user("spa")))


def test_the_board_lists_visits_awaiting_an_outcome_and_the_last_days_outcomes(
    world: Workspace,
) -> None:
    waiting = visited(world, "cora")
    recent = visited(world, "bert", hours_ago=3)
    older = visited(world, "dot", hours_ago=40)
    nurse_actor = Actor(user=world.user("ucr_nurse"))
    record_visit_outcome(
        recent.pk, "stayed_home", actor=nurse_actor, now=MOMENT - dt.timedelta(hours=2)
    )
    record_visit_outcome(
        older.pk, "admitted", actor=nurse_actor, now=MOMENT - dt.timedelta(hours=30)
    )

    board = get(world.client("ucr_nurse"), "/referrals/urgent/")

    assert f'id="visited-{waiting.pk}"' in board and f'id="visited-{recent.pk}"' in board
    assert f'id="visited-{older.pk}"' not in board  # recorded more than a day ago
    assert f'href="/referrals/{waiting.pk}/outcome/">Record the visit\'s outcome</a>' in board
    assert f'href="/referrals/{recent.pk}/outcome/"' not in board
    # A visited referral is off the clock's list, as before.
    assert f'id="urgent-{waiting.pk}"' not in board
    # Each person listed is audited as seen.
    seen = AuditEvent.objects.filter(
        username="ucr_nurse", what="urgent response board: after the first visit"
    )
    assert set(seen.values_list("person_id", flat=True)) == {"p-cora", "p-bert"}
    # The summary: three visits by the urgent response team, two outcomes recorded.
    summary = board[board.index('id="visit-outcomes-table"') :]
    assert "28 days to 20 November 2026 (from 24 October 2026)" in summary
    row = summary[summary.index("Urgent Community Response") :]
    cells = re.findall(r'joinedup-table__value">([^<]*)</div>', row[: row.index("</tr>")])
    assert cells == ["3", "1", "1", "0", "0", "1"]


def test_outcomes_by_team_counts_first_visits_in_the_period_inclusive(world: Workspace) -> None:
    nurse = Actor(user=world.user("ucr_nurse"))
    outcomes = {"cora": "stayed_home", "bert": "referred_on", "dot": "declined", "eli": None}
    for key, outcome in outcomes.items():
        referral = visited(world, key, hours_ago=2)
        if outcome == "referred_on":
            record_visit_outcome(referral.pk, outcome, actor=nurse, referred_to_team=world.north)
        elif outcome is not None:
            record_visit_outcome(referral.pk, outcome, actor=nurse)
    # A first visit from a lake (no outcome on record), by another team, on the first day.
    start = dt.date(2026, 10, 24)
    loaded = Referral.objects.create(
        id="r-lake", person=world.people["ada"], received_at=MOMENT - dt.timedelta(days=27),
        source="gp", urgency="two_hour", team=world.north, status="completed",
    )  # fmt: skip
    Contact.objects.create(
        id="c-lake", person=world.people["ada"], contact_date=start, service="rapid_response",
        sector="health", team=world.north, referral=loaded, urgent=True, response_minutes=90,
    )  # fmt: skip
    today = dt.date(2026, 11, 20)

    assert outcomes_by_team(start, today) == [
        TeamOutcomes("Northgate INT", 1, 0, 0, 0, 0),
        TeamOutcomes("Urgent Community Response", 4, 1, 0, 1, 1),
    ]
    assert outcomes_by_team(start, today)[1].not_recorded == 1
    assert outcomes_by_team(start + dt.timedelta(days=1), today - dt.timedelta(days=1)) == []


@pytest.mark.both_databases
def test_the_database_refuses_an_outcome_that_goes_nowhere_or_twice(world: Workspace) -> None:
    referral = visited(world)
    for fields in (
        {"outcome": "referred_on"},
        {"outcome": "referred_on", "referred_to_team": world.north, "referred_to": "Clinic"},
        {"outcome": "admitted", "referred_to": "Ward 4"},
        {"outcome": "discharged"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            VisitOutcome.objects.create(
                referral=referral, recorded_at=timezone.now(), recorded_by="x", **fields
            )
    VisitOutcome.objects.create(
        referral=referral, outcome="admitted", recorded_at=timezone.now(), recorded_by="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitOutcome.objects.create(
            referral=referral, outcome="declined", recorded_at=timezone.now(), recorded_by="y"
        )
    # The history accepts the new kind of event, with no status change in it.
    ReferralEvent.objects.create(referral=referral, at=timezone.now(), kind="visit_outcome")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralEvent.objects.create(
            referral=referral, at=timezone.now(), kind="status", from_status="completed",
            to_status="in-progress",
        )  # fmt: skip


def test_the_two_hour_outcome_page_shows_what_came_of_first_visits(world: Workspace) -> None:
    """Commissioners read the visits' outcomes beside the two-hour share: a year of them,
    per team, with no person named."""
    stayed = visited(world, "cora", hours_ago=30)
    visited(world, "bert", hours_ago=3)  # no outcome yet
    record_visit_outcome(
        stayed.pk, "stayed_home", actor=Actor(user=world.user("ucr_nurse")), now=MOMENT
    )
    page = get(world.client("commissioner"), "/outcomes/two_hour_response_pct/")
    summary = page[page.index('id="visit-outcomes-table"') :]
    assert "365 days to" in summary
    row = summary[summary.index("Urgent Community Response") :]
    cells = re.findall(r'joinedup-table__value">([^<]*)</div>', row[: row.index("</tr>")])
    assert cells == ["2", "1", "0", "0", "0", "1"]
    assert "Cora" not in page and "Bertram" not in page
    other = get(world.client("commissioner"), "/outcomes/emergency_admissions_per_100k/")
    assert 'id="visit-outcomes-table"' not in other
