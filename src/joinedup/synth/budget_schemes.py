"""The pooled fund's schemes (a Better Care Fund-style plan): what each pays for and who funds it.

Kept apart from budget.py so that the modules creating packages and contacts can tag them
with the scheme that pays without depending on how budget lines are written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scheme:
    name: str
    scheme_type: str
    funder: str
    per_neighbourhood: bool = False


SCHEMES: tuple[Scheme, ...] = (
    Scheme("Reablement service", "reablement", "pooled"),
    Scheme("Intermediate care beds", "intermediate_care", "nhs"),
    Scheme("Home care (pooled)", "home_care", "pooled"),
    Scheme("Discharge to assess placements", "care_homes", "pooled"),
    Scheme("Carers' breaks and support", "carers", "council"),
    Scheme("Assistive technology and telecare", "telecare", "council"),
    Scheme("Disabled facilities grant", "equipment", "council"),
    Scheme("Urgent community response", "rapid_response", "nhs"),
    Scheme("Integrated neighbourhood team", "integrated_teams", "pooled", per_neighbourhood=True),
)
SCHEME_INDEX = {s.scheme_type: i for i, s in enumerate(SCHEMES)}
