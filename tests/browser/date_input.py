"""Filling in the NHS.UK date input (day, month, year) as a person types a date."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page


def fill_date(page: Page, legend: str, date: dt.date) -> None:
    """Type `date` into the day, month and year boxes of the date input called `legend`."""
    boxes = page.get_by_role("group", name=legend)
    for box, value in (("Day", date.day), ("Month", date.month), ("Year", date.year)):
        boxes.get_by_label(box).fill(str(value))
