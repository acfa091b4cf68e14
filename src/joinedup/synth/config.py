"""What a synthetic city is asked to be: its size, window, seed and the effects planted in it.

The planted effects are the ground truth an evaluation must recover, so they are ordinary
config fields marked with ``metadata={"effect": ...}``: the CLI exposes every such field as
a flag (see `CityConfig.effect_fields`) and truth/effects.json records their values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

MIN_PEOPLE = 1_000
MAX_PEOPLE = 20_000_000
PEOPLE_PER_NEIGHBOURHOOD = 1_000
BASE_TWO_HOUR_SHARE = 0.75  # the two-hour response share before go-live (reference figure)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (clipped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class EffectFlag:
    """How the CLI shows one planted effect."""

    name: str
    flag: str
    help: str
    default: float


@dataclass(frozen=True)
class CityConfig:
    """A synthetic city: `people` registered at `start`, followed month by month to `end`."""

    people: int = 100_000
    neighbourhoods: int = 12
    start: dt.date = dt.date(2019, 4, 1)
    end: dt.date = dt.date(2025, 3, 31)
    seed: int = 1
    caseload_admission_rate_ratio: float = field(
        default=0.85,
        metadata={
            "effect": "Emergency admission rate ratio while on a live integrated team's caseload "
            "(1 = no effect)."
        },
    )
    golive_delay_change: float = field(
        default=-0.20,
        metadata={
            "effect": "Relative change of a neighbourhood's discharge delays (days) once its team "
            "goes live (-0.2 = 20% shorter; 0 = no effect)."
        },
    )
    golive_two_hour_change: float = field(
        default=0.08,
        metadata={
            "effect": "Change (in share, 0-1) of urgent community responses within two hours "
            "once the neighbourhood's team goes live (0 = no effect)."
        },
    )

    @classmethod
    def effect_fields(cls) -> tuple[EffectFlag, ...]:
        """Every planted-effect field, with the flag name and help text the CLI should use."""
        flags = []
        for f in dataclasses.fields(cls):
            if "effect" in f.metadata:
                flags.append(
                    EffectFlag(
                        name=f.name,
                        flag="--" + f.name.replace("_", "-"),
                        help=str(f.metadata["effect"]),
                        default=float(f.default),  # type: ignore[arg-type]
                    )
                )
        return tuple(flags)

    def effects(self) -> dict[str, float]:
        """The planted effects of this city, by field name."""
        return {e.name: float(getattr(self, e.name)) for e in self.effect_fields()}

    @property
    def months(self) -> int:
        """Calendar months the window touches (the last may be partial)."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def validate(self) -> CityConfig:
        """Raise ValueError with one line naming the bad argument and why; return self when fine."""
        _integer("people", self.people)
        if self.people < MIN_PEOPLE:
            raise ValueError(f"people: must be at least {MIN_PEOPLE:,}, found {self.people:,}")
        if self.people > MAX_PEOPLE:
            raise ValueError(f"people: must be at most {MAX_PEOPLE:,}, found {self.people:,}")
        _integer("neighbourhoods", self.neighbourhoods)
        if self.neighbourhoods < 2:
            raise ValueError(
                f"neighbourhoods: must be at least 2 (one team each, to compare), "
                f"found {self.neighbourhoods}"
            )
        most = self.people // PEOPLE_PER_NEIGHBOURHOOD
        if self.neighbourhoods > most:
            raise ValueError(
                f"neighbourhoods: at most people/{PEOPLE_PER_NEIGHBOURHOOD:,} = {most} for "
                f"{self.people:,} people (about {PEOPLE_PER_NEIGHBOURHOOD:,} each), "
                f"found {self.neighbourhoods}"
            )
        _integer("seed", self.seed)
        if self.seed < 0:
            raise ValueError(f"seed: must be zero or more, found {self.seed}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise ValueError(f"{name}: expected a date, found {value!r}")
        if self.start.day != 1:
            raise ValueError(f"start: must be the first day of a month, found {self.start}")
        if not dt.date(1950, 1, 1) <= self.start <= dt.date(2100, 1, 1):
            raise ValueError(f"start: must be between 1950 and 2100, found {self.start}")
        if self.end <= self.start:
            raise ValueError(f"end: must be after start ({self.start}), found {self.end}")
        shortest = add_months(self.start, 12) - dt.timedelta(days=1)
        if self.end < shortest:
            raise ValueError(
                f"end: the window must cover at least 12 months (end on or after {shortest}), "
                f"found {self.end}"
            )
        if self.end > add_months(self.start, 12 * 30):
            raise ValueError(f"end: the window must be at most 30 years, found {self.end}")
        ratio = _number("caseload_admission_rate_ratio", self.caseload_admission_rate_ratio)
        if not 0 < ratio <= 5:
            raise ValueError(
                f"caseload_admission_rate_ratio: must be greater than 0 and at most 5 "
                f"(1 = no effect), found {ratio}"
            )
        delay = _number("golive_delay_change", self.golive_delay_change)
        if not -1 < delay <= 3:
            raise ValueError(
                f"golive_delay_change: must be greater than -1 and at most 3 "
                f"(-0.2 = delays 20% shorter), found {delay}"
            )
        two_hour = _number("golive_two_hour_change", self.golive_two_hour_change)
        low, high = -BASE_TWO_HOUR_SHARE, 1 - BASE_TWO_HOUR_SHARE
        if not low <= two_hour <= high:
            raise ValueError(
                f"golive_two_hour_change: must be between {low} and {high} (the share before "
                f"go-live is {BASE_TWO_HOUR_SHARE}), found {two_hour}"
            )
        return self

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data


def _integer(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: expected a whole number, found {value!r}")


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: expected a number, found {value!r}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name}: expected a finite number, found {value!r}")
    return number
