"""The transfer of care hub's board and a stay's page, through Django's test client.

On the small partnership of tests/workspace_world.py plus a discharge coordinator (acute
trust) and a social care broker (council). Covers: the board's rows, order, summary and
every filter against a direct count from the database, with a fixed number of queries
whatever the rows; unknown filters refused on the page; escalation flags; the day the
board describes when the hospital data stop; saving a plan (spell, stay, history and
audit together), a stale form's 409 naming who changed it (also with two saves racing),
every validation problem naming its field with nothing saved; what brokers and managers
may do; actions that become owned tasks; the 403s; the audit of every person listed and
every view and change; and what a person's objection to sharing hides from the other side.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clock import clock_at
from date_boxes import date_boxes, typed_boxes
from joinedup.access.models import AuditAction, AuditEvent, Consent, Profession, StaffMember
from joinedup.formatting import long_date
from joinedup.record.models import HospitalSpell, Person
from joinedup.tasks.models import Task
from joinedup.tasks.owners import UNRELATED_OWNER
from joinedup.transfers import board as board_module
from joinedup.transfers.board import ESCALATIONS, PAGE_SIZE
from joinedup.transfers.models import Action, PlanChange, Stay
from joinedup.transfers.plan_words import DELAY_REASON_WORDS
from racing import at_once
from workspace_world import Workspace, add_person, add_staff, build_workspace

# The board through the ORM; the save race and NUL characters run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

MOMENT = timezone.now()  # every test's clock starts here: one date throughout
TODAY = timezone.localdate(MOMENT)
_clock = clock_at(MOMENT)
BOARD = "/transfers/"
LONG = "9" * 5000
ROW = re.compile(r'<tr class="nhsuk-table__row" id="stay-([^"]+)" data-person="([^"]+)"')


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def world() -> Workspace:
    world = build_workspace()
    add_staff(world, "coordinator", Profession.DISCHARGE_COORDINATOR, "acute", "Dee", "Charge")
    add_staff(world, "coordinator2", Profession.DISCHARGE_COORDINATOR, "acute", "Col", "Ward")
    add_staff(world, "broker", Profession.SOCIAL_CARE_BROKER, "council", "Bea", "Broker")
    return world


def spell(
    person: Person,
    sid: str,
    admitted: dt.date,
    *,
    ready: dt.date | None = None,
    reason: str | None = None,
    responsibility: str | None = None,
    pathway: int | None = None,
    discharged: dt.date | None = None,
) -> HospitalSpell:
    return HospitalSpell.objects.create(
        id=sid,
        person=person,
        admission_date=admitted,
        admission_method="emergency",
        primary_diagnosis="I63.9",
        acsc=False,
        fall=False,
        ready_for_discharge_date=ready,
        delay_reason=reason,
        delay_responsibility=responsibility,
        discharge_pathway=pathway,
        discharge_date=discharged,
    )


@pytest.fixture
def ward(world: Workspace) -> dict[str, HospitalSpell]:
    """People in hospital today (and some not): one admitted today, so the board is today's.

    ada: 30 days in, ready 25 days ago (awaiting a care home, social care), pathway 3.
    bert: 20 days in, ready 14 days ago (care package, both), pathway 1 (from the stay).
    cora: 10 days in, ready 7 days ago (assessment, NHS), no pathway.
    dot: 12 days in, ready 6 days ago (care package), pathway 1.
    eli (Southmead): 8 days in, not ready.
    fay: admitted today, not ready. gil: discharged yesterday (not listed).
    hal: ready in 3 days' time (not delayed yet). ada also has an old discharged spell.
    """
    people = world.people
    add_person(world, "fay", 60000)
    add_person(world, "gil", 61000)
    add_person(world, "hal", 62000, place="n-south")
    spells = {
        "ada": spell(people["ada"], "s-ada", days_ago(30), ready=days_ago(25),
                     reason="awaiting_residential_home", responsibility="social_care", pathway=3),
        "bert": spell(people["bert"], "s-bert", days_ago(20), ready=days_ago(14),
                      reason="awaiting_care_package", responsibility="both"),
        "cora": spell(people["cora"], "s-cora", days_ago(10), ready=days_ago(7),
                      reason="awaiting_assessment", responsibility="nhs"),
        "dot": spell(people["dot"], "s-dot", days_ago(12), ready=days_ago(6),
                     reason="awaiting_care_package", responsibility="social_care", pathway=1),
        "eli": spell(people["eli"], "s-eli", days_ago(8)),
        "fay": spell(people["fay"], "s-fay", TODAY),
        "gil": spell(people["gil"], "s-gil", days_ago(9), ready=days_ago(3),
                     discharged=days_ago(1), reason="awaiting_care_package", pathway=1),
        "hal": spell(people["hal"], "s-hal", days_ago(5), ready=TODAY + dt.timedelta(days=3)),
        "ada-old": spell(people["ada"], "s-ada-old", days_ago(400), ready=days_ago(395),
                         discharged=days_ago(390)),
    }  # fmt: skip
    Stay.objects.create(
        spell=spells["bert"], ward="Ward 7", expected_discharge_date=days_ago(2),
        proposed_pathway=1, updated_at=timezone.now(), updated_by="coordinator",
    )  # fmt: skip
    Stay.objects.create(  # the stay's "not set" wins over the hospital's pathway
        spell=spells["dot"], ward="Ward 9", proposed_pathway=None,
        updated_at=timezone.now(), updated_by="coordinator",
    )  # fmt: skip
    return spells


def listed(response: Any) -> list[str]:
    return [m.group(1) for m in ROW.finditer(response.content.decode())]


def text(response: Any) -> str:
    """The page's text with tags and runs of spaces removed, for reading messages."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body).replace("&#39;", "'")


def audited(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=before).order_by("sequence"))


def last_sequence() -> int:
    event = AuditEvent.objects.order_by("-sequence").first()
    return event.sequence if event else 0


# --- the board's rows, order, filters and summary ---------------------------------------


def effective_pathway(s: HospitalSpell) -> int | None:
    stay = Stay.objects.filter(pk=s.pk).first()
    return stay.proposed_pathway if stay is not None else s.discharge_pathway


def direct(
    day: dt.date, neighbourhood: str = "", pathway: str = "", reason: str = ""
) -> list[HospitalSpell]:
    """The board's spells worked out another way: every spell read, tested one by one."""
    chosen = []
    for s in HospitalSpell.objects.select_related("person").order_by("pk"):
        if s.discharge_date is not None or s.admission_date > day:
            continue
        if neighbourhood and s.person.neighbourhood_id != neighbourhood:
            continue
        wanted_pathway = effective_pathway(s)
        if pathway == "none" and wanted_pathway is not None:
            continue
        if pathway not in ("", "none") and wanted_pathway != int(pathway):
            continue
        if reason == "none" and s.delay_reason is not None:
            continue
        if reason not in ("", "none") and s.delay_reason != reason:
            continue
        chosen.append(s)

    def delayed(s: HospitalSpell) -> int:
        ready = s.ready_for_discharge_date
        return (day - ready).days if ready is not None and ready <= day else -1

    return sorted(chosen, key=lambda s: (-delayed(s), -(day - s.admission_date).days, s.pk))


FILTERS = [
    {},
    {"neighbourhood": "n-north"},
    {"neighbourhood": "n-south"},
    *({"pathway": p} for p in ("0", "1", "2", "3", "none")),
    *({"reason": r} for r in (*DELAY_REASON_WORDS, "none")),
    {"neighbourhood": "n-north", "pathway": "1", "reason": "awaiting_care_package"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(f.values()) or "all")
def test_rows_order_and_summary_equal_a_direct_count(
    world: Workspace, ward: dict[str, HospitalSpell], filters: dict[str, str]
) -> None:
    response = world.client("coordinator").get(BOARD, filters)
    assert response.status_code == 200
    expected = direct(TODAY, **filters)
    assert listed(response) == [s.pk for s in expected]
    delayed = [
        s
        for s in expected
        if s.ready_for_discharge_date is not None and s.ready_for_discharge_date <= TODAY
    ]
    days = sum((TODAY - s.ready_for_discharge_date).days for s in delayed)  # type: ignore[operator]
    page = text(response)
    people = "person" if len(expected) == 1 else "people"
    assert (
        f"{len(expected)} {people} in hospital{' (filtered)' if filters else ''}; "
        f"{len(delayed)} delayed (no longer meeting the criteria to reside); {days} delayed "
        f"{'day' if days == 1 else 'days'} in total" in page
    )
    if not expected:
        assert "No one in hospital matches these filters." in page


def test_the_board_shows_the_plan_in_words_and_never_the_diagnosis(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    response = world.client("coordinator").get(BOARD)
    page = response.content.decode()
    assert "I63" not in page  # the primary diagnosis, on every spell
    row = page[page.index('id="stay-s-bert"') :]
    row = row[: row.index("</tr>")]
    for shown in (
        "Bertram Oakes", "Northgate", "Ward 7", "20 days in hospital",
        long_date(days_ago(2)), long_date(days_ago(14)), "Pathway 1: home with support",
        "Awaiting a care package at home", "Both NHS and social care", "None open",
    ):  # fmt: skip
        assert shown in row, shown
    assert re.search(r">\s*14\s*<", row)  # days delayed
    dot = page[page.index('id="stay-s-dot"') :]
    assert "Not set" in dot[: dot.index("</tr>")]  # the stay's pathway, not the hospital's


def test_the_board_pages_fifty_at_a_time_in_a_fixed_number_of_queries(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    coordinator = world.client("coordinator")
    coordinator.get(BOARD)  # warm the session and the content types
    with CaptureQueriesContext(connection) as few:
        coordinator.get(BOARD)
    people = [
        Person(
            id=f"p-many-{n}", birth_date=dt.date(1940, 1, 1), neighbourhood_id="n-north",
            practice=world.practice, lives_alone=False, has_unpaid_carer=False,
            registered_from=dt.date(2019, 4, 1), given_name=f"Many{n}", family_name="Tester",
        )
        for n in range(60)
    ]  # fmt: skip
    Person.objects.bulk_create(people)
    for n, person in enumerate(people):
        spell(person, f"s-many-{n:02d}", days_ago(40 + n), ready=days_ago(30 + n))
        if n % 3 == 0:
            Action.objects.create(
                spell_id=f"s-many-{n:02d}",
                task=Task.objects.create(
                    title="Chase", person=person, owner_organisation=world.organisations["council"],
                    due=TODAY + dt.timedelta(days=n), created_at=timezone.now(),
                    created_by="coordinator",
                ),
            )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        first = coordinator.get(BOARD)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    second = coordinator.get(BOARD, {"page": "2"})
    expected = [s.pk for s in direct(TODAY)]
    assert len(expected) == 67
    assert listed(first) == expected[:PAGE_SIZE] and listed(second) == expected[PAGE_SIZE:]
    assert "People 51 to 67 of 67" in text(second)
    assert listed(coordinator.get(BOARD, {"page": "nonsense"})) == expected[:PAGE_SIZE]
    assert listed(coordinator.get(BOARD, {"page": "99"})) == expected[PAGE_SIZE:]
    # s-many-57, second longest delayed, has an open action due in 57 days
    row = first.content.decode()
    row = row[row.index('id="stay-s-many-57"') :]
    row = row[: row.index("</tr>")]
    assert "1 open" in row and long_date(TODAY + dt.timedelta(days=57)) in row


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"neighbourhood": "n-nowhere"}, "neighbourhood", "Neighbourhood: choose one"),
        ({"pathway": "7"}, "pathway", "Pathway: choose pathway 0, 1, 2 or 3"),
        ({"pathway": "one"}, "pathway", "Pathway: choose pathway 0, 1, 2 or 3"),
        ({"reason": "waiting"}, "reason", "Delay reason: choose a reason"),
        ({"neighbourhood": "n-north\x00"}, "neighbourhood", "Neighbourhood: choose one"),
    ],
)
@pytest.mark.both_databases
def test_an_unknown_filter_is_a_clear_error_on_the_page(
    world: Workspace, ward: dict[str, HospitalSpell], query: dict[str, str], field: str,
    message: str,
) -> None:  # fmt: skip
    before = last_sequence()
    response = world.client("coordinator").get(BOARD, query)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#{field}"' in page and message in page
    assert 'id="not-shown"' in page and listed(response) == []
    assert audited(before) == []  # no one was shown


def test_escalation_flags_and_their_thresholds_are_on_the_board(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    response = world.client("coordinator").get(BOARD)
    page = response.content.decode()

    def flag(sid: str) -> str:
        row = page[page.index(f'id="stay-{sid}"') :]
        row = row[: row.index("</tr>")]
        found = re.findall(r'<strong class="nhsuk-tag [^"]+">\s*([^<]+?)\s*</strong>', row)
        return found[0] if found else ""

    assert flag("s-ada") == "Long delay"  # 25 days
    assert flag("s-bert") == "Escalate to the directors"  # 14
    assert flag("s-cora") == "Escalate to the hub manager"  # 7
    assert flag("s-dot") == ""  # 6
    assert flag("s-hal") == "" and flag("s-fay") == ""
    rules = text(response)
    for rule in ESCALATIONS:
        assert f"{rule.days} days delayed or more: escalate to {rule.to} (1 now)" in rules
    assert board_module.escalation(6) is None and board_module.escalation(7) == ESCALATIONS[2]
    assert board_module.escalation(13) == ESCALATIONS[2]
    assert board_module.escalation(20) == ESCALATIONS[1]
    assert board_module.escalation(21) == ESCALATIONS[0]


def test_the_board_says_when_the_hospital_data_end(world: Workspace) -> None:
    last = days_ago(40)
    spell(world.people["ada"], "s-ada", days_ago(50), ready=days_ago(45))
    spell(world.people["bert"], "s-bert", last)
    response = world.client("coordinator").get(BOARD)
    page = text(response)
    assert f"in hospital on {long_date(last)}" in page
    assert f"The hospital data end on {long_date(last)}" in page
    assert "10 days in hospital" in page  # counted to the last admission, not to today
    assert "2 people in hospital; 1 delayed" in page and "5 delayed days in total" in page
    spell(world.people["cora"], "s-cora", TODAY)
    assert "The hospital data end" not in text(world.client("coordinator").get(BOARD))


# --- access, audit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["nurse", "gp", "social_worker", "spa", "commissioner", "navigator", "ucr_nurse"]
)
def test_everyone_but_the_hub_gets_403(
    world: Workspace, ward: dict[str, HospitalSpell], who: str
) -> None:
    before = last_sequence()
    someone = world.client(who)
    assert someone.get(BOARD).status_code == 403
    assert someone.get("/transfers/stay/s-ada/").status_code == 403
    assert someone.post("/transfers/stay/s-ada/", {"form": "plan"}).status_code == 403
    assert audited(before) == []
    assert Client().get(BOARD).status_code == 302  # not logged in: to the login page


def test_the_board_audits_exactly_the_people_listed(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    before = last_sequence()
    response = world.client("broker").get(BOARD, {"neighbourhood": "n-north"})
    events = audited(before)
    assert [e.person_id for e in events] == [
        m.group(2) for m in ROW.finditer(response.content.decode())
    ]
    assert {(e.action, e.what, e.username) for e in events} == {
        (AuditAction.VIEW, "transfer of care board", "broker")
    }
    assert "p-eli" not in {e.person_id for e in events}  # Southmead: filtered out


def test_a_team_manager_reads_the_board_and_stays_but_changes_nothing(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    manager = world.client("manager")
    assert listed(manager.get(BOARD)) == [s.pk for s in direct(TODAY)]
    page = manager.get("/transfers/stay/s-bert/")
    assert page.status_code == 200 and 'id="plan"' not in page.content.decode()
    assert "You can read this plan" in text(page)
    assert 'id="add-action"' not in page.content.decode()
    refused = manager.post(
        "/transfers/stay/s-bert/", {"form": "plan", "version": "1", "ward": "Ward 1"}
    )
    assert refused.status_code == 403 and Stay.objects.get(pk="s-bert").ward == "Ward 7"


def test_the_hub_lands_on_the_board_with_it_in_the_menu(world: Workspace) -> None:
    for who in ("coordinator", "broker"):
        assert world.client(who).get("/workspace/")["Location"] == BOARD
    for who in ("coordinator", "broker", "manager"):
        assert "Transfer of care hub" in world.client(who).get(BOARD).content.decode()
    assert "Transfer of care hub" not in world.client("nurse").get("/tasks/").content.decode()


@pytest.mark.both_databases
def test_a_stay_outside_the_board_is_not_found(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    coordinator = world.client("coordinator")
    assert coordinator.get("/transfers/stay/s-nothing/").status_code == 404
    assert coordinator.get("/transfers/stay/s-ada%00/").status_code == 404
    assert coordinator.get("/transfers/stay/s-ada-old/").status_code == 404  # long discharged
    assert coordinator.get("/transfers/stay/s-gil/").status_code == 200  # yesterday: still open


# --- the stay's plan --------------------------------------------------------------------


def plan_dates(expected: dt.date | None, ready: dt.date | None) -> dict[str, str]:
    """The plan's two date inputs as a coordinator fills them (None: left blank)."""
    boxes: dict[str, str] = {}
    for prefix, date in (
        ("expected_discharge_date", expected),
        ("ready_for_discharge_date", ready),
    ):
        boxes |= date_boxes(prefix, date) if date else typed_boxes(prefix, "", "", "")
    return boxes


def plan_form(**changes: str) -> dict[str, str]:
    form = {
        "form": "plan",
        "version": "0",
        "ward": "Ward 12",
        **plan_dates(days_ago(-2), days_ago(3)),
        "proposed_pathway": "1",
        "delay_reason": "awaiting_care_package",
        "delay_responsibility": "social_care",
        "note": "Package requested from brokerage",
    }
    return {**form, **changes}


def test_saving_a_plan_writes_spell_stay_history_and_audit_together(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    assert not Stay.objects.filter(pk="s-cora").exists()  # as loaded from a lake
    coordinator = world.client("coordinator")
    page = coordinator.get("/transfers/stay/s-cora/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="version" value="0"' in body
    assert 'href="/transfers/stay/s-cora/discharge/"' in body  # coordinators record discharges
    for shown in ("Cora Penhallow", "NHS number", "Date of birth", "3 December 1951"):
        assert shown in body
    # the caption says when the stay began, never the stay's id
    assert "Transfer of care hub: in hospital from " in body and "s-cora</" not in body
    assert "stay s-cora" not in body.lower()
    assert "I63" not in body
    before = last_sequence()
    response = coordinator.post("/transfers/stay/s-cora/", plan_form())
    assert response.status_code == 302
    assert response["Location"] == "/transfers/stay/s-cora/"
    stay = Stay.objects.get(pk="s-cora")
    assert (stay.version, stay.ward, stay.proposed_pathway, stay.updated_by) == (
        1, "Ward 12", 1, "coordinator",
    )  # fmt: skip
    assert stay.expected_discharge_date == days_ago(-2)
    spell_now = HospitalSpell.objects.get(pk="s-cora")
    assert spell_now.ready_for_discharge_date == days_ago(3)
    assert (spell_now.delay_reason, spell_now.delay_responsibility) == (
        "awaiting_care_package", "social_care",
    )  # fmt: skip
    change = PlanChange.objects.get(spell_id="s-cora")
    assert (change.changed_by, change.delay_reason, change.note) == (
        "coordinator", "awaiting_care_package", "Package requested from brokerage",
    )  # fmt: skip
    events = audited(before)
    assert [(e.action, e.person_id) for e in events] == [(AuditAction.UPDATE, "p-cora")]
    assert "s-cora" in events[0].what
    # the next version, then the history: both changes, latest first, with who
    second = coordinator.post(
        "/transfers/stay/s-cora/",
        plan_form(version="1", delay_reason="awaiting_nursing_home", delay_responsibility="both",
                  note=""),
    )  # fmt: skip
    assert second.status_code == 302 and Stay.objects.get(pk="s-cora").version == 2
    shown = coordinator.get("/transfers/stay/s-cora/")
    history = shown.content.decode()
    history = history[history.index('id="history"') :]
    assert history.index("Awaiting a nursing home place") < history.index(
        "Awaiting a care package at home"
    )
    assert history.count("Dee Charge, Discharge coordinator") == 2
    assert "The discharge plan is saved." in text(shown)
    assert "The discharge plan is saved." not in text(coordinator.get("/transfers/stay/s-cora/"))
    assert PlanChange.objects.filter(spell_id="s-cora").count() == 2
    # the board shows the new plan
    board = world.client("coordinator").get(BOARD, {"reason": "awaiting_nursing_home"})
    assert listed(board) == ["s-cora"] and "Ward 12" in board.content.decode()


def test_saving_the_plan_unchanged_writes_nothing(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    coordinator = world.client("coordinator")
    unchanged = {
        "form": "plan", "version": "1", "ward": "Ward 7",
        **plan_dates(days_ago(2), days_ago(14)), "proposed_pathway": "1",
        "delay_reason": "awaiting_care_package", "delay_responsibility": "both",
    }  # fmt: skip
    before = last_sequence()
    response = coordinator.post("/transfers/stay/s-bert/", unchanged)
    assert response["Location"] == "/transfers/stay/s-bert/"
    assert Stay.objects.get(pk="s-bert").version == 1 and not PlanChange.objects.exists()
    assert audited(before) == []
    assert "Nothing to save: the plan is as it was." in text(coordinator.get(response["Location"]))


def test_a_stale_form_gets_a_409_naming_who_changed_the_plan(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    first = world.client("coordinator2").post(
        "/transfers/stay/s-bert/", plan_form(version="1", ward="Ward 3")
    )
    assert first.status_code == 302
    before = last_sequence()
    second = world.client("coordinator").post(
        "/transfers/stay/s-bert/", plan_form(version="1", ward="Ward 5", note="mine")
    )
    assert second.status_code == 409
    page = text(second)
    saved_at = Stay.objects.get(pk="s-bert").updated_at
    assert "Someone else changed this plan first" in page
    assert "Col Ward, Discharge coordinator" in page
    assert timezone.localtime(saved_at).strftime("%H:%M") in page
    theirs = second.content.decode()
    assert "Ward 3" in theirs[theirs.index('id="theirs-plan"') : theirs.index('id="mine"')]
    assert "Ward 5" in theirs[theirs.index('id="mine-plan"') :]
    assert 'name="version" value="2"' in theirs  # the form now starts from the latest
    stay = Stay.objects.get(pk="s-bert")
    assert (stay.version, stay.ward, stay.updated_by) == (2, "Ward 3", "coordinator2")
    assert PlanChange.objects.filter(spell_id="s-bert").count() == 1
    assert [e.action for e in audited(before)] == [AuditAction.VIEW]  # the page, no change


def test_a_stale_form_from_before_the_stay_existed_is_a_conflict_too(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    first = world.client("coordinator2").post("/transfers/stay/s-cora/", plan_form(ward="Ward 3"))
    assert first.status_code == 302
    second = world.client("coordinator").post("/transfers/stay/s-cora/", plan_form(ward="Ward 5"))
    assert second.status_code == 409 and "Col Ward" in text(second)
    assert Stay.objects.get(pk="s-cora").ward == "Ward 3"


@pytest.mark.django_db(transaction=True)
@pytest.mark.both_databases
def test_two_saves_racing_from_one_version_let_exactly_one_in(committed_audit: None) -> None:
    """Two coordinators save from the same (lake) version at once: one 302, one 409."""
    world = build_workspace()
    for key in ("coordinator", "coordinator2"):
        user = get_user_model().objects.create(username=key, first_name=key, last_name="X")
        world.staff[key] = StaffMember.objects.create(
            user=user, profession=Profession.DISCHARGE_COORDINATOR,
            organisation=world.organisations["acute"],
        )  # fmt: skip
    spell(world.people["cora"], "s-cora", days_ago(10))
    spell(world.people["ada"], "s-ada", TODAY)  # the board's day is today
    clients = {key: world.client(key) for key in ("coordinator", "coordinator2")}

    def save(key: str) -> int:
        response = clients[key].post("/transfers/stay/s-cora/", plan_form(ward=f"Ward of {key}"))
        return int(response.status_code)

    statuses = dict(zip(clients, at_once(save, list(clients)), strict=True))
    assert sorted(statuses.values()) == [302, 409]
    winner = next(k for k, status in statuses.items() if status == 302)
    stay = Stay.objects.get(pk="s-cora")
    assert (stay.version, stay.ward, stay.updated_by) == (1, f"Ward of {winner}", winner)
    assert list(PlanChange.objects.values_list("changed_by", flat=True)) == [winner]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


BAD_PLANS = [
    (date_boxes("ready_for_discharge_date", days_ago(11)), "ready_for_discharge_date-day",
     f"Discharge ready date must be on or after the admission date, {long_date(days_ago(10))}"),
    (date_boxes("ready_for_discharge_date", days_ago(-1)), "ready_for_discharge_date-day",
     f"Discharge ready date must be on or before {long_date(TODAY)}"),
    (typed_boxes("ready_for_discharge_date", "31", "2", "2025"), "ready_for_discharge_date-day",
     "The discharge ready date must be a real date, like 27 3 2025"),
    (typed_boxes("ready_for_discharge_date", "3", "", str(TODAY.year)),
     "ready_for_discharge_date-day", "The discharge ready date must include a month"),
    (date_boxes("expected_discharge_date", days_ago(12)), "expected_discharge_date-day",
     "Expected date of discharge must be on or after the admission date"),
    (typed_boxes("expected_discharge_date", "soon", "", ""), "expected_discharge_date-day",
     "The expected date of discharge must include a month"),
    (typed_boxes("expected_discharge_date", "30", "2", str(TODAY.year)),
     "expected_discharge_date-day", "The expected date of discharge must be a real date"),
    (typed_boxes("expected_discharge_date", "14", "3", "25"), "expected_discharge_date-day",
     "The expected date of discharge must be a real date, like 27 3 2025"),
    ({"proposed_pathway": "4"}, "proposed_pathway",
     "Proposed pathway: choose pathway 0, 1, 2 or 3"),
    ({"proposed_pathway": "one"}, "proposed_pathway", "Proposed pathway: choose"),
    ({"delay_reason": "waiting_for_godot"}, "delay_reason", "Delay reason: choose a reason"),
    ({"delay_responsibility": "council"}, "delay_responsibility",
     "Responsible for the delay: choose NHS, social care or both"),
    (typed_boxes("ready_for_discharge_date", "", "", ""), "delay_reason",
     "Delay reason needs a discharge ready date"),
    ({"delay_reason": ""}, "delay_responsibility",
     "Responsible for the delay needs a delay reason"),
    ({"ward": "W" * 101}, "ward", "Ward must be 100 characters or fewer"),
    ({"note": "n" * 2001}, "note", "Note must be 2,000 characters or fewer"),
    ({"version": "latest"}, "plan", "This form is out of date"),
    ({"ward": "Ward\x00 7"}, "ward", "Ward: remove the NUL character"),
    ({"note": "\x00"}, "note", "Note: remove the NUL character"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field", "message"), BAD_PLANS)
@pytest.mark.both_databases
def test_every_problem_names_its_field_and_saves_nothing(
    world: Workspace, ward: dict[str, HospitalSpell], changes: dict[str, str], field: str,
    message: str,
) -> None:  # fmt: skip
    before_spell = HospitalSpell.objects.filter(pk="s-cora").values().get()
    before = last_sequence()
    response = world.client("coordinator").post("/transfers/stay/s-cora/", plan_form(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<a href="#{field}">{message}' in page.replace("&#39;", "'")
    if field != "plan":  # the message beside the field (a date input's, beside its boxes)
        assert f'id="{field.removesuffix("-day")}-error"' in page
        assert f'id="{field}"' in page  # the link lands on the field
    for name, typed in changes.items():  # a date's boxes show back what was typed
        if name.endswith(("_day", "_month", "_year")) and typed:
            assert re.search(rf'name="{name}"[^>]*value="{typed}"', page), name
    assert HospitalSpell.objects.filter(pk="s-cora").values().get() == before_spell
    assert not Stay.objects.filter(pk="s-cora").exists()
    assert not PlanChange.objects.exists()
    assert [e.action for e in audited(before)] == [AuditAction.VIEW]


def test_a_broker_sets_the_reason_and_responsibility_only(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    broker = world.client("broker")
    page = broker.get("/transfers/stay/s-bert/").content.decode()
    assert 'name="delay_reason"' in page and 'name="delay_responsibility"' in page
    assert 'name="ward"' not in page and 'name="ready_for_discharge_date' not in page
    assert 'id="broker-scope"' in page and 'id="discharge-link"' not in page
    response = broker.post(
        "/transfers/stay/s-bert/",
        plan_form(version="1", ward="Broker's ward",
                  **date_boxes("ready_for_discharge_date", days_ago(1)), proposed_pathway="3",
                  delay_reason="awaiting_public_funding",
                  delay_responsibility="social_care", note="Funding panel on Friday"),
    )  # fmt: skip
    assert response.status_code == 302
    stay = Stay.objects.get(pk="s-bert")
    spell_now = HospitalSpell.objects.get(pk="s-bert")
    assert (stay.ward, stay.proposed_pathway, spell_now.ready_for_discharge_date) == (
        "Ward 7", 1, days_ago(14),
    )  # fmt: skip
    assert (spell_now.delay_reason, spell_now.delay_responsibility) == (
        "awaiting_public_funding", "social_care",
    )  # fmt: skip
    # a reason for someone not yet ready is refused, naming the reason
    refused = broker.post(
        "/transfers/stay/s-eli/", plan_form(delay_reason="housing", delay_responsibility="")
    )
    assert refused.status_code == 400
    assert "Delay reason needs a discharge ready date" in text(refused)
    assert HospitalSpell.objects.get(pk="s-eli").delay_reason is None


def test_a_discharge_while_the_form_is_open_refuses_the_save(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    HospitalSpell.objects.filter(pk="s-cora").update(
        discharge_date=TODAY, discharge_destination="usual_residence", discharge_pathway=0
    )
    response = world.client("coordinator").post("/transfers/stay/s-cora/", plan_form())
    assert response.status_code == 409
    assert f"was discharged on {long_date(TODAY)}" in text(response)
    assert not Stay.objects.filter(pk="s-cora").exists() and not PlanChange.objects.exists()
    assert HospitalSpell.objects.get(pk="s-cora").delay_reason == "awaiting_assessment"


# --- actions --------------------------------------------------------------------------


def action_form(owner: str, due: dt.date, title: str = "Chase the care package") -> dict[str, str]:
    return {"form": "action", "action_title": title, "action_owner": owner,
            **date_boxes("action_due", due)}  # fmt: skip


@pytest.mark.both_databases
def test_actions_become_owned_tasks_listed_on_the_stay_and_the_board(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    coordinator = world.client("coordinator")
    staff = world.staff
    before = last_sequence()
    for owner, title in (
        (f"staff:{staff['nurse'].pk}", "Check the district nurse can visit"),  # Northgate's team
        (f"staff:{staff['broker'].pk}", "Source the package"),  # the hub
        ("organisation:org-council", "Funding decision"),
    ):
        response = coordinator.post(
            "/transfers/stay/s-bert/", action_form(owner, TODAY + dt.timedelta(days=2), title)
        )
        assert response.status_code == 302 and response["Location"] == "/transfers/stay/s-bert/"
    tasks = {t.title: t for t in Task.objects.filter(hub_action__spell_id="s-bert")}
    assert len(tasks) == 3
    for task in tasks.values():
        assert (task.origin, task.person_id, task.status) == (
            "Transfer of care hub", "p-bert", "open",
        )  # fmt: skip
    assert tasks["Check the district nurse can visit"].team == world.north
    assert tasks["Source the package"].team is None
    assert tasks["Source the package"].owner_staff == staff["broker"]
    assert tasks["Funding decision"].owner_organisation_id == "org-council"
    assert tasks["Funding decision"].team is None
    events = audited(before)
    assert [(e.action, e.person_id) for e in events] == [(AuditAction.CREATE, "p-bert")] * 3
    # an owner with no reason to see bert: refused, naming the owner, nothing made
    refused = coordinator.post(
        "/transfers/stay/s-bert/",
        action_form(f"staff:{staff['outsider'].pk}", TODAY + dt.timedelta(days=2)),
    )
    assert refused.status_code == 400 and UNRELATED_OWNER in text(refused)
    bad = coordinator.post("/transfers/stay/s-bert/", action_form("", days_ago(1), title=""))
    page = text(bad)
    assert bad.status_code == 400 and "Enter a title" in page and "Owner: choose" in page
    assert "The due date must be today or later" in page
    nul = coordinator.post(
        "/transfers/stay/s-bert/", action_form("organisation:org-council", TODAY, "Chase\x00")
    )
    assert nul.status_code == 400 and "Title: remove the NUL character" in text(nul)
    nul = coordinator.post("/transfers/stay/s-bert/", action_form("organisation:\x00", TODAY))
    assert nul.status_code == 400 and "Owner: remove the NUL character" in text(nul)
    assert Task.objects.filter(hub_action__spell_id="s-bert").count() == 3
    # overdue flagged; the broker's own task list has hers
    Task.objects.filter(pk=tasks["Funding decision"].pk).update(due=days_ago(1))
    page = world.client("coordinator").get("/transfers/stay/s-bert/").content.decode()
    funding = page[page.index(f'id="action-{tasks["Funding decision"].pk}"') :]
    assert "Overdue" in funding[: funding.index("</tr>")]
    assert "Source the package" in world.client("broker").get("/tasks/").content.decode()
    board = world.client("coordinator").get(BOARD).content.decode()
    row = board[board.index('id="stay-s-bert"') :]
    assert "3 open" in row[: row.index("</tr>")] and long_date(days_ago(1)) in row
    # the broker closes one from the stay's page: done, with who and when
    before = last_sequence()
    closed = world.client("broker").post(
        "/transfers/stay/s-bert/",
        {"form": "close", "task": str(tasks["Funding decision"].pk), "outcome": "done"},
    )
    assert closed.status_code == 302
    done = Task.objects.get(pk=tasks["Funding decision"].pk)
    assert (done.status, done.closed_by) == ("done", "broker") and done.closed_at is not None
    assert [(e.action, e.person_id) for e in audited(before)] == [(AuditAction.UPDATE, "p-bert")]
    page = world.client("coordinator").get("/transfers/stay/s-bert/").content.decode()
    funding = page[page.index(f'id="action-{done.pk}"') :]
    funding = funding[: funding.index("</tr>")]
    assert "Added by Dee Charge" in funding and " by Bea Broker" in funding  # names, not logins
    again = world.client("broker").post(
        "/transfers/stay/s-bert/",
        {"form": "close", "task": str(tasks["Funding decision"].pk), "outcome": "done"},
    )
    assert again.status_code == 409
    other = world.client("broker").post(  # another stay's action: not closed from here
        "/transfers/stay/s-ada/",
        {"form": "close", "task": str(tasks["Source the package"].pk), "outcome": "done"},
    )
    assert other.status_code == 409
    assert Task.objects.get(pk=tasks["Source the package"].pk).status == "open"
    page = text(world.client("coordinator").get("/transfers/stay/s-bert/"))
    assert "2 open, 1 closed" in page and "Done" in page


# --- objections -------------------------------------------------------------------------


def test_an_objection_hides_the_other_sides_detail_not_the_shared_plan(
    world: Workspace, ward: dict[str, HospitalSpell]
) -> None:
    coordinator = world.client("coordinator")
    health_side = plan_form(version="1", ward="Stroke unit", note="Swallow assessment due")
    assert coordinator.post("/transfers/stay/s-bert/", health_side).status_code == 302
    social_side = plan_form(
        version="2", delay_reason="awaiting_public_funding", note="Panel on Friday"
    )
    assert world.client("broker").post("/transfers/stay/s-bert/", social_side).status_code == 302
    broker = world.client("broker")
    before_objection = broker.get("/transfers/stay/s-bert/").content.decode()
    assert "Stroke unit" in before_objection and "Swallow assessment due" in before_objection
    Consent.objects.create(
        person=world.people["bert"], kind=Consent.Kind.SHARING_OBJECTION,
        recorded_at=timezone.now(), recorded_by="nurse",
    )  # fmt: skip
    page = broker.get("/transfers/stay/s-bert/").content.decode()
    assert "Stroke unit" not in page and "Swallow assessment due" not in page
    assert "Panel on Friday" in page  # her own side's note
    assert "Awaiting public funding" in page  # the shared plan
    assert 'id="objection-notice"' in page
    board = broker.get(BOARD).content.decode()
    row = board[board.index('id="stay-s-bert"') :]
    row = row[: row.index("</tr>")]
    assert "Stroke unit" not in row and "Ward not shown" in row
    assert "Ward 9" in board  # dot does not object
    health = coordinator.get("/transfers/stay/s-bert/").content.decode()
    assert "Stroke unit" in health and "Swallow assessment due" in health
    assert "Panel on Friday" not in health  # the social care side's note
    assert "Stroke unit" in coordinator.get(BOARD).content.decode()


def test_team_managers_reach_the_board_from_their_caseload(world: Workspace) -> None:
    html = world.client("manager").get("/teams/t-north/caseload/").content.decode()
    assert 'id="hub-link"' in html and "/transfers/?neighbourhood=n-north" in html
    html = world.client("nurse").get("/teams/t-north/caseload/").content.decode()
    assert 'id="hub-link"' not in html  # nurses do not read the board


def test_the_ward_of_a_stay_with_a_sensitive_diagnosis_follows_its_label(
    world: Workspace,
) -> None:
    """A psychiatric stay's ward tells its diagnosis: shown only to the professions that
    read mental health detail (none of the hub's roles), as the record's timeline does."""
    stay = spell(world.people["cora"], "s-cora", days_ago(3))
    HospitalSpell.objects.filter(pk=stay.pk).update(primary_diagnosis="F20.0")
    Stay.objects.create(
        spell_id="s-cora", ward="Psychiatric liaison ward", updated_at=timezone.now(),
        updated_by="coordinator",
    )  # fmt: skip
    # A note can tell it too: shown to its author only, not to the hub's other roles.
    PlanChange.objects.create(
        spell_id="s-cora", changed_at=timezone.now(), changed_by="coordinator",
        note="Awaiting psychiatric liaison review",
    )  # fmt: skip
    for viewer in ("coordinator", "broker", "manager", "coordinator2"):
        board = world.client(viewer).get(BOARD).content.decode()
        row = board[board.index('id="stay-s-cora"') :]
        row = row[: row.index("</tr>")]
        assert "Psychiatric" not in row and "Ward not shown to you" in row, viewer
        page = world.client(viewer).get("/transfers/stay/s-cora/").content.decode()
        assert "Psychiatric" not in page and 'id="sensitive-notice"' in page, viewer
        assert ("psychiatric liaison review" in page) == (viewer == "coordinator"), viewer


@pytest.mark.parametrize("sid", ["CGH/2025/4411", "..", ".", "a~2Fb", "x/discharge", "é ü?#%"])
def test_any_spell_id_is_listed_and_opens(world: Workspace, ward: Any, sid: str) -> None:
    """Spell ids are the hospital's or a lake's, with no rule on their characters: one with
    a "/" (or a path of its own) must neither break the board nor open another stay."""
    add_person(world, "ian", 63000)
    spell(world.people["ian"], sid, days_ago(40), ready=days_ago(30), reason="housing")
    coordinator = world.client("coordinator")
    board = coordinator.get(BOARD)
    assert board.status_code == 200 and listed(board)[0] == sid  # the longest delayed
    link = re.search(
        r'<th class="nhsuk-table__header" scope="row"[^>]*>.*?<a href="([^"]+)">',
        board.content.decode(),
        re.S,
    )  # the first row's person links to the stay
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    for path, what in (
        (href, f"transfer of care stay (hospital spell {sid})"),
        (href + "discharge/", f"discharge form of hospital spell {sid}"),
    ):
        assert coordinator.get(path).status_code == 200
        assert AuditEvent.objects.latest("sequence").what == what  # this stay was opened


@pytest.mark.parametrize(
    ("who", "method", "path", "data"),
    [  # "²" is a digit to str.isdigit() but not to int(): each once gave a 500
        ("coordinator", "get", BOARD, {"page": "²"}),
        ("coordinator", "post", "/transfers/stay/s-bert/", {"form": "plan", "version": "²"}),
        ("coordinator", "post", "/transfers/stay/s-bert/",
         {"form": "plan", "version": "1", "proposed_pathway": "²"}),
        ("coordinator", "post", "/transfers/stay/s-bert/",
         {"form": "close", "outcome": "done", "task": "²"}),
        ("coordinator", "post", "/transfers/stay/s-bert/",
         {"form": "action", "action_title": "Call", "action_owner": "staff:²",
          **date_boxes("action_due", dt.date(2099, 1, 1))}),
        ("broker", "get", "/transfers/capacity/", {"recorded": "²"}),
        # and numbers longer than int() reads (4,300 digits)
        ("coordinator", "post", "/transfers/stay/s-bert/", {"form": "plan", "version": LONG}),
        ("coordinator", "post", "/transfers/stay/s-bert/",
         {"form": "plan", "version": "1", "proposed_pathway": LONG}),
        ("coordinator", "post", "/transfers/stay/s-bert/",
         {"form": "action", "action_title": "Call", "action_owner": f"staff:{LONG}",
          **date_boxes("action_due", dt.date(2099, 1, 1))}),
        ("broker", "get", "/transfers/capacity/", {"recorded": LONG}),
    ],
)  # fmt: skip
def test_digits_that_are_not_numbers_are_refused_or_ignored(
    world: Workspace, ward: Any, who: str, method: str, path: str, data: dict[str, str]
) -> None:
    before = (PlanChange.objects.count(), Task.objects.count())
    response = getattr(world.client(who), method)(path, data)
    assert response.status_code in (200, 302, 400), response.status_code
    assert (PlanChange.objects.count(), Task.objects.count()) == before
