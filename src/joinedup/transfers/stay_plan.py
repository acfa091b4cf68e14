"""A stay's discharge plan: reading it, checking a change, and saving it without losing one.

The plan lives in two places, as the contract has it: the discharge ready date, delay
reason and responsibility on the hospital spell (docs/lake.md's columns, which the
metrics read), and the ward, expected date of discharge and proposed pathway on the hub's
Stay. A save writes both, appends a PlanChange (the plan as it stands after it, kept for
the history) and its audit event, in one transaction.

Saves are conditional on Stay.version, as care plans are (joinedup.careplans.saving): the
form carries the version it was drawn from, one UPDATE ... WHERE version = base advances
it, and a form drawn from an older version is refused as a conflict naming who changed
the plan since. A spell from a lake has no Stay yet (version 0 on the form): the first
save makes it in the same transaction. The spell row is locked first, so a save never
crosses a discharge (which also advances the version: joinedup.transfers.discharge).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction, StaffMember
from joinedup.formatting import long_date
from joinedup.forms.dates import DateEntry, read_optional_date, with_error
from joinedup.forms.errors import FieldError
from joinedup.record.models import HospitalSpell
from joinedup.save_outcome import SaveOutcome
from joinedup.transfers.hub_access import PLAN_FIELDS
from joinedup.transfers.models import PATHWAYS, PlanChange, Stay
from joinedup.transfers.plan_words import DELAY_REASON_WORDS, RESPONSIBILITY_WORDS

WARD_MAX = Stay._meta.get_field("ward").max_length or 100
NOTE_MAX = 2000
MAX_VERSION = 2**31 - 1
NUL = "\x00"
FIELD_LABELS = {
    "ward": "Ward",
    "expected_discharge_date": "Expected date of discharge",
    "ready_for_discharge_date": "Discharge ready date",
    "proposed_pathway": "Proposed pathway",
    "delay_reason": "Delay reason",
    "delay_responsibility": "Responsible for the delay",
    "note": "Note",
}
assert tuple(FIELD_LABELS) == PLAN_FIELDS
# The plan's dates, each an NHS.UK date input (<name>_day, _month, _year), and the words its
# messages name it by ("The discharge ready date must include a month").
DATE_FIELDS = {
    "expected_discharge_date": "expected date of discharge",
    "ready_for_discharge_date": "discharge ready date",
}


@dataclass(frozen=True)
class Plan:
    """A stay's discharge plan (as it stands, or as submitted). "" is no reason/responsibility."""

    ward: str = ""
    expected_discharge_date: dt.date | None = None
    ready_for_discharge_date: dt.date | None = None
    proposed_pathway: int | None = None
    delay_reason: str = ""
    delay_responsibility: str = ""


def current_plan(spell: HospitalSpell) -> Plan:
    """The plan of a spell read with its stay (select_related("stay")). A spell without a
    Stay has a blank ward and expected date, and the hospital's pathway (as on the board)."""
    stay = getattr(spell, "stay", None)
    return Plan(
        ward=stay.ward if stay is not None else "",
        expected_discharge_date=stay.expected_discharge_date if stay is not None else None,
        ready_for_discharge_date=spell.ready_for_discharge_date,
        proposed_pathway=stay.proposed_pathway if stay is not None else spell.discharge_pathway,
        delay_reason=spell.delay_reason or "",
        delay_responsibility=spell.delay_responsibility or "",
    )


def current_version(spell: HospitalSpell) -> int:
    """The version a form drawn now carries: the Stay's, or 0 when there is none yet."""
    stay = getattr(spell, "stay", None)
    return stay.version if stay is not None else 0


def form_values(plan: Plan) -> dict[str, str]:
    """The plan's fields other than its dates as a form shows them (dates: form_dates)."""
    return {
        "ward": plan.ward,
        "proposed_pathway": "" if plan.proposed_pathway is None else str(plan.proposed_pathway),
        "delay_reason": plan.delay_reason,
        "delay_responsibility": plan.delay_responsibility,
        "note": "",
    }


def form_dates(plan: Plan) -> dict[str, DateEntry]:
    """The plan's dates in their day, month and year boxes (empty where there is none)."""
    return {name: DateEntry.of_optional(getattr(plan, name)) for name in DATE_FIELDS}


@dataclass(frozen=True)
class PlanForm:
    """What was submitted: the values and dates as typed (to show back), the plan when it
    is good, the note, the version it was drawn from (None: missing or malformed) and the
    problems."""

    values: dict[str, str]
    dates: dict[str, DateEntry]
    plan: Plan | None
    note: str
    base: int | None
    problems: list[FieldError]


def read_base(data: Mapping[str, Any]) -> int | None:
    text = str(data.get("version", "")).strip()
    if not text.isdecimal() or len(text) > 9 or int(text) > MAX_VERSION:
        return None
    return int(text)


def read_plan_form(
    data: Mapping[str, Any],
    *,
    current: Plan,
    admitted: dt.date,
    board_day: dt.date,
    editable: frozenset[str],
) -> PlanForm:
    """Check a submitted plan. Fields the viewer may not change keep their current values
    (whatever was sent); every problem names its field, in the form's order."""
    shown = form_values(current)
    values = {
        name: str(data.get(name, "")).strip() if name in editable else shown[name]
        for name in PLAN_FIELDS
        if name not in DATE_FIELDS
    }
    dates = form_dates(current) | {
        name: read_optional_date(data, name, DATE_FIELDS[name])
        for name in DATE_FIELDS
        if name in editable
    }
    values["note"] = str(data.get("note", "")).replace("\r\n", "\n").strip()
    problems: list[FieldError] = []

    def add(name: str, text: str) -> None:
        problems.append(FieldError(name, text))

    for name in ("ward", "note"):
        if NUL in values[name]:  # PostgreSQL cannot store it; no one types it on purpose
            add(name, f"{FIELD_LABELS[name]}: remove the NUL character")
            values[name] = values[name].replace(NUL, "")
    ward = values["ward"]
    if len(ward) > WARD_MAX:
        add("ward", f"Ward must be {WARD_MAX} characters or fewer")
    expected = dates["expected_discharge_date"].date
    if expected is not None and expected < admitted:
        dates["expected_discharge_date"] = with_error(
            dates["expected_discharge_date"],
            "Expected date of discharge must be on or after the admission date, "
            f"{long_date(admitted)}",
        )
    ready = dates["ready_for_discharge_date"].date
    if ready is not None and ready < admitted:
        dates["ready_for_discharge_date"] = with_error(
            dates["ready_for_discharge_date"],
            f"Discharge ready date must be on or after the admission date, {long_date(admitted)}",
        )
    elif ready is not None and ready > board_day:
        dates["ready_for_discharge_date"] = with_error(
            dates["ready_for_discharge_date"],
            f"Discharge ready date must be on or before {long_date(board_day)}, the day the "
            "board describes: record it when the person no longer meets the criteria to reside",
        )
    for name in DATE_FIELDS:  # in the form's order: ward, then the dates, then the rest
        if dates[name].error:
            add(f"{name}-day", dates[name].error)
    pathway_text = values["proposed_pathway"]
    pathway: int | None = None
    if pathway_text:
        if pathway_text in {str(p) for p in PATHWAYS}:
            pathway = int(pathway_text)
        else:
            add("proposed_pathway", "Proposed pathway: choose pathway 0, 1, 2 or 3, or not set")
    reason = values["delay_reason"]
    if reason and reason not in DELAY_REASON_WORDS:
        add("delay_reason", "Delay reason: choose a reason from the list")
    elif reason and not any(dates["ready_for_discharge_date"].values().values()):
        add(
            "delay_reason",
            "Delay reason needs a discharge ready date: a delay runs from the day the person "
            "no longer meets the criteria to reside",
        )
    responsibility = values["delay_responsibility"]
    if responsibility and responsibility not in RESPONSIBILITY_WORDS:
        add("delay_responsibility", "Responsible for the delay: choose NHS, social care or both")
    elif responsibility and not reason:
        add(
            "delay_responsibility",
            "Responsible for the delay needs a delay reason: choose the reason too, or neither",
        )
    if len(values["note"]) > NOTE_MAX:
        add("note", f"Note must be {NOTE_MAX:,} characters or fewer")
    base = read_base(data)
    if problems:
        return PlanForm(values, dates, None, values["note"], base, problems)
    plan = Plan(
        ward=ward,
        expected_discharge_date=expected,
        ready_for_discharge_date=ready,
        proposed_pathway=pathway,
        delay_reason=reason,
        delay_responsibility=responsibility,
    )
    return PlanForm(values, dates, plan, values["note"], base, [])


# --- saving ---------------------------------------------------------------------------


class StayEndedError(Exception):
    """The stay ended (a discharge) while the form was open: its plan is closed."""

    def __init__(self, discharged: dt.date):
        super().__init__(f"discharged on {discharged}")
        self.discharged = discharged


def save_plan(
    *,
    user: Any,
    staff: StaffMember,
    spell_id: str,
    base: int,
    plan: Plan,
    editable: frozenset[str],
    note: str,
    now: dt.datetime,
) -> SaveOutcome[int, Stay]:
    """Write the plan as version base+1 with its history row and audit event, or nothing.

    Fields outside `editable` are taken from the locked rows, not the form, so a broker's
    save never rewrites the hospital's side even from a page drawn long ago (and a page
    drawn long ago is a conflict anyway). Raises StayEndedError after a discharge.
    """
    username = staff.user.get_username()
    with transaction.atomic():
        spell = HospitalSpell.objects.select_for_update().get(pk=spell_id)
        if spell.discharge_date is not None:
            raise StayEndedError(spell.discharge_date)
        if base == 0:
            Stay.objects.get_or_create(
                spell=spell,
                defaults={
                    "version": 0,
                    "proposed_pathway": spell.discharge_pathway,
                    "updated_at": now,
                    "updated_by": username,
                },
            )
        stay = Stay.objects.filter(pk=spell_id).first()
        if stay is None or stay.version != base:
            return SaveOutcome(None, stay)
        spell.stay = stay
        locked = current_plan(spell)
        plan = replace(
            locked, **{name: getattr(plan, name) for name in editable if hasattr(plan, name)}
        )
        number = base + 1
        moved = Stay.objects.filter(pk=spell_id, version=base).update(
            version=number,
            ward=plan.ward,
            expected_discharge_date=plan.expected_discharge_date,
            proposed_pathway=plan.proposed_pathway,
            updated_at=now,
            updated_by=username,
        )
        if not moved:  # a writer that changed the stay without locking the spell
            return SaveOutcome(None, Stay.objects.filter(pk=spell_id).first())
        HospitalSpell.objects.filter(pk=spell_id).update(
            ready_for_discharge_date=plan.ready_for_discharge_date,
            delay_reason=plan.delay_reason or None,
            delay_responsibility=plan.delay_responsibility or None,
        )
        PlanChange.objects.create(
            spell_id=spell_id,
            changed_at=now,
            changed_by=username,
            ward=plan.ward,
            expected_discharge_date=plan.expected_discharge_date,
            ready_for_discharge_date=plan.ready_for_discharge_date,
            proposed_pathway=plan.proposed_pathway,
            delay_reason=plan.delay_reason,
            delay_responsibility=plan.delay_responsibility,
            note=note,
        )
        record_event(
            AuditAction.UPDATE,
            user=user,
            person_id=spell.person_id,
            what=f"discharge plan of hospital spell {spell_id} (version {number})",
        )
    return SaveOutcome(number)
