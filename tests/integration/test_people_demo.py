"""The demo city's shared records: audited, idempotent, deterministic, synthetic only, and
a showcase person who is related to the demo district nurse and not to the discharge
coordinator."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from command_line import run_installed
from joinedup.access.demo import DemoLoginError, create_demo_logins
from joinedup.access.models import (
    AuditAction,
    AuditEvent,
    CareTeamMember,
    Consent,
    Profession,
    Sensitivity,
    StaffMember,
)
from joinedup.access.policy import relationship, staff_sector
from joinedup.people.demo import DEMO_AUTHOR, WHAT, DemoRecordSummary, seed_demo_record
from joinedup.people.models import Alert, CaseNote
from joinedup.record.load import load_lake
from joinedup.record.models import LoadedLake

pytestmark = pytest.mark.once_on_postgres  # demo seeding through the ORM

MakeLake = Callable[..., Path]
TODAY = dt.date(2025, 6, 1)
CASELOAD = [f"q{n:02d}" for n in range(40)]  # open episodes with t-north, the demo team


def _with_a_caseload(tables: dict[str, list[dict[str, Any]]]) -> None:
    """The tiny lake plus 40 living people on t-north's caseload, a dead one, and one elsewhere."""
    people = [*CASELOAD, "q-dead", "q-south"]
    for n, pid in enumerate(people):
        south = pid == "q-south"
        tables["person"].append(
            {
                "person_id": pid,
                "birth_date": dt.date(1930 + n, 1 + n % 12, 1 + n % 28),
                "sex": ("female", "male")[n % 2],
                "deprivation_decile": 1 + n % 10,
                "neighbourhood_id": "n-south" if south else "n-north",
                "practice_id": "gp-c" if south else ("gp-a", "gp-b")[n % 2],
                "lives_alone": n % 3 == 0,
                "has_unpaid_carer": n % 4 == 0,
                "registered_from": dt.date(2019, 4, 1),
                "registered_to": None,
                "death_date": dt.date(2024, 1, 1) if pid == "q-dead" else None,
            }
        )
        tables["episode"].append(
            {
                "episode_id": f"e-{pid}",
                "person_id": pid,
                "team_id": "t-south" if south else "t-north",
                "start_date": dt.date(2023, 1 + n % 12, 1 + n % 28),
                "end_date": None,
                "reason": "referral",
                "end_reason": None,
            }
        )
        if n % 5 == 0:
            tables["contact"].append(
                {
                    "contact_id": f"c-{pid}",
                    "person_id": pid,
                    "contact_date": dt.date(2024, 2, 2),
                    "service": "mental_health",
                    "sector": "health",
                    "team_id": None,
                    "referral_id": None,
                    "urgent": False,
                    "response_minutes": None,
                    "cost": None,
                }
            )


@pytest.fixture
def demo_city(make_lake: MakeLake) -> None:
    load_lake(make_lake(edit=_with_a_caseload))
    create_demo_logins()


def staff(profession: str) -> StaffMember:
    return StaffMember.objects.get(profession=profession, user__username__startswith="demo-")


def demo_rows() -> dict[str, int]:
    return {what: model._default_manager.count() for model, what in WHAT.items()}


def audited_creations() -> dict[str, int]:
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, username=DEMO_AUTHOR)
    counts = Counter(events.values_list("what", flat=True))
    return {what: counts[what] for what in WHAT.values()}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every demo row by its content (ids aside), to compare two seedings."""
    return {
        "care team": sorted(
            CareTeamMember.objects.values_list(
                "person_id", "staff__user__username", "role", "key_worker", "started", "ended"
            )
        ),
        "alerts": sorted(
            Alert.objects.values_list("person_id", "kind", "detail", "recorded_at", "recorded_by")
        ),
        "consents": sorted(
            Consent.objects.values_list("person_id", "kind", "recorded_at", "recorded_by", "note")
        ),
        "notes": sorted(
            CaseNote.objects.values_list(
                "person_id", "written_at", "author__user__username", "sector", "text"
            )
        ),
        "phones": sorted(StaffMember.objects.values_list("user__username", "phone")),
    }


@pytest.mark.django_db
def test_seeds_the_caseload_audits_every_row_and_adds_nothing_twice(demo_city: None) -> None:
    nurse = staff(Profession.DISTRICT_NURSE)
    nurse.phone = "07700 900999"  # a number its owner set is never overwritten
    nurse.save()

    first = seed_demo_record(today=TODAY)

    assert first.people == len(CASELOAD) and first.team == "Northgate INT"
    assert first.created == demo_rows() == audited_creations()
    assert all(first.created.values()), first.created
    # only the living people on the demo team's caseload, never anyone else
    assert set(CareTeamMember.objects.values_list("person_id", flat=True)) == set(CASELOAD)
    for model in WHAT:
        assert set(model._default_manager.values_list("person_id", flat=True)) <= set(CASELOAD)
    assert set(AuditEvent.objects.values_list("person_id", flat=True)) <= set(CASELOAD)
    # exactly one current key worker each, some of them the care navigator or social worker
    current = CareTeamMember.objects.filter(key_worker=True, ended__isnull=True)
    per_person = current.values("person_id").annotate(n=Count("id"))
    assert sorted(row["person_id"] for row in per_person) == CASELOAD
    assert {row["n"] for row in per_person} == {1}
    key_workers = set(current.values_list("staff__profession", flat=True))
    assert key_workers & {Profession.CARE_NAVIGATOR, Profession.SOCIAL_WORKER}
    assert Profession.TEAM_MANAGER not in set(
        CareTeamMember.objects.values_list("staff__profession", flat=True)
    )
    # notes carry their author's organisation and sector; every label is used somewhere
    for note in CaseNote.objects.select_related("author__organisation"):
        assert note.organisation_id == note.author.organisation_id
        assert note.sector == staff_sector(note.author)
    assert set(CaseNote.objects.values_list("sensitivity", flat=True)) == {
        None,
        *Sensitivity.values,
    }
    kinds = Counter(Consent.objects.values_list("kind", flat=True))
    assert kinds[Consent.Kind.CONSENT_TO_SHARE] > len(CASELOAD) / 2
    objectors = set(
        Consent.objects.filter(kind=Consent.Kind.SHARING_OBJECTION).values_list(
            "person_id", flat=True
        )
    )
    agreed = Consent.objects.filter(kind=Consent.Kind.CONSENT_TO_SHARE, person_id__in=objectors)
    assert not agreed.exists()
    assert not Alert.objects.filter(detail__regex=r"\d{3,}").exists()  # no key safe codes
    # drama numbers for the care team staff, except the one its owner had set
    phones = dict(CareTeamMember.objects.values_list("staff__user__username", "staff__phone"))
    assert phones["demo-district-nurse"] == "07700 900999"
    assert all(phone.startswith("07700 900") and len(phone) == 12 for phone in phones.values())

    before = snapshot()
    events = AuditEvent.objects.count()
    second = seed_demo_record(today=TODAY)
    assert second.created == dict.fromkeys(WHAT.values(), 0)
    assert second.showcase == first.showcase
    assert snapshot() == before and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_same_city_gets_the_same_records(demo_city: None) -> None:
    class UndoError(Exception):
        pass

    seedings: list[tuple[DemoRecordSummary, dict[str, list[tuple[Any, ...]]]]] = []
    for _ in range(2):
        with pytest.raises(UndoError), transaction.atomic():
            summary = seed_demo_record(today=TODAY)
            seedings.append((summary, snapshot()))
            raise UndoError  # roll the seeding (and its audit events) back and start again
        assert not CareTeamMember.objects.exists() and not AuditEvent.objects.exists()
    (first, rows), (second, again) = seedings
    assert first == second and rows == again
    assert rows["care team"] and rows["notes"]


@pytest.mark.django_db
def test_the_showcase_person_shows_a_related_and_an_unrelated_viewer(demo_city: None) -> None:
    summary = seed_demo_record(today=TODAY)
    shown = summary.showcase
    assert shown is not None and shown.person_id in CASELOAD
    assert shown.key_worker == "demo-district-nurse" and shown.nhs_number.startswith("999 ")
    person = shown.person_id
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)

    related = relationship(staff(Profession.DISTRICT_NURSE), person, now)
    assert related.holds("caseload") and related.opens_record  # the first that holds
    unrelated = relationship(staff(Profession.DISCHARGE_COORDINATOR), person, now)
    assert not unrelated.legitimate and not unrelated.opens_record

    assert Alert.objects.filter(person_id=person, kind=Alert.Kind.KEY_SAFE).exists()
    assert CaseNote.objects.filter(person_id=person, sensitivity=Sensitivity.SAFEGUARDING).exists()
    assert CaseNote.objects.filter(person_id=person, sensitivity=Sensitivity.MENTAL_HEALTH).exists()
    assert not Consent.objects.filter(
        person_id=person, kind=Consent.Kind.SHARING_OBJECTION
    ).exists()
    team = CareTeamMember.objects.filter(person_id=person).values_list("staff__profession")
    assert len(team) >= 4


@pytest.mark.django_db
def test_refused_without_a_synthetic_city_or_demo_logins(make_lake: MakeLake) -> None:
    with pytest.raises(DemoLoginError, match="no city is loaded"):
        seed_demo_record(today=TODAY)
    load_lake(make_lake(edit=_with_a_caseload))
    with pytest.raises(DemoLoginError, match="create the demo logins first"):
        seed_demo_record(today=TODAY)
    create_demo_logins()
    LoadedLake.objects.update(purpose="direct_care")
    with pytest.raises(DemoLoginError, match="only for a synthetic city"):
        seed_demo_record(today=TODAY)
    assert demo_rows() == dict.fromkeys(WHAT.values(), 0)
    assert not AuditEvent.objects.exists()
    assert not StaffMember.objects.exclude(phone="").exists()


def test_joinedup_demo_prints_whom_to_try(tmp_path: Path) -> None:
    """End to end on a small generated city: the try-this lines, and nothing added twice."""
    city = ["--city", str(tmp_path / "city"), "--people", "2000", "--neighbourhoods", "2"]

    def demo() -> str:
        result = run_installed("demo", "--no-serve", *city, var=tmp_path / "var")
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    first = demo()
    assert "care team members" in first and "case notes" in first
    tries = [line for line in first.splitlines() if line.startswith("Try ")]
    assert len(tries) == 1 and "(NHS number 999 " in tries[0], first
    assert "demo-district-nurse sees the whole record" in first
    assert "demo-discharge-coordinator has no care relationship" in first
    assert "/break-glass/" in first
    second = demo()
    assert "Added to" not in second and tries[0] in second.splitlines()
