"""A form's problems: each names the input it is about, for the error summary and the field.

The NHS.UK error summary links every message to its field (href="#<field_id>"), and the field
shows the same words, so one type carries both: the id of the input and the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One message: `field_id` is the id of the input the error summary links to."""

    field_id: str
    text: str


def error_text(errors: Iterable[FieldError], field_id: str, joiner: str = ". ") -> str:
    """The words shown beside one field ('' when it has none), its messages joined."""
    return joiner.join(e.text for e in errors if e.field_id == field_id)


@dataclass
class FormErrors:
    """The problems of one form, in the order the error summary lists them."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_id: str, text: str) -> None:
        self.errors.append(FieldError(field_id, text))

    def on(self, field_id: str) -> str:
        """The message shown beside one field ('' when it has none)."""
        return error_text(self.errors, field_id)

    def __iter__(self) -> Iterator[FieldError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)
