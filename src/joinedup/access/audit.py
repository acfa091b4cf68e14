"""The tamper-evident audit log: who saw or changed whose data, when and why.

Every view and change of a person's data calls record_event inside the same transaction
as the view or change, so an access that commits is audited and an audit event never
survives a change that rolled back. Events form a hash chain (each hash covers the event's
fields and the previous event's hash); the database refuses UPDATE and DELETE on the table
(migration 0003), and verify_chain finds any event altered, removed or cut off by someone
able to get round that. access_report answers a person's "who has seen my record".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from joinedup.access.models import AuditAction, AuditChainHead, AuditEvent, Profession
from joinedup.access.staff_names import names_of

GENESIS_HASH = "0" * 64  # the prev_hash of the first event
# The username of the rows the demo's seeding writes (records, meetings, referrals): no
# member of staff made them, so a person's access report counts them instead of listing them.
DEMO_AUTHOR = "joinedup demo"
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "user_id",
    "username",
    "profession",
    "organisation",
    "person_id",
    "action",
    "what",
    "reason",
    "prev_hash",
)


def canonical_json(event: AuditEvent) -> str:
    """The event's fields as one exact string: sorted keys, no spaces, time in UTC to the µs.

    Fixed so that the same event always hashes the same, whichever database stored it.
    """
    fields: dict[str, Any] = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(event).encode("utf-8")).hexdigest()


def _refuse_unserialised_sqlite() -> None:
    """On SQLite only IMMEDIATE transactions queue writers before they read the chain head."""
    if connection.vendor != "sqlite":
        return
    mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
    if str(mode).upper() != "IMMEDIATE":
        raise ImproperlyConfigured(
            "the audit log on SQLite needs OPTIONS['transaction_mode'] = 'IMMEDIATE'"
        )


def _locked_head() -> tuple[AuditChainHead, dt.datetime]:
    """The chain head, locked until the caller's transaction ends, and the database's time."""
    query = AuditChainHead.objects.select_for_update().annotate(now=Now()).filter(pk=1)
    head = query.first()
    if head is None:
        # First event ever (or after a test flushed the tables): create the head without
        # failing if a concurrent writer creates it first, then lock it like any writer.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = query.get()
    return head, head.now


def _staff_facts(user: Any) -> tuple[int | None, str, str, str]:
    """user id, username, profession and organisation name, as they are now."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "", "", ""
    staff = getattr(user, "staff_member", None)  # None when the login has no staff record
    profession = staff.profession if staff is not None else ""
    organisation = staff.organisation.name if staff is not None else ""
    return user.pk, user.get_username(), profession, organisation


def record_event(
    action: AuditAction | str,
    *,
    user: Any = None,
    person_id: str | None = None,
    what: str = "",
    reason: str = "",
    username: str = "",
) -> AuditEvent:
    """Append one event to the chain and return it.

    Call it inside the transaction.atomic() that reads or changes the person's data, so
    the event commits with it or not at all. `user` is the request's user (None or an
    anonymous user for a failed login, with the attempted `username`); who they are is
    copied now. A break-glass event needs its reason. Concurrent writers queue on the
    chain head, so the chain never forks.
    """
    action = AuditAction(action)
    if action == AuditAction.BREAK_GLASS and not reason.strip():
        raise ValueError("breaking the glass needs a reason")
    return _append(action, user, [person_id], what=what, reason=reason, username=username)[0]


def record_events(
    action: AuditAction | str, *, user: Any, person_ids: Sequence[str], what: str = ""
) -> list[AuditEvent]:
    """One event per person, appended together (a page showing many people: search hits).

    The chain is the same as from record_event called once per person, for one lock of
    the chain head and one insert instead of one of each per person. Call it inside the
    transaction that read the people. Not for break-glass, which is one person with a reason.
    """
    action = AuditAction(action)
    if action == AuditAction.BREAK_GLASS:
        raise ValueError("break-glass is recorded one person at a time, with its reason")
    return _append(action, user, list(person_ids), what=what) if person_ids else []


def record_view(user: Any, person_id: str | None, what: str) -> AuditEvent:
    """A page showed one person's data: its VIEW event, in the caller's transaction, or in
    one of its own when the page read nothing else that needs one."""
    with transaction.atomic(savepoint=False):
        return record_event(AuditAction.VIEW, user=user, person_id=person_id, what=what)


def record_views(user: Any, person_ids: Sequence[str], what: str) -> list[AuditEvent]:
    """A page showed these people (a list, a board, a caseload): one VIEW event each, in the
    transaction that read them."""
    with transaction.atomic(savepoint=False):
        return record_events(AuditAction.VIEW, user=user, person_ids=person_ids, what=what)


def _append(
    action: AuditAction,
    user: Any,
    person_ids: list[str | None],
    *,
    what: str,
    reason: str = "",
    username: str = "",
) -> list[AuditEvent]:
    _refuse_unserialised_sqlite()
    user_id, staff_username, profession, organisation = _staff_facts(user)
    with transaction.atomic():
        head, now = _locked_head()
        sequence, prev_hash = head.sequence, head.hash or GENESIS_HASH
        events = []
        for person_id in person_ids:
            sequence += 1
            event = AuditEvent(
                sequence=sequence,
                occurred_at=now,
                user_id=user_id,
                username=staff_username or username,
                profession=profession,
                organisation=organisation,
                person_id=person_id,
                action=action.value,
                what=what,
                reason=reason,
                prev_hash=prev_hash,
            )
            event.hash = prev_hash = event_hash(event)
            events.append(event)
        AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=1).update(sequence=sequence, hash=prev_hash)
    return events


@dataclass(frozen=True)
class VerifyResult:
    """What verify_chain found.

    `last_hash` (when ok) is worth keeping outside the database: someone who can rewrite
    every event after the one they altered, and the head, leaves a valid chain that only
    a hash recorded elsewhere earlier can contradict.
    """

    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    reason: str = ""
    last_hash: str = ""

    @property
    def message(self) -> str:
        """One line for `joinedup audit verify`."""
        if self.ok:
            if not self.checked:
                return "audit log intact: no events yet"
            return f"audit log intact: {self.checked} events checked, last hash {self.last_hash}"
        return f"audit log broken at sequence {self.first_broken_sequence}: {self.reason}"


def _broken(checked: int, sequence: int, reason: str) -> VerifyResult:
    return VerifyResult(ok=False, checked=checked, first_broken_sequence=sequence, reason=reason)


def _verify(events: Iterable[AuditEvent], head: AuditChainHead | None) -> VerifyResult:
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    for event in events:
        if event.sequence != expected:
            missing = (
                f"sequence {expected} is missing"
                if event.sequence == expected + 1
                else f"sequences {expected} to {event.sequence - 1} are missing"
            )
            return _broken(checked, expected, f"{missing} (deleted from the log)")
        if event_hash(event) != event.hash:
            return _broken(checked, expected, "its content does not match its hash (altered)")
        if event.prev_hash != prev_hash:
            return _broken(
                checked,
                expected,
                f"it does not link to sequence {expected - 1} (that event was altered and "
                "rehashed, or this one's link was changed)",
            )
        checked += 1
        expected, prev_hash = expected + 1, event.hash
    last = expected - 1
    head_sequence = head.sequence if head is not None else 0
    if head_sequence > last:
        return _broken(
            checked,
            last + 1,
            f"the log ends at sequence {last} but its head records {head_sequence} "
            "(events cut off the end)",
        )
    if head is not None and last and head.hash != prev_hash:
        return _broken(checked, last, "the chain head does not match the last event's hash")
    if head is None and last:
        return _broken(checked, last, "the chain head is missing")
    return VerifyResult(ok=True, checked=checked, last_hash=prev_hash if last else "")


def verify_chain(chunk_size: int = 2000) -> VerifyResult:
    """Recompute every hash in sequence order and name the first broken link.

    Streams the table (.iterator) so a log of millions of events needs little memory.
    Events written while it runs, after the head it read first, are left for next time.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    events = AuditEvent.objects.order_by("sequence")
    if head is not None:
        events = events.filter(sequence__lte=head.sequence)
    return _verify(events.iterator(chunk_size=chunk_size), head)


@dataclass(frozen=True)
class AccessReportLine:
    """One access by a member of staff; or, with `entries` over one, a day's entries of one
    action written by no member of staff (the demo's data, another system), `when` their day."""

    when: dt.datetime | dt.date
    who: str
    profession: str
    organisation: str
    action: str
    what: str
    reason: str
    entries: int = 1

    @property
    def described(self) -> str:
        """What happened, in the report's words ("Viewed: record (relationship)", "Demo data
        loaded: 214 entries")."""
        if self.entries > 1 or not self.what:
            return self.what or self.action
        return f"{self.action}: {self.what}"


def _counted(
    newest: AccessReportLine, day: dt.date, by: str, action: str, entries: int
) -> AccessReportLine:
    """A day's entries of one action by no member of staff, as one line."""
    counted = f"{entries:,} entries"
    if by == DEMO_AUTHOR:
        verb = "loaded" if action == AuditAction.CREATE else newest.action.lower()
        what = f"Demo data {verb}: {counted}"
    else:
        what = f"{newest.action}: {counted}"
    return replace(newest, when=day, what=what, entries=entries)


def access_report(person_id: str) -> list[AccessReportLine]:
    """Every audited access to one person's record, newest first, for a subject access request.

    Staff are named as their accounts name them now (by the username copied into the event;
    the username itself for an account that no longer exists), with the profession and
    organisation they had at the time, in words a person can read. What no member of staff
    wrote (the demo's data loaded, another system's entries: events with no user) is counted
    in one line per day and action, where hundreds of rows would bury the people who looked.
    """
    professions = dict(Profession.choices)
    actions = dict(AuditAction.choices)
    events = list(AuditEvent.objects.filter(person_id=person_id).order_by("-sequence"))
    names = names_of(e.username for e in events if e.user_id is not None)
    lines: list[AccessReportLine] = []
    groups: dict[tuple[dt.date, str, str], tuple[int, int]] = {}  # -> its line, its count
    for event in events:
        line = AccessReportLine(
            when=event.occurred_at,
            who=names[event.username] if event.user_id is not None else event.username,
            profession=professions.get(event.profession, event.profession),
            organisation=event.organisation,
            action=actions.get(event.action, event.action),
            what=event.what,
            reason=event.reason,
        )
        if event.user_id is not None:
            lines.append(line)
            continue
        key = (timezone.localdate(event.occurred_at), event.action, event.username)
        at, count = groups.get(key, (len(lines), 0))
        if not count:  # the day's newest: where the group's line goes
            lines.append(line)
        groups[key] = (at, count + 1)
    for (day, action, by), (at, count) in groups.items():
        if count > 1:
            lines[at] = _counted(lines[at], day, by, action, count)
    return lines
