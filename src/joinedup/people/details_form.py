"""The "Change details" form: what staff typed, read back and checked before it is saved.

Every value is kept as text, as typed (stripped), so a form shown again with its problems,
or beside someone else's save on a conflict, loses nothing; a postcode of the right shape
comes back normalised ("cx11aa" -> "CX1 1AA"). The same text is what the history keeps,
so a change is exactly a difference of these strings. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from joinedup.forms.errors import FieldError
from joinedup.record.models import Person, PersonDetails, ResuscitationStatus
from joinedup.record.person_details import FIELD_LABELS, PERSON_FIELDS
from joinedup.untrusted_json import UNSTORABLE

YES, NO = "yes", "no"
PHONE_MAX = 20
COMMUNICATION_MAX = 2000
HELD_WHERE_MAX = 500
# A ReSPECT form or DNACPR decision in place is of no use to a crew who cannot find it.
NEEDS_WHERE_HELD: dict[str, str] = {
    ResuscitationStatus.RESPECT_FORM: "Enter where the ReSPECT form is held",
    ResuscitationStatus.DNACPR: "Enter where the DNACPR decision is held",
}

# Outward code, then inward code (a digit and two letters Royal Mail uses in that place).
_POSTCODE = re.compile(r"^(?:GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2})$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ]*$")

# How long each single-line text may be (the model columns' lengths).
_LIMITS: dict[str, int] = {
    "address_line_1": 200,
    "address_line_2": 200,
    "town": 100,
    "preferred_name": 100,
    "next_of_kin_name": 200,
    "next_of_kin_relationship": 100,
    "emergency_contact_name": 200,
    "emergency_contact_relationship": 100,
    "interpreter_language": 100,
    "communication_needs": COMMUNICATION_MAX,
    "resuscitation_held_where": HELD_WHERE_MAX,
}

# The field names as the message names them ("Postcode must ...").
_NAMED: dict[str, str] = {
    **FIELD_LABELS,
    "next_of_kin_name": "Next of kin's name",
    "next_of_kin_relationship": "Next of kin's relationship",
    "next_of_kin_phone": "Next of kin's phone",
    "emergency_contact_name": "Emergency contact's name",
    "emergency_contact_relationship": "Emergency contact's relationship",
    "emergency_contact_phone": "Emergency contact's phone",
    "resuscitation_held_where": "Where the form is held",
}


@dataclass(frozen=True)
class DetailsValues:
    """Every detail as text, in the form's order: as typed, or as saved."""

    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    phone: str = ""
    preferred_name: str = ""
    next_of_kin_name: str = ""
    next_of_kin_relationship: str = ""
    next_of_kin_phone: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    communication_needs: str = ""
    interpreter_needed: str = NO
    interpreter_language: str = ""
    resuscitation_status: str = ResuscitationStatus.NOT_KNOWN.value
    resuscitation_held_where: str = ""

    def as_text(self) -> dict[str, str]:
        return asdict(self)

    def changed_from(self, before: DetailsValues) -> list[str]:
        """The fields whose text differs from `before`, in the form's order."""
        return [name for name, value in self.as_text().items() if getattr(before, name) != value]

    def person_columns(self, names: list[str]) -> dict[str, Any]:
        """Person's columns among `names`, as stored."""
        return {name: getattr(self, name) for name in names if name in PERSON_FIELDS}

    def details_columns(self, names: list[str]) -> dict[str, Any]:
        """PersonDetails' columns among `names`, as stored (the yes/no as a boolean)."""
        return {
            name: (
                getattr(self, name) == YES if name == "interpreter_needed" else getattr(self, name)
            )
            for name in names
            if name not in PERSON_FIELDS
        }


FIELDS = tuple(f.name for f in fields(DetailsValues))
assert set(FIELDS) == set(FIELD_LABELS), "every field has its words, and only those"


def values_of(person: Person, details: PersonDetails | None) -> DetailsValues:
    """The details as saved (the defaults for a person nobody has added details to)."""
    own = {name: getattr(person, name) or "" for name in PERSON_FIELDS}
    if details is None:
        return DetailsValues(**own)
    added = {name: getattr(details, name) for name in FIELDS if name not in PERSON_FIELDS} | {
        "interpreter_needed": YES if details.interpreter_needed else NO
    }
    return DetailsValues(**own, **added)


def normalised_postcode(text: str) -> str | None:
    """'CX1 1AA' for 'cx11aa' or ' Cx1  1aa ', or None for text not shaped like a postcode."""
    compact = re.sub(r"\s+", "", text).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def _text(post: Mapping[str, Any], name: str) -> str:
    text = str(post.get(name, "")).strip()
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_text(name: str, text: str, errors: list[FieldError]) -> bool:
    """Whether `text` may be stored in `name`; a problem is added to `errors` if not."""
    if UNSTORABLE.search(text):
        errors.append(FieldError(name, f"{_NAMED[name]} has a character that cannot be stored"))
        return False
    limit = PHONE_MAX if name.endswith("phone") else _LIMITS.get(name)
    if limit is not None and len(text) > limit:
        errors.append(FieldError(name, f"{_NAMED[name]} must be {limit:,} characters or fewer"))
        return False
    return True


def _check_phone(name: str, text: str, errors: list[FieldError]) -> None:
    if text and not _PHONE.match(text):
        errors.append(
            FieldError(
                name,
                f"{_NAMED[name]} must contain only numbers and spaces, and may start with +",
            )
        )


def _check_contact(prefix: str, typed: dict[str, str], errors: list[FieldError]) -> None:
    """A relationship or phone needs the name of the person it belongs to."""
    name = f"{prefix}_name"
    if not typed[name] and (typed[f"{prefix}_relationship"] or typed[f"{prefix}_phone"]):
        who = "next of kin" if prefix == "next_of_kin" else "emergency contact"
        errors.append(
            FieldError(name, f"Enter the {who}'s name, or clear their relationship and phone")
        )


def _check_choices(typed: dict[str, str], errors: list[FieldError]) -> None:
    needed = typed["interpreter_needed"]
    if needed not in (YES, NO):
        errors.append(FieldError("interpreter_needed", "Choose whether an interpreter is needed"))
    elif needed == YES and not typed["interpreter_language"]:
        errors.append(
            FieldError("interpreter_language", "Enter the language the interpreter is needed for")
        )
    elif needed == NO and typed["interpreter_language"]:
        errors.append(
            FieldError(
                "interpreter_language",
                "Choose Yes if an interpreter is needed, or clear the interpreter's language",
            )
        )
    status = typed["resuscitation_status"]
    if status not in ResuscitationStatus.values:
        errors.append(FieldError("resuscitation_status", "Choose the ReSPECT or DNACPR status"))
    elif status in NEEDS_WHERE_HELD and not typed["resuscitation_held_where"]:
        errors.append(FieldError("resuscitation_held_where", NEEDS_WHERE_HELD[status]))


def read_details(post: Mapping[str, Any]) -> tuple[DetailsValues, list[FieldError]]:
    """The submitted details, and every problem found, each naming its field."""
    errors: list[FieldError] = []
    typed = {name: _text(post, name) for name in FIELDS}
    ok = {name: _check_text(name, text, errors) for name, text in typed.items()}
    if ok["postcode"] and typed["postcode"]:
        postcode = normalised_postcode(typed["postcode"])
        if postcode is None:
            errors.append(FieldError("postcode", "Enter a real postcode, like CX1 1AA"))
        else:
            typed["postcode"] = postcode
    for name in ("phone", "next_of_kin_phone", "emergency_contact_phone"):
        if ok[name]:
            _check_phone(name, typed[name], errors)
    _check_contact("next_of_kin", typed, errors)
    _check_contact("emergency_contact", typed, errors)
    _check_choices(typed, errors)
    order = {name: i for i, name in enumerate(FIELDS)}
    errors.sort(key=lambda e: order.get(e.field_id, -1))
    return DetailsValues(**typed), errors


def read_base(post: Mapping[str, Any]) -> int | None:
    """The version the editor started from (hidden in the form); None when it is not a number."""
    text = str(post.get("base", "")).strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None
