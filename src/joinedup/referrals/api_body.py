"""The referral endpoint's declared body (docs/user-guide/single-point-of-access.md).

Types, lengths and the fields allowed are declared here (and published in the endpoint's
OpenAPI description); what the values must mean (a valid NHS number, a date in the past,
an urgency of the list) is joinedup.referrals.submission's, shared with the referral form.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, Field

from joinedup.lake.schema import URGENCIES
from joinedup.referrals.submission import LIMITS
from joinedup.untrusted_json import Body


def _text(limit: int) -> Any:
    """An optional text field of at most `limit` characters."""
    return Field(default=None, max_length=limit)


class PersonBody(Body):
    """Who the referral is for: an NHS number if known, with name, birth date, postcode."""

    nhs_number: str | None = _text(20)
    given_name: str | None = _text(LIMITS["name"])
    family_name: str | None = _text(LIMITS["name"])
    birth_date: str | None = _text(20)
    postcode: str | None = _text(10)


class ReferrerBody(Body):
    """Who to call back."""

    name: str | None = _text(LIMITS["referrer"])
    role: str | None = _text(LIMITS["referrer"])
    phone: str | None = _text(LIMITS["phone"])


class ReferralBody(Body):
    """A referral as a system sends it; the system's kind of source is its registration's."""

    external_id: str | None = _text(LIMITS["id"])
    urgency: str | None = Field(None, max_length=16, json_schema_extra={"enum": list(URGENCIES)})
    reason: str | None = _text(LIMITS["reason"])
    needs: str | None = _text(LIMITS["needs"])
    person: PersonBody | None = None
    referrer: ReferrerBody | None = None

    def digest(self) -> str:
        """The same for two bodies that read alike (spacing around values aside)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class ReferralAnswer(BaseModel):
    """Where a referral the system sent is (201 made, 200 a repeat, or asked for by id)."""

    referral_id: str
    external_id: str
    status: str | None
    team: str | None
    outcome: str | None
    received_at: str = Field(json_schema_extra={"format": "date-time"})


class IntakeAnswer(BaseModel):
    """A referral held for triage to match its person (202), and what became of it."""

    intake_id: int
    external_id: str | None
    status: str
    why: str
    referral: ReferralAnswer | None = None
