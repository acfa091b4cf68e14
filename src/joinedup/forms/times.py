"""A time of day typed into a form: the one box beside the NHS.UK date input where a time is
needed too (a meeting's start), read one way with messages that name the field.

NHS.UK has no time component; the GOV.UK pattern is one text box with a 24-hour example.
It takes 14:30, 9:30, 09.30 and 0930, so a time typed the usual British ways is read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

_TIME = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")


@dataclass(frozen=True)
class TimeEntry:
    """What was typed, as typed (to show back on the form), and the time or the problem."""

    text: str
    time: dt.time | None
    error: str


def read_time(
    data: Mapping[str, str], name: str, label: str, *, example: str = "14:30"
) -> TimeEntry:
    """Read the box `name`; `label` names the field in every message."""
    text = str(data.get(name, "")).strip()
    if not text:
        return TimeEntry(text, None, f"Enter the {label}")
    match = _TIME.match(text)
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (99, 99)
    if hour > 23 or minute > 59:
        return TimeEntry(text, None, f"The {label} must be a real time, like {example}")
    return TimeEntry(text, dt.time(hour, minute), "")
