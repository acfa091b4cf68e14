"""Neighbourhoods and GP practices: how many people each holds and how deprived it is.

Neighbourhoods differ in size (by up to a third either way) and in deprivation (their
centres spread across the deciles), so comparisons between neighbourhoods face the
confounding a real partnership would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.synth.config import CityConfig

PLACE_NAMES = (
    "Ashby Vale",
    "Brookfield",
    "Carrow Hill",
    "Dunmere",
    "Eastwick",
    "Fallowfield",
    "Greystone",
    "Harrowgate Park",
    "Ivybridge Lane",
    "Juniper Heath",
    "Kingsmead",
    "Larkspur",
    "Millbrook",
    "Northcote",
    "Oakhanger",
    "Pelham Rise",
    "Quarry Bank",
    "Riverside",
    "Saltmarsh",
    "Thornbury Green",
    "Upper Weald",
    "Vicarage Fields",
    "Westmoor",
    "Yarrow Cross",
)  # invented places
PEOPLE_PER_PRACTICE = 8_000


@dataclass(frozen=True)
class Places:
    names: tuple[str, ...]
    weight: npt.NDArray[np.float64]  # share of the population in each neighbourhood
    deprivation_centre: npt.NDArray[np.float64]  # mean decile (1 most deprived)
    practice_neighbourhood: npt.NDArray[np.int32]  # neighbourhood of each practice
    first_practice: npt.NDArray[np.int32]  # index of each neighbourhood's first practice
    practice_count: npt.NDArray[np.int32]

    @property
    def count(self) -> int:
        return len(self.names)


def neighbourhood_name(index: int) -> str:
    base = PLACE_NAMES[index % len(PLACE_NAMES)]
    round_ = index // len(PLACE_NAMES)
    return base if round_ == 0 else f"{base} {round_ + 1}"


def build_places(config: CityConfig, rng: np.random.Generator) -> Places:
    k = config.neighbourhoods
    weight = rng.uniform(0.7, 1.3, k)
    weight /= weight.sum()
    centres = np.linspace(2.2, 8.8, k) if k > 1 else np.array([5.5])
    centres = rng.permutation(centres)
    sizes = weight * config.people
    counts = np.maximum(1, np.rint(sizes / PEOPLE_PER_PRACTICE)).astype(np.int32)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
    practice_nb = np.repeat(np.arange(k, dtype=np.int32), counts)
    return Places(
        names=tuple(neighbourhood_name(i) for i in range(k)),
        weight=weight,
        deprivation_centre=centres,
        practice_neighbourhood=practice_nb,
        first_practice=first,
        practice_count=counts,
    )


def draw_neighbourhoods(
    places: Places, count: int, rng: np.random.Generator
) -> npt.NDArray[np.int16]:
    """Neighbourhoods for `count` people in proportion to the neighbourhoods' weights."""
    return rng.choice(places.count, size=count, p=places.weight).astype(np.int16)


def draw_practices(
    places: Places, neighbourhood: npt.NDArray[np.int16], rng: np.random.Generator
) -> npt.NDArray[np.int32]:
    offset = (rng.random(len(neighbourhood)) * places.practice_count[neighbourhood]).astype(
        np.int32
    )
    return places.first_practice[neighbourhood] + offset


def draw_deciles(
    places: Places, neighbourhood: npt.NDArray[np.int16], rng: np.random.Generator
) -> npt.NDArray[np.int8]:
    """IMD deciles around each neighbourhood's centre: areas are mixed, but not uniformly."""
    raw = places.deprivation_centre[neighbourhood] + rng.normal(0, 1.8, len(neighbourhood))
    return np.clip(np.rint(raw), 1, 10).astype(np.int8)
