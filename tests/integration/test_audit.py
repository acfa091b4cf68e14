"""The audit log: a valid chain, refused by the database to change, and tampering found."""

from __future__ import annotations

import importlib
import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from joinedup.access.audit import (
    DEMO_AUTHOR,
    GENESIS_HASH,
    access_report,
    event_hash,
    record_event,
    verify_chain,
)
from joinedup.access.models import (
    AuditAction,
    AuditChainHead,
    AuditEvent,
    AuditLogAppendOnlyError,
    Profession,
    StaffMember,
)
from joinedup.record.models import Organisation
from racing import at_once

triggers = importlib.import_module("joinedup.access.migrations.0003_audit_append_only")

# The audit chain, its append-only triggers (SQL per backend) and a writers' race.
pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class _SchemaEditor:
    """Just enough of a schema editor for the migration's trigger functions."""

    connection = connection

    @staticmethod
    def execute(sql: str, params: None = None) -> None:
        execute(sql)


def drop_append_only_triggers() -> None:
    """What an attacker with the database owner's rights can do (undone when the test ends)."""
    triggers.drop_triggers(None, _SchemaEditor())


def create_append_only_triggers() -> None:
    triggers.create_triggers(None, _SchemaEditor())


@pytest.fixture
def nurse() -> Any:
    organisation = Organisation.objects.create(
        id="org-trust", name="Northgate Community Trust", kind=Organisation.Kind.NHS_TRUST
    )
    user = get_user_model().objects.create_user("nurse.jones", password="x" * 16)
    StaffMember.objects.create(
        user=user, profession=Profession.DISTRICT_NURSE, organisation=organisation
    )
    return user


def write_events(user: Any, count: int, person_id: str = "p1") -> list[AuditEvent]:
    return [
        record_event(AuditAction.VIEW, user=user, person_id=person_id, what=f"summary {i}")
        for i in range(count)
    ]


def test_chain_verifies_after_many_events(nurse: Any) -> None:
    events = write_events(nurse, 150)
    events.append(record_event("login_failed", user=AnonymousUser(), username="nobody"))
    events.append(record_event("break_glass", user=nurse, person_id="p9", reason="Unconscious"))
    assert [e.sequence for e in events] == list(range(1, 153))
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    result = verify_chain(chunk_size=7)  # several chunks of the streamed read
    assert result.ok and result.checked == 152 and result.first_broken_sequence is None
    assert result.last_hash == events[-1].hash
    assert result.message == f"audit log intact: 152 events checked, last hash {events[-1].hash}"


def test_empty_log_verifies() -> None:
    result = verify_chain()
    assert (result.ok, result.checked, result.message) == (
        True,
        0,
        "audit log intact: no events yet",
    )


def test_event_copies_who_and_takes_the_database_time(nurse: Any) -> None:
    event = record_event(AuditAction.UPDATE, user=nurse, person_id="p1", what="care plan")
    StaffMember.objects.filter(user=nurse).update(profession=Profession.TEAM_MANAGER)
    stored = AuditEvent.objects.get(sequence=event.sequence)
    assert (stored.username, stored.profession, stored.organisation) == (
        "nurse.jones",
        Profession.DISTRICT_NURSE,
        "Northgate Community Trust",
    )
    assert stored.user_id == nurse.pk
    assert stored.occurred_at.tzinfo is not None
    assert event_hash(stored) == stored.hash  # survives the round trip through the database
    failed = record_event(AuditAction.LOGIN_FAILED, username="mallory")
    assert (failed.user_id, failed.username, failed.profession) == (None, "mallory", "")


def test_break_glass_needs_a_reason(nurse: Any) -> None:
    with pytest.raises(ValueError, match="reason"):
        record_event(AuditAction.BREAK_GLASS, user=nurse, person_id="p1", reason="  ")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_auditevent SET what = 'nothing to see' WHERE sequence = 2",
        "UPDATE access_auditevent SET person_id = NULL",
        "DELETE FROM access_auditevent WHERE sequence = 2",
        "DELETE FROM access_auditevent",
    ],
)
def test_database_refuses_update_and_delete(nurse: Any, statement: str) -> None:
    write_events(nurse, 3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(statement)
    assert AuditEvent.objects.filter(what__startswith="summary").count() == 3
    assert verify_chain().ok


def test_django_refuses_to_change_or_delete(nurse: Any) -> None:
    event = write_events(nurse, 2)[0]
    event.what = "changed"
    with pytest.raises(AuditLogAppendOnlyError):
        event.save()
    with pytest.raises(AuditLogAppendOnlyError):
        event.delete()
    with pytest.raises(AuditLogAppendOnlyError):
        AuditEvent.objects.filter(sequence=1).update(what="changed")
    with pytest.raises(AuditLogAppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(sequence=1).what == "summary 0"


def test_altered_content_is_named(nurse: Any) -> None:
    write_events(nurse, 10)
    drop_append_only_triggers()
    execute("UPDATE access_auditevent SET person_id = 'p2' WHERE sequence = 6")
    result = verify_chain()
    assert not result.ok
    assert result.first_broken_sequence == 6 and result.checked == 5
    assert "altered" in result.reason
    assert result.message.startswith("audit log broken at sequence 6: ")


def test_altered_and_rehashed_event_breaks_the_next_link(nurse: Any) -> None:
    events = write_events(nurse, 5)
    drop_append_only_triggers()
    forged = AuditEvent.objects.get(sequence=3)
    forged.what = "nothing"
    execute(
        "UPDATE access_auditevent SET what = %s, hash = %s WHERE sequence = 3",
        ["nothing", event_hash(forged)],
    )
    assert events[3].prev_hash != event_hash(forged)
    result = verify_chain()
    assert (result.ok, result.first_broken_sequence) == (False, 4)
    assert "does not link to sequence 3" in result.reason


def test_deleted_event_is_named_as_a_gap(nurse: Any) -> None:
    write_events(nurse, 8)
    drop_append_only_triggers()
    execute("DELETE FROM access_auditevent WHERE sequence IN (4, 5)")
    result = verify_chain()
    assert (result.ok, result.first_broken_sequence, result.checked) == (False, 4, 3)
    assert "sequences 4 to 5 are missing" in result.reason


def test_events_cut_off_the_end_are_found(nurse: Any) -> None:
    write_events(nurse, 6)
    drop_append_only_triggers()
    execute("DELETE FROM access_auditevent WHERE sequence > 4")
    result = verify_chain()
    assert (result.ok, result.first_broken_sequence, result.checked) == (False, 5, 4)
    assert "cut off the end" in result.reason


def test_triggers_are_back_after_an_attack_test(nurse: Any) -> None:
    """The tests above drop triggers inside their own transaction, which rolls them back."""
    drop_append_only_triggers()
    create_append_only_triggers()
    write_events(nurse, 1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute("DELETE FROM access_auditevent")


def test_rolled_back_transaction_leaves_no_event(nurse: Any) -> None:
    write_events(nurse, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(AuditAction.VIEW, user=nurse, person_id="p1", what="rolled back")
        raise RuntimeError("the view failed")
    assert not AuditEvent.objects.filter(what="rolled back").exists()
    assert AuditChainHead.objects.get().sequence == 2
    assert verify_chain().ok
    assert record_event(AuditAction.VIEW, user=nurse, person_id="p1").sequence == 3
    assert verify_chain().checked == 3


def test_access_report_lists_one_persons_events(nurse: Any) -> None:
    record_event(AuditAction.SEARCH_HIT, user=nurse, person_id="p1", what="search")
    record_event(AuditAction.VIEW, user=nurse, person_id="p2", what="summary")
    record_event(AuditAction.LOGIN, user=nurse)
    record_event(AuditAction.BREAK_GLASS, user=nurse, person_id="p1", reason="Found collapsed")
    StaffMember.objects.filter(user=nurse).update(profession=Profession.TEAM_MANAGER)
    nurse = get_user_model().objects.get(pk=nurse.pk)  # as the next request would load her
    record_event(AuditAction.UPDATE, user=nurse, person_id="p1", what="care plan")
    # Named at display time, as her account names her now: never by her login.
    get_user_model().objects.filter(pk=nurse.pk).update(first_name="Nia", last_name="Jones")
    report = access_report("p1")
    assert [(line.action, line.what, line.reason) for line in report] == [
        ("Changed", "care plan", ""),
        ("Broke the glass", "", "Found collapsed"),
        ("Appeared in search results", "search", ""),
    ]  # newest first
    assert [line.profession for line in report] == ["Team manager"] + ["District nurse"] * 2
    assert {(line.who, line.organisation) for line in report} == {
        ("Nia Jones", "Northgate Community Trust")
    }
    assert report[0].when >= report[-1].when
    assert [line.described for line in report] == [
        "Changed: care plan",
        "Broke the glass",
        "Appeared in search results: search",
    ]
    assert access_report("p3") == []


def test_access_report_counts_what_no_member_of_staff_wrote(nurse: Any) -> None:
    """The demo's data (hundreds of rows a person) is one line a day and action; a system's
    lone entry stays as it is; every member of staff's access is listed, by name, or by
    username for an account that no longer exists."""
    get_user_model().objects.filter(pk=nurse.pk).update(first_name="Nia", last_name="Jones")
    record_event(AuditAction.VIEW, user=nurse, person_id="p1", what="record")
    for what in ("alert", "consent", "case note"):
        record_event(AuditAction.CREATE, username=DEMO_AUTHOR, person_id="p1", what=what)
    record_event(AuditAction.UPDATE, username="Casterbridge PAS", person_id="p1", what="stay")
    gone = get_user_model().objects.create_user("gone.smith", first_name="Al", last_name="Smith")
    record_event(AuditAction.VIEW, user=gone, person_id="p1", what="record")
    gone.delete()
    record_event(AuditAction.VIEW, user=nurse, person_id="p1", what="record again")
    report = access_report("p1")
    assert [(line.who, line.described, line.entries) for line in report] == [
        ("Nia Jones", "Viewed: record again", 1),
        ("gone.smith", "Viewed: record", 1),
        ("Casterbridge PAS", "Changed: stay", 1),
        (DEMO_AUTHOR, "Demo data loaded: 3 entries", 3),
        ("Nia Jones", "Viewed: record", 1),
    ]
    day = report[3].when
    assert day == timezone.localdate(report[4].when)  # a day, not a moment


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(committed_audit: None) -> None:
    writers, each = 4, 15

    def write(n: int) -> None:
        for i in range(each):
            with transaction.atomic():
                record_event(AuditAction.VIEW, username=f"writer{n}", what=f"event {i}")

    at_once(write, range(writers))
    result = verify_chain()
    assert result.ok and result.checked == writers * each
