"""Synthetic identities for the people of a synthetic city, made in a few vectorised steps.

A lake holds no names or NHS numbers, but staff find people by them, so the loader gives
each person one: a sex-appropriate given name and a family name from Faker's en_GB word
lists, an address on a street of their neighbourhood with that neighbourhood's postcode
district, a phone number from the ranges Ofcom keeps for drama (never a real line), and
an NHS number from the 999 test range (never a real patient's). Sampled with numpy from a
seed, so the same lake and seed always give the same people.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker.providers.address.en_GB import Provider as AddressWords
from faker.providers.person.en_GB import Provider as PersonWords

from joinedup.errors import UserError
from joinedup.record.name_sounds import soundex
from joinedup.record.nhs_number import WEIGHTS

TEST_RANGE_PREFIX = 999
# Ofcom's numbers for TV and radio drama: 07700 900000-900999 (mobile) and
# 01632 960000-960999 (a fictitious geographic area).
DRAMA_MOBILE = "07700 900"
DRAMA_LANDLINE = "01632 960"
POSTCODE_AREA = "CX"  # not a Royal Mail postcode area, so no address here is anybody's
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UK_STREET_SUFFIXES = frozenset(
    {
        "Avenue", "Court", "Crescent", "Drive", "Gardens", "Green", "Grove", "Hill", "Lane",
        "Mews", "Park", "Place", "Road", "Row", "Square", "Street", "Terrace", "View", "Walk",
        "Way", "Meadows", "Fields",
    }
)  # fmt: skip
STREETS_PER_NEIGHBOURHOOD = 60
FLAT_SHARE = 0.15
MOBILE_SHARE = 0.7

IDENTITY_COLUMNS = (
    "nhs_number",
    "given_name",
    "family_name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "given_name_sound",
    "family_name_sound",
)


class NhsNumberRangeExhaustedError(UserError):
    """More people than the 999 test range has NHS numbers for."""


def _test_range_numbers() -> np.ndarray:
    """Every valid NHS number 999000000x..999999999x (about 909,000), in order."""
    body = np.arange(
        TEST_RANGE_PREFIX * 1_000_000, (TEST_RANGE_PREFIX + 1) * 1_000_000, dtype=np.int64
    )
    total = np.zeros_like(body)
    for position, weight in enumerate(WEIGHTS):
        total += (body // 10 ** (8 - position) % 10) * weight
    check = 11 - total % 11
    check[check == 11] = 0
    valid = check != 10
    return body[valid] * 10 + check[valid]


TEST_RANGE_SIZE = len(_test_range_numbers())


def nhs_numbers_from_test_range(count: int, rng: np.random.Generator) -> pa.Array:
    """`count` distinct valid NHS numbers from the 999 test range, in random order."""
    numbers = _test_range_numbers()
    if count > len(numbers):
        raise NhsNumberRangeExhaustedError(
            f"{count:,} people but the NHS number test range (999...) holds only {len(numbers):,}"
        )
    chosen = rng.choice(len(numbers), size=count, replace=False)
    return pa.array(numbers[chosen]).cast(pa.string())


def nhs_numbers_for(count: int, rng: np.random.Generator) -> pa.Array:
    """A test-range NHS number for everyone, or, in a city larger than the range (about
    909,000), for a random subset: the rest have none yet, like people not yet traced on
    the NHS spine, and are found by name, date of birth or postcode instead."""
    available = len(_test_range_numbers())
    if count <= available:
        return nhs_numbers_from_test_range(count, rng)
    numbers = np.full(count, None, dtype=object)
    holders = rng.choice(count, size=available, replace=False)
    numbers[holders] = nhs_numbers_from_test_range(available, rng).to_numpy(zero_copy_only=False)
    return pa.array(numbers, pa.string())


def postcode_districts(neighbourhood_ids: Sequence[str]) -> dict[str, str]:
    """One postcode district per neighbourhood (CX1, CX2, ... in the order given)."""
    return {nid: f"{POSTCODE_AREA}{i}" for i, nid in enumerate(neighbourhood_ids, start=1)}


def _pick(words: Sequence[str], index: np.ndarray) -> pa.Array:
    return pa.array(words, pa.string()).take(pa.array(index))


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def synthetic_identities(
    person_ids: pa.Array,
    sex: pa.Array,
    neighbourhood_ids: pa.Array,
    districts: dict[str, str],
    *,
    town: str,
    seed: int,
) -> pa.Table:
    """One identity per person, as columns IDENTITY_COLUMNS (same order as `person_ids`)."""
    n = len(person_ids)
    rng = np.random.default_rng([seed, 0x1D])

    nhs_numbers = nhs_numbers_for(n, rng)

    female = list(PersonWords.first_names_female)
    male = list(PersonWords.first_names_male)
    sex_values = np.asarray(
        pc.fill_null(sex, "unknown").to_numpy(zero_copy_only=False), dtype=object
    )
    is_female = sex_values == "female"
    is_male = sex_values == "male"
    either = ~(is_female | is_male)
    is_female = is_female | (either & (rng.random(n) < 0.5))
    female_names = _pick(female, rng.integers(len(female), size=n))
    male_names = _pick(male, rng.integers(len(male), size=n))
    given = pc.if_else(pa.array(is_female), female_names, male_names)

    surnames = list(PersonWords.last_names.keys())
    weights = np.array(list(PersonWords.last_names.values()), dtype=float)
    family = _pick(surnames, rng.choice(len(surnames), size=n, p=weights / weights.sum()))

    # Streets: a pool per neighbourhood, each street with one postcode in its district.
    suffixes = sorted({s for s in AddressWords.street_suffixes if s in UK_STREET_SUFFIXES})
    order = sorted(districts)
    street_count = STREETS_PER_NEIGHBOURHOOD * len(order)
    street_names = _join(
        _pick(surnames, rng.integers(len(surnames), size=street_count)),
        " ",
        _pick(suffixes, rng.integers(len(suffixes), size=street_count)),
    )
    street_district = np.repeat([districts[nid] for nid in order], STREETS_PER_NEIGHBOURHOOD)
    letters = list(POSTCODE_UNIT_LETTERS)
    street_postcodes = _join(
        pa.array(street_district, pa.string()),
        " ",
        pa.array(rng.integers(1, 10, size=street_count)).cast(pa.string()),
        _pick(letters, rng.integers(len(letters), size=street_count)),
        _pick(letters, rng.integers(len(letters), size=street_count)),
    )
    home = pc.index_in(neighbourhood_ids, value_set=pa.array(order, pa.string())).to_numpy(
        zero_copy_only=False
    )
    street = home * STREETS_PER_NEIGHBOURHOOD + rng.integers(STREETS_PER_NEIGHBOURHOOD, size=n)
    street_line = _join(
        pa.array(rng.integers(1, 200, size=n)).cast(pa.string()),
        " ",
        street_names.take(pa.array(street)),
    )
    flat = pa.array(rng.random(n) < FLAT_SHARE)
    flat_line = _join("Flat ", pa.array(rng.integers(1, 25, size=n)).cast(pa.string()))
    line_1 = pc.if_else(flat, flat_line, street_line)
    line_2 = pc.if_else(flat, street_line, pa.scalar("", pa.string()))

    mobile = pa.array(rng.random(n) < MOBILE_SHARE)
    last_three = pc.utf8_lpad(pa.array(rng.integers(0, 1000, size=n)).cast(pa.string()), 3, "0")
    phone = pc.if_else(mobile, _join(DRAMA_MOBILE, last_three), _join(DRAMA_LANDLINE, last_three))

    return pa.table(
        {
            "nhs_number": nhs_numbers,
            "given_name": given,
            "family_name": family,
            "address_line_1": line_1,
            "address_line_2": line_2,
            "town": pa.array([town] * n, pa.string()),
            "postcode": street_postcodes.take(pa.array(street)),
            "phone": phone,
            "given_name_sound": _sounds(given),
            "family_name_sound": _sounds(family),
        }
    )


def _sounds(names: pa.Array) -> pa.Array:
    """Soundex of each name, computed once per distinct name (a few thousand, not millions)."""
    encoded = pc.dictionary_encode(names)
    keys = pa.array([soundex(name) for name in encoded.dictionary.to_pylist()], pa.string())
    return keys.take(encoded.indices)
