"""A form's problems: each names the field it is about, for the error summary and the field."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field_id: str  # the id of the input the error summary links to
    text: str


@dataclass
class FormErrors:
    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_id: str, text: str) -> None:
        self.errors.append(FieldError(field_id, text))

    def on(self, field_id: str) -> str:
        """The message shown beside one field ('' when it has none)."""
        return ". ".join(e.text for e in self.errors if e.field_id == field_id)

    def __bool__(self) -> bool:
        return bool(self.errors)
