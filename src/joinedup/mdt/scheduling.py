"""Reading the "schedule a meeting" form: a date and time that has not passed, a location.

Every problem names its field, so the error summary can link to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from joinedup.forms.errors import FieldError
from joinedup.mdt.models import Meeting

LOCATION_MAX = Meeting._meta.get_field("location").max_length or 200
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Schedule:
    starts_at: dt.datetime
    location: str


def parse_local_datetime(text: str) -> dt.datetime | None:
    """ "2027-03-14T10:30" (a datetime-local input) or "14/03/2027 10:30", in local time."""
    for fmt in DATETIME_FORMATS:
        try:
            naive = dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return timezone.make_aware(naive)
    return None


def read_schedule(
    data: Mapping[str, Any], *, now: dt.datetime
) -> tuple[Schedule | None, list[FieldError]]:
    problems: list[FieldError] = []
    text = str(data.get("starts_at", "")).strip()
    starts_at = parse_local_datetime(text) if text else None
    if not text:
        problems.append(FieldError("starts_at", "Enter the date and time of the meeting"))
    elif starts_at is None:
        problems.append(
            FieldError(
                "starts_at",
                "Date and time must be a real date and time, like 14/03/2027 10:30",
            )
        )
    elif starts_at < now:
        problems.append(FieldError("starts_at", "Date and time must be in the future"))
    location = str(data.get("location", "")).strip()
    if len(location) > LOCATION_MAX:
        problems.append(
            FieldError("location", f"Location must be {LOCATION_MAX} characters or fewer")
        )
    if problems or starts_at is None:
        return None, problems
    return Schedule(starts_at=starts_at, location=location), []
