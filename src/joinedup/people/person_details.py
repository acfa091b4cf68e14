"""A person's details as the pages show them: the record's section, the history, a comparison.

Read for an opened record (joinedup.access.policy.RecordAccess) inside the view's
transaction, into plain dataclasses, so a template never runs a query. The details are
facts about the person (who to call, how to talk with them, where a ReSPECT form is), not
entries of a sector, so every viewer the record opens to sees them; only a viewer with a
care relationship may change them (break-glass reads, it does not rewrite).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joinedup.access.policy import RecordAccess
from joinedup.access.professions import Profession
from joinedup.people.details_form import FIELDS, YES, DetailsValues, values_of
from joinedup.record.models import PersonDetailChange, PersonDetails, ResuscitationStatus
from joinedup.record.person_details import FIELD_LABELS

PROFESSION_LABELS = dict(Profession.choices)
STATUS_LABELS = dict(ResuscitationStatus.choices)
NOT_RECORDED = "Not recorded"


def shown(field: str, text: str) -> str:
    """A field's stored text as people read it: the status's words, Yes or No."""
    if field == "resuscitation_status":
        return STATUS_LABELS.get(text, text)
    if field == "interpreter_needed":
        return "Yes" if text == YES else "No"
    return text


def who_text(name: str, profession: str, organisation: str) -> str:
    """'Nia Hart (District nurse, Casterbridge Community Health NHS Trust)'."""
    about = [PROFESSION_LABELS.get(profession, profession), organisation]
    about = [part for part in about if part]
    return f"{name} ({', '.join(about)})" if about else name


@dataclass(frozen=True)
class ContactPerson:
    name: str
    relationship: str
    phone: str


@dataclass(frozen=True)
class DetailsSection:
    """What the record page shows of the details, and whether the viewer may change them."""

    preferred_name: str
    next_of_kin: ContactPerson | None
    emergency_contact: ContactPerson | None
    communication_needs: str
    interpreter_needed: bool
    interpreter_language: str
    resuscitation_status: str
    resuscitation_label: str
    resuscitation_held_where: str
    may_edit: bool

    @property
    def communication_alert(self) -> bool:
        """Whether the banner says how to talk with the person before anything else."""
        return bool(self.communication_needs) or self.interpreter_needed

    @property
    def resuscitation_known(self) -> bool:
        return self.resuscitation_status != ResuscitationStatus.NOT_KNOWN


def _contact(values: DetailsValues, prefix: str) -> ContactPerson | None:
    name = getattr(values, f"{prefix}_name")
    if not name:
        return None
    return ContactPerson(
        name, getattr(values, f"{prefix}_relationship"), getattr(values, f"{prefix}_phone")
    )


def details_section(access: RecordAccess) -> DetailsSection:
    """The details of the opened record's person, for the record page's section."""
    details = PersonDetails.objects.filter(person_id=access.person.pk).first()
    values = values_of(access.person, details)
    return DetailsSection(
        preferred_name=values.preferred_name,
        next_of_kin=_contact(values, "next_of_kin"),
        emergency_contact=_contact(values, "emergency_contact"),
        communication_needs=values.communication_needs,
        interpreter_needed=values.interpreter_needed == YES,
        interpreter_language=values.interpreter_language,
        resuscitation_status=values.resuscitation_status,
        resuscitation_label=shown("resuscitation_status", values.resuscitation_status),
        resuscitation_held_where=values.resuscitation_held_where,
        may_edit=access.relationship.legitimate,
    )


@dataclass(frozen=True)
class ComparedField:
    """One field on the conflict page: what was saved meanwhile beside what this editor typed."""

    field: str
    label: str
    theirs: str
    mine: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.mine


def compared(theirs: DetailsValues, mine: DetailsValues) -> list[ComparedField]:
    return [
        ComparedField(
            name,
            FIELD_LABELS[name],
            shown(name, getattr(theirs, name)),
            shown(name, getattr(mine, name)),
        )
        for name in FIELDS
    ]


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class SaveLine:
    """One save in the history: who, when, and each field it changed."""

    version: int
    changed_at: dt.datetime
    who: str
    changes: tuple[ChangeLine, ...]


def history(person_id: str) -> list[SaveLine]:
    """Every save that changed the details, newest first, its fields in the form's order."""
    order = {name: i for i, name in enumerate(FIELDS)}
    saves: dict[int, list[PersonDetailChange]] = {}
    for change in PersonDetailChange.objects.filter(person_id=person_id).order_by("-version"):
        saves.setdefault(change.version, []).append(change)
    lines = []
    for version, changes in saves.items():
        changes.sort(key=lambda c: order.get(c.field, len(order)))
        first = changes[0]
        lines.append(
            SaveLine(
                version=version,
                changed_at=first.changed_at,
                who=who_text(
                    first.changed_by_name or first.changed_by, first.profession, first.organisation
                ),
                changes=tuple(
                    ChangeLine(
                        FIELD_LABELS.get(c.field, c.field),
                        shown(c.field, c.old_value),
                        shown(c.field, c.new_value),
                    )
                    for c in changes
                ),
            )
        )
    return lines
