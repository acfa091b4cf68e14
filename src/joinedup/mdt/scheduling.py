"""Reading the "schedule a meeting" form: a date (the NHS.UK date input) and a time (the one
time box) that have not passed, and a location.

Every problem names its field, so the error summary can link to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from joinedup.forms.dates import DateEntry, read_date, with_error
from joinedup.forms.errors import FieldError
from joinedup.forms.times import TimeEntry, read_time
from joinedup.mdt.models import Meeting

LOCATION_MAX = Meeting._meta.get_field("location").max_length or 200


@dataclass(frozen=True)
class Schedule:
    starts_at: dt.datetime
    location: str


@dataclass(frozen=True)
class ScheduleForm:
    """The form as typed (to draw it again) and its problems, each naming its field."""

    date: DateEntry
    time: TimeEntry
    location: str
    problems: list[FieldError]

    @classmethod
    def blank(cls) -> ScheduleForm:
        return cls(DateEntry.blank(), TimeEntry("", None, ""), "", [])


def read_schedule(
    data: Mapping[str, Any], *, now: dt.datetime
) -> tuple[Schedule | None, ScheduleForm]:
    """The meeting's date (NHS.UK date input `starts`), start time (`starts_time`, local) and
    location; a start that has passed is refused on the date."""
    problems: list[FieldError] = []
    date = read_date(data, "starts", "meeting date", example="14 3 2027")
    time = read_time(data, "starts_time", "start time")
    starts_at = None
    if date.error:
        problems.append(FieldError("starts-day", date.error))
    if time.error:
        problems.append(FieldError("starts_time", time.error))
    if date.date is not None and time.time is not None and not problems:
        starts_at = timezone.make_aware(dt.datetime.combine(date.date, time.time))
        if starts_at < now:
            date = with_error(date, "The meeting must start in the future")
            problems.append(FieldError("starts-day", date.error))
    location = str(data.get("location", "")).strip()
    if len(location) > LOCATION_MAX:
        problems.append(
            FieldError("location", f"Location must be {LOCATION_MAX} characters or fewer")
        )
    form = ScheduleForm(date, time, location, problems)
    if problems or starts_at is None:
        return None, form
    return Schedule(starts_at=starts_at, location=location), form
