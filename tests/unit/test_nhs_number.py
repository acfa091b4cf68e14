"""NHS numbers: the modulus-11 check, normalising, the 3-3-4 format and the Django validator."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from joinedup.record.nhs_number import (
    NhsNumberField,
    check_digit,
    format_nhs_number,
    is_valid,
    normalise,
    validate_nhs_number,
)
from joinedup.record.synthetic_identity import (
    TEST_RANGE_SIZE,
    NhsNumberRangeExhaustedError,
    nhs_numbers_for,
    nhs_numbers_from_test_range,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def reference_check_digit(first_nine: str) -> int:
    """The rule as NHS Digital states it, written out long-hand; 10 means no valid number."""
    total = 0
    for position, digit in enumerate(first_nine, start=1):
        total += int(digit) * (11 - position)
    remainder = total % 11
    result = 11 - remainder
    return 0 if result == 11 else result


@pytest.mark.parametrize(
    "number",
    ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 ", "4010232137", "9990000018"],
)
def test_valid_numbers(number: str) -> None:
    assert is_valid(number)
    validate_nhs_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # wrong check digit
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "",
        "943.476.5919",  # dots are not a separator people use
        "94347659I9",  # a letter
        "９４３４７６５９１９",  # full-width digits look right but are not ASCII
    ],
)
def test_invalid_numbers(number: str) -> None:
    assert not is_valid(number)
    with pytest.raises(ValidationError):
        validate_nhs_number(number)


def test_a_body_whose_check_digit_would_be_ten_has_no_valid_number() -> None:
    body = next(
        f"{n:09d}"
        for n in range(100_000_000, 100_001_000)
        if reference_check_digit(f"{n:09d}") == 10
    )
    assert check_digit(body) is None
    assert not any(is_valid(body + str(d)) for d in range(10))


def test_validator_says_which_problem() -> None:
    with pytest.raises(ValidationError) as short:
        validate_nhs_number("12345")
    assert short.value.code == "nhs_number_format"
    with pytest.raises(ValidationError) as wrong:
        validate_nhs_number("9434765918")
    assert wrong.value.code == "nhs_number_check_digit"


def test_normalise_and_format() -> None:
    assert normalise(" 943-476 5919 ") == "9434765919"
    assert format_nhs_number("9434765919") == "943 476 5919"
    assert format_nhs_number("943-476-5919") == "943 476 5919"
    with pytest.raises(ValueError):
        format_nhs_number("9434765918")


def test_model_field_normalises_and_validates() -> None:
    field = NhsNumberField()
    assert field.clean("943 476 5919", None) == "9434765919"
    assert field.get_prep_value("943-476-5919") == "9434765919"
    with pytest.raises(ValidationError):
        field.clean("943 476 5918", None)
    _, _, _, kwargs = field.deconstruct()
    assert "max_length" not in kwargs


@given(nine_digits)
def test_check_digit_agrees_with_the_rule(body: str) -> None:
    expected = reference_check_digit(body)
    assert check_digit(body) == (None if expected == 10 else expected)


@given(nine_digits)
def test_every_generated_number_validates_and_formats(body: str) -> None:
    digit = check_digit(body)
    if digit is None:
        return
    number = body + str(digit)
    assert is_valid(number)
    validate_nhs_number(number)
    formatted = format_nhs_number(number)
    assert formatted == f"{number[:3]} {number[3:6]} {number[6:]}"
    assert normalise(formatted) == number
    assert sum(is_valid(body + str(d)) for d in range(10)) == 1


@given(nine_digits, st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_error_is_caught(body: str, position: int, shift: int) -> None:
    digit = check_digit(body)
    if digit is None:
        return
    number = list(body + str(digit))
    number[position] = str((int(number[position]) + shift) % 10)
    assert not is_valid("".join(number))


def test_test_range_numbers_are_valid_distinct_and_start_999() -> None:
    numbers = nhs_numbers_from_test_range(5_000, np.random.default_rng(1)).to_pylist()
    assert len(set(numbers)) == 5_000
    assert all(n.startswith("999") and len(n) == 10 and is_valid(n) for n in numbers)
    again = nhs_numbers_from_test_range(5_000, np.random.default_rng(1)).to_pylist()
    assert again == numbers


def test_test_range_size_and_exhaustion() -> None:
    # Count the bodies 999dddddd whose check digit would be 10, by the distribution of the
    # weighted sum modulo 11 over the six free digits (weights 7..2).
    ways = [0] * 11
    ways[(9 * 10 + 9 * 9 + 9 * 8) % 11] = 1
    for weight in (7, 6, 5, 4, 3, 2):
        ways = [sum(ways[(r - weight * d) % 11] for d in range(10)) for r in range(11)]
    assert 1_000_000 - ways[1] == TEST_RANGE_SIZE
    with pytest.raises(NhsNumberRangeExhaustedError):
        nhs_numbers_from_test_range(TEST_RANGE_SIZE + 1, np.random.default_rng(1))


def test_a_city_larger_than_the_test_range_leaves_the_rest_without_numbers() -> None:
    count = TEST_RANGE_SIZE + 2_000
    numbers = nhs_numbers_for(count, np.random.default_rng(3))
    assert len(numbers) == count and numbers.null_count == 2_000
    issued = numbers.drop_null().to_pylist()
    assert len(set(issued)) == TEST_RANGE_SIZE  # every test-range number used once
    assert numbers.slice(count - 2_000).null_count < 2_000  # the unnumbered are spread out
