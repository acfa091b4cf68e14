"""The hospital feed's declared body, one model per kind of event (published in the API's
OpenAPI description, and the first reading of every event: joinedup.untrusted_json).

Types, lengths and the fields each kind may carry are declared here; what the values must
mean (a real date not after the event, a valid NHS number, ICD-10, a fall with an injury)
is joinedup.transfers.feed_body's, which also re-reads the events kept from before.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from joinedup.lake import schema
from joinedup.record.models import ID_LENGTH
from joinedup.transfers.feed_body import KINDS, NOTE_LIMIT, WARD_LIMIT
from joinedup.untrusted_json import Body

DATE: dict[str, Any] = {"format": "date", "examples": ["2025-03-04"]}


def _field(required: bool, **rules: Any) -> Any:
    """A declared field: required, or optional (absent or null)."""
    return Field(**rules) if required else Field(None, **rules)


def _date(*, required: bool = False) -> Any:
    return _field(required, max_length=10, json_schema_extra=DATE)


def _choice(values: tuple[str, ...], *, required: bool = False) -> Any:
    return _field(required, max_length=40, json_schema_extra={"enum": list(values)})


def _pathway(*, required: bool = False) -> Any:
    return _field(required, ge=0, le=3)


class Event(Body):
    kind: Literal["admit", "update", "discharge"]
    spell_id: str = Field(min_length=1, max_length=ID_LENGTH, pattern=r"^\S+$")
    occurred_at: str = Field(max_length=40, json_schema_extra={"format": "date-time"})


class PersonRef(Body):
    """The person admitted: must match one person on the record exactly."""

    nhs_number: str = Field(max_length=20)
    birth_date: str = _date(required=True)


class Admit(Event):
    kind: Literal["admit"]
    person: PersonRef
    admission_date: str = _date(required=True)
    admission_method: str = _choice(schema.ADMISSION_METHODS, required=True)
    ward: str = Field(min_length=1, max_length=WARD_LIMIT)
    expected_discharge_date: str | None = _date()
    primary_diagnosis: str | None = Field(None, max_length=10, examples=["I63.9"])
    fall: bool | None = None


class Update(Event):
    kind: Literal["update"]
    ward: str | None = Field(None, min_length=1, max_length=WARD_LIMIT)
    expected_discharge_date: str | None = _date()
    ready_for_discharge_date: str | None = _date()
    proposed_pathway: int | None = _pathway()
    delay_reason: str | None = _choice(schema.DELAY_REASONS)
    delay_responsibility: str | None = _choice(schema.DELAY_RESPONSIBILITIES)
    note: str | None = Field(None, max_length=NOTE_LIMIT)
    primary_diagnosis: str | None = Field(None, max_length=10, examples=["I63.9"])
    fall: bool | None = None


class Discharge(Event):
    kind: Literal["discharge"]
    discharge_date: str = _date(required=True)
    discharge_destination: str = _choice(schema.DISCHARGE_DESTINATIONS, required=True)
    discharge_pathway: int = _pathway(required=True)


class Applied(BaseModel):
    """An event applied (201), or applied before (200: the same answer, nothing changed)."""

    event_id: int
    spell_id: str
    kind: str
    occurred_at: str = Field(json_schema_extra={"format": "date-time"})
    received_at: str = Field(json_schema_extra={"format": "date-time"})


EVENTS: dict[str, type[Event]] = {"admit": Admit, "update": Update, "discharge": Discharge}
assert tuple(EVENTS) == KINDS
