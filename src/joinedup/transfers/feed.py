"""The acute hospital's feed of admissions, plan updates and discharges, applied to the hub.

The board is only as good as its list of who is in hospital, so the hospital's patient
administration system sends each admission, each change to the discharge plan and each
discharge as it happens (POST /api/transfers/events/, joinedup.transfers.views.feed). A
feed retries and can deliver late, so applying an event must be safe to repeat and must
never let an old event overwrite a newer one:

- an event is identified by its spell, kind and time: the same event again (same body)
  changes nothing and gets the same answer; the same identity with another body is refused;
- an event that happened before the latest one applied to its spell is refused as out of
  order, naming when the latest happened;
- updates and discharges need the spell admitted (by the feed, or loaded from a lake), and a
  discharged spell takes no more events.

Each event is applied in one transaction with the spell's row locked: the spell and its
stay, a PlanChange (admit, update), the FeedEvent row and the audit event for the person
commit together or not at all; any problem names its field and leaves nothing saved.

The body an event carries, and how it is checked, is joinedup.transfers.feed_body's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.lake.diagnoses import is_acsc, is_injury
from joinedup.notifications.sending import admitted
from joinedup.record.models import HospitalSpell, Person
from joinedup.referrals.models import SystemClient
from joinedup.transfers.discharge import DischargeError, record_discharge
from joinedup.transfers.feed_body import (
    DIAGNOSIS_FIELDS,
    FALL_NEEDS_INJURY,
    KIND_FIELDS,
    Event,
    FeedError,
    read_event,
)
from joinedup.transfers.hub_access import PLAN_FIELDS
from joinedup.transfers.models import FeedEvent, PlanChange, Stay


@dataclass(frozen=True)
class Applied:
    event: FeedEvent
    repeat: bool  # True: this event had been applied already; nothing changed now


# --- applying it ---------------------------------------------------------------------------


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def result(event: FeedEvent) -> dict[str, Any]:
    """The answer for an applied event: the same however often it is sent."""
    return {
        "event_id": event.pk,
        "spell_id": event.spell_id,
        "kind": event.kind,
        "occurred_at": _when(event.occurred_at),
        "received_at": _when(event.received_at),
    }


def receive(
    client: SystemClient, data: dict[str, Any], *, now: dt.datetime | None = None
) -> Applied:
    """Apply one event from `client` (see the module's docstring). Raises FeedError."""
    event = read_event(data, now=now)
    try:
        return _apply_atomically(client, event, data)
    except IntegrityError:
        # The same spell's event sent twice at once: the unique constraints let one in; this
        # one is answered as if it had come second (a repeat, or refused).
        return _apply_atomically(client, event, data)


def _apply_atomically(client: SystemClient, event: Event, data: dict[str, Any]) -> Applied:
    with transaction.atomic():
        spell = HospitalSpell.objects.select_for_update().filter(pk=event.spell_id).first()
        # Looked for after the spell: a spell admitted by a request that has just committed
        # is seen here with its event, so a repeat is answered as one, never as a conflict.
        repeat = _repeat(client, event)
        if repeat is not None:
            return repeat
        if event.kind == "admit":
            if spell is not None and _admitted_by(spell.pk) not in (None, client.name):
                # another hospital's stay: neither its dates nor its state are told
                raise FeedError(
                    409,
                    ("spell_id", f"spell {spell.pk} is in use: give this stay its own spell_id"),
                )
            if spell is not None:
                _refuse_discharged(spell)
                raise FeedError(
                    409,
                    (
                        "spell_id",
                        f"spell {spell.pk} was already admitted on "
                        f"{spell.admission_date}: change it with an update event",
                    ),
                )
            return _admit_spell(client, event, data)
        admitted_by = _admitted_by(spell.pk) if spell is not None else None
        if spell is None or (admitted_by is not None and admitted_by != client.name):
            # another hospital's stay is answered as an unknown one: only the system that
            # admitted it speaks for it, and it is told nothing of it (docs/security.md)
            raise FeedError(409, ("spell_id", f"spell {event.spell_id} has not been admitted"))
        _refuse_discharged(spell)
        stay = _locked_stay(spell, client)
        if stay.last_event_at is not None and event.occurred_at < stay.last_event_at:
            raise FeedError(
                409,
                (
                    "occurred_at",
                    f"out of order: the latest event for spell "
                    f"{spell.pk} happened at {_when(stay.last_event_at)}",
                ),
            )
        if event.day < spell.admission_date:
            raise FeedError(422, ("occurred_at", f"before the admission ({spell.admission_date})"))
        if (
            event.kind == "update"
            and any(key in event.values for key in PLAN_FIELDS)  # a coded diagnosis always applies
            and stay.updated_by != client.name
            and (event.occurred_at < stay.updated_at)
        ):
            # the hub changed the plan after this happened in the hospital: applying it
            # would overwrite a newer decision with an older one
            raise FeedError(
                409,
                (
                    "occurred_at",
                    f"out of order: the plan of spell {spell.pk} was changed on the board at "
                    f"{_when(stay.updated_at)} by {stay.updated_by}, after this event",
                ),
            )
        if event.kind == "update":
            _update_plan(client, event, spell, stay)
        else:
            _discharge_spell(client, event, spell)
        return Applied(_feed_event(client, event, data), repeat=False)


def _admitted_by(spell_id: str) -> str | None:
    """The system that admitted the spell (None: loaded from a lake)."""
    return (
        FeedEvent.objects.filter(spell_id=spell_id, kind="admit")
        .values_list("client__name", flat=True)
        .first()
    )


def _repeat(client: SystemClient, event: Event) -> Applied | None:
    """The applied event this one repeats, if any; refused if it says something else."""
    applied = FeedEvent.objects.filter(
        spell_id=event.spell_id, kind=event.kind, occurred_at=event.occurred_at
    ).first()
    if applied is None:
        return None
    try:
        same = applied.client_id == client.pk and read_event(applied.body) == event
    except FeedError:
        same = False
    if not same:
        raise FeedError(
            409,
            (
                "occurred_at",
                f"spell {event.spell_id} already has a different "
                f"{event.kind} event at {_when(event.occurred_at)}: send a "
                "correction as an update at its own time",
            ),
        )
    return Applied(applied, repeat=True)


def _refuse_discharged(spell: HospitalSpell) -> None:
    if spell.discharge_date is not None:
        raise FeedError(
            409,
            (
                "spell_id",
                f"spell {spell.pk} was discharged on "
                f"{spell.discharge_date}: it takes no more events",
            ),
        )


def _locked_stay(spell: HospitalSpell, client: SystemClient) -> Stay:
    """The spell's stay, locked; made for a spell loaded from a lake (it has none), keeping
    the pathway the lake holds, as the board's own first save does."""
    stay, _ = Stay.objects.select_for_update().get_or_create(
        spell=spell,
        defaults={
            "updated_at": timezone.now(),
            "updated_by": client.name,
            "proposed_pathway": spell.discharge_pathway,
        },
    )
    return stay


def _feed_event(client: SystemClient, event: Event, data: dict[str, Any]) -> FeedEvent:
    return FeedEvent.objects.create(
        client=client,
        spell_id=event.spell_id,
        kind=event.kind,
        occurred_at=event.occurred_at,
        received_at=timezone.now(),
        body=data,
    )


def _audit(client: SystemClient, action: AuditAction, spell: HospitalSpell, what: str) -> None:
    record_event(
        action,
        username=client.name,
        person_id=spell.person_id,
        what=f"hospital spell {spell.pk} {what} (hospital feed)",
    )


def _admit_spell(client: SystemClient, event: Event, data: dict[str, Any]) -> Applied:
    values = event.values
    # Locked, so two admits of one person under two spell ids cannot both pass the check
    # below (PostgreSQL; SQLite's write transactions already run one at a time).
    person = (
        Person.objects.select_for_update().filter(nhs_number=values["person.nhs_number"]).first()
    )
    # The same admission, sent twice at once, committed while this one waited for the lock:
    # answered as the repeat it is, not as someone already in hospital.
    repeat = _repeat(client, event)
    if repeat is not None:
        return repeat
    if (
        person is None
        or person.birth_date != values["person.birth_date"]
        or (person.death_date is not None and person.death_date < values["admission_date"])
    ):
        # one answer for all three, so a system cannot learn whose NHS number is on the record
        raise FeedError(
            422,
            (
                "person",
                "no one on the partnership's record, alive on the admission date, has this NHS "
                "number with this date of birth; check both (the board is only for the "
                "partnership's people)",
            ),
        )
    already = HospitalSpell.objects.filter(person=person, discharge_date__isnull=True).first()
    if already is not None:
        stay_words = (
            f"spell {already.pk}, admitted {already.admission_date}: discharge that stay first"
            if _admitted_by(already.pk) in (None, client.name)
            else "a stay another system admitted, which discharges it"  # nothing more of it
        )
        raise FeedError(409, ("person", f"already in hospital ({stay_words})"))
    now = timezone.now()
    spell = HospitalSpell.objects.create(
        id=event.spell_id,
        person=person,
        admission_date=values["admission_date"],
        admission_method=values["admission_method"],
        primary_diagnosis=values["primary_diagnosis"],  # None: not coded yet, neither flag
        acsc=is_acsc(values["primary_diagnosis"]),
        fall=bool(values["fall"]),
    )
    stay = Stay.objects.create(
        spell=spell,
        ward=values["ward"],
        expected_discharge_date=values["expected_discharge_date"],
        last_event_at=event.occurred_at,
        updated_at=now,
        updated_by=client.name,
    )
    PlanChange.record(spell, stay, by=client.name, note="", at=timezone.now())
    applied = _feed_event(client, event, data)
    _audit(
        client,
        AuditAction.CREATE,
        spell,
        # never the ward: this text is shown in the person's access report, to staff the
        # ward is hidden from (hub_access.shows_ward)
        f"admitted on {spell.admission_date} ({spell.admission_method})",
    )
    admitted(spell)  # those caring for the person told (by the hospital: no one's own action)
    return Applied(applied, repeat=False)


SPELL_PLAN_FIELDS = ("ready_for_discharge_date", "delay_reason", "delay_responsibility")
STAY_PLAN_FIELDS = ("ward", "expected_discharge_date", "proposed_pathway")


def _update_plan(client: SystemClient, event: Event, spell: HospitalSpell, stay: Stay) -> None:
    values = event.values
    problems = [
        (key, f"before the admission date ({spell.admission_date})")
        for key in ("ready_for_discharge_date", "expected_discharge_date")
        if isinstance(values.get(key), dt.date) and values[key] < spell.admission_date
    ]
    # The plan as it will stand must hold together as the board's form requires: a delay
    # runs from a ready date, and its responsibility goes with its reason.
    after = {key: values.get(key, getattr(spell, key)) for key in SPELL_PLAN_FIELDS}
    if after["delay_reason"] and not after["ready_for_discharge_date"]:
        problems.append(
            (
                "delay_reason",
                "a delay reason needs a ready_for_discharge_date: "
                "a delay runs from the day the person no longer meets the criteria "
                "to reside",
            )
        )
    if after["delay_responsibility"] and not after["delay_reason"]:
        problems.append(("delay_responsibility", "a delay responsibility needs a delay_reason"))
    # Only a diagnosis sent is checked and written: a lake's spell keeps its own flags
    # (the contract ties neither to the other) until the hospital codes it.
    coded = values.get("primary_diagnosis", spell.primary_diagnosis)
    fall = values.get("fall", spell.fall)
    if any(key in values for key in DIAGNOSIS_FIELDS) and fall and not (coded and is_injury(coded)):
        problems.append(("fall", FALL_NEEDS_INJURY + " (or send fall: false)"))
    if problems:
        raise FeedError(422, *problems)
    spell_fields = [key for key in SPELL_PLAN_FIELDS if key in values]
    for key in spell_fields:
        setattr(spell, key, values[key])
    if "primary_diagnosis" in values:
        spell.primary_diagnosis = values["primary_diagnosis"]
        spell.acsc = is_acsc(spell.primary_diagnosis)
        spell_fields += ["primary_diagnosis", "acsc"]
    if "fall" in values:
        spell.fall = bool(values["fall"])
        spell_fields.append("fall")
    if spell_fields:
        spell.save(update_fields=spell_fields)
    stay.last_event_at = event.occurred_at
    if any(key in values for key in PLAN_FIELDS):  # a coded diagnosis leaves the plan as it was
        for key in STAY_PLAN_FIELDS:
            if key in values:
                setattr(stay, key, values[key])
        stay.ward = stay.ward or ""  # null clears the ward, which the column keeps as ""
        stay.version += 1
        stay.updated_at = timezone.now()
        stay.updated_by = client.name
        PlanChange.record(
            spell, stay, by=client.name, note=values.get("note") or "", at=timezone.now()
        )
    stay.save()
    changed = ", ".join(key.replace("_", " ") for key in KIND_FIELDS["update"] if key in values)
    _audit(client, AuditAction.UPDATE, spell, f"updated: {changed}")


def _discharge_spell(client: SystemClient, event: Event, spell: HospitalSpell) -> None:
    """record_discharge audits each change it makes (the discharge, package, episode)."""
    values = event.values
    try:
        record_discharge(
            spell,
            discharge_date=values["discharge_date"],
            destination=values["discharge_destination"],
            pathway=values["discharge_pathway"],
            by=client.name,
            follow_on=None,
        )
    except DischargeError as error:
        raise FeedError(422, (error.field, error.message)) from error
    Stay.objects.filter(pk=spell.pk).update(last_event_at=event.occurred_at)
