"""The access policy's pure rules: sensitive diagnoses, entry sectors, who reads what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from joinedup.access.capabilities import FIND_PEOPLE
from joinedup.access.models import Profession
from joinedup.access.policy import (
    SENSITIVE_READERS,
    SHARED,
    TEAM_RELATIONSHIPS,
    UNKNOWN,
    Relationship,
    contact_sector,
    contact_sensitivity,
    diagnosis_sensitivity,
    may_read_sensitivity,
    package_sector,
    referral_sector,
    relationships,
)
from joinedup.lake import schema


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("F32.1", "mental_health"),
        ("f20", "mental_health"),
        ("F04", "mental_health"),
        ("F03", None),  # dementia: every carer needs it
        ("F01.9", None),
        ("F05.0", None),  # delirium
        ("A54.0", "sexual_health"),
        ("B20", "sexual_health"),
        ("Z21", "sexual_health"),
        ("T74.1", "safeguarding"),
        ("Y06.0", "safeguarding"),
        ("I50.0", None),
        ("", None),
        (None, None),
    ],
)
def test_diagnosis_sensitivity(code: str | None, label: str | None) -> None:
    assert diagnosis_sensitivity(code) == label


def test_every_referral_source_and_funder_has_a_sector() -> None:
    known = [s for s in schema.REFERRAL_SOURCES if s != "other"]
    assert referral_sector("other") == UNKNOWN
    assert {referral_sector(s) for s in known} <= {
        "health",
        "social_care",
        "voluntary",
        SHARED,
    }
    assert UNKNOWN not in {package_sector(f) for f in schema.PACKAGE_FUNDERS}
    assert referral_sector(None) == UNKNOWN and package_sector(None) == UNKNOWN
    assert contact_sector(None) == UNKNOWN and contact_sector("health") == "health"


def test_mental_health_contacts_are_labelled() -> None:
    labelled = {s for s in schema.SERVICES if contact_sensitivity(s)}
    assert labelled == {"mental_health"}


def test_no_record_professions_read_no_sensitive_label() -> None:
    for label, readers in SENSITIVE_READERS.items():
        assert not readers & FIND_PEOPLE.lacking, label
    assert may_read_sensitivity(Profession.DISTRICT_NURSE, None)
    assert not may_read_sensitivity(Profession.DISTRICT_NURSE, "sexual_health")
    assert may_read_sensitivity(Profession.GP, "sexual_health")
    assert not may_read_sensitivity(Profession.GP, "no_such_label")


def test_relationship_opens_and_describes() -> None:
    assert not Relationship().opens_record
    glass = Relationship(break_glass_until=dt.datetime(2026, 1, 1, 15, 30, tzinfo=dt.UTC))
    assert glass.opens_record and not glass.legitimate
    assert "broke the glass" in glass.describe()
    caseload, _referral, key_worker = TEAM_RELATIONSHIPS
    both = Relationship(reasons=(caseload, key_worker))
    assert both.legitimate and both.holds("key_worker") and not both.holds("open_referral")
    assert both.describe() == (
        "You can see this record because the person is on your team's caseload and you "
        "are the person's key worker."
    )


def test_every_relationship_is_declared_once_and_documented() -> None:
    """The team's relationships and those each app's work declares (its `relationships`
    module): a new one must be added to security.md's table, which this keeps honest."""
    declared = {r.key: r for r in relationships()}
    assert list(declared) == [r.key for r in relationships()]  # no key twice
    assert set(declared) == {
        "caseload",
        "open_referral",
        "key_worker",
        "task",
        "mdt_agenda",
        "triage",
        "two_hour",
        "hub",
    }
    security = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    for r in declared.values():
        assert r.because and r.ends, r.key
    for key, words in {
        "task": "An open task about the person",
        "triage": "A referral waiting in the triage queue",
        "two_hour": "An open two-hour referral",
        "hub": "A stay on the transfer of care hub's board",
        "mdt_agenda": "A place on the agenda of an MDT meeting not yet held",
    }.items():
        assert f"| {words}" in security, key
