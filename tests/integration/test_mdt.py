"""MDT meetings through Django's test client: the agenda's four rules, notes and actions
that become tasks, attendance, holding and the summary, bad input, access and audit."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clock import clock_at
from date_boxes import date_boxes, typed_boxes
from joinedup.access.models import AuditAction, AuditEvent, Consent
from joinedup.careplans.models import CarePlan
from joinedup.casefinding.interim_risk import RULE
from joinedup.formatting import long_date
from joinedup.mdt.agenda import build_agenda
from joinedup.mdt.models import AgendaItem, Attendance, Meeting
from joinedup.mdt.views import attendance as attendance_views
from joinedup.record.models import Episode, HospitalSpell, Person, Referral
from joinedup.tasks.models import Task
from joinedup.tasks.owners import UNRELATED_OWNER
from page_notices import notices
from workspace_world import Workspace, add_person, build_workspace, nhs_number

# Meetings through the ORM; the attendance constraint runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

MOMENT = timezone.now()  # every test's clock starts here: one date throughout
_clock = clock_at(MOMENT)


def day_month(day: dt.date, meeting: Meeting) -> str:
    """ "3 March", with the year when it is not the meeting's (late December's agendas)."""
    text = f"{day.day} {day:%B}"
    return text if day.year == timezone.localdate(meeting.starts_at).year else f"{text} {day.year}"


def spell(person: Person, n: int, admitted: dt.date, discharged: dt.date, method: str) -> None:
    HospitalSpell.objects.create(
        id=f"s-{person.pk}-{n}",
        person=person,
        admission_date=admitted,
        admission_method=method,
        acsc=False,
        fall=False,
        discharge_date=discharged,
    )


def referral(
    person: Person, team_id: str, accepted: dt.datetime, status: str = "accepted"
) -> Referral:
    return Referral.objects.create(
        id=f"r-{person.pk}-{team_id}-{status}",
        person=person,
        received_at=accepted - dt.timedelta(days=1),
        source="gp",
        urgency="routine",
        team_id=team_id,
        status=status,
        accepted_at=accepted,
        closed_at=accepted if status in {"completed", "rejected", "cancelled"} else None,
    )


def caseload(person: Person, team_id: str, start: dt.date) -> None:
    Episode.objects.create(
        id=f"e-{person.pk}-{team_id}", person=person, team_id=team_id, start_date=start
    )


def care_plan(person: Person, review: dt.date) -> None:
    CarePlan.objects.create(person=person, review_date=review, created_at=timezone.now())


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


@pytest.fixture
def scene(world: Workspace) -> dict[str, Any]:
    """A meeting tomorrow of Northgate with someone for each rule and someone just outside it.

    - bert: referral accepted 3 days ago (a); also on the caseload with an overdue review.
    - cora: referral accepted 20 days ago (outside the 14 days): not on the agenda.
    - dot: referral accepted 2 days ago but completed: not (a); on the caseload with an
      overdue review (d).
    - ada: on the caseload, discharged 2 days ago after 6 days (b); her review is overdue too.
    - hal: discharged 2 days ago but on no caseload: not (b).
    - fay: 2 emergency admissions in the year, known to no team (c).
    - gil: 1 emergency admission, no frailty: not (c).
    - eli: a Southmead referral accepted yesterday: not Northgate's.
    - ivy: on the caseload, review due next month: not (d).
    - jo: review overdue but on no caseload: not (d).
    """
    now = timezone.now()
    today = timezone.localdate()
    people = world.people
    for serial, key in enumerate(("fay", "gil", "hal", "ivy", "jo"), start=50):
        add_person(world, key, serial * 1000)
    referral(people["bert"], "t-north", now - dt.timedelta(days=3))
    caseload(people["bert"], "t-north", today - dt.timedelta(days=3))
    care_plan(people["bert"], today - dt.timedelta(days=5))
    referral(people["cora"], "t-north", now - dt.timedelta(days=20))
    referral(people["dot"], "t-north", now - dt.timedelta(days=2), status="completed")
    caseload(people["dot"], "t-north", today - dt.timedelta(days=100))
    care_plan(people["dot"], today - dt.timedelta(days=10))
    discharged = today - dt.timedelta(days=2)
    spell(people["ada"], 1, discharged - dt.timedelta(days=6), discharged, "elective")
    care_plan(people["ada"], today - dt.timedelta(days=1))
    spell(people["hal"], 1, discharged - dt.timedelta(days=3), discharged, "elective")
    for n, back in enumerate((30, 200), start=1):
        admitted = today - dt.timedelta(days=back)
        spell(people["fay"], n, admitted, admitted + dt.timedelta(days=4), "emergency")
    gil_admitted = today - dt.timedelta(days=40)
    spell(people["gil"], 1, gil_admitted, gil_admitted + dt.timedelta(days=2), "emergency")
    referral(people["eli"], "t-south", now - dt.timedelta(days=1))
    caseload(people["ivy"], "t-north", today - dt.timedelta(days=300))
    care_plan(people["ivy"], today + dt.timedelta(days=30))
    care_plan(people["jo"], today - dt.timedelta(days=30))
    meeting = Meeting.objects.create(
        team=world.north,
        starts_at=now + dt.timedelta(days=1),
        created_at=now,
        created_by="manager",
    )
    return {"meeting": meeting, "discharged": discharged, "today": today}


def agenda_of(meeting: Meeting) -> dict[str, AgendaItem]:
    return {i.person_id: i for i in AgendaItem.objects.filter(meeting=meeting)}


# --- the agenda's rules ------------------------------------------------------------------


def test_each_rule_lists_its_people_once_in_order_and_no_others(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]
    items = build_agenda(meeting)
    reasons = {i.person_id: i.reason for i in items}
    assert reasons == {
        "p-bert": AgendaItem.Reason.NEW_REFERRAL,
        "p-ada": AgendaItem.Reason.DISCHARGED,
        "p-fay": AgendaItem.Reason.HIGH_RISK,
        "p-dot": AgendaItem.Reason.REVIEW_OVERDUE,
    }
    assert [i.position for i in items] == [1, 2, 3, 4]
    assert [i.person_id for i in items] == ["p-bert", "p-ada", "p-fay", "p-dot"]
    details = {i.person_id: i.detail for i in items}
    accepted = timezone.localdate(timezone.now() - dt.timedelta(days=3))
    assert details["p-bert"] == f"Accepted {day_month(accepted, meeting)} from GP"
    assert details["p-ada"] == f"Discharged {day_month(scene['discharged'], meeting)} after 6 days"
    assert details["p-fay"] == "2 emergency admissions in 12 months"
    review = scene["today"] - dt.timedelta(days=10)
    assert details["p-dot"].startswith(f"Review due {day_month(review, meeting)}")


def test_since_the_previous_held_meeting_not_14_days(
    world: Workspace, scene: dict[str, Any]
) -> None:
    """With a meeting held 25 days ago, cora's referral accepted 20 days ago is new again."""
    now = timezone.now()
    Meeting.objects.create(
        team=world.north,
        starts_at=now - dt.timedelta(days=25),
        status=Meeting.Status.HELD,
        held_at=now - dt.timedelta(days=25),
        created_at=now - dt.timedelta(days=30),
        created_by="manager",
    )
    # A held meeting of another team does not move Northgate's window.
    Meeting.objects.create(
        team=world.south,
        starts_at=now - dt.timedelta(days=1),
        status=Meeting.Status.HELD,
        created_at=now - dt.timedelta(days=2),
        created_by="outsider",
    )
    reasons = {i.person_id: i.reason for i in build_agenda(scene["meeting"])}
    assert reasons["p-cora"] == AgendaItem.Reason.NEW_REFERRAL


def test_rebuilding_keeps_notes_and_adds_new_people(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]
    build_agenda(meeting)
    AgendaItem.objects.filter(meeting=meeting, person_id="p-ada").update(
        notes="Walking with a frame", decisions="OT visit"
    )
    gil_admitted = scene["today"] - dt.timedelta(days=100)
    spell(world.people["gil"], 2, gil_admitted, gil_admitted + dt.timedelta(days=1), "emergency")
    items = build_agenda(meeting)
    by_person = {i.person_id: i for i in items}
    assert by_person["p-ada"].notes == "Walking with a frame"
    assert by_person["p-ada"].decisions == "OT visit"
    assert by_person["p-gil"].reason == AgendaItem.Reason.HIGH_RISK
    assert by_person["p-gil"].position == 5
    assert len(items) == 5 == len(set(by_person))


# --- scheduling and the agenda page --------------------------------------------------------


def future_local(days: int = 7) -> dict[str, str]:
    """The schedule form's date boxes and time box, `days` from now."""
    local = timezone.localtime(timezone.now() + dt.timedelta(days=days))
    return {**date_boxes("starts", local), "starts_time": f"{local:%H:%M}"}


def test_scheduling_builds_the_agenda_and_audits_who_it_lists(
    world: Workspace, scene: dict[str, Any]
) -> None:
    client = world.client("manager")
    response = client.post("/mdt/team/t-north/", {**future_local(1), "location": "Room 4"})
    assert response.status_code == 302
    meeting = Meeting.objects.exclude(pk=scene["meeting"].pk).get(team=world.north)
    assert response["Location"] == f"/mdt/{meeting.pk}/"
    assert meeting.location == "Room 4"
    assert set(agenda_of(meeting)) == {"p-bert", "p-ada", "p-fay", "p-dot"}
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, what="mdt agenda")
    assert sorted(created.values_list("person_id", flat=True)) == sorted(agenda_of(meeting))

    page = client.get(f"/mdt/{meeting.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bertram Oakes" in html and 'href="/people/p-bert/"' in html
    assert "999 " in html  # NHS numbers, spaced
    assert RULE in html
    assert "Not discussed yet" in html
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, username="manager")
    assert sorted(viewed.values_list("person_id", flat=True)) == sorted(agenda_of(meeting))
    listing = client.get("/mdt/team/t-north/").content.decode()
    assert "Room 4" in listing and 'id="upcoming"' in listing


@pytest.mark.parametrize(
    ("typed", "message", "field_id"),
    [
        ({"starts_time": "10:00"}, "Enter the meeting date", "starts-day"),
        (
            {**typed_boxes("starts", "30", "2", "2027"), "starts_time": "10:00"},
            "The meeting date must be a real date, like 14 3 2027",
            "starts-day",
        ),
        (
            {**typed_boxes("starts", "14", "", "2027"), "starts_time": "10:00"},
            "The meeting date must include a month",
            "starts-day",
        ),
        (
            {**typed_boxes("starts", "1", "1", "2020"), "starts_time": "10:00"},
            "The meeting must start in the future",
            "starts-day",
        ),
        (typed_boxes("starts", "14", "3", "2099"), "Enter the start time", "starts_time"),
        (
            {**typed_boxes("starts", "14", "3", "2099"), "starts_time": "25:61"},
            "The start time must be a real time, like 14:30",
            "starts_time",
        ),
    ],
)
def test_bad_meeting_dates_are_refused_and_nothing_is_saved(
    world: Workspace, typed: dict[str, str], message: str, field_id: str
) -> None:
    response = world.client("nurse").post("/mdt/team/t-north/", typed)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'href="#{field_id}"' in response.content.decode()
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists()


def test_adding_a_person_by_nhs_number(world: Workspace, scene: dict[str, Any]) -> None:
    meeting = scene["meeting"]
    client = world.client("nurse")
    bad = client.post(f"/mdt/{meeting.pk}/", {"action": "add", "nhs_number": "1234567890"})
    assert bad.status_code == 400
    assert "NHS number must be 10 digits with a valid check digit" in bad.content.decode()
    cora = world.people["cora"]
    response = client.post(f"/mdt/{meeting.pk}/", {"action": "add", "nhs_number": cora.nhs_number})
    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting, person=cora)
    assert item.reason == AgendaItem.Reason.ADDED
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, person_id=cora.pk, what="mdt agenda: added"
    ).exists()
    again = client.post(f"/mdt/{meeting.pk}/", {"action": "add", "nhs_number": cora.nhs_number})
    assert "already on the agenda" in again.content.decode()
    assert AgendaItem.objects.filter(meeting=meeting, person=cora).count() == 1


def test_only_neighbours_and_people_the_team_holds_can_be_added(
    world: Workspace, scene: dict[str, Any]
) -> None:
    """Eli lives in Southmead and is Southmead's: to Northgate's agenda he is no one, with
    the very message a number that matches nobody gets. Kim lives in Southmead too but is
    referred to Northgate; Lou lives there and is on Northgate's caseload: both may be added."""
    meeting = scene["meeting"]
    client = world.client("nurse")
    url = f"/mdt/{meeting.pk}/"
    before = AuditEvent.objects.count()
    answers = []
    for number in (world.people["eli"].nhs_number, nhs_number(880_000)):
        response = client.post(url, {"action": "add", "nhs_number": number})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'href="#nhs_number"' in html
        assert "Elias" not in html and "Trewin" not in html
        answers.append(html[html.index("nhsuk-error-summary") :].split("</ul>")[0])
    assert answers[0] == answers[1]
    assert "no one with this NHS number lives in the team" in answers[0]
    assert not AgendaItem.objects.filter(meeting=meeting).exists()
    # Nothing was added; the refusal of a real person is audited, and only that.
    events = AuditEvent.objects.filter(sequence__gt=before)
    assert list(events.values_list("action", "person_id")) == [(AuditAction.VIEW, "p-eli")]

    kim = add_person(world, "kim", 70_000, place="n-south")
    lou = add_person(world, "lou", 71_000, place="n-south")
    referral(kim, "t-north", timezone.now() - dt.timedelta(days=40))
    caseload(lou, "t-north", scene["today"] - dt.timedelta(days=30))
    for person in (kim, lou):
        response = client.post(url, {"action": "add", "nhs_number": person.nhs_number})
        assert response.status_code == 302
    assert set(agenda_of(meeting)) == {"p-kim", "p-lou"}


# --- items: notes, decisions, actions -------------------------------------------------------


def test_notes_and_actions_become_owned_tasks_and_are_audited(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]
    build_agenda(meeting)
    item = agenda_of(meeting)["p-ada"]
    client = world.client("nurse")
    page = client.get(f"/mdt/item/{item.pk}/")
    assert page.status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, person_id="p-ada", what=f"mdt item {item.pk}"
    ).exists()

    saved = client.post(
        f"/mdt/item/{item.pk}/",
        {"form": "notes", "notes": "Struggling on the stairs", "decisions": "Refer to OT"},
    )
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.notes, item.decisions, item.discussed) == (
        "Struggling on the stairs",
        "Refer to OT",
        True,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, person_id="p-ada", username="nurse"
    ).exists()

    due = scene["today"] + dt.timedelta(days=7)
    social_worker = world.staff["social_worker"]
    for title, owner in (
        ("Care act assessment", f"staff:{social_worker.pk}"),
        ("Stair rail fitted", "organisation:org-voluntary"),
    ):
        response = client.post(
            f"/mdt/item/{item.pk}/",
            {
                "form": "action",
                "action_title": title,
                "action_owner": owner,
                **date_boxes("action_due", due),
            },
        )
        assert response.status_code == 302
    tasks = {t.title: t for t in item.tasks.all()}
    assessment, rail = tasks["Care act assessment"], tasks["Stair rail fitted"]
    assert assessment.owner_staff == social_worker and assessment.owner_organisation is None
    assert rail.owner_organisation_id == "org-voluntary" and rail.owner_staff is None
    for task in (assessment, rail):
        assert task.due == due
        assert task.team == world.north
        assert task.person_id == "p-ada"
        assert task.origin == f"MDT {long_date(timezone.localdate(meeting.starts_at))}"
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, person_id="p-ada")
    assert (
        list(created.values_list("what", flat=True))
        == [f"task: MDT action (mdt item {item.pk})"] * 2
    )
    html = client.get(f"/mdt/item/{item.pk}/").content.decode()
    assert "Sol Webb, Social worker, Casterbridge City Council" in html
    assert "Casterbridge Good Neighbours" in html


@pytest.mark.parametrize(
    ("fields", "message", "field_id"),
    [
        ({"action_title": ""}, "Enter a title", "action_title"),
        ({"action_owner": "staff:999999"}, "Owner: choose a member of staff or an", "action_owner"),
        (
            {"action_owner": "organisation:org-nowhere"},
            "(the one given is not known)",
            "action_owner",
        ),
        ({"action_owner": ""}, "Owner: choose a member of staff", "action_owner"),
        (
            typed_boxes("action_due", "31", "2", "2027"),
            "The due date must be a real date, like 14 3 2027",
            "action_due-day",
        ),
        (
            typed_boxes("action_due", "yesterday", "", ""),
            "The due date must include a month",
            "action_due-day",
        ),
        (
            typed_boxes("action_due", "1", "1", "2020"),
            "The due date must be today or later",
            "action_due-day",
        ),
        (typed_boxes("action_due", "", "", ""), "Enter the due date", "action_due-day"),
    ],
)
def test_bad_actions_are_refused_naming_the_field(
    world: Workspace, scene: dict[str, Any], fields: dict[str, str], message: str, field_id: str
) -> None:
    meeting = scene["meeting"]
    build_agenda(meeting)
    item = agenda_of(meeting)["p-ada"]
    data = {
        "form": "action",
        "action_title": "Check medicines",
        "action_owner": f"staff:{world.staff['nurse'].pk}",
        **date_boxes("action_due", (scene["today"] + dt.timedelta(days=3))),
        **fields,
    }
    response = world.client("nurse").post(f"/mdt/item/{item.pk}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#{field_id}"' in html
    assert not Task.objects.exists()
    assert not AuditEvent.objects.filter(
        action=AuditAction.CREATE, what__startswith="task"
    ).exists()


def test_commissioner_cannot_be_given_an_action(world: Workspace, scene: dict[str, Any]) -> None:
    build_agenda(scene["meeting"])
    item = agenda_of(scene["meeting"])["p-ada"]
    response = world.client("nurse").post(
        f"/mdt/item/{item.pk}/",
        {
            "form": "action",
            "action_title": "Fund it",
            "action_owner": f"staff:{world.staff['commissioner'].pk}",
            **date_boxes("action_due", scene["today"]),
        },
    )
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_an_action_about_a_person_goes_to_the_team_or_someone_caring_for_them(
    world: Workspace, scene: dict[str, Any]
) -> None:
    """Handing ada's action to a stranger would put her name on his My tasks: refused."""
    meeting = scene["meeting"]
    build_agenda(meeting)
    item = agenda_of(meeting)["p-ada"]
    client = world.client("nurse")
    data = {
        "form": "action",
        "action_title": "Joint visit",
        **date_boxes("action_due", (scene["today"] + dt.timedelta(days=3))),
    }
    for key in ("outsider", "ucr_nurse"):
        response = client.post(
            f"/mdt/item/{item.pk}/", {**data, "action_owner": f"staff:{world.staff[key].pk}"}
        )
        assert response.status_code == 400, key
        assert f'<a href="#action_owner">{UNRELATED_OWNER}</a>' in response.content.decode()
    assert not Task.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()
    item.refresh_from_db()
    assert not item.discussed
    # The picker lists Northgate's members before anyone else.
    html = client.get(f"/mdt/item/{item.pk}/").content.decode()
    assert html.index(f'value="staff:{world.staff["social_worker"].pk}"') < html.index(
        f'value="staff:{world.staff["outsider"].pk}"'
    )


# --- attendance, holding, the summary -------------------------------------------------------


def test_attendance_by_profession_and_organisation(world: Workspace, scene: dict[str, Any]) -> None:
    meeting = scene["meeting"]
    client = world.client("manager")
    assert (
        client.post(
            f"/mdt/{meeting.pk}/attendance/",
            {"form": "staff", "staff": f"staff:{world.staff['social_worker'].pk}"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/mdt/{meeting.pk}/attendance/",
            {
                "form": "guest",
                "guest_name": "Pat Lowe",
                "guest_profession": "Care home manager",
                "guest_organisation": "Elm House",
            },
        ).status_code
        == 302
    )
    rows = {a.name: a for a in Attendance.objects.filter(meeting=meeting)}
    assert (rows["Sol Webb"].profession, rows["Sol Webb"].organisation) == (
        "Social worker",
        "Casterbridge City Council",
    )
    assert rows["Sol Webb"].staff == world.staff["social_worker"]
    assert (rows["Pat Lowe"].profession, rows["Pat Lowe"].organisation, rows["Pat Lowe"].staff) == (
        "Care home manager",
        "Elm House",
        None,
    )
    html = client.get(f"/mdt/{meeting.pk}/attendance/").content.decode()
    assert "Care home manager" in html and "Casterbridge City Council" in html

    for data, message in (
        ({"form": "staff", "staff": "staff:999999"}, "Staff member: choose someone from the list"),
        (
            {"form": "staff", "staff": f"staff:{world.staff['social_worker'].pk}"},
            "Staff member: already recorded as attending",
        ),
        (
            {
                "form": "guest",
                "guest_name": "Al",
                "guest_profession": "",
                "guest_organisation": "X",
            },
            "Enter the guest&#39;s profession",
        ),
    ):
        response = client.post(f"/mdt/{meeting.pk}/attendance/", data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert Attendance.objects.filter(meeting=meeting).count() == 2


@pytest.mark.both_databases
def test_a_member_added_twice_at_once_attends_once(
    world: Workspace, scene: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people add Sol at the same moment: both forms pass the check, the database's
    constraint stops the second row, and its page says so (not a server error)."""
    meeting = scene["meeting"]
    sol = world.staff["social_worker"]
    real_row = attendance_views._row

    def other_request_wins(m: Meeting, values: dict[str, str], problems: list[Any]) -> Any:
        row = real_row(m, values, problems)
        Attendance.objects.create(
            meeting=m, staff=sol, name="Sol Webb", profession="Social worker", organisation="X"
        )
        return row

    monkeypatch.setattr(attendance_views, "_row", other_request_wins)
    response = world.client("manager").post(
        f"/mdt/{meeting.pk}/attendance/", {"form": "staff", "staff": f"staff:{sol.pk}"}
    )
    assert response.status_code == 400
    assert "Staff member: already recorded as attending" in response.content.decode()
    assert 'href="#staff"' in response.content.decode()
    assert Attendance.objects.filter(meeting=meeting, staff=sol).count() == 1
    monkeypatch.undo()
    # Guests have no staff record: two of them (even of the same name) are two rows.
    client = world.client("manager")
    for _ in range(2):
        assert client.post(f"/mdt/{meeting.pk}/attendance/", GUEST).status_code == 302
    assert Attendance.objects.filter(meeting=meeting, staff__isnull=True).count() == 2


def test_the_summary_has_a_length_limit(world: Workspace, scene: dict[str, Any]) -> None:
    meeting = scene["meeting"]
    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.save()
    client = world.client("manager")
    response = client.post(f"/mdt/{meeting.pk}/hold/", {"summary": "x" * 20_001})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#summary">Summary must be 20,000 characters or fewer</a>' in html
    meeting.refresh_from_db()
    assert (meeting.status, meeting.summary, meeting.held_at) == (
        Meeting.Status.SCHEDULED,
        "",
        None,
    )
    assert client.post(f"/mdt/{meeting.pk}/hold/", {"summary": "y" * 20_000}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and len(meeting.summary) == 20_000


GUEST = {"form": "guest", "guest_name": "A", "guest_profession": "B", "guest_organisation": "C"}


def held_meeting(world: Workspace, scene: dict[str, Any]) -> tuple[Meeting, AgendaItem]:
    """The scene's meeting, started an hour ago, with ada discussed and an action for Sol."""
    meeting = scene["meeting"]
    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.save()
    build_agenda(meeting)
    item = agenda_of(meeting)["p-ada"]
    client = world.client("manager")
    client.post(
        f"/mdt/item/{item.pk}/",
        {"form": "notes", "notes": "Lives alone", "decisions": "Daily calls for a week"},
    )
    client.post(
        f"/mdt/item/{item.pk}/",
        {
            "form": "action",
            "action_title": "Arrange daily calls",
            "action_owner": f"staff:{world.staff['social_worker'].pk}",
            **date_boxes("action_due", (scene["today"] + dt.timedelta(days=2))),
        },
    )
    client.post(
        f"/mdt/{meeting.pk}/attendance/",
        {"form": "staff", "staff": f"staff:{world.staff['nurse'].pk}"},
    )
    response = client.post(f"/mdt/{meeting.pk}/hold/", {"summary": "Four people discussed."})
    assert response.status_code == 302
    assert response["Location"] == f"/mdt/{meeting.pk}/summary/"
    meeting.refresh_from_db()
    return meeting, item


def test_holding_needs_a_summary_and_a_started_meeting(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]  # tomorrow
    local = timezone.localtime(meeting.starts_at)
    words = (
        f"This meeting starts at {local:%H:%M} on {long_date(local.date())}: "
        "you can record it once it has started"
    )
    client = world.client("manager")
    # Said before anyone types a summary: no form to type it in.
    page = client.get(f"/mdt/{meeting.pk}/hold/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<p id="not-started">{words}.</p>' in html
    assert 'name="summary"' not in html and "Mark the meeting held</button>" not in html
    # A POST all the same is refused in the same words, and changes nothing.
    early = client.post(f"/mdt/{meeting.pk}/hold/", {"summary": "Done"})
    assert early.status_code == 409
    assert f'<a href="#not-started">{words}</a>' in early.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.summary, meeting.held_at) == (
        Meeting.Status.SCHEDULED,
        "",
        None,
    )
    meeting.starts_at = timezone.now() - dt.timedelta(minutes=5)
    meeting.save()
    empty = client.post(f"/mdt/{meeting.pk}/hold/", {"summary": "  "})
    assert empty.status_code == 400
    assert "Enter a summary of the meeting" in empty.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.held_at is None


def test_summary_shows_attendees_decisions_actions_and_who_was_not_discussed(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting, _item = held_meeting(world, scene)
    assert meeting.status == Meeting.Status.HELD and meeting.held_at is not None
    assert meeting.summary == "Four people discussed."
    AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    before = AuditEvent.objects.count()
    client = world.client("nurse")
    response = client.get(f"/mdt/{meeting.pk}/summary/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Four people discussed." in html
    assert "Nia Hart" in html and "District nurse" in html
    assert "Daily calls for a week" in html
    assert "Arrange daily calls" in html
    assert "Sol Webb, Social worker, Casterbridge City Council" in html
    assert long_date(scene["today"] + dt.timedelta(days=2)) in html
    assert html.count("Not discussed") == 3  # bert, fay, dot
    viewed = AuditEvent.objects.filter(sequence__gt=before)
    assert set(viewed.values_list("action", flat=True)) == {AuditAction.VIEW}
    assert sorted(viewed.values_list("person_id", flat=True)) == sorted(agenda_of(meeting))


def test_a_held_meeting_is_read_only(world: Workspace, scene: dict[str, Any]) -> None:
    meeting, item = held_meeting(world, scene)
    client = world.client("manager")
    tasks_before = Task.objects.count()
    for url, data in (
        (f"/mdt/item/{item.pk}/", {"form": "notes", "notes": "changed", "decisions": ""}),
        (
            f"/mdt/item/{item.pk}/",
            {
                "form": "action",
                "action_title": "Late",
                "action_owner": "organisation:org-council",
                **date_boxes("action_due", scene["today"]),
            },
        ),
        (f"/mdt/{meeting.pk}/", {"action": "rebuild"}),
        (f"/mdt/{meeting.pk}/", {"action": "add", "nhs_number": world.people["cora"].nhs_number}),
        (
            f"/mdt/{meeting.pk}/attendance/",
            {
                "form": "guest",
                "guest_name": "A",
                "guest_profession": "B",
                "guest_organisation": "C",
            },
        ),
        (f"/mdt/{meeting.pk}/hold/", {"summary": "Rewritten"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 409, url
        assert "cannot be changed" in response.content.decode()
    item.refresh_from_db()
    meeting.refresh_from_db()
    assert item.notes == "Lives alone"
    assert meeting.summary == "Four people discussed."
    assert Task.objects.count() == tasks_before
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    assert not AgendaItem.objects.filter(meeting=meeting, person_id="p-cora").exists()
    page = client.get(f"/mdt/item/{item.pk}/").content.decode()
    assert "Save notes and decisions" not in page and "Lives alone" in page


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["outsider", "commissioner"])
def test_other_teams_and_commissioners_are_refused(
    world: Workspace, scene: dict[str, Any], key: str
) -> None:
    meeting = scene["meeting"]
    build_agenda(meeting)
    item = agenda_of(meeting)["p-ada"]
    client = world.client(key)
    for url in (
        "/mdt/team/t-north/",
        f"/mdt/{meeting.pk}/",
        f"/mdt/item/{item.pk}/",
        f"/mdt/{meeting.pk}/attendance/",
        f"/mdt/{meeting.pk}/hold/",
        f"/mdt/{meeting.pk}/summary/",
    ):
        assert client.get(url).status_code == 403, url
    refused = client.post(
        f"/mdt/item/{item.pk}/", {"form": "notes", "notes": "snooping", "decisions": ""}
    )
    assert refused.status_code == 403
    assert client.post("/mdt/team/t-north/", future_local()).status_code == 403
    item.refresh_from_db()
    assert item.notes == ""
    assert Meeting.objects.count() == 1
    assert not AuditEvent.objects.filter(username=key).exists()


def test_anonymous_is_sent_to_log_in(scene: dict[str, Any]) -> None:
    response = Client().get(f"/mdt/{scene['meeting'].pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_discharge_detail_hidden_from_social_care_under_an_objection(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]
    build_agenda(meeting)
    Consent.objects.create(
        person=world.people["ada"],
        kind=Consent.Kind.SHARING_OBJECTION,
        recorded_at=timezone.now(),
        recorded_by="gp",
    )
    detail = f"Discharged {day_month(scene['discharged'], meeting)}"
    council = world.client("social_worker").get(f"/mdt/{meeting.pk}/").content.decode()
    assert detail not in council and "Detail hidden" in council
    health = world.client("nurse").get(f"/mdt/{meeting.pk}/").content.decode()
    assert detail in health


# --- confirmations and the audit of holding ---------------------------------------------


def test_every_change_to_a_meeting_is_confirmed_once_by_a_message(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting = scene["meeting"]
    client = world.client("manager")
    agenda = f"/mdt/{meeting.pk}/"

    scheduled = client.post("/mdt/team/t-north/", {**future_local(2), "location": "Room 9"})
    assert scheduled.status_code == 302 and "?" not in scheduled["Location"]
    [said] = notices(client, scheduled["Location"])
    assert said.startswith("Meeting scheduled for ") and "on its agenda." in said

    rebuilt = client.post(agenda, {"action": "rebuild"})
    assert rebuilt["Location"] == agenda  # not said through the address
    said = notices(client, agenda)
    count = len(agenda_of(meeting))
    assert count > 1 and said == [
        f"Agenda rebuilt: {count} people added. Notes already written are kept."
    ]
    assert notices(client, agenda) == []  # shown once

    cora = world.people["cora"]
    added = client.post(agenda, {"action": "add", "nhs_number": cora.nhs_number})
    item = AgendaItem.objects.get(meeting=meeting, person=cora)
    assert added["Location"] == f"{agenda}#item-{item.pk}"
    assert notices(client, agenda) == ["Person added to the agenda."]

    page = f"/mdt/item/{item.pk}/"
    client.post(page, {"form": "notes", "notes": "Lives alone", "decisions": ""})
    assert notices(client, page) == ["Notes and decisions saved."]
    client.post(
        page,
        {
            "form": "action",
            "action_title": "Call her daughter",
            "action_owner": f"staff:{world.staff['nurse'].pk}",
            **date_boxes("action_due", scene["today"]),
        },
    )
    assert notices(client, page) == ["Action added: it is now a task of the team."]

    attendance = f"/mdt/{meeting.pk}/attendance/"
    client.post(attendance, {"form": "staff", "staff": f"staff:{world.staff['nurse'].pk}"})
    assert notices(client, attendance) == ["Nia Hart recorded as attending."]
    row = Attendance.objects.get(meeting=meeting)
    client.post(attendance, {"remove": str(row.pk)})
    assert notices(client, attendance) == ["Nia Hart taken off the attendance."]

    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.save()
    held = client.post(f"/mdt/{meeting.pk}/hold/", {"summary": "Done."})
    assert held["Location"] == f"/mdt/{meeting.pk}/summary/"
    assert notices(client, held["Location"]) == [
        "Meeting marked held: its agenda, notes and actions are its record now."
    ]


def test_holding_a_meeting_is_audited_for_everyone_on_its_agenda(
    world: Workspace, scene: dict[str, Any]
) -> None:
    meeting, _item = held_meeting(world, scene)
    events = AuditEvent.objects.filter(what=f"mdt meeting {meeting.pk}: held")
    assert {(e.action, e.username) for e in events} == {(AuditAction.UPDATE, "manager")}
    assert sorted(events.values_list("person_id", flat=True)) == sorted(agenda_of(meeting))


def test_holding_a_meeting_with_no_one_on_it_is_audited_once(world: Workspace) -> None:
    meeting = Meeting.objects.create(
        team=world.north,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        created_at=timezone.now(),
        created_by="manager",
    )
    client = world.client("manager")
    assert client.post(f"/mdt/{meeting.pk}/hold/", {"summary": "Nobody."}).status_code == 302
    [event] = AuditEvent.objects.filter(what=f"mdt meeting {meeting.pk}: held")
    assert (event.action, event.person_id, event.username) == (AuditAction.UPDATE, None, "manager")


def test_no_page_confirms_through_its_address() -> None:
    """Confirmations are Django messages: no view redirects with ?saved=, ?added= and the
    like, and no template reads them back."""
    root = pathlib.Path(__file__).parents[2] / "src" / "joinedup"
    said = "saved|added|rebuilt|recorded|created|closed"
    pattern = re.compile(rf"\?({said})=|GET\.get\(\"({said})\"")
    apps = ("mdt", "transfers", "careplans", "tasks", "people", "accounts", "notifications", "web")
    found = [
        str(path.relative_to(root))
        for app in apps
        for path in (root / app).rglob("*")
        if path.suffix in {".py", ".jinja"} and pattern.search(path.read_text())
    ]
    assert found == []
