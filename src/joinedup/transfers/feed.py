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

The body (JSON object; dates are YYYY-MM-DD, `occurred_at` an ISO 8601 time with its
offset, e.g. 2025-03-04T10:15:00+00:00, not more than 5 minutes in the future):

    every event   kind (admit | update | discharge), spell_id (the hospital's id for the
                  stay, up to 64 characters), occurred_at (when it happened in the hospital)
    admit         person {nhs_number, birth_date} (must match one person on the record
                  exactly: the board is only for the partnership's people), admission_date,
                  admission_method (emergency | elective | other), ward, and optionally
                  expected_discharge_date, primary_diagnosis (ICD-10, e.g. I63.9: sets
                  acsc, and the stay's sensitivity) and fall (true: an injury, S00-T98,
                  caused by a fall)
    update        one or more of: ward, expected_discharge_date, ready_for_discharge_date
                  (no longer meets the criteria to reside), proposed_pathway (0..3),
                  delay_reason (DATA_MODEL.md's list; needs a ready date),
                  delay_responsibility (nhs | social_care | both; needs a reason), note,
                  primary_diagnosis, fall (coded later: the plan, and its version, are
                  unchanged by those two). A field left out is unchanged; null clears it.
    discharge     discharge_date, discharge_destination (DATA_MODEL.md's list),
                  discharge_pathway (0..3); the follow-on care is chosen from the pathway
                  (joinedup.transfers.discharge)

Any other field is refused, so a misspelt one is never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.lake import schema
from joinedup.lake.diagnoses import ICD10, is_acsc, is_injury
from joinedup.record import nhs_number
from joinedup.record.models import ID_LENGTH, HospitalSpell, Person
from joinedup.referrals.models import SystemClient
from joinedup.transfers.discharge import DischargeError, record_discharge
from joinedup.transfers.hub_access import PLAN_FIELDS
from joinedup.transfers.inpatients import EARLIEST_YEAR
from joinedup.transfers.models import PATHWAYS, FeedEvent, PlanChange, Stay

KINDS = ("admit", "update", "discharge")
COMMON_FIELDS = ("kind", "spell_id", "occurred_at")
# The hospital codes the diagnosis when it can: with the admission, or in a later update.
DIAGNOSIS_FIELDS = ("primary_diagnosis", "fall")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "admit": (
        "person",
        "admission_date",
        "admission_method",
        "ward",
        "expected_discharge_date",
        *DIAGNOSIS_FIELDS,
    ),
    "update": (*PLAN_FIELDS, *DIAGNOSIS_FIELDS),  # what the board's plan form holds, and those
    "discharge": ("discharge_date", "discharge_destination", "discharge_pathway"),
}
WARD_LIMIT = 100  # Stay.ward
NOTE_LIMIT = 2000  # as the board's form (joinedup.transfers.stay_plan)
FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks differ a little; an event is never later
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ABSENT: Any = object()  # an update's field not sent (null is sent, and clears it)

Problem = tuple[str, str]  # (field as the JSON names it, message)


class FeedError(Exception):
    """An event not applied: the HTTP status to answer and each problem with its field."""

    def __init__(self, status: int, *problems: Problem):
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.status = status
        self.problems = list(problems)


@dataclass(frozen=True)
class Event:
    """An event's checked values; `values` holds the kind's fields by their JSON names (the
    admit's person as person.nhs_number and person.birth_date), an update's only as sent.
    Two bodies saying the same thing read to equal events, however their times are written."""

    kind: str
    spell_id: str
    occurred_at: dt.datetime
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        """The hospital's (local) date the event happened on."""
        return timezone.localtime(self.occurred_at).date()


@dataclass(frozen=True)
class Applied:
    event: FeedEvent
    repeat: bool  # True: this event had been applied already; nothing changed now


# --- reading the body --------------------------------------------------------------------


class _Reader:
    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str) -> None:
        self.problems.append((name, message))

    def get(self, key: str, *, required: bool) -> Any:
        value = self.data.get(key, ABSENT)
        if required and (value is ABSENT or value is None):
            self.problem(key, "required")
            return ABSENT
        return value

    def text(self, key: str, limit: int, *, required: bool) -> Any:
        value = self.get(key, required=required)
        if value is ABSENT or value is None:
            return value
        if not isinstance(value, str):
            self.problem(key, "must be text")
            return ABSENT
        value = value.strip()
        if required and not value:
            self.problem(key, "required")
            return ABSENT
        if len(value) > limit:
            self.problem(key, f"must be {limit} characters or fewer")
            return ABSENT
        if "\x00" in value:  # PostgreSQL cannot store it, in a column or in the kept body
            self.problem(key, "remove the NUL character")
            return ABSENT
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: JSON allows it, UTF-8 text does not
            self.problem(key, "not valid text (a broken character)")
            return ABSENT
        return value

    def date(self, key: str, *, required: bool) -> Any:
        value = self.get(key, required=required)
        if value is ABSENT or value is None:
            return value
        if isinstance(value, str) and DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(key, f"not a date: write it as 2025-03-04 (found {str(value)[:40]!r})")
        return ABSENT

    def choice(self, key: str, allowed: tuple[str, ...], *, required: bool) -> Any:
        value = self.get(key, required=required)
        if value is ABSENT or value is None:
            return value
        if value not in allowed:
            self.problem(
                key, f"unknown value {str(value)[:40]!r}: expected one of {', '.join(allowed)}"
            )
            return ABSENT
        return value

    def diagnosis(self, key: str) -> Any:
        value = self.get(key, required=False)
        if value is ABSENT or value is None:
            return value
        if not isinstance(value, str) or not ICD10.fullmatch(value):
            self.problem(key, f"not an ICD-10 code: write it as I63.9 (found {str(value)[:40]!r})")
            return ABSENT
        return value

    def flag(self, key: str) -> Any:
        value = self.get(key, required=False)
        if value is ABSENT or value is None:
            return value
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return ABSENT
        return value

    def pathway(self, key: str, *, required: bool) -> Any:
        value = self.get(key, required=required)
        if value is ABSENT or value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value not in PATHWAYS:
            self.problem(key, f"unknown pathway {str(value)[:40]!r}: expected 0, 1, 2 or 3")
            return ABSENT
        return value


def _occurred_at(reader: _Reader, now: dt.datetime) -> dt.datetime | None:
    value = reader.get("occurred_at", required=True)
    if value is ABSENT:
        return None
    when = None
    if isinstance(value, str) and "T" in value:
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            when = None
    if when is None or when.tzinfo is None:
        reader.problem(
            "occurred_at",
            "not a time with its offset: write it as 2025-03-04T10:15:00+00:00 "
            f"(found {str(value)[:40]!r})",
        )
        return None
    if when > now + FUTURE_SLACK:
        reader.problem("occurred_at", f"in the future ({value}): send events as they happen")
        return None
    if when.year < EARLIEST_YEAR:
        reader.problem("occurred_at", f"before {EARLIEST_YEAR} ({value}): check the date")
        return None
    return when


def _spell_id(reader: _Reader) -> str | None:
    value = reader.get("spell_id", required=True)
    if value is ABSENT:
        return None
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= ID_LENGTH
        or not value.isprintable()
        or any(c.isspace() for c in value)
    ):
        reader.problem("spell_id", f"must be text of 1 to {ID_LENGTH} characters without spaces")
        return None
    return value


def _admit(reader: _Reader, day: dt.date | None) -> dict[str, Any]:
    person = reader.get("person", required=True)
    values: dict[str, Any] = {}
    if person is not ABSENT:
        if not isinstance(person, dict):
            reader.problem("person", "give the person's nhs_number and birth_date")
        else:
            unknown = sorted(set(person) - {"nhs_number", "birth_date"})
            for key in unknown:
                reader.problem(
                    f"person.{key}", "not part of the person: send nhs_number and birth_date only"
                )
            inner = _Reader(person)
            number = inner.text("nhs_number", 20, required=True)
            born = inner.date("birth_date", required=True)
            if isinstance(number, str) and not nhs_number.is_valid(nhs_number.normalise(number)):
                inner.problem(
                    "nhs_number", "not a valid NHS number (10 digits passing the check digit)"
                )
            reader.problems += [(f"person.{f}", m) for f, m in inner.problems]
            if not inner.problems:
                values["person.nhs_number"] = nhs_number.normalise(number)
                values["person.birth_date"] = born
    values["admission_date"] = admitted = reader.date("admission_date", required=True)
    values["admission_method"] = reader.choice(
        "admission_method", schema.ADMISSION_METHODS, required=True
    )
    values["ward"] = reader.text("ward", WARD_LIMIT, required=True)
    values["expected_discharge_date"] = expected = reader.date(
        "expected_discharge_date", required=False
    )
    values["primary_diagnosis"] = reader.diagnosis("primary_diagnosis")
    values["fall"] = reader.flag("fall")
    _fall_check(reader, values["primary_diagnosis"], values["fall"], admit=True)
    if isinstance(admitted, dt.date):
        if day is not None and admitted > day:
            reader.problem("admission_date", f"after the event happened ({day})")
        born = values.get("person.birth_date")
        if isinstance(born, dt.date) and admitted < born:
            reader.problem("admission_date", f"before the person was born ({born})")
        if isinstance(expected, dt.date) and expected < admitted:
            reader.problem("expected_discharge_date", f"before the admission date ({admitted})")
    return {k: (None if v is ABSENT else v) for k, v in values.items()}


FALL_NEEDS_INJURY = "a fall goes with an injury: a primary_diagnosis from S00 to T98"


def _fall_check(reader: _Reader, diagnosis: Any, fall: Any, *, admit: bool) -> None:
    """A fall is an injury caused by one (DATA_MODEL.md): it goes with an S or T code, sent
    with it on an admission (an update's may be the spell's already: _update_plan)."""
    if fall is not True or (diagnosis is ABSENT and not admit):
        return
    if not (isinstance(diagnosis, str) and is_injury(diagnosis)):
        reader.problem("fall", FALL_NEEDS_INJURY)


def _update(reader: _Reader, day: dt.date | None) -> dict[str, Any]:
    values = {
        "ward": reader.text("ward", WARD_LIMIT, required=False),
        "expected_discharge_date": reader.date("expected_discharge_date", required=False),
        "ready_for_discharge_date": reader.date("ready_for_discharge_date", required=False),
        "proposed_pathway": reader.pathway("proposed_pathway", required=False),
        "delay_reason": reader.choice("delay_reason", schema.DELAY_REASONS, required=False),
        "delay_responsibility": reader.choice(
            "delay_responsibility", schema.DELAY_RESPONSIBILITIES, required=False
        ),
        "note": reader.text("note", NOTE_LIMIT, required=False),
        "primary_diagnosis": reader.diagnosis("primary_diagnosis"),
        "fall": reader.flag("fall"),
    }
    _fall_check(reader, values["primary_diagnosis"], values["fall"], admit=False)
    if not any(key in reader.data for key in KIND_FIELDS["update"]):
        reader.problem("body", "an update needs one or more of " + ", ".join(KIND_FIELDS["update"]))
    ready = values["ready_for_discharge_date"]
    if isinstance(ready, dt.date) and day is not None and ready > day:
        reader.problem("ready_for_discharge_date", f"after the event happened ({day})")
    return {k: v for k, v in values.items() if v is not ABSENT}


def _discharge(reader: _Reader, day: dt.date | None) -> dict[str, Any]:
    values = {
        "discharge_date": reader.date("discharge_date", required=True),
        "discharge_destination": reader.choice(
            "discharge_destination", schema.DISCHARGE_DESTINATIONS, required=True
        ),
        "discharge_pathway": reader.pathway("discharge_pathway", required=True),
    }
    left = values["discharge_date"]
    if isinstance(left, dt.date) and day is not None and left > day:
        reader.problem("discharge_date", f"after the event happened ({day})")
    return values


def read_event(data: dict[str, Any], *, now: dt.datetime | None = None) -> Event:
    """The body's event, checked on its own (the record is consulted when it is applied).
    Raises FeedError (422) listing every problem found."""
    reader = _Reader(data)
    kind = reader.get("kind", required=True)
    if kind is not ABSENT and kind not in KINDS:
        reader.problem(
            "kind", f"unknown kind {str(kind)[:40]!r}: expected admit, update or discharge"
        )
        kind = ABSENT
    spell_id = _spell_id(reader)
    occurred_at = _occurred_at(reader, now or timezone.now())
    values: dict[str, Any] = {}
    if kind is not ABSENT:
        article = "a" if kind == "discharge" else "an"
        for key in sorted(set(data) - set(COMMON_FIELDS) - set(KIND_FIELDS[kind])):
            reader.problem(key, f"not part of {article} {kind} event")
        day = timezone.localtime(occurred_at).date() if occurred_at else None
        values = {"admit": _admit, "update": _update, "discharge": _discharge}[kind](reader, day)
    if reader.problems or kind is ABSENT or spell_id is None or occurred_at is None:
        raise FeedError(422, *reader.problems)
    return Event(kind, spell_id, occurred_at, values)


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
        if spell is None:
            raise FeedError(409, ("spell_id", f"spell {event.spell_id} has not been admitted"))
        admitted_by = _admitted_by(spell.pk)
        if admitted_by is not None and admitted_by != client.name:
            # another hospital's stay: only the system that admitted it speaks for it (and
            # is told nothing more of it, its discharge included)
            raise FeedError(
                409,
                ("spell_id", f"spell {spell.pk} was admitted by {admitted_by}, not this system"),
            )
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
