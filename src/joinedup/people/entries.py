"""Writing to a person's record: case notes, alerts and consent decisions, each audited.

Every write runs inside the transaction that opened the record
(joinedup.access.policy.opened_record), so the entry, its audit event and the view's event
commit together or not at all. Only a care relationship writes: break-glass opens a record
to read in an emergency, not to add to what the person's team keeps.

Ending an alert or a consent decision is one conditional UPDATE (WHERE it is still in
force): of two people ending the same one at once exactly one does, whichever database it
is, and the other is told who did (a SaveOutcome conflict). Recording a consent decision
locks the person's row first, so two people recording the same kind at once cannot both
write it. Who recorded or ended each entry is copied by username, as the models say.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction, Consent
from joinedup.access.policy import RecordAccess, staff_sector, write_refused
from joinedup.people.entry_forms import NO_LABEL, AlertValues, ConsentValues, NoteValues
from joinedup.people.models import Alert, CaseNote
from joinedup.record.models import Person
from joinedup.save_outcome import SaveOutcome

WHAT = "its notes, alerts or consent decisions"


def require_relationship(access: RecordAccess) -> None:
    """Refuse a write to a record opened by break-glass (PermissionDenied: 403)."""
    if not access.relationship.legitimate:
        raise write_refused(WHAT)


def write_note(
    *, user: Any, access: RecordAccess, values: NoteValues, now: dt.datetime
) -> CaseNote:
    """A case note by this viewer, with their sector and organisation, written now."""
    require_relationship(access)
    staff = access.staff
    note = CaseNote.objects.create(
        person=access.person,
        written_at=now,
        author=staff,
        organisation=staff.organisation,
        sector=staff_sector(staff),
        sensitivity=values.sensitivity if values.sensitivity != NO_LABEL else None,
        text=values.text,
    )
    record_event(AuditAction.CREATE, user=user, person_id=access.person.pk, what="case note")
    return note


def write_alert(*, user: Any, access: RecordAccess, values: AlertValues, now: dt.datetime) -> Alert:
    require_relationship(access)
    alert = Alert.objects.create(
        person=access.person,
        kind=values.kind,
        detail=values.detail,
        recorded_at=now,
        recorded_by=access.staff.user.get_username(),
    )
    record_event(AuditAction.CREATE, user=user, person_id=access.person.pk, what="alert")
    return alert


def end_alert(
    *, user: Any, access: RecordAccess, pk: int, now: dt.datetime
) -> SaveOutcome[Alert, Alert] | None:
    """End the person's alert `pk` now; a conflict (with the alert as ended) if it already
    had ended; None if the person has no such alert."""
    require_relationship(access)
    in_force = Q(ended_at__isnull=True) | Q(ended_at__gt=now)  # as current_alerts reads them
    moved = Alert.objects.filter(in_force, pk=pk, person=access.person).update(
        ended_at=now, ended_by=access.staff.user.get_username()
    )
    alert = Alert.objects.filter(pk=pk, person=access.person).first()
    if alert is None:
        return None
    if not moved:
        return SaveOutcome(saved=None, latest=alert)
    record_event(AuditAction.UPDATE, user=user, person_id=access.person.pk, what="alert ended")
    return SaveOutcome(saved=alert)


def write_consent(
    *, user: Any, access: RecordAccess, values: ConsentValues, now: dt.datetime
) -> SaveOutcome[Consent, Consent]:
    """Record the person's decision now; a conflict (with the one in force) if a decision of
    the same kind is in force already. An objection hides the other side's entries from the
    next read on, since joinedup.access.policy reads the Consent rows in force."""
    require_relationship(access)
    list(Person.objects.select_for_update().filter(pk=access.person.pk).values_list("pk"))
    held = (
        Consent.objects.filter(person=access.person, kind=values.kind, ended_at__isnull=True)
        .order_by("recorded_at", "id")
        .first()
    )
    if held is not None:
        return SaveOutcome(saved=None, latest=held)
    consent = Consent.objects.create(
        person=access.person,
        kind=values.kind,
        note=values.note,
        recorded_at=now,
        recorded_by=access.staff.user.get_username(),
    )
    record_event(AuditAction.CREATE, user=user, person_id=access.person.pk, what="consent decision")
    return SaveOutcome(saved=consent)


def end_consent(
    *, user: Any, access: RecordAccess, pk: int, now: dt.datetime
) -> SaveOutcome[Consent, Consent] | None:
    """Withdraw the person's decision `pk` now; a conflict (with it as ended) if it already
    had ended; None if the person has no such decision."""
    require_relationship(access)
    moved = Consent.objects.filter(pk=pk, person=access.person, ended_at__isnull=True).update(
        ended_at=now, ended_by=access.staff.user.get_username()
    )
    consent = Consent.objects.filter(pk=pk, person=access.person).first()
    if consent is None:
        return None
    if not moved:
        return SaveOutcome(saved=None, latest=consent)
    record_event(
        AuditAction.UPDATE, user=user, person_id=access.person.pk, what="consent decision ended"
    )
    return SaveOutcome(saved=consent)
