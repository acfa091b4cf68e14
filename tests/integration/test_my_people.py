"""My people: the people a member of staff is key worker for today.

On the small partnership of tests/workspace_world.py. Covers who is listed (current
allocations only: not ended, not future, not another worker's), the latest entry (the real
latest, the same as the first entry of the person's timeline for this viewer, and never a
labelled note the viewer may not see), people in hospital first, alerts in force, the audit
of exactly the people shown, a query count that does not grow with the list, the menu
entry for roles that can be key workers only, the empty page, and the allocation notice
linking to the record.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clock import clock_at
from joinedup.access.models import (
    AuditAction,
    AuditEvent,
    CareTeamMember,
    Consent,
    Profession,
    StaffMember,
)
from joinedup.access.policy import opened_record
from joinedup.notifications.models import Notification
from joinedup.people.models import Alert, CaseNote
from joinedup.people.timeline import TimelineFilter, timeline
from joinedup.record.models import Contact, HospitalSpell, Person, Referral
from joinedup.record.nhs_number import spaced
from joinedup.teams.key_workers import allocate
from joinedup.teams.views.my_people import AUDIT_WHAT
from workspace_world import Workspace, add_person, build_workspace

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]  # the page through the ORM

MOMENT = timezone.now()
TODAY = timezone.localdate(MOMENT)
_clock = clock_at(MOMENT)
URL = "/teams/my-people/"
ROW = re.compile(r'<tr class="nhsuk-table__row" id="person-[^"]+" data-person="([^"]+)"')
_serials = count(500_000, 100)  # nhs_number looks up to 100 on for a valid one


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def _days(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(_days(days_ago), dt.time(hour)))


def _allocate(
    world: Workspace,
    person: Person,
    staff_key: str = "nurse",
    started: dt.date | None = None,
    ended: dt.date | None = None,
) -> CareTeamMember:
    return CareTeamMember.objects.create(
        person=person,
        staff=world.staff[staff_key],
        role="Key worker",
        key_worker=True,
        started=started or _days(100),
        ended=ended,
    )


def _person(world: Workspace, key: str, family: str = "Tester") -> Person:
    return add_person(world, key, next(_serials), family_name=family)


def _contact(person: Person, days_ago: int, service: str = "community_nursing") -> Contact:
    sector = "social_care" if service == "social_work" else "health"
    return Contact.objects.create(
        id=f"c-{person.pk}-{days_ago}-{service}",
        person=person,
        contact_date=_days(days_ago),
        service=service,
        sector=sector,
        urgent=False,
    )


def _note(world: Workspace, person: Person, at: dt.datetime, label: str | None, text: str) -> None:
    author = world.staff["social_worker"]
    CaseNote.objects.create(
        person=person,
        written_at=at,
        author=author,
        organisation=author.organisation,
        sector="social_care",
        sensitivity=label,
        text=text,
    )


def _spell(person: Person, admitted: int, discharged: int | None, diagnosis: str = "I50.0") -> None:
    HospitalSpell.objects.create(
        id=f"s-{person.pk}-{admitted}",
        person=person,
        admission_date=_days(admitted),
        admission_method="emergency",
        primary_diagnosis=diagnosis,
        acsc=False,
        fall=False,
        discharge_date=_days(discharged) if discharged is not None else None,
    )


def _listed(client: Client) -> list[str]:
    response = client.get(URL)
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def _row(html: str, person_id: str) -> str:
    return html.split(f'id="person-{person_id}"', 1)[1].split("</tr>", 1)[0]


def test_only_the_viewers_current_allocations_are_listed(world: Workspace) -> None:
    people = world.people
    _allocate(world, people["ada"])  # current since 100 days
    _allocate(world, people["bert"], ended=_days(2))  # ended
    _allocate(world, people["cora"], started=TODAY + dt.timedelta(days=1))  # not yet
    _allocate(world, people["dot"], staff_key="social_worker")  # someone else's
    eli = people["eli"]
    _allocate(world, eli, started=_days(30), ended=TODAY)  # ends today: the first day gone
    started_today = _person(world, "fay")
    _allocate(world, started_today, started=TODAY)
    html = world.client("nurse").get(URL).content.decode()
    assert ROW.findall(html) == ["p-ada", "p-fay"]  # ada has news, fay nothing yet
    assert "Quillfeather" in html
    for given in ("Bertram", "Cora", "Dorothy", "Elias"):
        assert given not in html, given
    ada = _row(html, "p-ada")
    assert spaced(people["ada"].nhs_number or "") in ada
    assert 'href="/people/p-ada/"' in ada
    assert "Northgate INT" in ada  # her team's caseload
    assert "Not on a caseload" in _row(html, "p-fay")
    assert ROW.findall(world.client("social_worker").get(URL).content.decode()) == ["p-dot"]


def test_the_latest_entry_is_the_newest_across_the_record(world: Workspace) -> None:
    ada = world.people["ada"]  # on Northgate's caseload since 2024
    _allocate(world, ada)
    _contact(ada, 9)
    _spell(ada, 40, 30)
    Referral.objects.create(
        id="r-ada",
        person=ada,
        received_at=_at(1, 9),
        source="gp",
        urgency="routine",
        team=world.north,
        status="accepted",
    )
    _contact(ada, 1)  # the same day as the referral, but at midnight: the referral is later
    html = world.client("nurse").get(URL).content.decode()
    row = _row(html, "p-ada")
    assert "Referral (routine)" in row and "yesterday" in row
    assert 'href="/people/p-ada/#entry-referral-r-ada"' in row
    _contact(ada, 0, "social_work")
    row = _row(world.client("nurse").get(URL).content.decode(), "p-ada")
    assert "Contact (Social work)" in row and ">today<" in row


def test_a_labelled_note_is_latest_only_for_who_may_read_it(world: Workspace) -> None:
    """The district nurse may not read mental health detail: the note written yesterday is
    not her latest entry, nor its existence or words on the page; the social worker, who
    may, gets it. Each sees the first entry of the person's timeline as they see it."""
    ada = world.people["ada"]
    _allocate(world, ada)
    _contact(ada, 5)
    _note(world, ada, _at(1), "mental_health", "Hearing voices again; crisis plan reviewed")
    nurse = world.client("nurse").get(URL).content.decode()
    row = _row(nurse, "p-ada")
    assert "Contact (Community nursing)" in row and "Case note" not in nurse
    assert "Hearing voices" not in nurse and "Mental health" not in nurse
    assert _first_on_timeline(world, "nurse", ada) in row
    # the same person, the social worker as her key worker instead
    CareTeamMember.objects.filter(person=ada).update(ended=_days(1))
    _allocate(world, ada, staff_key="social_worker", started=_days(1))
    social = world.client("social_worker").get(URL).content.decode()
    row = _row(social, "p-ada")
    assert "Case note" in row and "yesterday" in row
    assert _first_on_timeline(world, "social_worker", ada) in row
    assert "Hearing voices" not in social  # the list names the entry, never its words


def test_an_objection_keeps_the_other_sides_entries_off_the_list(world: Workspace) -> None:
    """Ada objects to sharing between health and social care: the social worker's latest
    entry and her stay in hospital are not the health side's to show him."""
    ada = world.people["ada"]
    _allocate(world, ada, staff_key="social_worker")
    _note(world, ada, _at(6), None, "Visited, all well")
    _spell(ada, 3, None)
    _contact(ada, 2)
    Consent.objects.create(
        person=ada, kind=Consent.Kind.SHARING_OBJECTION, recorded_at=_at(20), recorded_by="nurse"
    )
    html = world.client("social_worker").get(URL).content.decode()
    row = _row(html, "p-ada")
    assert "In hospital" not in row and "Community nursing" not in row
    assert "Case note" in row
    assert _first_on_timeline(world, "social_worker", ada) in row


def _first_on_timeline(world: Workspace, key: str, person: Person) -> str:
    """The link My people should give: the first entry of the viewer's own timeline."""
    with opened_record(world.user(key), person.pk) as access:
        first = timeline(access, TimelineFilter(), TODAY, page_size=1).entries[0]
    return f'href="/people/{person.pk}/#{first.html_id}"'


def test_people_in_hospital_come_first_then_the_newest_news(world: Workspace) -> None:
    quiet = _person(world, "quiet", "Aardvark")  # nothing recorded: last
    old = _person(world, "old", "Baker")
    new = _person(world, "new", "Carter")
    admitted = _person(world, "admitted", "Drake")
    discharged = _person(world, "discharged", "Evans")
    hidden = _person(world, "hidden", "Fisher")  # in hospital for a labelled reason
    for person in (quiet, old, new, admitted, discharged, hidden):
        _allocate(world, person)
    _contact(old, 20)
    _contact(new, 2)
    _spell(admitted, 10, None)
    _spell(discharged, 8, 4)
    _spell(hidden, 1, None, diagnosis="F20.0")  # schizophrenia: mental health detail
    html = world.client("nurse").get(URL).content.decode()
    # hidden's stay is not the nurse's to see: nothing to show, so last, by name
    order = ["p-admitted", "p-new", "p-discharged", "p-old", "p-quiet", "p-hidden"]
    assert ROW.findall(html) == order
    assert "In hospital" in _row(html, "p-admitted")
    assert "In hospital" not in _row(html, "p-discharged")
    assert "In hospital" not in _row(html, "p-hidden")  # the nurse may not see the stay
    assert "1 is in hospital now" in html
    assert "Nothing recorded yet" in _row(html, "p-hidden")
    assert "Nothing recorded yet" in _row(html, "p-quiet")
    # the social worker may read mental health detail: for him the stay is there, first
    CareTeamMember.objects.filter(person=hidden).update(staff=world.staff["social_worker"])
    social = world.client("social_worker").get(URL).content.decode()
    assert ROW.findall(social) == ["p-hidden"]
    assert "In hospital" in _row(social, "p-hidden")


def test_alerts_in_force_are_shown(world: Workspace) -> None:
    ada = world.people["ada"]
    _allocate(world, ada)
    Alert.objects.create(
        person=ada, kind=Alert.Kind.KEY_SAFE, detail="Code 1234", recorded_at=_at(30),
        recorded_by="nurse",
    )  # fmt: skip
    Alert.objects.create(
        person=ada, kind=Alert.Kind.DNACPR, recorded_at=_at(30), recorded_by="nurse",
        ended_at=_at(3), ended_by="nurse",
    )  # fmt: skip
    Alert.objects.create(
        person=ada, kind=Alert.Kind.ANIMALS, recorded_at=MOMENT + dt.timedelta(days=2),
        recorded_by="nurse",
    )  # fmt: skip
    row = _row(world.client("nurse").get(URL).content.decode(), "p-ada")
    alerts = row.split("Alerts </span>", 1)[1].split("</td>", 1)[0]
    assert "Key safe" in alerts
    assert "Do not attempt CPR" not in alerts and "Animals" not in alerts


def test_opening_the_list_audits_each_person_shown(world: Workspace) -> None:
    _allocate(world, world.people["ada"])
    _allocate(world, world.people["bert"])
    _allocate(world, world.people["cora"], ended=_days(1))
    before = AuditEvent.objects.count()
    assert sorted(_listed(world.client("nurse"))) == ["p-ada", "p-bert"]
    events = AuditEvent.objects.order_by("sequence")[before:]
    assert sorted(e.person_id or "" for e in events) == ["p-ada", "p-bert"]
    assert {(e.action, e.what, e.username) for e in events} == {
        (AuditAction.VIEW, AUDIT_WHAT, "nurse")
    }


def _people_with_records(world: Workspace, n: int, start: int) -> None:
    for i in range(start, start + n):
        person = _person(world, f"q{i}", f"Many{i:03d}")
        _allocate(world, person)
        _contact(person, 3 + i % 5)
        _note(world, person, _at(2 + i % 3), "mental_health" if i % 2 else None, f"n{i}")
        _spell(person, 20 + i % 7, None if i % 4 == 0 else 15)
        Alert.objects.create(
            person=person, kind=Alert.Kind.FALLS_RISK, recorded_at=_at(40), recorded_by="nurse"
        )


def test_the_query_count_does_not_grow_with_the_list(world: Workspace) -> None:
    client = world.client("nurse")
    _people_with_records(world, 3, 0)
    _listed(client)  # the audit chain's first event and anything cached once, not counted
    with CaptureQueriesContext(connection) as three:
        assert len(_listed(client)) == 3
    _people_with_records(world, 27, 3)
    with CaptureQueriesContext(connection) as thirty:
        assert len(_listed(client)) == 30
    assert len(thirty) == len(three), [q["sql"][:120] for q in thirty.captured_queries]
    assert len(thirty) <= 40


def test_the_menu_offers_my_people_to_roles_that_can_be_key_workers(world: Workspace) -> None:
    def menu(key: str) -> str:
        body = world.client(key).get("/").content.decode()
        return body.split('class="nhsuk-header__navigation-list"', 1)[1].split("</ul>", 1)[0]

    for key in ("nurse", "social_worker", "navigator", "manager", "gp"):
        assert f'href="{URL}"' in menu(key) and "My people" in menu(key), key
    organisation = world.organisations["icb"]
    for profession in (Profession.ANALYST, Profession.SYSTEM_ADMINISTRATOR):
        user = type(world.user("nurse")).objects.create(username=profession)
        StaffMember.objects.create(user=user, profession=profession, organisation=organisation)
        client = Client()
        client.force_login(user)
        body = client.get("/").content.decode()
        assert "My people" not in body and URL not in body, profession
        assert client.get(URL).status_code == 403
    assert "My people" not in menu("commissioner")
    assert world.client("commissioner").get(URL).status_code == 403


def test_no_one_yet_gets_a_helpful_sentence(world: Workspace) -> None:
    html = world.client("navigator").get(URL).content.decode()
    assert 'id="empty"' in html and "You are not anyone's key worker today" in html
    assert 'id="my-people"' not in html


def test_the_allocation_notice_links_to_the_record(world: Workspace) -> None:
    ada = world.people["ada"]
    allocate(world.user("manager"), world.north, ada, world.staff["nurse"], "", TODAY, None)
    notice = Notification.objects.get(recipient=world.user("nurse"))
    assert notice.link == "/people/p-ada/"
    assert world.client("nurse").get(notice.link).status_code == 200
    assert _listed(world.client("nurse")) == ["p-ada"]
