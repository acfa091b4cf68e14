"""The one way to read a JSON body another system sent: bounded, strict, and storable.

Every API (the referrals endpoint, the hospital feed, and those to come) reads its body
here before its own rules run, so no sender can make a page or a database fail later:

- the body is at most the endpoint's size and nested at most MAX_DEPTH deep;
- it is UTF-8 JSON with finite numbers (no NaN, no Infinity, nothing like 1e400 that
  overflows), integers of at most MAX_INTEGER_DIGITS digits;
- no string, key or value, holds a NUL (PostgreSQL cannot store one) or a lone surrogate
  (JSON can spell one, UTF-8 cannot hold it, and a page showing it would fail);
- then a declared schema (a pydantic model, `Body`): strict types, so a number is never
  taken for text nor text for a number, and fields it does not declare refused.

Each refusal names the field by its path in the body ("person.nhs_number", "items.2"), so
the sender can put it right; nothing here touches the database. Django-free.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from joinedup.errors import UserError

MAX_DEPTH = 20
MAX_INTEGER_DIGITS = 30
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

Problem = tuple[str, str]  # (the field's path in the body, what is wrong)
B = TypeVar("B", bound="Body")


class InputError(UserError):
    """A body refused: the HTTP status to answer and each problem with its field path."""

    def __init__(self, status: int, *problems: Problem):
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.status = status
        self.problems = list(problems)


class FieldProblem(BaseModel):
    field: str
    message: str


class Refusal(BaseModel):
    """Every refusal of every API: each problem with the path of its field."""

    errors: list[FieldProblem]


class Body(BaseModel):
    """A declared request body: strict types, no field it does not name."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)


def too_large(max_bytes: int) -> InputError:
    """The refusal of a body over the endpoint's size (413), however its size was learnt."""
    return InputError(413, ("body", f"larger than {max_bytes} bytes"))


def _refuse_constant(name: str) -> Any:
    raise InputError(422, ("body", f"{name} is not a number JSON allows here"))


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise InputError(422, ("body", f"the number {text[:20]} is too large"))
    return number


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise InputError(422, ("body", f"an integer of more than {MAX_INTEGER_DIGITS} digits"))
    return int(text)


def _too_deep(text: str) -> bool:
    """Whether brackets outside strings nest deeper than MAX_DEPTH (before parsing, so a
    deep body costs no recursion)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def path_of(location: tuple[str | int, ...] | list[str | int]) -> str:
    """A field's path as the refusals write it: person.nhs_number, items.2."""
    return ".".join(str(part) for part in location) or "body"


def _unstorable(value: Any, location: tuple[str | int, ...]) -> list[Problem]:
    """Each string (key or value) holding a NUL or a lone surrogate, by its path."""
    message = "holds a character that cannot be stored (NUL, or half of a surrogate pair)"
    if isinstance(value, str):
        return [(path_of(location), message)] if UNSTORABLE.search(value) else []
    found: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if UNSTORABLE.search(key):
                found.append((path_of((*location, "(a key)")), message))
            else:
                found.extend(_unstorable(item, (*location, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_unstorable(item, (*location, index)))
    return found


def storable(value: Any) -> Any:
    """`value` with NUL and lone surrogates in its strings replaced by U+FFFD: for a body
    kept from before these rules, so it can still be read and acted on."""
    if isinstance(value, str):
        return UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def read_json(raw: bytes, *, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object within the rules above, or InputError (413: too large;
    400: not JSON or not an object; 422: a number or a string it may not hold)."""
    if len(raw) > max_bytes:
        raise too_large(max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(400, ("body", "not UTF-8 text")) from None
    if _too_deep(text):
        raise InputError(400, ("body", f"nested more than {MAX_DEPTH} deep"))
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite, parse_int=_integer
        )
    except InputError:
        raise
    except ValueError:  # json.JSONDecodeError is one
        raise InputError(400, ("body", "not valid JSON")) from None
    if not isinstance(data, dict):
        raise InputError(400, ("body", "expected a JSON object"))
    if problems := _unstorable(data, ()):
        raise InputError(422, *problems)
    return data


# pydantic's error types, in the words a sender's developer reads in the refusal
_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "not a field this endpoint takes",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "list_type": "must be a list",
    "literal_error": "not one of the values allowed",
}


def validated(schema: type[B], data: dict[str, Any]) -> B:
    """`data` read by the endpoint's declared schema, or InputError 422 naming each field."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = [
            (path_of(error["loc"]), _MESSAGES.get(error["type"], error["msg"]))
            for error in exc.errors(include_url=False)
        ]
        raise InputError(422, *problems) from None
