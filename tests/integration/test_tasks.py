"""Tasks through Django's test client: my tasks, my team's, overdue, closing, adding one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from date_boxes import date_boxes, typed_boxes
from joinedup.access.models import AuditAction, AuditEvent, CareTeamMember, StaffMember
from joinedup.record.models import Episode, Referral
from joinedup.tasks.models import Task
from joinedup.tasks.owners import UNRELATED_OWNER
from workspace_world import Workspace, build_workspace, nhs_number

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]  # tasks through the ORM


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def task(
    world: Workspace,
    title: str,
    due_in: int,
    *,
    owner: str | None = None,
    organisation: str | None = None,
    team: str = "north",
    person: str | None = None,
    status: str = Task.Status.OPEN,
) -> Task:
    closed = status != Task.Status.OPEN
    return Task.objects.create(
        title=title,
        due=timezone.localdate() + dt.timedelta(days=due_in),
        owner_staff=world.staff[owner] if owner else None,
        owner_organisation=world.organisations[organisation] if organisation else None,
        team=getattr(world, team),
        person=world.people[person] if person else None,
        status=status,
        created_at=timezone.now(),
        created_by="manager",
        closed_at=timezone.now() if closed else None,
    )


def order_in(html: str, *titles: str) -> list[int]:
    return [html.index(t) for t in titles]


def test_my_tasks_are_mine_open_and_overdue_first(world: Workspace) -> None:
    later = task(world, "Review medicines", 5, owner="nurse", person="ada")
    overdue = task(world, "Dressing check", -2, owner="nurse", person="bert")
    today = task(world, "Phone daughter", 0, owner="nurse")
    task(world, "Someone else's", -5, owner="social_worker", person="cora")
    task(world, "Already done", -9, owner="nurse", status=Task.Status.DONE)
    response = world.client("nurse").get("/tasks/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else&#39;s" not in html and "Already done" not in html
    positions = order_in(html, overdue.title, today.title, later.title)
    assert positions == sorted(positions)
    row = html[html.index(f'id="task-{overdue.pk}"') :]
    assert "Overdue" in row[: row.index("</tr>")]
    for fine in (today, later):
        row = html[html.index(f'id="task-{fine.pk}"') :]
        assert "Overdue" not in row[: row.index("</tr>")]
    assert "3 open, 1 overdue" in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3  # each row's close form, plus log out
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, username="nurse")
    assert sorted(viewed.values_list("person_id", flat=True)) == ["p-ada", "p-bert"]


def test_team_tasks_show_owners_and_filter_by_owner(world: Workspace) -> None:
    mine = task(world, "Bath assessment", 1, owner="nurse", person="ada")
    theirs = task(world, "Benefits check", -1, organisation="council", person="bert")
    task(world, "Southmead work", 1, owner="outsider", team="south", person="eli")
    client = world.client("social_worker")
    html = client.get("/tasks/team/t-north/").content.decode()
    assert "Southmead work" not in html
    assert "Nia Hart, District nurse, Casterbridge Community Health NHS Trust" in html
    assert "Casterbridge City Council" in html
    assert order_in(html, theirs.title, mine.title) == sorted(
        order_in(html, theirs.title, mine.title)
    )
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, username="social_worker")
    assert sorted(viewed.values_list("person_id", flat=True)) == ["p-ada", "p-bert"]

    filtered = client.get(
        "/tasks/team/t-north/", {"owner": "organisation:org-council"}
    ).content.decode()
    assert "Benefits check" in filtered and "Bath assessment" not in filtered
    bad = client.get("/tasks/team/t-north/", {"owner": "staff:nobody"})
    assert bad.status_code == 400
    assert "Owner: choose an owner from the list" in bad.content.decode()


@pytest.mark.parametrize("key", ["outsider", "commissioner"])
def test_team_tasks_refused_outside_the_team(world: Workspace, key: str) -> None:
    task(world, "Bath assessment", 1, owner="nurse", person="ada")
    response = world.client(key).get("/tasks/team/t-north/")
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


def test_commissioner_has_no_task_pages(world: Workspace) -> None:
    client = world.client("commissioner")
    assert client.get("/tasks/").status_code == 403
    assert client.get("/tasks/new/").status_code == 403


def test_closing_by_owner_and_team_member_but_not_outsider(world: Workspace) -> None:
    owned = task(world, "Bath assessment", 1, owner="nurse", person="ada")
    nurse = world.client("nurse")
    response = nurse.post(f"/tasks/{owned.pk}/close/", {"outcome": "done", "next": "/tasks/"})
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    # Confirmed by a message on the next page, once (not by the address).
    confirmed = nurse.get("/tasks/").content.decode()
    assert 'id="notice-1"' in confirmed and "Task done: Bath assessment." in confirmed
    assert "Task done" not in nurse.get("/tasks/").content.decode()
    owned.refresh_from_db()
    assert owned.status == Task.Status.DONE
    assert owned.closed_by == "nurse" and owned.closed_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, person_id="p-ada", username="nurse"
    ).exists()

    by_team = task(world, "Council check", 1, organisation="council", person="bert")
    refused = task(world, "Not yours", 1, owner="nurse", person="cora")
    outsider = world.client("outsider")
    for outcome in ("done", "cancelled"):
        assert outsider.post(f"/tasks/{refused.pk}/close/", {"outcome": outcome}).status_code == 403
    assert (
        world.client("commissioner")
        .post(f"/tasks/{refused.pk}/close/", {"outcome": "done"})
        .status_code
        == 403
    )
    refused.refresh_from_db()
    assert refused.status == Task.Status.OPEN and refused.closed_at is None
    assert not AuditEvent.objects.filter(person_id="p-cora").exists()

    # Any member of the task's team may close it (the navigator is in Northgate).
    response = world.client("navigator").post(
        f"/tasks/{by_team.pk}/close/", {"outcome": "cancelled", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/tasks/"  # no off-site redirect
    by_team.refresh_from_db()
    assert by_team.status == Task.Status.CANCELLED and by_team.closed_by == "navigator"

    again = world.client("nurse").post(f"/tasks/{owned.pk}/close/", {"outcome": "cancelled"})
    assert again.status_code == 409
    owned.refresh_from_db()
    assert owned.status == Task.Status.DONE
    bad = world.client("nurse").post(f"/tasks/{refused.pk}/close/", {"outcome": "gone"})
    assert bad.status_code == 400


def test_an_owner_outside_the_team_may_close_their_own_task(world: Workspace) -> None:
    """The outsider owns a Northgate task handed to them: theirs to close."""
    handed = task(world, "Joint visit", 3, owner="outsider", person="ada")
    response = world.client("outsider").post(f"/tasks/{handed.pk}/close/", {"outcome": "done"})
    assert response.status_code == 302
    handed.refresh_from_db()
    assert handed.status == Task.Status.DONE


def valid_new(world: Workspace) -> dict[str, str]:
    return {
        "title": "Order a pressure mattress",
        "nhs_number": world.people["ada"].nhs_number or "",
        "owner": f"staff:{world.staff['nurse'].pk}",
        "team": "t-north",
        **date_boxes("due", timezone.localdate() + dt.timedelta(days=4)),
        "detail": "Grade 2 sore on the heel",
    }


def test_adding_a_task(world: Workspace) -> None:
    manager = world.client("manager")
    response = manager.post("/tasks/new/", valid_new(world))
    assert response.status_code == 302
    created = Task.objects.get()
    assert response["Location"] == "/tasks/team/t-north/"
    shown = manager.get(response["Location"]).content.decode()
    assert "Task added: Order a pressure mattress." in shown
    assert created.person_id == "p-ada"
    assert created.owner_staff == world.staff["nurse"]
    assert created.due == timezone.localdate() + dt.timedelta(days=4)
    assert created.team == world.north and created.created_by == "manager"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, person_id="p-ada", what="task: added"
    ).exists()
    no_person = {**valid_new(world), "nhs_number": "", "owner": "organisation:org-voluntary"}
    assert world.client("manager").post("/tasks/new/", no_person).status_code == 302
    assert Task.objects.filter(person__isnull=True, owner_organisation_id="org-voluntary").exists()


@pytest.mark.parametrize(
    ("change", "message", "field_id"),
    [
        ({"title": ""}, "Enter a title", "title"),
        ({"owner": "staff:424242"}, "Owner: choose a member of staff or an organisation", "owner"),
        ({"owner": "someone"}, "(the one given is not known)", "owner"),
        (
            typed_boxes("due", "32", "1", "2027"),
            "The due date must be a real date, like 14 3 2027",
            "due-day",
        ),
        (typed_boxes("due", "", "", ""), "Enter the due date", "due-day"),
        (typed_boxes("due", "1", "", "2027"), "The due date must include a month", "due-day"),
        (typed_boxes("due", "1", "1", "2020"), "The due date must be today or later", "due-day"),
        ({"team": "t-south"}, "Team: choose one of your teams", "team"),
        ({"team": "t-nowhere"}, "Team: choose one of your teams", "team"),
        ({"nhs_number": "123"}, "NHS number must be 10 digits", "nhs_number"),
        ({"detail": "x" * 20_001}, "Detail must be 20,000 characters or fewer", "detail"),
    ],
)
def test_bad_new_task_names_the_field_and_saves_nothing(
    world: Workspace, change: dict[str, str], message: str, field_id: str
) -> None:
    response = world.client("manager").post("/tasks/new/", {**valid_new(world), **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#{field_id}"' in html
    assert not Task.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_person_unknown_to_my_teams_cannot_be_named(world: Workspace) -> None:
    """Eli is Southmead's; the message is the one for a number that belongs to no one."""
    eli = {**valid_new(world), "nhs_number": world.people["eli"].nhs_number or ""}
    nobody = {**valid_new(world), "nhs_number": nhs_number(900_000)}
    messages = set()
    for data in (eli, nobody):
        response = world.client("manager").post("/tasks/new/", data)
        assert response.status_code == 400
        html = response.content.decode()
        assert "Elias" not in html
        messages.add("no one with this NHS number is known to your teams" in html)
    assert messages == {True}
    assert not Task.objects.exists()


def test_owner_choices_leave_out_roles_that_never_see_people(world: Workspace) -> None:
    html = world.client("manager").get("/tasks/new/").content.decode()
    commissioner = StaffMember.objects.get(user__username="commissioner")
    assert f"staff:{commissioner.pk}" not in html
    assert f"staff:{world.staff['nurse'].pk}" in html
    assert "organisation:org-council" in html


def test_a_long_detail_up_to_the_limit_is_kept(world: Workspace) -> None:
    detail = "Heel dressing. " * 1333 + "xxxxx"
    assert len(detail) == 20_000
    response = world.client("manager").post("/tasks/new/", {**valid_new(world), "detail": detail})
    assert response.status_code == 302
    assert Task.objects.get().detail == detail


def referral_to(world: Workspace, person: str, team: str, status: str = "accepted") -> None:
    now = timezone.now()
    Referral.objects.create(
        id=f"r-{person}-{team}-{status}",
        person=world.people[person],
        received_at=now - dt.timedelta(days=2),
        source="gp",
        urgency="routine",
        team=getattr(world, team),
        status=status,
        accepted_at=now - dt.timedelta(days=1),
        closed_at=now if status in {"completed", "cancelled"} else None,
    )


def test_the_person_must_be_held_by_the_team_the_task_goes_to(world: Workspace) -> None:
    """The nurse is in both teams and knows ada through Northgate's caseload, but a task on
    Southmead's list may name only someone Southmead holds (caseload today or open referral)."""
    world.staff["nurse"].teams.add(world.south)
    client = world.client("nurse")
    refused = "no one with this NHS number is known to your teams"
    to_south = {**valid_new(world), "team": "t-south"}
    response = client.post("/tasks/new/", to_south)
    assert response.status_code == 400
    assert (
        refused in response.content.decode() and 'href="#nhs_number"' in response.content.decode()
    )
    assert "Quillfeather" not in response.content.decode()
    # A closed referral or a finished episode with Southmead does not count either.
    referral_to(world, "ada", "south", status="completed")
    Episode.objects.create(
        id="e-ada-south",
        person=world.people["ada"],
        team=world.south,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2023, 6, 1),
    )
    assert client.post("/tasks/new/", to_south).status_code == 400
    assert not Task.objects.exists() and not AuditEvent.objects.exists()

    referral_to(world, "ada", "south")
    assert client.post("/tasks/new/", to_south).status_code == 302
    created = Task.objects.get()
    assert (created.team_id, created.person_id) == ("t-south", "p-ada")
    # Northgate's own: bert on no caseload, but referred to Northgate and still open.
    referral_to(world, "bert", "north")
    bert = {**valid_new(world), "nhs_number": world.people["bert"].nhs_number or ""}
    assert client.post("/tasks/new/", bert).status_code == 302


def test_a_staff_owner_of_a_task_about_a_person_is_in_the_team_or_cares_for_them(
    world: Workspace,
) -> None:
    """The outsider (Southmead) has nothing to do with ada: a Northgate task about her may
    not be handed to him, so her name never reaches his My tasks. An organisation may own
    it, he may own a task about no one, and once he is her key worker he may own hers."""
    outsider = world.staff["outsider"]
    client = world.client("manager")
    for key in ("outsider", "ucr_nurse", "spa"):
        data = {**valid_new(world), "owner": f"staff:{world.staff[key].pk}"}
        response = client.post("/tasks/new/", data)
        assert response.status_code == 400, key
        html = response.content.decode()
        assert UNRELATED_OWNER in html
        assert f'<a href="#owner">{UNRELATED_OWNER}</a>' in html
    assert not Task.objects.exists() and not AuditEvent.objects.exists()
    assert "Quillfeather" not in world.client("outsider").get("/tasks/").content.decode()

    nobody = {**valid_new(world), "nhs_number": "", "owner": f"staff:{outsider.pk}"}
    assert client.post("/tasks/new/", nobody).status_code == 302
    council = {**valid_new(world), "owner": "organisation:org-council"}
    assert client.post("/tasks/new/", council).status_code == 302
    CareTeamMember.objects.create(
        person=world.people["ada"],
        staff=outsider,
        role="Key worker",
        key_worker=True,
        started=timezone.localdate() - dt.timedelta(days=1),
    )
    handed = {**valid_new(world), "owner": f"staff:{outsider.pk}", "title": "Joint visit"}
    assert client.post("/tasks/new/", handed).status_code == 302
    assert Task.objects.get(title="Joint visit").owner_staff == outsider


def test_owner_choices_list_the_teams_members_first(world: Workspace) -> None:
    html = world.client("manager").get("/tasks/new/", {"team": "t-north"}).content.decode()
    positions = {
        key: html.index(f'value="staff:{world.staff[key].pk}"')
        for key in world.staff
        if key != "commissioner"
    }
    members = ("gp", "manager", "nurse", "social_worker", "navigator")
    others = ("spa", "ucr_nurse", "outsider")
    assert max(positions[k] for k in members) < min(positions[k] for k in others)
    # Within each group, by name: Cat Nye, Gus Penrose, Mo Ambrose, Nia Hart, Sol Webb.
    assert sorted(members, key=positions.get) == [
        "navigator",
        "gp",
        "manager",
        "nurse",
        "social_worker",
    ]
