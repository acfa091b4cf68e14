"""A person's age as docs/lake.md defines it: completed years, not year boundaries crossed."""

from __future__ import annotations

import datetime as dt


def age_on(birth: dt.date, on: dt.date) -> int:
    """Completed years on a date (29 February birthdays count on 1 March in other years)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
