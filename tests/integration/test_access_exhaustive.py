"""Every person-data URL, for every profession x relationship x sensitivity x objection x
break-glass: zero leaks, and refusals identical for people who exist and people who don't.

The relationships are the team's (caseload, open referral, key worker) and those the work
the platform hands out gives (a task, triage, the urgent board, the hub, an MDT agenda),
each also ended (task closed, referral accepted elsewhere or completed, person
discharged, meeting held). A work relationship only opens the record; what an opened
record shows is decided as for the team's relationships, which are crossed with every
label, objection and break-glass. So each work relationship is tried twice: no label and
no objection, and a mental health note under an objection.

A person's labelled notes are either none or one of every label at once, each its own
marker: every label meets every relationship, objection and break-glass on the same
pages as when each label had a person of its own, in fewer people (and page requests).

The expected answer comes from an oracle written here from the security model
(docs/security.md), not from joinedup.access.policy: the test states the
rules and the pages must obey them. Each person carries entries of every sector, each with
a unique marker (the entry's HTML id and, for case notes, their text); a page leaks if a
marker the viewer may not see appears anywhere in its HTML.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from joinedup.access.models import BreakGlass, CareTeamMember, Consent, Profession, StaffMember
from joinedup.careplans.models import CarePlan, CarePlanVersion
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.people.models import CaseNote
from joinedup.record.models import (
    CarePackage,
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
from joinedup.tasks.models import Task

# About six minutes of one core, run once: the access policy's queries are plain ORM.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.once_on_postgres]

RELATIONSHIPS = ("none", "caseload", "open_referral", "key_worker", "ended_caseload", "other_team")
WORK = (
    "task",
    "task_closed",
    "triage",
    "triaged_elsewhere",
    "two_hour",
    "two_hour_completed",
    "hub",
    "hub_discharged",
    "mdt",
    "mdt_held",
)
WORK_CONTENTS = (((), False), (("mental_health",), True))  # (labels, objection)
LEGITIMATE = {"caseload", "open_referral", "key_worker", "task", "two_hour", "mdt"}
TRIAGERS = {Profession.SPA_TRIAGE_CLINICIAN}
HUB_WORKERS = {Profession.DISCHARGE_COORDINATOR, Profession.SOCIAL_CARE_BROKER}
LABELLED = ((), ("safeguarding", "sexual_health", "mental_health"))  # a person's labels
OBJECTION = (False, True)
GLASS = ("none", "active", "expired")

NO_RECORD = {Profession.COMMISSIONER, Profession.ANALYST, Profession.SYSTEM_ADMINISTRATOR}
READERS = {
    "safeguarding": {
        Profession.SOCIAL_WORKER,
        Profession.GP,
        Profession.DISTRICT_NURSE,
        Profession.COMMUNITY_NURSE,
        Profession.MENTAL_HEALTH_PRACTITIONER,
        Profession.TEAM_MANAGER,
    },
    "sexual_health": {Profession.GP},
    "mental_health": {
        Profession.MENTAL_HEALTH_PRACTITIONER,
        Profession.GP,
        Profession.SOCIAL_WORKER,
    },
}
EMPLOYER = {  # profession -> the kind of organisation employing the viewer
    Profession.SOCIAL_WORKER: "council",
    Profession.OCCUPATIONAL_THERAPIST: "council",
    Profession.CARE_NAVIGATOR: "voluntary",
    Profession.GP: "practice",
    Profession.PHARMACIST: "practice",
    Profession.COMMISSIONER: "icb",
    Profession.ANALYST: "icb",
    Profession.SYSTEM_ADMINISTRATOR: "icb",
}
EMPLOYER_SECTOR = {
    "trust": "health",
    "practice": "health",
    "icb": "health",
    "council": "social_care",
    "voluntary": "voluntary",
}
MISSING = "p-nobody-here"


@dataclass
class Case:
    person_id: str
    name: str
    relationship: str
    labels: tuple[str, ...]  # one labelled note each
    objection: bool
    glass: str
    # marker -> (sector, sensitivity label) for every entry of the person's record
    entries: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # the same for what another page shows instead: marker -> (sector, label, that page)
    elsewhere: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)


def _oracle_open(profession: str, case: Case) -> bool:
    if profession in NO_RECORD:
        return False
    if case.relationship == "triage" and profession in TRIAGERS:
        return True
    if case.relationship == "hub" and profession in HUB_WORKERS:
        return True
    return case.relationship in LEGITIMATE or case.glass == "active"


def _oracle_visible(profession: str, case: Case, sector: str, label: str | None) -> bool:
    if label is not None and profession not in READERS[label]:
        return False
    if case.objection:
        viewer = EMPLOYER_SECTOR[EMPLOYER.get(profession, "trust")]
        return sector == "shared" or sector == viewer
    return True


@dataclass
class World:
    viewer: Any
    profession: str
    cases: list[Case]


def _organisations() -> dict[str, Organisation]:
    kinds = {
        "trust": Organisation.Kind.NHS_TRUST,
        "council": Organisation.Kind.COUNCIL,
        "voluntary": Organisation.Kind.VOLUNTARY,
        "icb": Organisation.Kind.ICB,
        "practice": Organisation.Kind.GP_PRACTICE,
    }
    return {
        key: Organisation.objects.create(id=f"org-{key}", name=f"The {key}", kind=kind)
        for key, kind in kinds.items()
    }


def _staff(
    username: str, profession: str, organisation: Organisation, name: tuple[str, str] = ("", "")
) -> StaffMember:
    user = get_user_model().objects.create_user(
        username, password="correct horse battery", first_name=name[0], last_name=name[1]
    )
    return StaffMember.objects.create(user=user, profession=profession, organisation=organisation)


# A mental health practitioner in every person's care team, who also wrote an unlabelled
# note: their name (on the care team row and as the note's author) is mental health detail.
MH_NAME = ("Morwenna", "Mindful")
PLAN_SAVER = "Wenna Mind"  # the name the care plan's version copied for her


@dataclass
class Places:
    """What the work relationships hang on: the teams, and an MDT to come and one held."""

    team: Team
    other: Team
    scheduled: Meeting
    held: Meeting


def build_world(profession: str) -> World:
    orgs = _organisations()
    neighbourhood = Neighbourhood.objects.create(id="n1", name="Northgate")
    team = Team.objects.create(id="t-a", neighbourhood=neighbourhood, name="Northgate INT")
    other = Team.objects.create(id="t-b", neighbourhood=neighbourhood, name="Southmead INT")
    practice = GpPractice.objects.create(
        id="gp-1", neighbourhood=neighbourhood, name="Abbey Road", organisation=orgs["practice"]
    )
    urgent = Team.objects.create(
        id="t-u", name="Urgent response", kind=Team.Kind.URGENT_COMMUNITY_RESPONSE
    )
    viewer = _staff("viewer", profession, orgs[EMPLOYER.get(profession, "trust")])
    viewer.teams.add(team, urgent)
    authors = {
        "health": _staff("author-health", Profession.DISTRICT_NURSE, orgs["trust"]),
        "social_care": _staff("author-council", Profession.SOCIAL_WORKER, orgs["council"]),
        "voluntary": _staff("author-voluntary", Profession.CARE_NAVIGATOR, orgs["voluntary"]),
        "mental_health": _staff(
            "author-mh", Profession.MENTAL_HEALTH_PRACTITIONER, orgs["trust"], MH_NAME
        ),
    }
    now = timezone.now()
    meetings = {
        status: Meeting.objects.create(
            team=team,
            starts_at=now + dt.timedelta(days=2 if status == "scheduled" else -7),
            status=status,
            created_at=now - dt.timedelta(days=14),
            created_by="manager",
            held_at=None if status == "scheduled" else now - dt.timedelta(days=7),
        )
        for status in (Meeting.Status.SCHEDULED, Meeting.Status.HELD)
    }
    places = Places(team, other, meetings[Meeting.Status.SCHEDULED], meetings[Meeting.Status.HELD])
    cases = []
    combos = itertools.chain(
        itertools.product(RELATIONSHIPS, LABELLED, OBJECTION, GLASS),
        ((work, labels, objection, "none") for work in WORK for labels, objection in WORK_CONTENTS),
    )
    for n, (relationship, labels, objection, glass) in enumerate(combos):
        pid = f"p{n:03d}"
        family = "Quartermain" + _letters(n)
        case = Case(pid, f"Zebedee {family}", relationship, labels, objection, glass)
        Person.objects.create(
            id=pid,
            birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=n),
            neighbourhood=neighbourhood,
            practice=practice,
            lives_alone=True,
            has_unpaid_carer=False,
            registered_from=dt.date(2019, 4, 1),
            given_name="Zebedee",
            family_name=family,
            postcode="CX1 1AA",
        )
        _entries(case, authors, orgs, team)
        if relationship in {"caseload", "ended_caseload", "other_team"}:
            Episode.objects.create(
                id=f"e-{pid}",
                person_id=pid,
                team=other if relationship == "other_team" else team,
                start_date=dt.date(2020, 1, 1),
                end_date=dt.date(2021, 1, 1) if relationship == "ended_caseload" else None,
                reason="referral",
            )
            sector = "shared"
            case.entries[f"entry-episode-e-{pid}"] = (sector, None)
        if relationship == "open_referral":
            Referral.objects.create(
                id=f"r-{pid}",
                person_id=pid,
                received_at=now - dt.timedelta(days=3),
                source="gp",
                urgency="routine",
                team=team,
                status="accepted",
            )
            case.entries[f"entry-referral-r-{pid}"] = ("health", None)
        if relationship in WORK:
            _work(case, viewer, places, n, now)
        if relationship == "key_worker":
            CareTeamMember.objects.create(
                person_id=pid,
                staff=viewer,
                role="Key worker",
                key_worker=True,
                started=dt.date(2020, 1, 1),
            )
        if objection:
            Consent.objects.create(
                person_id=pid,
                kind=Consent.Kind.SHARING_OBJECTION,
                recorded_at=now - dt.timedelta(days=30),
                recorded_by="author-council",
            )
        if glass != "none":
            started = now - dt.timedelta(hours=1 if glass == "active" else 6)
            BreakGlass.objects.create(
                staff=viewer,
                person_id=pid,
                reason="Called by the ambulance crew",
                started_at=started,
                expires_at=started + dt.timedelta(hours=4),
            )
        cases.append(case)
    return World(viewer=viewer.user, profession=profession, cases=cases)


def _work(case: Case, viewer: StaffMember, places: Places, n: int, now: dt.datetime) -> None:
    """The piece of work the case's relationship names, open or ended."""
    pid, kind = case.person_id, case.relationship
    today = timezone.localdate(now)
    if kind.startswith("task"):
        closed = kind == "task_closed"
        Task.objects.create(
            title="Check the pendant alarm",
            person_id=pid,
            team=places.team,
            owner_staff=viewer,
            due=today + dt.timedelta(days=3),
            status=Task.Status.DONE if closed else Task.Status.OPEN,
            created_at=now - dt.timedelta(days=2),
            created_by="manager",
            closed_at=now - dt.timedelta(hours=1) if closed else None,
            closed_by="manager" if closed else "",
        )
    elif kind.startswith(("triage", "two_hour")):
        status = {
            "triage": "requested",
            "triaged_elsewhere": "accepted",
            "two_hour": "accepted",
            "two_hour_completed": "completed",
        }[kind]
        Referral.objects.create(
            id=f"r-{pid}",
            person_id=pid,
            received_at=now - dt.timedelta(hours=1),
            source="gp",
            urgency="two_hour" if kind.startswith("two_hour") else "routine",
            team=None if kind == "triage" else places.other,
            status=status,
            closed_at=now - dt.timedelta(minutes=5) if status == "completed" else None,
        )
        case.entries[f"entry-referral-r-{pid}"] = ("health", None)
    elif kind.startswith("hub"):
        discharged = kind == "hub_discharged"
        HospitalSpell.objects.create(
            id=f"h-{pid}",
            person_id=pid,
            admission_date=today - dt.timedelta(days=10 if discharged else 3),
            admission_method="emergency",
            acsc=False,
            fall=True,
            discharge_date=today - dt.timedelta(days=2) if discharged else None,
        )
        case.entries[f"entry-spell-h-{pid}"] = ("health", None)
    else:
        meeting = places.held if kind == "mdt_held" else places.scheduled
        AgendaItem.objects.create(
            meeting=meeting, person_id=pid, reason=AgendaItem.Reason.ADDED, position=n
        )


def _letters(n: int) -> str:
    """A distinct letter suffix per person (names have no digits): 0 -> "aa", 27 -> "bb"."""
    return chr(ord("a") + n // 26) + chr(ord("a") + n % 26)


def _entries(
    case: Case, authors: dict[str, StaffMember], orgs: dict[str, Organisation], team: Team
) -> None:
    pid = case.person_id
    notes: list[tuple[str, str, str | None]] = [
        ("health", "health", None),
        ("social_care", "social_care", None),
        ("voluntary", "voluntary", None),
        ("mental_health", "health", None),  # unlabelled: its author is what tells
    ]
    notes += [("health", "health", label) for label in case.labels]
    for i, (author, sector, label) in enumerate(notes):
        text = f"note-{pid}-{i}-{sector}-{label or 'plain'}"
        CaseNote.objects.create(
            person_id=pid,
            written_at=timezone.now() - dt.timedelta(days=10 + i),
            author=authors[author],
            organisation=authors[author].organisation,
            sector=sector,
            sensitivity=label,
            text=text,
        )
        case.entries[text] = (sector, label)
    row = CareTeamMember.objects.create(
        person_id=pid,
        staff=authors["mental_health"],
        role="Community support",
        started=dt.date(2020, 1, 1),
    )
    case.entries[f'id="care-team-{row.pk}"'] = ("health", "mental_health")
    case.entries[" ".join(MH_NAME)] = ("health", "mental_health")
    # ...who also saved the care plan (the integrated team's, shared under an objection): its
    # pages name who saved it only to readers of the label.
    mh = authors["mental_health"]
    plan = CarePlan.objects.create(person_id=pid, version=1, created_at=timezone.now())
    CarePlanVersion.objects.create(
        plan=plan,
        number=1,
        what_matters="Walking to the shop",
        saved_at=timezone.now(),
        saved_by=mh.user.get_username(),
        saved_by_name=PLAN_SAVER,
        profession=mh.profession,
        organisation=mh.organisation.name,
    )
    case.elsewhere[PLAN_SAVER] = ("shared", "mental_health", f"/care-plans/{pid}/")
    contacts = (
        ("health", "community_nursing", "trust", None),
        ("social_care", "social_work", "council", None),
        ("voluntary", "care_navigation", "voluntary", None),
        ("health", "mental_health", "trust", "mental_health"),
    )
    for i, (sector, service, org, label) in enumerate(contacts):
        Contact.objects.create(
            id=f"c-{pid}-{i}",
            person_id=pid,
            contact_date=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            service=service,
            sector=sector,
            team=team,
            urgent=False,
            organisation=orgs[org],
        )
        case.entries[f"entry-contact-c-{pid}-{i}"] = (sector, label)
    HospitalSpell.objects.create(
        id=f"s-{pid}",
        person_id=pid,
        admission_date=dt.date(2023, 5, 1),
        admission_method="emergency",
        primary_diagnosis="I50.0",
        acsc=True,
        fall=False,
        discharge_date=dt.date(2023, 5, 9),
    )
    case.entries[f"entry-spell-s-{pid}"] = ("health", None)
    CarePackage.objects.create(
        id=f"k-{pid}",
        person_id=pid,
        service_type="home_care",
        start_date=dt.date(2023, 5, 10),
        funder="council",
        personal_budget=False,
        permanent=False,
    )
    case.entries[f"entry-package-k-{pid}"] = ("social_care", None)


def person_urls(person_id: str) -> list[str]:
    """Every page that shows a person's data (the timeline with its filters included)."""
    base = f"/people/{person_id}/"
    return [
        base,
        base + "?sector=health",
        base + "?sector=social_care&kind=note",
        base + "?from_day=1&from_month=1&from_year=2023&to_day=31&to_month=12&to_year=2024",
        base + "access-report/",
        base + "details/history/",
        # the shared care plan is the person's data too (joinedup.careplans; its edit page,
        # which break-glass does not open, is tested in test_care_plans.py)
        f"/care-plans/{person_id}/",
        f"/care-plans/{person_id}/print/",
    ]


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _normalised(body: bytes, person_id: str) -> bytes:
    """The body with the person id and the per-request CSRF tokens blanked out."""
    body = CSRF_TOKEN.sub(b'name="csrfmiddlewaretoken" value=""', body)
    return body.replace(person_id.encode(), b"<ID>")


@pytest.mark.parametrize("profession", Profession.values)
def test_no_leaks_and_identical_refusals(profession: str) -> None:
    world = build_world(profession)
    client = Client()
    client.force_login(world.viewer)
    refusals = {url: client.get(url) for url in person_urls(MISSING)}
    for url, response in refusals.items():
        assert response.status_code == 403, url
    leaks: list[str] = []
    for case in world.cases:
        opened = _oracle_open(profession, case)
        for url, missing_url in zip(person_urls(case.person_id), person_urls(MISSING), strict=True):
            response = client.get(url)
            body = response.content.decode()
            if not opened:
                refused = refusals[missing_url]
                assert response.status_code == 403, (url, case)
                assert _normalised(response.content, case.person_id) == _normalised(
                    refused.content, MISSING
                ), f"{url}: refusal differs from the refusal for a missing person ({case})"
                assert case.name.split()[1] not in body, (url, case)
                continue
            assert response.status_code == 200, (url, case, body[:500])
            shown_on = {
                m: (s, lab, f"/people/{case.person_id}/") for m, (s, lab) in case.entries.items()
            }
            for marker, (sector, label, page) in (shown_on | case.elsewhere).items():
                allowed = _oracle_visible(profession, case, sector, label)
                if marker in body and not allowed:
                    leaks.append(f"{url} shows {marker} to a {profession} ({case})")
                if url == page and allowed and marker not in body:
                    leaks.append(f"{url} hides {marker} from a {profession} ({case})")
    assert leaks == []
    # The refusal is audited for a real person and never reveals anything by its headers.
    missing = client.get(f"/people/{MISSING}/")
    real = client.get(f"/people/{world.cases[0].person_id}/")
    if not _oracle_open(profession, world.cases[0]):
        assert sorted(missing.headers) == sorted(real.headers)
    _search_shows_identity_only(world, client, profession)
    _my_people_lists_only_the_key_workers_people(world, client, profession)


def _my_people_lists_only_the_key_workers_people(
    world: World, client: Client, profession: str
) -> None:
    """My people, in the same world: exactly the people the viewer is key worker for, and
    nothing of their records the viewer may not see (each one's latest entry included)."""
    response = client.get("/teams/my-people/")
    body = response.content.decode()
    if profession in NO_RECORD:
        assert response.status_code == 403
        assert "Quartermain" not in body
        return
    assert response.status_code == 200
    for case in world.cases:
        listed = case.relationship == "key_worker"
        assert (f'data-person="{case.person_id}"' in body) == listed, case
        assert (case.name.split()[1] in body) == listed, case
        for marker, (sector, label) in case.entries.items():
            allowed = _oracle_visible(profession, case, sector, label)
            assert allowed or marker not in body, f"my people shows {marker} ({case})"


def _search_shows_identity_only(world: World, client: Client, profession: str) -> None:
    """Search, in the same world (built once a profession): identity, never an entry."""
    wanted = world.cases[1]
    response = client.get("/people/", {"q": wanted.name})
    if profession in NO_RECORD:
        assert response.status_code == 403
        assert "Quartermain" not in response.content.decode()
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/people/{wanted.person_id}/"' in body  # found, and shown as a result
    for case in world.cases:
        for marker in [*case.entries, *case.elsewhere]:
            assert marker not in body, f"search shows {marker}"
