"""Breaking the glass and the team manager's review, on the real database.

A reason is required; the use opens the record until it expires and is audited with the
reason; the form is the same for a missing id; the team manager sees the use, marks it
reviewed (CSRF-protected), and nobody else gets the review page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from joinedup.access.models import AuditAction, AuditEvent, BreakGlass, Profession, StaffMember
from joinedup.access.policy import break_glass, relationship
from joinedup.people.models import CaseNote
from joinedup.record.models import (
    Episode,
    GpPractice,
    Neighbourhood,
    Organisation,
    Person,
    Referral,
    Team,
)
from joinedup.record.nhs_number import format_nhs_number
from workspace_world import nhs_number

# Views and reviews through the ORM.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

PID = "p-bea"
OTHER_PID = "p-cy"
MISSING = "p-nobody"
NOTE = "Pressure area checked; skin intact."
REASON = "Called out by the ambulance crew; her own team is closed tonight"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _staff(
    username: str, profession: str, organisation: Organisation, *teams: Team, name: str = ""
) -> Any:
    first, _, last = name.partition(" ")
    user = get_user_model().objects.create_user(  # force_login only
        username, password=None, first_name=first, last_name=last
    )
    staff = StaffMember.objects.create(user=user, profession=profession, organisation=organisation)
    staff.teams.add(*teams)
    return user


def _person(pid: str, family_name: str, practice: GpPractice) -> Person:
    person = Person(
        id=pid,
        birth_date=dt.date(1944, 6, 6),
        neighbourhood=practice.neighbourhood,
        practice=practice,
        lives_alone=False,
        has_unpaid_carer=False,
        registered_from=dt.date(2019, 4, 1),
        given_name="Bea",
        family_name=family_name,
    )
    person.save()
    return person


@pytest.fixture
def people() -> dict[str, Any]:
    """Bea on the south team's caseload, Cy referred to the north team, and their staff."""
    trust = Organisation.objects.create(id="org-trust", name="Community Trust", kind="nhs_trust")
    council = Organisation.objects.create(id="org-council", name="City Council", kind="council")
    surgery = Organisation.objects.create(id="org-gp", name="Castle Surgery", kind="gp_practice")
    place = Neighbourhood.objects.create(id="n1", name="Southmead")
    north = Team.objects.create(id="t-north", neighbourhood=place, name="Northgate INT")
    south = Team.objects.create(id="t-south", neighbourhood=place, name="Southmead INT")
    practice = GpPractice.objects.create(
        id="gp-c", neighbourhood=place, name="Castle", organisation=surgery
    )
    bea = _person(PID, "Tregarthen", practice)
    cy = _person(OTHER_PID, "Polwhele", practice)
    Episode.objects.create(id="e1", person=bea, team=south, start_date=dt.date(2024, 1, 1))
    Referral.objects.create(
        id="r1",
        person=cy,
        received_at=timezone.now() - dt.timedelta(days=1),
        source="gp",
        team=north,
        status="requested",
    )
    users = {
        "sw_north": _staff("sw.north", Profession.SOCIAL_WORKER, council, north, name="Sol Webb"),
        "nurse_south": _staff("nurse.south", Profession.DISTRICT_NURSE, trust, south),
        "manager_north": _staff(
            "manager.north", Profession.TEAM_MANAGER, trust, north, name="Mo Ambrose"
        ),
        "manager_south": _staff("manager.south", Profession.TEAM_MANAGER, trust, south),
        "commissioner": _staff("commissioner", Profession.COMMISSIONER, trust),
    }
    nurse = StaffMember.objects.get(user=users["nurse_south"])
    CaseNote.objects.create(
        person=bea,
        written_at=timezone.now() - dt.timedelta(days=1),
        author=nurse,
        organisation=trust,
        sector="health",
        text=NOTE,
    )
    return users


def client_for(user: Any, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def normalised(body: bytes, person_id: str) -> bytes:
    return CSRF.sub(b"", body).replace(person_id.encode(), b"<ID>")


# --- breaking the glass -------------------------------------------------------------------


def test_form_is_the_same_for_a_missing_person(people: dict[str, Any]) -> None:
    client = client_for(people["sw_north"])
    real = client.get(f"/people/{PID}/break-glass/")
    missing = client.get(f"/people/{MISSING}/break-glass/")
    assert real.status_code == missing.status_code == 200
    assert normalised(real.content, PID) == normalised(missing.content, MISSING)
    assert "Tregarthen" not in real.content.decode()
    assert 'name="reason"' in real.content.decode()
    assert "Access ends after 4 hours" in real.content.decode()


def test_a_reason_is_required(people: dict[str, Any]) -> None:
    client = client_for(people["sw_north"])
    for reason in ("", "   \n "):
        response = client.post(f"/people/{PID}/break-glass/", {"reason": reason})
        assert response.status_code == 400
        body = response.content.decode()
        assert "There is a problem" in body
        assert "Enter the reason you need to see this record" in body
    assert not BreakGlass.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS).exists()
    assert client.get(f"/people/{PID}/").status_code == 403


def test_breaking_the_glass_opens_the_record_audited_with_the_reason(
    people: dict[str, Any],
) -> None:
    client = client_for(people["sw_north"])
    assert client.get(f"/people/{PID}/").status_code == 403
    response = client.post(f"/people/{PID}/break-glass/", {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{PID}/"

    use = BreakGlass.objects.get()
    assert (use.person_id, use.reason, use.staff.user.username) == (PID, REASON, "sw.north")
    assert use.expires_at - use.started_at == dt.timedelta(hours=4)
    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS)
    assert (event.person_id, event.reason, event.username) == (PID, REASON, "sw.north")

    record = client.get(f"/people/{PID}/")
    assert record.status_code == 200
    body = record.content.decode()
    ends = f"{timezone.localtime(use.expires_at):%H:%M}"
    assert "You broke the glass" in body and f"access ends at\n      <strong>{ends}" in body
    assert 'id="break-glass-banner"' in body
    assert "Tregarthen" in body and NOTE in body
    view = AuditEvent.objects.filter(person_id=PID).latest("sequence")
    assert view.what == "record (break-glass)"


def test_breaking_the_glass_on_a_missing_person_still_refuses(people: dict[str, Any]) -> None:
    client = client_for(people["sw_north"])
    response = client.post(f"/people/{MISSING}/break-glass/", {"reason": REASON})
    assert response.status_code == 302  # exactly as for a real person
    assert client.get(f"/people/{MISSING}/").status_code == 403
    assert BreakGlass.objects.filter(person_id=MISSING).count() == 1


def test_break_glass_expires(people: dict[str, Any]) -> None:
    user = people["sw_north"]
    staff = StaffMember.objects.get(user=user)
    started = timezone.now() - dt.timedelta(hours=5)
    BreakGlass.objects.create(
        staff=staff,
        person_id=PID,
        reason=REASON,
        started_at=started,
        expires_at=started + dt.timedelta(hours=4),
    )
    client = client_for(user)
    assert client.get(f"/people/{PID}/").status_code == 403  # expired an hour ago

    # A fresh use lasts four hours and no longer (the policy's clock, moved on).
    expires = break_glass(user, PID, REASON)
    assert relationship(staff, PID).break_glass_until == expires
    assert relationship(staff, PID, now=expires - dt.timedelta(minutes=1)).opens_record
    assert not relationship(staff, PID, now=expires + dt.timedelta(seconds=1)).opens_record


def test_professions_without_records_cannot_break_the_glass(people: dict[str, Any]) -> None:
    client = client_for(people["commissioner"])
    for response in (
        client.get(f"/people/{PID}/break-glass/"),
        client.post(f"/people/{PID}/break-glass/", {"reason": REASON}),
    ):
        assert response.status_code == 403
        assert "No record to show" in response.content.decode()
        assert "Break the glass" not in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_break_glass_needs_the_csrf_token(people: dict[str, Any]) -> None:
    client = client_for(people["sw_north"], enforce_csrf_checks=True)
    response = client.post(f"/people/{PID}/break-glass/", {"reason": REASON})
    assert response.status_code == 403
    assert not BreakGlass.objects.exists()


# --- the team manager's review ------------------------------------------------------------


def _use(user: Any, person_id: str, hours_ago: float, reason: str = REASON) -> BreakGlass:
    started = timezone.now() - dt.timedelta(hours=hours_ago)
    return BreakGlass.objects.create(
        staff=StaffMember.objects.get(user=user),
        person_id=person_id,
        reason=reason,
        started_at=started,
        expires_at=started + dt.timedelta(hours=4),
    )


def _rows(body: str) -> list[str]:
    return re.findall(r'id="break-glass-(\d+)"', body)


def test_manager_sees_uses_by_their_team_and_on_their_people(people: dict[str, Any]) -> None:
    Person.objects.filter(pk=PID).update(nhs_number=nhs_number(1000))
    by_north_on_bea = _use(people["sw_north"], PID, 1, "Out-of-hours call for Bea")
    by_south_on_cy = _use(people["nurse_south"], OTHER_PID, 2, "Covering the north team for Cy")
    by_south_elsewhere = _use(people["nurse_south"], MISSING, 3, "Someone nobody holds")

    north = client_for(people["manager_north"]).get("/break-glass/")
    assert north.status_code == 200
    body = north.content.decode()
    # North: its social worker's use, and the south nurse's use on Cy (referred to north).
    assert _rows(body) == [str(by_north_on_bea.pk), str(by_south_on_cy.pk)]  # newest first
    row = body[body.index(f'id="break-glass-{by_north_on_bea.pk}"') :]
    row = row[: row.index("</tr>")]
    for shown in (
        "Sol Webb",
        "Social worker",
        "City Council",
        "Bea Tregarthen",
        f"NHS number {format_nhs_number(nhs_number(1000))}",  # whose, to judge the reason by
        "Out-of-hours call for Bea",
    ):
        assert shown in row
    assert "sw.north" not in body and PID not in row  # a name, never a login or an id
    # North holds Cy (a referral), not Bea: Bea's name is no link (no link leads to a refusal).
    assert f'href="/people/{PID}/"' not in body and "record not open to you" in row
    assert f'<a href="/people/{OTHER_PID}/">Bea Polwhele</a>' in body
    assert "Mark reviewed" in row

    south = client_for(people["manager_south"]).get("/break-glass/").content.decode()
    assert f'No one has this id <span class="nhsuk-body-s">({MISSING})</span>' in south
    # South: its nurse's two uses, and the north social worker's use on Bea (south caseload).
    assert set(_rows(south)) == {
        str(by_north_on_bea.pk),
        str(by_south_on_cy.pk),
        str(by_south_elsewhere.pk),
    }
    # Viewing the review is audited against each person it lists (it shows their reasons).
    events = AuditEvent.objects.filter(username="manager.north", what="break-glass review")
    assert set(events.values_list("person_id", flat=True)) == {PID, OTHER_PID}


def test_manager_marks_a_use_reviewed_and_unreviewed_come_first(people: dict[str, Any]) -> None:
    older = _use(people["sw_north"], PID, 3, "First call")
    newer = _use(people["sw_north"], PID, 1, "Second call")
    client = client_for(people["manager_north"], enforce_csrf_checks=True)

    page = client.get("/break-glass/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert token is not None
    url = f"/break-glass/{newer.pk}/reviewed/"
    assert client.post(url).status_code == 403  # no CSRF token
    newer.refresh_from_db()
    assert newer.reviewed_at is None

    response = client.post(url, {"csrfmiddlewaretoken": token.group(1).decode()})
    assert response.status_code == 302 and response["Location"] == "/break-glass/"
    newer.refresh_from_db()
    assert newer.reviewed_by == "manager.north" and newer.reviewed_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, person_id=PID, what=f"break-glass {newer.pk} reviewed"
    ).exists()

    body = client.get("/break-glass/").content.decode()
    assert _rows(body) == [str(older.pk), str(newer.pk)]  # the unreviewed one first
    reviewed = body[body.index(f'id="break-glass-{newer.pk}"') :]
    assert "Reviewed by Mo Ambrose" in reviewed[: reviewed.index("</tr>")]


def test_only_team_managers_review(people: dict[str, Any]) -> None:
    use = _use(people["sw_north"], PID, 1)
    for who in ("sw_north", "nurse_south", "commissioner"):
        client = client_for(people[who])
        assert client.get("/break-glass/").status_code == 403
        assert client.post(f"/break-glass/{use.pk}/reviewed/").status_code == 403
    use.refresh_from_db()
    assert use.reviewed_at is None
    # A manager cannot mark a use outside their teams' scope.
    outside = _use(people["nurse_south"], MISSING, 1)
    response = client_for(people["manager_north"]).post(f"/break-glass/{outside.pk}/reviewed/")
    assert response.status_code == 404
