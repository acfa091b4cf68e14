"""joinedup.errors: one base for every error that reports a user's mistake, naming its field.

The library names the field as its callers know it; the command line shows the flag
(tests/unit/test_cli_refusals.py). Every error class of the package is either a UserError
or named below with the reason it is no one's mistake.
"""

from __future__ import annotations

import ast
import importlib
import pickle
from pathlib import Path

import pytest

from joinedup.errors import UserError

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "joinedup"

NOT_MISTAKES = {
    "AuditLogAppendOnlyError": "an internal invariant: audit events are never changed",
    "RecordRefusedError": "an access decision, said alike whether or not the person exists",
    "MeetingHeldError": "an invariant: a held meeting's agenda is its record",
    "DuplicateEpisodeError": "a race: another episode opened between the check and the save",
    "EpisodeClosedError": "a race: someone else closed the episode",
    "AllocationChangedError": "a race: someone else allocated a key worker",
    "StayEndedError": "a race: the stay ended while its plan's form was open",
}


def flags(field: str) -> str:
    return {"first": "--from", "last": "--to"}.get(field, "--" + field.replace("_", "-"))


def test_a_message_without_its_field_is_read_as_field_colon_message() -> None:
    mistake = UserError("expected a date YYYY-MM-DD, found '1 April'", field="as_of")
    assert str(mistake) == "as_of: expected a date YYYY-MM-DD, found '1 April'"
    assert mistake.naming(flags) == "--as-of: expected a date YYYY-MM-DD, found '1 April'"
    assert mistake.field == "as_of"
    assert isinstance(mistake, ValueError)  # callers catching ValueError still catch it


def test_a_message_places_its_field_and_names_others_in_backquotes() -> None:
    mistake = UserError(
        "`last` 2024-04-01 is before `first` 2024-05-01", field="last", mentions=["first"]
    )
    assert str(mistake) == "last 2024-04-01 is before first 2024-05-01"
    assert mistake.naming(flags) == "--to 2024-04-01 is before --from 2024-05-01"


def test_only_the_fields_named_are_replaced() -> None:
    mistake = UserError("`model` {x} is not `a model`", field="model")
    assert mistake.naming(flags) == "--model {x} is not `a model`"
    plain = UserError("the database is not migrated: run `joinedup manage migrate` first")
    assert plain.field is None
    assert str(plain) == plain.naming(flags) == plain.template


def test_a_mistake_survives_pickling_with_its_field() -> None:
    again = pickle.loads(pickle.dumps(UserError("no such file", field="scores")))
    assert (str(again), again.field, again.naming(flags)) == (
        "scores: no such file",
        "scores",
        "--scores: no such file",
    )


def _error_classes() -> list[tuple[str, str]]:
    """(module, class) of every class named ...Error in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                found.append((module, node.name))
    return found


@pytest.mark.parametrize(("module", "name"), _error_classes())
def test_every_error_is_a_users_mistake_or_said_not_to_be(module: str, name: str) -> None:
    error = getattr(importlib.import_module(module), name)
    if not issubclass(error, BaseException):
        return  # a form's message to show, say, not an exception
    if name in NOT_MISTAKES:
        assert not issubclass(error, UserError), f"{name} is listed as no one's mistake"
    else:
        assert issubclass(error, UserError), f"{module}.{name}: derive it from UserError"


def test_the_classes_said_not_to_be_mistakes_still_exist() -> None:
    assert set(NOT_MISTAKES) <= {name for _, name in _error_classes()}
