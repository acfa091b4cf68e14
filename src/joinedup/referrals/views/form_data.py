"""Form fields named like the endpoint's JSON ("person.given_name"), read back into its shape."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict


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
