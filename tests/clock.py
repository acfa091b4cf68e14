"""One moment for a test module's "today", so no test straddles midnight.

A module that works out dates from today when it is imported (TODAY = ...), or whose
fixtures and tests each read the clock, would fail if midnight passed in between: the
suite runs for minutes, and a run that starts late in the evening crosses it. Such a
module reads the clock once (MOMENT = timezone.now()) and starts every test's clock there,
ticking, with `clock_at(MOMENT)`: the real date, whichever it is, but one date throughout.
The database server's own clock (the audit trail's times on PostgreSQL) keeps the real
time, minutes ahead at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine


def clock_at(moment: dt.datetime) -> Callable[[], Iterator[None]]:
    """An autouse fixture: each test's clock starts at `moment` and ticks from there."""

    @pytest.fixture(autouse=True)
    def clock() -> Iterator[None]:
        with time_machine.travel(moment, tick=True):
            yield

    return clock
