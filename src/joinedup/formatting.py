"""How dates, times, numbers, NHS numbers and conditions are written for people to read.

Every page, printout and summary writes them the same way (GOV.UK and NHS.UK style), so the
formats live here, below the apps: the web layer registers them as Jinja filters, and a
domain module that composes a sentence (a plan's change, an agenda line) uses them directly
without reaching up into the web layer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from markupsafe import Markup

from joinedup.record.model_fields import label
from joinedup.record.nhs_number import format_nhs_number
from joinedup.untrusted_json import UNSTORABLE, storable


def printable(value: Any) -> Any:
    """Text as a page can write it: NUL and lone surrogates shown as the replacement
    character. The template's last step for every value, so text stored before the APIs
    refused such characters (or arriving by another road) never stops a page."""
    if isinstance(value, str) and UNSTORABLE.search(value):
        cleaned = storable(value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def long_date(value: dt.date | None) -> str:
    """'1 April 2019', the GOV.UK and NHS.UK style for dates."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def localtime_text(value: dt.datetime | None) -> str:
    """'25 November 2026 at 21:15', in the service's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def thousands(value: int | float | None) -> str:
    """12,345 (numbers in tables are easier to compare with separators)."""
    if value is None:
        return ""
    return f"{value:,}"


def nhs_number_text(value: str | None) -> str:
    """999 123 4519 (3-3-4, as printed on NHS cards), or "" for none or a malformed one."""
    if not value:
        return ""
    try:
        return format_nhs_number(value)
    except ValueError:
        return ""


# Conditions whose code, capitalised, would misspell them ("Copd", "Parkinsons"); the rest
# read right as the record labels them ("Heart failure", "Frailty moderate").
CONDITION_WORDS: dict[str, str] = {
    "copd": "COPD",
    "parkinsons": "Parkinson's disease",
}


def condition_text(code: str) -> str:
    """A long-term condition (joinedup.lake.schema.CONDITIONS) as staff write it: "COPD",
    "Heart failure"."""
    return CONDITION_WORDS.get(code) or label(code)
