"""Numbers typed into forms and query strings: digits Python calls digits but int() does
not read ("²", "①") are refused like any other text, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.careplans.plan_form import read_base
from joinedup.forms.dates import read_date
from joinedup.outcomes.dashboard import YearChoiceError, choose_year
from joinedup.transfers.board import page_number

NOT_NUMBERS = ("²", "①", "1²", "x", "")


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_numbers_are_refused(text: str) -> None:
    assert read_base({"base": text}) is None
    assert page_number(text, pages=5) == 1
    entry = read_date({"due_day": text or "1", "due_month": "3", "due_year": "2025"}, "due", "date")
    assert (entry.date is None) == bool(text)  # "" falls back to a real day, "1"
    with pytest.raises(YearChoiceError):
        choose_year(text or "²", [dt.date(2024, 4, 1)])


def test_numbers_are_read() -> None:
    assert read_base({"base": "12"}) == 12
    assert page_number("3", pages=5) == 3 and page_number("9", pages=5) == 5
    assert read_date({"d_day": "27", "d_month": "3", "d_year": "2025"}, "d", "x").date == dt.date(
        2025, 3, 27
    )
    assert choose_year("2024", [dt.date(2024, 4, 1)]) == dt.date(2024, 4, 1)
