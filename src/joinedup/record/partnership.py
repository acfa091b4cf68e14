"""The organisations of a synthetic partnership, and which of them made each contact or referral.

A lake names neighbourhoods, teams and GP practices but no employers, while staff belong
to an organisation and the record shows who did what. The loader therefore sets up the
usual cast of an English place: an acute and a community NHS trust, the council, the
integrated care board, a few voluntary organisations and care providers, and one
organisation per GP practice; then attributes each contact and referral by its sector,
service and source, all as whole-column Arrow operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_CITY = "Casterbridge"  # Thomas Hardy's, so no real place is implied

ACUTE_TRUST = "acute-trust"
COMMUNITY_TRUST = "community-trust"
COUNCIL = "council"
ICB = "icb"
VOLUNTARY = ("voluntary-carers", "voluntary-neighbours", "voluntary-befriending")
CARE_PROVIDERS = ("care-home-care", "care-homes", "care-reablement")
GP_PREFIX = "gp-"
# The area-wide urgent community response (two-hour) team the single point of access
# routes two-hour referrals to; hosted by the community trust. Not a lake team.
URGENT_RESPONSE_TEAM = "area-urgent-community-response"

# Health services run by the community trust unless they are general practice's own.
PRACTICE_SERVICES = ("gp", "pharmacy")


@dataclass(frozen=True)
class OrganisationRow:
    id: str
    name: str
    kind: str


def partnership_organisations(city: str) -> list[OrganisationRow]:
    """Everyone but the GP practices (those come from the lake)."""
    return [
        OrganisationRow(ACUTE_TRUST, f"{city} Hospitals NHS Foundation Trust", "nhs_trust"),
        OrganisationRow(COMMUNITY_TRUST, f"{city} Community Health NHS Trust", "nhs_trust"),
        OrganisationRow(COUNCIL, f"{city} City Council", "council"),
        OrganisationRow(ICB, f"NHS {city} Integrated Care Board", "icb"),
        OrganisationRow(VOLUNTARY[0], f"{city} Carers' Centre", "voluntary"),
        OrganisationRow(VOLUNTARY[1], f"{city} Good Neighbours", "voluntary"),
        OrganisationRow(VOLUNTARY[2], f"{city} Befriending Network", "voluntary"),
        OrganisationRow(CARE_PROVIDERS[0], "Meadowbank Home Care", "care_provider"),
        OrganisationRow(CARE_PROVIDERS[1], "Oakleigh Care Homes", "care_provider"),
        OrganisationRow(CARE_PROVIDERS[2], "Riverside Reablement Services", "care_provider"),
    ]


def urgent_response_team_name(city: str) -> str:
    return f"{city} Urgent Community Response"


def practice_organisation_ids(practice_ids: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(GP_PREFIX, practice_ids, "")


def _name(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.string())


def _voluntary(person_position: np.ndarray) -> pa.Array:
    """A voluntary organisation per person (the same one for all their contacts)."""
    return pa.array(VOLUNTARY, pa.string()).take(pa.array(person_position % len(VOLUNTARY)))


def contact_organisations(
    sector: pa.Array, service: pa.Array, person_position: np.ndarray, person_practice_org: pa.Array
) -> pa.Array:
    """Who made each contact: social care the council, voluntary a voluntary organisation,
    general practice and pharmacy the person's practice, other health the community trust."""
    practice = person_practice_org.take(pa.array(person_position))
    in_practice = pc.fill_null(pc.is_in(service, value_set=pa.array(PRACTICE_SERVICES)), False)
    health = pc.if_else(in_practice, practice, _name(COMMUNITY_TRUST))
    return pc.if_else(  # null where the sector is unknown
        pc.equal(sector, "social_care"),
        _name(COUNCIL),
        pc.if_else(pc.equal(sector, "voluntary"), _voluntary(person_position), health),
    )


def referrer_organisations(
    source: pa.Array, person_position: np.ndarray, person_practice_org: pa.Array
) -> pa.Array:
    """Where each referral came from, when its source names an organisation (self does not)."""
    practice = person_practice_org.take(pa.array(person_position))
    by_source: dict[str, pa.Array | pa.Scalar] = {
        "gp": practice,
        "hospital": _name(ACUTE_TRUST),
        "social_care": _name(COUNCIL),
        "telecare": _name(COUNCIL),
        "voluntary": _voluntary(person_position),
    }
    result: pa.Array = pa.nulls(len(source), pa.string())
    for value, organisation in by_source.items():
        result = pc.if_else(pc.fill_null(pc.equal(source, value), False), organisation, result)
    return result
