"""What a finished city writes: each lake table built from the simulation's state, the manifest.

Tables come in the lake's dependency order, a group at a time, so City._write_lake can write
each as it comes and release a log's memory once its table is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from joinedup.lake.manifest import Manifest
from joinedup.synth import lake_tables
from joinedup.synth.identifiers import make_ids

if TYPE_CHECKING:
    from joinedup.synth.city import City

GENERATOR_VERSION = 1


def place_tables(city: City) -> Iterator[tuple[str, pa.Table]]:
    """Neighbourhoods (with who is registered on the last day), teams and practices."""
    people, end = city.people, city.end
    on_end = (
        (people.column("reg_from") <= end)
        & (people.column("reg_to") >= end)
        & (people.column("death") > end)
    )
    population_end = np.bincount(
        people.column("neighbourhood")[on_end].astype(np.int64), minlength=city.places.count
    )
    yield (
        "neighbourhood",
        lake_tables.neighbourhood_table(city.neighbourhood_ids, city.places.names, population_end),
    )
    yield (
        "team",
        lake_tables.team_table(
            city.team_ids, city.neighbourhood_ids, city.places.names, city.golive
        ),
    )
    yield (
        "gp_practice",
        lake_tables.practice_table(
            city.practice_ids,
            city.places.practice_neighbourhood,
            city.neighbourhood_ids,
            city.places.names,
        ),
    )


def history_tables(city: City) -> Iterator[tuple[str, pa.Table]]:
    """People and what happened to them; each log is released once written."""
    people, end = city.people, city.end
    yield (
        "person",
        lake_tables.person_table(
            people, city.person_width, city.neighbourhood_ids, city.practice_ids, end
        ),
    )
    yield (
        "condition",
        lake_tables.condition_table(city.condition_log, people, city.person_width, end),
    )
    city.condition_log.release()
    yield (
        "hospital_spell",
        lake_tables.spell_table(
            city.hospital.spells, city.event_width, city.person_width, end, city.params.costs
        ),
    )
    yield (
        "ae_attendance",
        lake_tables.ae_table(
            city.hospital.ae,
            city.event_width,
            city.person_width,
            city.params.costs["ae_attendance"],
        ),
    )
    city.hospital.ae.release()
    yield (
        "referral",
        lake_tables.referral_table(
            city.referrals.log, city.event_width, city.person_width, city.team_ids
        ),
    )
    yield (
        "episode",
        lake_tables.episode_table(
            city.teams.log, city.event_width, city.person_width, city.team_ids, end
        ),
    )


def money_tables(city: City, rng: np.random.Generator) -> Iterator[tuple[str, pa.Table]]:
    """The pooled budget's lines, then the care packages that draw on them."""
    line_ids = make_ids("B", len(city.budget.keys), city.event_width)
    yield (
        "budget_line",
        city.budget.table(
            city.care.log,
            city.contacts.rapid_response_cost,
            city.contacts.team_cost,
            city.start,
            city.end,
            city.params.costs["equipment_item"],
            city.neighbourhood_ids,
            city.event_width,
            rng,
        ),
    )
    yield (
        "care_package",
        lake_tables.package_table(
            city.care.log,
            city.event_width,
            city.person_width,
            city.event_width,
            city.budget.package_lines(city.care.log),
            line_ids,
            city.end,
        ),
    )


def manifest(city: City) -> Manifest:
    """The manifest of a synthetic lake: its window, and the generator's version and seed."""
    return Manifest(
        observation_start=city.config.start,
        observation_end=city.config.end,
        pseudonymised=False,
        purpose="synthetic",
        source="generator",
        extra={
            "generator_version": GENERATOR_VERSION,
            "seed": city.config.seed,
            "people": city.config.people,
        },
    )
