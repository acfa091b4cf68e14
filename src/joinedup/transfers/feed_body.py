"""The hospital feed's event bodies: what each kind of event carries, read and checked.

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
                  delay_reason (docs/lake.md's list; needs a ready date),
                  delay_responsibility (nhs | social_care | both; needs a reason), note,
                  primary_diagnosis, fall (coded later: the plan, and its version, are
                  unchanged by those two). A field left out is unchanged; null clears it.
    discharge     discharge_date, discharge_destination (docs/lake.md's list),
                  discharge_pathway (0..3); the follow-on care is chosen from the pathway
                  (joinedup.transfers.discharge)

Any other field is refused, so a misspelt one is never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from joinedup.errors import UserError
from joinedup.lake import schema
from joinedup.lake.diagnoses import ICD10, is_injury
from joinedup.record import nhs_number
from joinedup.record.models import ID_LENGTH
from joinedup.transfers.hub_access import PLAN_FIELDS
from joinedup.transfers.inpatients import EARLIEST_YEAR
from joinedup.transfers.models import PATHWAYS

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


class FeedError(UserError):
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
        return value  # free of NUL and lone surrogates (joinedup.untrusted_json)

    def checked(self, key: str, problem: Callable[[Any], str], *, required: bool) -> Any:
        """The value sent (or ABSENT, or None), unless `problem` finds one ("" for none)."""
        value = self.get(key, required=required)
        if value is ABSENT or value is None:
            return value
        found = problem(value)
        if found:
            self.problem(key, found)
            return ABSENT
        return value

    def date(self, key: str, *, required: bool) -> Any:
        value = self.checked(key, _date_problem, required=required)
        return value if value is ABSENT or value is None else dt.date.fromisoformat(value)

    def choice(self, key: str, allowed: tuple[str, ...], *, required: bool) -> Any:
        return self.checked(
            key,
            lambda value: (
                ""
                if value in allowed
                else f"unknown value {str(value)[:40]!r}: expected one of {', '.join(allowed)}"
            ),
            required=required,
        )

    def diagnosis(self, key: str) -> Any:
        return self.checked(
            key,
            lambda value: (
                ""
                if isinstance(value, str) and ICD10.fullmatch(value)
                else f"not an ICD-10 code: write it as I63.9 (found {str(value)[:40]!r})"
            ),
            required=False,
        )

    def flag(self, key: str) -> Any:
        return self.checked(
            key,
            lambda value: "" if isinstance(value, bool) else "must be true or false",
            required=False,
        )

    def pathway(self, key: str, *, required: bool) -> Any:
        return self.checked(
            key,
            lambda value: (
                ""
                if not isinstance(value, bool) and isinstance(value, int) and value in PATHWAYS
                else f"unknown pathway {str(value)[:40]!r}: expected 0, 1, 2 or 3"
            ),
            required=required,
        )


def _date_problem(value: Any) -> str:
    if isinstance(value, str) and DATE.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return ""
    return f"not a date: write it as 2025-03-04 (found {str(value)[:40]!r})"


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
    """A fall is an injury caused by one (docs/lake.md): it goes with an S or T code, sent
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
