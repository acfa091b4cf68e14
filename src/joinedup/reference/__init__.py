"""Published England figures that joinedup calibrates to and costs with.

The figures live in england.toml beside this module, each with its source and status, so
that the project stands alone and every number the synthetic city is tuned to can be
traced to where it came from.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

REFERENCE_FILE = "england.toml"


@cache
def _parsed() -> dict[str, Any]:
    text = resources.files(__name__).joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_reference() -> dict[str, Any]:
    """The reference figures as nested dicts (a fresh copy: callers may not change the cache)."""
    return _copy(_parsed())


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def figure(path: str) -> Any:
    """One figure by dotted path, e.g. "hospital.zero_day_share_of_emergency" (its "value")."""
    node: Any = _parsed()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"reference: no figure {path!r} (missing {part!r})")
        node = node[part]
    if isinstance(node, dict) and "value" in node:
        node = node["value"]
    return _copy(node)
