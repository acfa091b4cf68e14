"""Notifications end to end: each event tells exactly the right people (never whoever acted,
never anyone the record would not open to), the header's count, the list (own only,
audited), opening and marking read, the e-mail (off by default, never a name), and a
change rolled back leaving nothing behind."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from date_boxes import date_boxes
from joinedup.access.models import AuditAction, AuditEvent, CareTeamMember, Consent, Profession
from joinedup.careplans.saving import save_version
from joinedup.notifications.models import Kind, Notification
from joinedup.record.models import Episode, HospitalSpell, Person, Referral
from joinedup.referrals.system_clients import add_system
from joinedup.referrals.workflow import Actor, change_status, create_referral
from joinedup.tasks.entry import ActionInput
from joinedup.tasks.owners import Owner
from joinedup.transfers.discharge import record_discharge
from joinedup.transfers.hub_actions import add_action
from workspace_world import Workspace, add_staff, build_workspace

# Notifications through the ORM; a rolled-back change runs on both databases.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

ADA = "p-ada"
SPELL = "CGH-2026-000017"


@pytest.fixture
def world() -> Workspace:
    """The workspace, with Ada's care team: Nia Hart (district nurse) her key worker, Sol
    Webb (social worker, same team) caring for her, and Olly Sutt (another team's social
    worker, so no relationship with her record) still listed from before."""
    world = build_workspace()
    for key, key_worker in (("nurse", True), ("social_worker", False), ("outsider", False)):
        CareTeamMember.objects.create(
            person=world.people["ada"], staff=world.staff[key], role="Care",
            started=dt.date(2024, 1, 5), key_worker=key_worker,
        )  # fmt: skip
    return world


def told(kind: str | None = None) -> list[tuple[str, str]]:
    """(recipient, text) of every notification, oldest first."""
    rows = Notification.objects.order_by("created_at", "id")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("recipient__username", "text"))


def referral(world: Workspace, by: str = "gp") -> Referral:
    return create_referral(
        person=world.people["ada"], urgency="routine", source="gp", reason="Falls at home",
        needs="Assessment", actor=Actor(user=world.user(by)),
    )  # fmt: skip


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.content.decode())


# --- each event ---------------------------------------------------------------------------


def test_the_referrer_is_told_of_acceptance_and_outcome_and_nothing_between(
    world: Workspace,
) -> None:
    made = referral(world)
    spa, nurse = Actor(user=world.user("spa")), Actor(user=world.user("nurse"))
    change_status(made.pk, "accepted", actor=spa, team=world.north)
    change_status(made.pk, "in-progress", actor=nurse)
    change_status(made.pk, "on-hold", actor=nurse, reason="In hospital")
    change_status(made.pk, "in-progress", actor=nurse)
    change_status(made.pk, "completed", actor=nurse)
    assert told() == [
        ("gp", "Your referral for Ada Quillfeather was accepted."),
        ("gp", "Your referral for Ada Quillfeather was completed."),
    ]
    kinds = Notification.objects.order_by("id").values_list("kind", "link", "person_id")
    link = f"/referrals/{made.pk}/"
    assert list(kinds) == [
        (Kind.REFERRAL_ACCEPTED, link, ADA),
        (Kind.REFERRAL_COMPLETED, link, ADA),
    ]
    # the reason of a hold or a rejection is the referral's, never the notification's
    assert "hospital" not in " ".join(text for _, text in told())


@pytest.mark.parametrize(
    ("status", "by", "expected"),
    [
        ("rejected", "spa", [("gp", "Your referral for Ada Quillfeather was rejected.")]),
        ("cancelled", "spa", [("gp", "Your referral for Ada Quillfeather was cancelled.")]),
        ("cancelled", "gp", []),  # the referrer's own withdrawal
    ],
)
def test_the_referrer_is_told_of_an_end_someone_else_made(
    world: Workspace, status: str, by: str, expected: list[tuple[str, str]]
) -> None:
    made = referral(world)
    change_status(made.pk, status, actor=Actor(user=world.user(by)), reason="Not for us")
    assert told() == expected
    assert "Not for us" not in str(told())


def test_a_referral_a_system_sent_tells_no_one_and_a_self_acceptance_is_not_news(
    world: Workspace,
) -> None:
    sent = create_referral(
        person=world.people["ada"], urgency="routine", source="gp", reason="r", needs="n",
        actor=Actor(system="GP system"),
    )  # fmt: skip
    change_status(sent.pk, "accepted", actor=Actor(user=world.user("spa")), team=world.north)
    mine = referral(world, by="manager")
    change_status(mine.pk, "accepted", actor=Actor(user=world.user("manager")), team=world.north)
    assert told() == []


def test_the_new_key_worker_is_told_and_not_who_allocated(world: Workspace) -> None:
    Episode.objects.create(
        id="e-bert", person=world.people["bert"], team=world.north, start_date=dt.date(2024, 2, 1),
        reason="referral",
    )  # fmt: skip
    manager = world.client("manager")
    nurse_pk = str(world.staff["nurse"].pk)
    allocated = manager.post("/teams/t-north/people/p-bert/key-worker/", {"key_worker": nurse_pk})
    assert allocated.status_code == 302
    assert told() == [("nurse", "You are now Bertram Oakes's key worker in Northgate INT.")]
    assert Notification.objects.get().link == "/people/p-bert/"
    # the manager making themselves key worker is their own doing
    Notification.objects.all().delete()
    current = str(CareTeamMember.objects.get(person_id="p-bert", ended__isnull=True).pk)
    manager.post(
        "/teams/t-north/people/p-bert/key-worker/",
        {"key_worker": str(world.staff["manager"].pk), "reason": "Workload", "current": current},
    )
    assert CareTeamMember.objects.get(
        person_id="p-bert", ended__isnull=True
    ).staff.user.username == ("manager")
    assert told() == []


def new_task(world: Workspace, owner: str, **changes: str) -> dict[str, str]:
    return {
        "title": "Order a pressure mattress",
        "nhs_number": world.people["ada"].nhs_number or "",
        "owner": owner,
        "team": "t-north",
        **date_boxes("due", dt.date(2030, 3, 14)),
        "detail": "Grade 2 sore on the heel",
        **changes,
    }


def test_a_task_owner_is_told_unless_they_gave_it_themselves(world: Workspace) -> None:
    manager, nurse = world.client("manager"), world.client("nurse")
    nurse_owner = f"staff:{world.staff['nurse'].pk}"
    assert manager.post("/tasks/new/", new_task(world, nurse_owner)).status_code == 302
    assert (
        manager.post("/tasks/new/", new_task(world, nurse_owner, nhs_number="")).status_code == 302
    )
    assert nurse.post("/tasks/new/", new_task(world, nurse_owner)).status_code == 302  # her own
    organisation = f"organisation:{world.organisations['council'].pk}"
    assert manager.post("/tasks/new/", new_task(world, organisation)).status_code == 302
    assert told() == [
        ("nurse", "You have a new task about Ada Quillfeather, due 14 March 2030."),
        ("nurse", "You have a new task, due 14 March 2030."),
    ]
    # neither the title nor the detail (clinical words) is in a notification
    assert {n.link for n in Notification.objects.all()} == {"/tasks/"}
    assert list(Notification.objects.order_by("id").values_list("person_id", flat=True)) == [
        ADA,
        None,
    ]


def test_an_action_on_the_hub_s_board_tells_its_owner_as_a_task_does(world: Workspace) -> None:
    """Tasks made elsewhere (the hub's actions, the MDT's) go through the same create_task."""
    coordinator = add_staff(world, "coordinator", Profession.DISCHARGE_COORDINATOR, "acute")
    spell = HospitalSpell.objects.create(
        id="s-ada", person=world.people["ada"], admission_date=dt.date(2026, 1, 2),
        admission_method="emergency", acsc=False, fall=False,
    )  # fmt: skip
    action = ActionInput(
        "Arrange a home visit", Owner(staff=world.staff["nurse"]), dt.date(2030, 3, 14)
    )
    add_action(coordinator.user, spell, action)
    assert told() == [("nurse", "You have a new task about Ada Quillfeather, due 14 March 2030.")]


PAS = "Casterbridge General PAS"


def feed(token: str, body: dict[str, Any]) -> None:
    response = Client().post(
        "/api/transfers/events/", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 201, response.content


def admit(who: Person, **changes: Any) -> dict[str, Any]:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return {
        "kind": "admit", "spell_id": SPELL, "occurred_at": timezone.now().isoformat(),
        "person": {"nhs_number": who.nhs_number, "birth_date": who.birth_date.isoformat()},
        "admission_date": yesterday.isoformat(), "admission_method": "emergency",
        "ward": "Ward 7", **changes,
    }  # fmt: skip


@pytest.fixture
def token(world: Workspace) -> str:
    return add_system(PAS, "hospital", sends_admissions=True)[1]


def test_an_admission_from_the_feed_tells_the_care_team_who_may_know(
    world: Workspace, token: str
) -> None:
    feed(token, admit(world.people["ada"]))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    words = f"Ada Quillfeather was admitted to hospital on {yesterday.day} {yesterday:%B %Y}."
    # the key worker and the team's social worker; not the other team's, who has no
    # relationship with her record; not the manager, since she has a key worker
    assert sorted(told()) == [("nurse", words), ("social_worker", words)]
    assert {n.link for n in Notification.objects.all()} == {"/people/p-ada/"}
    assert "Ward 7" not in words


def test_a_discharge_tells_the_care_team_but_not_who_recorded_it(world: Workspace) -> None:
    spell = HospitalSpell.objects.create(
        id="s-ada", person=world.people["ada"], admission_date=dt.date(2026, 1, 2),
        admission_method="emergency", acsc=False, fall=False,
    )  # fmt: skip
    record_discharge(
        spell, discharge_date=dt.date(2026, 1, 9), destination="usual_residence", pathway=0,
        by="nurse", user=world.user("nurse"),
    )  # fmt: skip
    assert told() == [
        ("social_worker", "Ada Quillfeather was discharged from hospital on 9 January 2026.")
    ]


def test_an_unallocated_person_s_admission_reaches_the_team_manager(
    world: Workspace, token: str
) -> None:
    Episode.objects.create(
        id="e-bert", person=world.people["bert"], team=world.north, start_date=dt.date(2024, 2, 1),
        reason="referral",
    )  # fmt: skip
    feed(token, admit(world.people["bert"]))
    assert [who for who, _ in told()] == ["manager"]


@pytest.mark.parametrize(
    ("objection", "diagnosis", "who"),
    [
        (True, None, ["nurse"]),  # health's news: not for the council's social worker
        (False, "F20.0", ["social_worker"]),  # a district nurse does not read mental health
    ],
)
def test_news_of_a_stay_follows_the_objection_and_the_diagnosis_label(
    world: Workspace, token: str, objection: bool, diagnosis: str | None, who: list[str]
) -> None:
    """The record hides a stay from the other side under an objection, and a mental health
    stay from professions that do not read that label: so does a notification."""
    if objection:
        Consent.objects.create(
            person=world.people["ada"], kind=Consent.Kind.SHARING_OBJECTION,
            recorded_at=timezone.now(), recorded_by="nurse",
        )  # fmt: skip
    feed(token, admit(world.people["ada"], primary_diagnosis=diagnosis))
    assert [recipient for recipient, _ in told()] == who


def plan(version: int) -> dict[str, Any]:
    return {"what_matters": f"Home, version {version}", "goals": [], "actions": [],
            "review_date": None}  # fmt: skip


def save_plan(world: Workspace, by: str, base: int) -> None:
    outcome = save_version(
        user=world.user(by), staff=world.staff[by], person=world.people["ada"], base=base,
        fields=plan(base + 1), now=timezone.now(),
    )  # fmt: skip
    assert outcome.saved is not None


def test_the_key_worker_owns_the_care_plan_and_is_told_of_others_changes(
    world: Workspace,
) -> None:
    save_plan(world, "social_worker", 0)
    save_plan(world, "nurse", 1)  # the key worker's own change
    save_plan(world, "gp", 2)
    assert told() == [
        ("nurse", "A care plan was written for Ada Quillfeather."),
        ("nurse", "Ada Quillfeather's care plan was changed (version 3)."),
    ]
    assert {n.link for n in Notification.objects.all()} == {"/care-plans/p-ada/"}
    # a plan of someone with no key worker has no owner to tell
    CareTeamMember.objects.filter(key_worker=True).update(ended=dt.date(2024, 6, 1))
    save_plan(world, "gp", 3)
    assert len(told()) == 2


# --- the header, the list, opening and marking read ----------------------------------------


def notify(world: Workspace, who: str, *texts: str, person: str | None = ADA) -> None:
    """Notifications made directly, oldest first, a minute apart."""
    start = timezone.now() - dt.timedelta(hours=1)
    for n, text in enumerate(texts):
        Notification.objects.create(
            recipient=world.user(who), kind=Kind.CARE_PLAN, person_id=person, text=text,
            link=f"/care-plans/{person}/" if person else "/tasks/",
            created_at=start + dt.timedelta(minutes=n),
        )  # fmt: skip


def test_the_header_counts_unread_in_the_link_with_one_query(world: Workspace) -> None:
    notify(world, "nurse", "First", "Second", "Third")
    Notification.objects.filter(text="First").update(read_at=timezone.now())
    notify(world, "social_worker", "Not hers")
    nurse = world.client("nurse")
    with CaptureQueriesContext(connection) as queries:
        body = page(nurse, "/tasks/")
    assert '<a class="nhsuk-header__account-link" href="/notifications/">' in body
    assert "Notifications (2 unread)" in body
    counted = [
        q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]
    ]
    assert len(counted) == 1
    assert "Notifications (0 unread)" in page(world.client("manager"), "/tasks/")
    # roles that never work with people are sent nothing, so have no link
    assert "Notifications" not in page(world.client("commissioner"), "/")


def test_the_list_is_mine_newest_first_unread_marked_and_audited(world: Workspace) -> None:
    notify(world, "nurse", "Older", "Newer")
    notify(world, "social_worker", "Sol's own")
    Notification.objects.filter(text="Older").update(read_at=timezone.now())
    body = page(world.client("nurse"), "/notifications/")
    assert body.index("Newer") < body.index("Older") and "Sol's own" not in body
    newer = Notification.objects.get(text="Newer")
    item = body.split(f'id="notification-{newer.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Unread" in item and "Open" in item
    older = Notification.objects.get(text="Older").pk
    assert "Unread" not in body.split(f'id="notification-{older}"', 1)[1].split("</li>", 1)[0]
    assert "1 unread." in body
    seen = AuditEvent.objects.filter(action=AuditAction.VIEW, what="notifications")
    assert list(seen.values_list("username", "person_id")) == [("nurse", ADA)]


def test_another_s_notification_answers_404_and_get_changes_nothing(world: Workspace) -> None:
    notify(world, "social_worker", "Sol's own")
    theirs = Notification.objects.get()
    nurse = world.client("nurse")
    assert nurse.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert nurse.post(f"/notifications/{2**70}/open/").status_code == 404
    assert world.client("social_worker").get(f"/notifications/{theirs.pk}/open/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_marks_read_and_goes_where_to_act(world: Workspace) -> None:
    notify(world, "nurse", "Plan changed")
    notification = Notification.objects.get()
    opened = world.client("nurse").post(f"/notifications/{notification.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == "/care-plans/p-ada/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert not AuditEvent.objects.filter(what="notifications").exists()  # no audit of a read


def test_a_record_no_longer_open_is_not_offered_and_opening_stays_on_the_list(
    world: Workspace,
) -> None:
    """The outsider's work with Ada has ended: the notification keeps what they were told,
    but its link would be a refusal, so the list says why instead."""
    notify(world, "outsider", "Ada Quillfeather's care plan was changed (version 2).")
    notification = Notification.objects.get()
    outsider = world.client("outsider")
    item = page(outsider, "/notifications/").split(f'id="notification-{notification.pk}"')[1]
    assert "record not open to you" in item.split("</li>")[0]
    assert "Mark as read" in item.split("</li>")[0]
    opened = outsider.post(f"/notifications/{notification.pk}/open/")
    assert opened["Location"] == "/notifications/"
    assert "The record is not open to you" in page(outsider, "/notifications/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_as_read_confirms(world: Workspace) -> None:
    notify(world, "nurse", "One", "Two")
    notify(world, "social_worker", "Sol's own")
    nurse = world.client("nurse")
    assert nurse.get("/notifications/read/").status_code == 405
    done = nurse.post("/notifications/read/")
    assert done.status_code == 302 and done["Location"] == "/notifications/"
    body = page(nurse, "/notifications/")
    assert "2 notifications marked as read." in body and "Notifications (0 unread)" in body
    assert Notification.objects.filter(read_at__isnull=True).get().text == "Sol's own"
    nurse.post("/notifications/read/")
    assert "You had no unread notifications." in page(nurse, "/notifications/")


# --- e-mail, and a change that rolls back ----------------------------------------------------


def accept_a_referral(world: Workspace) -> None:
    made = referral(world)
    change_status(made.pk, "accepted", actor=Actor(user=world.user("spa")), team=world.north)


@pytest.fixture
def emailed(world: Workspace) -> Workspace:
    for key in ("gp", "nurse", "social_worker"):
        world.user(key).email = f"{key}@casterbridge.example"
        world.user(key).save(update_fields=["email"])
    return world


def test_no_email_unless_asked_for(
    emailed: Workspace, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        accept_a_referral(emailed)
    assert len(told()) == 1 and mail.outbox == []


def test_the_email_says_only_that_there_is_a_notification(
    emailed: Workspace,
    token: str,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.NOTIFY_BY_EMAIL = True
    settings.SITE_URL = "https://joinedup.example.nhs.uk/"
    with django_capture_on_commit_callbacks(execute=True):
        feed(token, admit(emailed.people["ada"], primary_diagnosis="I50.0"))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "nurse@casterbridge.example",
        "social_worker@casterbridge.example",
    ]
    for message in mail.outbox:
        assert message.subject == "joinedup: a new notification"
        assert message.body == (
            "You have a new notification in joinedup: Hospital admission\n\n"
            "https://joinedup.example.nhs.uk/notifications/\n"
        )
        ada = emailed.people["ada"]
        for secret in ("Ada", "Quillfeather", ada.nhs_number, "Ward 7", "I50", "emergency"):
            assert secret not in message.subject + message.body


@pytest.mark.both_databases
def test_a_change_rolled_back_leaves_no_notification_and_sends_nothing(
    emailed: Workspace, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.NOTIFY_BY_EMAIL = True
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        accept_a_referral(emailed)
        assert len(told()) == 1  # made in the change's transaction...
        raise RuntimeError("the change fails after the notification was made")
    assert told() == [] and callbacks == [] and mail.outbox == []  # ...and gone with it
    with django_capture_on_commit_callbacks(execute=True):
        accept_a_referral(emailed)
    assert len(told()) == 1 and [m.to for m in mail.outbox] == [["gp@casterbridge.example"]]
