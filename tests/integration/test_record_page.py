"""The person record page and access report, through Django's test client on the real database.

One person with something of every kind, from every sector, and staff in and out of her
care: each section shows for a related viewer, the refusal is the same for a missing id,
sensitive notes and objections hide what they should, and the timeline's filters and pages
behave (bad values give a message, never a 500).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from date_boxes import date_boxes, typed_boxes
from joinedup.access.audit import verify_chain
from joinedup.access.models import (
    AuditAction,
    AuditEvent,
    CareTeamMember,
    Consent,
    Profession,
    StaffMember,
)
from joinedup.access.policy import opened_record
from joinedup.people.models import Alert, CaseNote
from joinedup.people.timeline import PAGE_SIZE
from joinedup.record.age import age_on
from joinedup.record.models import (
    AeAttendance,
    CarePackage,
    Condition,
    Contact,
    Episode,
    GpPractice,
    HospitalSpell,
    Neighbourhood,
    Organisation,
    Person,
    Referral,
    Team,
)

# The record page through the ORM; the view event's transaction runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

PID = "p-ada"
MISSING = "p-nobody"
NHS_NUMBER = "9434765919"
SENSITIVE_NOTE = "Disclosed a sexual health matter at the visit; seen by the GP."
HEALTH_NOTE = "Leg ulcer dressed; healing well. Next visit Thursday."
COUNCIL_NOTE = "Care act assessment booked with daughter present."
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@dataclass
class World:
    person: Person
    staff: dict[str, Any]  # name -> user
    condition_ids: dict[str, int]
    note_ids: dict[str, int]


def _org(key: str, kind: str) -> Organisation:
    return Organisation.objects.create(id=f"org-{key}", name=f"Casterbridge {key}", kind=kind)


def _staff(
    username: str, profession: str, organisation: Organisation, *teams: Team, **names: str
) -> StaffMember:
    user = get_user_model().objects.create_user(
        username, password=None, email=f"{username}@example.nhs.uk", **names
    )
    staff = StaffMember.objects.create(
        user=user, profession=profession, organisation=organisation, phone="01632 960123"
    )
    staff.teams.add(*teams)
    return staff


def build_world() -> World:
    trust = _org("Community Trust", Organisation.Kind.NHS_TRUST)
    council = _org("City Council", Organisation.Kind.COUNCIL)
    icb = _org("ICB", Organisation.Kind.ICB)
    surgery = _org("Abbey Road Surgery", Organisation.Kind.GP_PRACTICE)
    north = Neighbourhood.objects.create(id="n-north", name="Northgate")
    team = Team.objects.create(id="t-north", neighbourhood=north, name="Northgate INT")
    other = Team.objects.create(id="t-south", neighbourhood=north, name="Southmead INT")
    practice = GpPractice.objects.create(
        id="gp-a", neighbourhood=north, name="Abbey Road Surgery", organisation=surgery
    )
    person = Person(
        id=PID,
        birth_date=dt.date(1938, 2, 11),
        neighbourhood=north,
        practice=practice,
        lives_alone=True,
        has_unpaid_carer=True,
        registered_from=dt.date(2019, 4, 1),
        nhs_number=NHS_NUMBER,
        given_name="Ada",
        family_name="Quillfeather",
        address_line_1="12 Mill Lane",
        town="Casterbridge",
        postcode="CX1 2AB",
    )
    person.save()
    nurse = _staff("nurse", Profession.DISTRICT_NURSE, trust, team, first_name="Nia")
    gp = _staff("gp", Profession.GP, surgery, team, first_name="Gus", last_name="Penrose")
    social_worker = _staff("sw", Profession.SOCIAL_WORKER, council, team)
    outsider = _staff("outsider", Profession.SOCIAL_WORKER, council, other)
    commissioner = _staff("commissioner", Profession.COMMISSIONER, icb)
    now = timezone.now()
    today = timezone.localdate(now)

    Episode.objects.create(
        id="e1", person=person, team=team, start_date=dt.date(2024, 1, 5), reason="referral"
    )
    Referral.objects.create(
        id="r1",
        person=person,
        received_at=dt.datetime(2024, 1, 4, 9, 30, tzinfo=dt.UTC),
        source="gp",
        urgency="urgent",
        reason="Falls at home",
        team=team,
        status="completed",
        referrer_organisation=surgery,
    )
    HospitalSpell.objects.create(
        id="s1",
        person=person,
        admission_date=dt.date(2023, 11, 1),
        admission_method="emergency",
        primary_diagnosis="S72.0",
        acsc=False,
        fall=True,
        ready_for_discharge_date=dt.date(2023, 11, 10),
        discharge_date=dt.date(2023, 11, 16),
        discharge_destination="usual_residence",
        delay_reason="awaiting_care_package",
        delay_responsibility="social_care",
    )
    AeAttendance.objects.create(
        id="a1", person=person, arrival=dt.datetime(2023, 11, 1, 7, 5, tzinfo=dt.UTC), admitted=True
    )
    Contact.objects.create(
        id="c-health",
        person=person,
        contact_date=dt.date(2024, 2, 1),
        service="community_nursing",
        sector="health",
        team=team,
        urgent=False,
        organisation=trust,
    )
    Contact.objects.create(
        id="c-council",
        person=person,
        contact_date=dt.date(2024, 2, 2),
        service="social_work",
        sector="social_care",
        team=team,
        urgent=False,
        organisation=council,
    )
    CarePackage.objects.create(
        id="k1",
        person=person,
        service_type="home_care",
        start_date=dt.date(2023, 11, 16),
        hours_per_week=7.5,
        funder="council",
        personal_budget=True,
        budget_mode="direct_payment",
        permanent=False,
    )
    CarePackage.objects.create(
        id="k-old",
        person=person,
        service_type="reablement",
        start_date=dt.date(2023, 11, 16),
        end_date=dt.date(2023, 12, 14),
        funder="pooled",
        personal_budget=False,
        permanent=False,
    )
    conditions = {
        name: Condition.objects.create(
            person=person, condition=name, onset_date=dt.date(2015, 5, 1)
        ).pk
        for name in ("heart_failure", "frailty_moderate")
    }
    conditions["resolved"] = Condition.objects.create(
        person=person,
        condition="copd",
        onset_date=dt.date(2010, 1, 1),
        resolved_date=dt.date(2012, 1, 1),
    ).pk
    notes = {}
    for key, text, author, sector, label in (
        ("health", HEALTH_NOTE, nurse, "health", None),
        ("council", COUNCIL_NOTE, social_worker, "social_care", None),
        ("sensitive", SENSITIVE_NOTE, gp, "health", "sexual_health"),
    ):
        notes[key] = CaseNote.objects.create(
            person=person,
            written_at=now - dt.timedelta(days=2),
            author=author,
            organisation=author.organisation,
            sector=sector,
            sensitivity=label,
            text=text,
        ).pk
    CareTeamMember.objects.create(
        person=person, staff=gp, role="Named GP", key_worker=True, started=dt.date(2020, 1, 1)
    )
    CareTeamMember.objects.create(
        person=person, staff=social_worker, role="Allocated social worker", started=today
    )
    Alert.objects.create(
        person=person,
        kind=Alert.Kind.KEY_SAFE,
        detail="Code held by the care team",
        recorded_at=now - dt.timedelta(days=30),
        recorded_by="nurse",
    )
    Alert.objects.create(
        person=person,
        kind=Alert.Kind.ANIMALS,
        detail="Dog no longer in the home",
        recorded_at=now - dt.timedelta(days=60),
        recorded_by="nurse",
        ended_at=now - dt.timedelta(days=1),
    )
    Consent.objects.create(
        person=person,
        kind=Consent.Kind.CONSENT_TO_SHARE,
        recorded_at=now - dt.timedelta(days=100),
        recorded_by="sw",
    )
    users = {
        name: staff.user
        for name, staff in {
            "nurse": nurse,
            "gp": gp,
            "sw": social_worker,
            "outsider": outsider,
            "commissioner": commissioner,
        }.items()
    }
    return World(person=person, staff=users, condition_ids=conditions, note_ids=notes)


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(world: World, who: str, path: str = "", **params: Any) -> tuple[int, str]:
    response = client_for(world.staff[who]).get(f"/people/{PID}/{path}", params)
    return response.status_code, response.content.decode()


def normalised(body: bytes, person_id: str) -> bytes:
    """The body with the id and the per-request CSRF tokens (masked afresh each time) blanked."""
    return CSRF.sub(b'name="csrfmiddlewaretoken" value=""', body).replace(
        person_id.encode(), b"<ID>"
    )


def object_ids(body: str) -> set[str]:
    return set(re.findall(r'id="(entry-[a-z]+-[^"]+)"', body))


# --- a related viewer sees every section -------------------------------------------------


def test_age_is_completed_years() -> None:
    assert age_on(dt.date(1938, 2, 11), dt.date(2025, 2, 10)) == 86
    assert age_on(dt.date(1938, 2, 11), dt.date(2025, 2, 11)) == 87
    assert age_on(dt.date(2000, 2, 29), dt.date(2025, 2, 28)) == 24
    assert age_on(dt.date(2000, 2, 29), dt.date(2025, 3, 1)) == 25


def test_related_viewer_sees_every_section(world: World) -> None:
    status, body = get(world, "nurse")
    assert status == 200
    today = timezone.localdate()
    # Identity banner.
    assert "Ada Quillfeather" in body
    assert "943 476 5919" in body
    assert f"11 February 1938 (aged {age_on(dt.date(1938, 2, 11), today)})" in body
    assert "12 Mill Lane, Casterbridge, CX1 2AB" in body
    assert "Abbey Road Surgery" in body and "Northgate" in body
    # Alerts: current ones and the living situation, not the ended one (which the timeline
    # keeps, saying it ended).
    alerts = body[body.index('id="alerts-warning"') : body.index('id="care-team"')]
    assert "Key safe" in alerts and "Code held by the care team" in alerts
    assert "Lives alone" in alerts and "Has an unpaid carer" in alerts
    assert "Dog no longer in the home" not in alerts
    # Care team across organisations, key worker marked, contact details; caseload team.
    assert "Gus Penrose" in body and "Named GP" in body and "Key worker" in body
    assert "gp@example.nhs.uk" in body and "01632 960123" in body
    assert "Allocated social worker" in body and "Casterbridge City Council" in body
    assert "On the caseload of:" in body and "Northgate INT, since 5 January 2024" in body
    # Conditions (unresolved only) and current services.
    ids = object_ids(body)
    assert f"entry-condition-{world.condition_ids['heart_failure']}" in ids
    assert f"entry-condition-{world.condition_ids['frailty_moderate']}" in ids
    assert f"entry-condition-{world.condition_ids['resolved']}" not in ids
    assert "Heart failure" in body and "Frailty moderate" in body
    services = body[body.index('id="services"') : body.index('id="consent"')]
    assert "Home care" in services and "Personal budget (direct payment)" in services
    assert "Reablement" not in services  # ended
    # Consent and why the viewer may see the record.
    assert "Consents to sharing with the integrated team" in body
    assert re.search(r"<p id=\"why\">[^<]*the person is on your team&#39;s caseload", body)
    assert f"/people/{PID}/access-report/" in body
    # One timeline of every kind, newest first; the district nurse may not read the
    # sexual health note, and nothing says it exists.
    expected = {
        "entry-spell-s1",
        "entry-ae-a1",
        "entry-contact-c-health",
        "entry-contact-c-council",
        "entry-referral-r1",
        "entry-episode-e1",
        "entry-package-k1",
        "entry-package-k-old",
        f"entry-note-{world.note_ids['health']}",
        f"entry-note-{world.note_ids['council']}",
        *(f"entry-alert-{pk}" for pk in Alert.objects.values_list("pk", flat=True)),
        *(f"entry-consent-{pk}" for pk in Consent.objects.values_list("pk", flat=True)),
    }
    assert expected <= ids
    assert f"entry-note-{world.note_ids['sensitive']}" not in ids
    assert SENSITIVE_NOTE not in body
    assert "Showing entries 1 to 13 of 13." in body
    order = [m for m in re.findall(r'id="(entry-(?:note|contact|spell)-[^"]+)"', body)]
    assert order.index("entry-contact-c-council") < order.index("entry-contact-c-health")
    assert order.index("entry-contact-c-health") < order.index("entry-spell-s1")
    # The spell with its delay; notes verbatim with author and organisation.
    spell = body[body.index('id="entry-spell-s1"') :]
    spell = spell[: spell.index("</li>")]
    assert "10 November 2023" in spell and "16 November 2023" in spell
    assert "6 days" in spell and "Awaiting care package" in spell
    assert HEALTH_NOTE in body and COUNCIL_NOTE in body
    # The view is audited, in the same transaction.
    event = AuditEvent.objects.filter(person_id=PID).latest("sequence")
    assert (event.username, event.action, event.what) == ("nurse", "view", "record (relationship)")


def test_dead_person_shows_date_of_death_and_age_then(world: World) -> None:
    Person.objects.filter(pk=PID).update(death_date=dt.date(2024, 2, 10))
    status, body = get(world, "nurse")
    assert status == 200
    assert "Died on 10 February 2024, aged 85" in body


# --- refusals ----------------------------------------------------------------------------


def test_unrelated_viewer_is_refused_exactly_as_for_a_missing_person(world: World) -> None:
    client = client_for(world.staff["outsider"])
    for path in ("", "access-report/", "?sector=nonsense", "?kind=spell"):
        real = client.get(f"/people/{PID}/{path}")
        missing = client.get(f"/people/{MISSING}/{path}")
        assert real.status_code == missing.status_code == 403
        assert normalised(real.content, PID) == normalised(missing.content, MISSING)
        assert sorted(real.headers) == sorted(missing.headers)
        assert [t.name for t in real.templates] == [t.name for t in missing.templates]
        body = real.content.decode()
        assert "Quillfeather" not in body and HEALTH_NOTE not in body
        assert f'action="/people/{PID}/break-glass/"' in body  # the break-glass offer
        assert 'name="reason"' in body
    # The refusal of a real person is audited; a missing id has no one to audit against.
    refused = AuditEvent.objects.filter(person_id=PID, username="outsider")
    assert set(refused.values_list("what", flat=True)) == {
        "record: refused",
        "access report: refused",
    }
    assert not AuditEvent.objects.filter(person_id=MISSING).exists()


def test_commissioner_gets_the_refusal_without_break_glass(world: World) -> None:
    client = client_for(world.staff["commissioner"])
    real = client.get(f"/people/{PID}/")
    missing = client.get(f"/people/{MISSING}/")
    assert real.status_code == missing.status_code == 403
    assert normalised(real.content, PID) == normalised(missing.content, MISSING)
    body = real.content.decode()
    assert "No record to show" in body and "Quillfeather" not in body
    assert "break-glass" not in body
    assert client.get(f"/people/{PID}/break-glass/").status_code == 403


def test_anonymous_is_sent_to_log_in(world: World) -> None:
    response = Client().get(f"/people/{PID}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- sensitivity labels and objections ---------------------------------------------------


def test_sensitive_note_hidden_from_district_nurse_and_shown_to_gp(world: World) -> None:
    sensitive = f"entry-note-{world.note_ids['sensitive']}"
    _, nurse_body = get(world, "nurse")
    assert sensitive not in nurse_body and SENSITIVE_NOTE not in nurse_body
    assert "Entries labelled sexual health" in nurse_body  # the rule, not the entry
    _, gp_body = get(world, "gp")
    assert sensitive in object_ids(gp_body) and SENSITIVE_NOTE in gp_body
    note = gp_body[gp_body.index(f'id="{sensitive}"') :]
    assert "Sexual health" in note[: note.index("</li>")]
    assert "Gus Penrose" in note[: note.index("</li>")]


def test_objection_hides_the_other_side(world: World) -> None:
    Consent.objects.create(
        person=world.person,
        kind=Consent.Kind.SHARING_OBJECTION,
        recorded_at=timezone.now() - dt.timedelta(days=1),
        recorded_by="sw",
    )
    council_only = {
        "entry-contact-c-council",
        "entry-package-k1",  # council funded
        f"entry-note-{world.note_ids['council']}",
    }
    health_only = {
        "entry-spell-s1",
        "entry-ae-a1",
        "entry-contact-c-health",
        "entry-referral-r1",  # from the GP
        f"entry-note-{world.note_ids['health']}",
        f"entry-condition-{world.condition_ids['heart_failure']}",
    }
    shared = {"entry-episode-e1", "entry-package-k-old"}  # the team's own; pooled funding

    _, nurse_body = get(world, "nurse")
    ids = object_ids(nurse_body)
    assert health_only | shared <= ids and not council_only & ids
    assert COUNCIL_NOTE not in nurse_body
    assert "This person objects to sharing between health and social care" in nurse_body
    assert "social care entries are not shown to NHS staff" in nurse_body
    assert "Allocated social worker" not in nurse_body  # council staff on the care team
    assert "Home care" not in nurse_body  # the council's package, in current services too

    _, council_body = get(world, "sw")
    ids = object_ids(council_body)
    assert council_only | shared <= ids and not health_only & ids
    assert HEALTH_NOTE not in council_body and "Heart failure" not in council_body
    assert "health entries are not shown to council and care provider staff" in council_body
    assert "Named GP" not in council_body

    # Without the objection both sides see everything (what the test above relies on).
    Consent.objects.filter(kind=Consent.Kind.SHARING_OBJECTION).update(ended_at=timezone.now())
    _, body = get(world, "nurse")
    assert council_only | health_only | shared <= object_ids(body)
    assert "objects to sharing" not in body


# --- timeline filters and pages ----------------------------------------------------------


def test_filters_by_sector_kind_and_date(world: World) -> None:
    _, body = get(world, "nurse", sector="social_care")
    assert object_ids(body) >= {"entry-contact-c-council", "entry-package-k1"}
    assert not {"entry-spell-s1", "entry-contact-c-health", "entry-episode-e1"} & object_ids(body)
    assert 'value="social_care" checked' in body

    _, body = get(world, "nurse", kind=["spell", "ae"])
    timeline = {i for i in object_ids(body) if not i.startswith("entry-condition")}
    assert timeline == {"entry-spell-s1", "entry-ae-a1"}

    _, body = get(world, "nurse", sector="shared")
    assert {i for i in object_ids(body) if not i.startswith("entry-condition")} == {
        "entry-episode-e1",
        "entry-package-k-old",
        *(f"entry-alert-{pk}" for pk in Alert.objects.values_list("pk", flat=True)),
        *(f"entry-consent-{pk}" for pk in Consent.objects.values_list("pk", flat=True)),
    }

    dates = {**date_boxes("from", dt.date(2024, 1, 1)), **date_boxes("to", dt.date(2024, 2, 1))}
    _, body = get(world, "nurse", **dates)
    timeline = {i for i in object_ids(body) if not i.startswith("entry-condition")}
    assert timeline == {"entry-episode-e1", "entry-referral-r1", "entry-contact-c-health"}
    assert "matching these filters" in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sector": "nhs"}, "Choose a sector from the list"),
        ({"kind": "gossip"}, "Choose a kind of entry from the list"),
        (typed_boxes("from", "31", "12", "24"), "The date from must be a real date"),
        (typed_boxes("to", "30", "2", "2024"), "The date to must be a real date"),
        (typed_boxes("to", "30", "", "2024"), "The date to must include a month"),
        (
            {**date_boxes("from", dt.date(2024, 3, 1)), **date_boxes("to", dt.date(2024, 1, 1))},
            "must be the same as or after",
        ),
        ({"page": "two"}, "The page must be a whole number"),
        ({"page": "0"}, "The page must be a whole number"),
        ({"page": "9"}, "There is no page 9: the timeline has 1 page"),
    ],
)
def test_bad_filters_give_a_message(world: World, params: dict[str, str], message: str) -> None:
    status, body = get(world, "nurse", **params)
    assert status == 200
    assert "There is a problem with the timeline filters" in body
    assert message in body
    assert not {i for i in object_ids(body) if not i.startswith("entry-condition")}
    assert "Correct the filters to see the timeline." in body


def test_pages_of_a_long_timeline_query_only_what_they_show(world: World) -> None:
    def page_queries(**params: Any) -> tuple[int, str]:
        client = client_for(world.staff["nurse"])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/people/{PID}/", params)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    before, _ = page_queries()
    Contact.objects.bulk_create(
        Contact(
            id=f"c-many-{n:03d}",
            person=world.person,
            contact_date=dt.date(2022, 1, 1) + dt.timedelta(days=n),
            service="therapy",
            sector="health",
            urgent=False,
        )
        for n in range(150)
    )
    after, first = page_queries()
    assert after <= before  # no query per entry: 150 more cost no more queries
    ids = [i for i in re.findall(r'id="(entry-[a-z]+-[^"]+)"', first) if "condition" not in i]
    size, pages = PAGE_SIZE, -(-163 // PAGE_SIZE)
    assert len(ids) == size
    assert f"Showing entries 1 to {size} of 163." in first
    assert f"Page 1 of {pages}" in first and "page=2" in first

    _, second = page_queries(page=2)
    second_ids = [
        i for i in re.findall(r'id="(entry-[a-z]+-[^"]+)"', second) if "condition" not in i
    ]
    assert len(second_ids) == min(size, 163 - size) and not set(ids) & set(second_ids)
    assert f"Showing entries {size + 1} to {min(2 * size, 163)} of 163." in second

    _, last = page_queries(page=pages)
    last_ids = [i for i in re.findall(r'id="(entry-[a-z]+-[^"]+)"', last) if "condition" not in i]
    assert len(last_ids) == 163 - (pages - 1) * size
    assert f"Showing entries {(pages - 1) * size + 1} to 163 of 163." in last
    assert last_ids[-1] == "entry-contact-c-many-000"  # the oldest contact, last

    _, filtered = page_queries(sector="health", page=2)
    assert "sector=health" in filtered  # links keep the filters


# --- access report -----------------------------------------------------------------------


def test_access_report_lists_who_has_seen_the_record(world: World) -> None:
    get(world, "nurse")
    get(world, "outsider")  # refused: listed too
    status, body = get(world, "gp", "access-report/")
    assert status == 200
    assert "Who has seen this record" in body
    table = body[body.index('id="access-report"') :]
    assert "District nurse" in table and "record (relationship)" in table
    assert "outsider" in table and "record: refused" in table
    # Named as their accounts name them (the outsider's has no name), newest first.
    assert 'Who </span><div class="joinedup-table__value">Nia</div>' in table
    assert table.index("record: refused") < table.index("record (relationship)")
    event = AuditEvent.objects.filter(person_id=PID).latest("sequence")
    assert (event.username, event.action) == ("gp", AuditAction.VIEW)
    assert event.what == "access report (relationship)"


@pytest.mark.both_databases
def test_the_view_event_commits_with_the_read_or_not_at_all(world: World) -> None:
    """opened_record writes its event last, inside the read's transaction: a read that fails
    leaves no event, and a read that succeeds leaves exactly one."""
    nurse = world.staff["nurse"]
    with pytest.raises(ZeroDivisionError), opened_record(nurse, PID) as access:
        assert access.person.pk == PID
        _ = 1 / 0  # the page fails while reading
    assert not AuditEvent.objects.filter(person_id=PID).exists()
    with opened_record(nurse, PID, what="summary") as access:
        assert access.relationship.legitimate
    assert list(AuditEvent.objects.filter(person_id=PID).values_list("what", flat=True)) == [
        "summary (relationship)"
    ]
    assert verify_chain().ok
