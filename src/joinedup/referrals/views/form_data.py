"""Form fields named like the endpoint's JSON ("person.given_name"), read back into its shape.

A referral's problems are the endpoint's: (JSON name, "name: message"). A page shows them as
the form toolkit's FieldError, linked to the field's element id and written as a sentence.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from joinedup.forms.errors import FieldError


def nested(post: QueryDict) -> dict[str, Any]:
    """{"person.given_name": "Ada"} -> {"person": {"given_name": "Ada"}} (one level)."""
    data: dict[str, Any] = {}
    for key in post:
        value = post.get(key, "")
        if "." in key:
            outer, inner = key.split(".", 1)
            data.setdefault(outer, {})[inner] = value
        else:
            data[key] = value
    return data


def field_id(name: str) -> str:
    """An element id for a field name (error summary links point at it)."""
    return name.replace(".", "-").replace("_", "-")


def field_errors(problems: list[tuple[str, str]] | None) -> list[FieldError]:
    """("person.birth_date", "person.birth_date: must be ...") -> "Must be ..." at its field."""
    errors = []
    for name, message in problems or []:
        text = message.split(": ", 1)[-1]
        errors.append(FieldError(field_id(name), text[:1].upper() + text[1:]))
    return errors
