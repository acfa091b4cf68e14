"""What staff typed to write to a person's record, read back and checked before it is saved.

One reader per form (a case note, an alert, a consent decision), each returning the values
as typed, to show again, and every problem as a FieldError naming its input (docs/forms.md).
Text must be storable: joinedup.untrusted_json.UNSTORABLE finds the NUL and lone surrogates
that PostgreSQL or a page could not hold, as it does for the APIs.

The sensitivity labels' guidance says who can read a labelled note, built from the policy's
own table (joinedup.access.policy.SENSITIVE_READERS) so the form never promises more or less
than the record then does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joinedup.access.models import Consent, Sensitivity
from joinedup.access.policy import SENSITIVE_READERS
from joinedup.access.professions import Profession
from joinedup.forms.errors import FieldError
from joinedup.people.models import Alert
from joinedup.untrusted_json import UNSTORABLE

NOTE_MAX = 10_000
DETAIL_MAX = Alert._meta.get_field("detail").max_length or 300
CONSENT_NOTE_MAX = Consent._meta.get_field("note").max_length or 300
NO_LABEL = ""  # the value of the "no sensitivity label" radio

UNSTORABLE_TEXT = "has a character that cannot be saved (a NUL or a broken character): remove it"


@dataclass(frozen=True)
class NoteValues:
    text: str = ""
    sensitivity: str = NO_LABEL


@dataclass(frozen=True)
class AlertValues:
    kind: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ConsentValues:
    kind: str = ""
    note: str = ""


def _typed(post: Mapping[str, Any], name: str) -> str:
    """One value as typed, with a browser's CRLF line ends made one character each."""
    return str(post.get(name, "")).replace("\r\n", "\n").strip()


def _text_problem(text: str, field_id: str, name: str, limit: int) -> FieldError | None:
    """The problem of an optional free text (too long, or unstorable), else None."""
    if len(text) > limit:
        return FieldError(field_id, f"{name} must be {limit:,} characters or fewer")
    if UNSTORABLE.search(text):
        return FieldError(field_id, f"{name} {UNSTORABLE_TEXT}")
    return None


def read_note(post: Mapping[str, Any]) -> tuple[NoteValues, list[FieldError]]:
    """A case note's text (required) and its sensitivity label (none, or one of Sensitivity)."""
    values = NoteValues(_typed(post, "text"), _typed(post, "sensitivity"))
    problems: list[FieldError] = []
    if not values.text:
        problems.append(FieldError("text", "Enter the case note"))
    elif problem := _text_problem(values.text, "text", "The case note", NOTE_MAX):
        problems.append(problem)
    if values.sensitivity not in (NO_LABEL, *Sensitivity.values):
        problems.append(
            FieldError("sensitivity", "Choose a sensitivity label from the list, or no label")
        )
    return values, problems


def read_alert(post: Mapping[str, Any]) -> tuple[AlertValues, list[FieldError]]:
    """An alert's kind (one of Alert.Kind) and its optional detail."""
    values = AlertValues(_typed(post, "kind"), _typed(post, "detail"))
    problems: list[FieldError] = []
    if values.kind not in Alert.Kind.values:
        problems.append(FieldError("kind", "Choose the kind of alert"))
    if problem := _text_problem(values.detail, "detail", "The detail", DETAIL_MAX):
        problems.append(problem)
    return values, problems


def read_consent(post: Mapping[str, Any]) -> tuple[ConsentValues, list[FieldError]]:
    """A consent decision's kind (one of Consent.Kind) and its optional note."""
    values = ConsentValues(_typed(post, "kind"), _typed(post, "note"))
    problems: list[FieldError] = []
    if values.kind not in Consent.Kind.values:
        problems.append(FieldError("kind", "Choose the decision the person made"))
    if problem := _text_problem(values.note, "note", "The note", CONSENT_NOTE_MAX):
        problems.append(problem)
    return values, problems


# --- who can read a labelled note --------------------------------------------------------


def _in_text(label: str) -> str:
    """A profession's label inside a sentence: "social worker", but "GP"."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _listed(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def readers(sensitivity: str) -> str:
    """The professions that may read a note with this label, as a page says them."""
    allowed = SENSITIVE_READERS[sensitivity]
    return _listed([_in_text(p.label) for p in Profession if p in allowed])


@dataclass(frozen=True)
class LabelChoice:
    value: str
    text: str
    guidance: str


def label_choices(profession: str) -> list[LabelChoice]:
    """The sensitivity radios: no label, then each label, each saying who can then read the
    note, and warning the author when their own profession could not."""
    choices = [
        LabelChoice(
            NO_LABEL,
            "No label",
            "Everyone with a care relationship with the person can read it (if the person "
            "objects to sharing between health and social care, only your side can).",
        )
    ]
    for label in Sensitivity:
        guidance = f"Only these professions can read it: {readers(label)}."
        if profession not in SENSITIVE_READERS[label]:
            guidance += " You will not be able to read it yourself."
        choices.append(LabelChoice(label.value, label.label, guidance))
    return choices
