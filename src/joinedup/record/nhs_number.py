"""NHS numbers: the modulus-11 check, normalising what staff type, and the 3-3-4 display.

An NHS number is how a person is matched across GP, hospital and council systems, so a
mistyped one must be caught where it enters: every model field, form and import goes
through `validate_nhs_number`, and the database refuses anything that is not ten digits.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Replace
from django.db.models.lookups import Exact

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
LENGTH = 10
_SEPARATORS = re.compile(r"[\s-]+")
_DIGITS = re.compile(r"[0-9]{10}")


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when it would be 10 (no valid number exists)."""
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise ValueError(f"expected nine digits, found {first_nine!r}")
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def normalise(value: str) -> str:
    """Drop the spaces and dashes people type ("999 123 4567", "999-123-4567"); nothing else."""
    return _SEPARATORS.sub("", value.strip())


def is_valid(value: str) -> bool:
    """True when `value` (spaces and dashes allowed) is ten digits with a correct check digit."""
    number = normalise(value)
    if not _DIGITS.fullmatch(number):
        return False
    return check_digit(number[:9]) == int(number[9])


def spaced(digits: str) -> str:
    """Ten digits shown 3-3-4, valid or not (to show staff exactly what they typed)."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def format_nhs_number(value: str) -> str:
    """The 3-3-4 display form ("999 123 4567") of a valid NHS number."""
    number = normalise(value)
    if not is_valid(number):
        raise ValueError(f"not a valid NHS number: {value!r}")
    return spaced(number)


def validate_nhs_number(value: Any) -> None:
    """Django validator: ten digits (spaces, dashes allowed), the last a modulus-11 check digit."""
    text = str(value)
    number = normalise(text)
    if not number.isascii() or not number.isdigit() or len(number) != LENGTH:
        raise ValidationError(
            "Enter an NHS number of 10 digits, like 999 123 4567", code="nhs_number_format"
        )
    if not is_valid(number):
        raise ValidationError(
            "This is not a valid NHS number: check the digits (the last one is a check digit)",
            code="nhs_number_check_digit",
        )


class NhsNumberField(models.CharField):
    """Ten digits, stored without spaces; validated by the modulus-11 check.

    Pair it with `nhs_number_check_constraint` in the model's Meta so the database also
    refuses anything that is not ten digits, whoever writes to it.
    """

    description = "NHS number (10 digits, modulus-11 check digit)"
    default_validators = [validate_nhs_number]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = LENGTH
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        return normalise(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return normalise(value) if isinstance(value, str) else value


def nhs_number_check_constraint(field: str, *, name: str) -> models.CheckConstraint:
    """A CHECK that `field` is null or exactly ten ASCII digits, portable to SQLite and PostgreSQL.

    Removing every digit must leave the empty string: no regular expressions, which SQLite
    only has through a function Django registers on its own connections.
    """
    stripped: Any = models.F(field)
    for digit in "0123456789":
        stripped = Replace(stripped, models.Value(digit), models.Value(""))
    ten_digits = Q(Exact(Length(field), LENGTH)) & Q(Exact(stripped, models.Value("")))
    return models.CheckConstraint(condition=Q(**{f"{field}__isnull": True}) | ten_digits, name=name)
