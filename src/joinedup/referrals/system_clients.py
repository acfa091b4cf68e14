"""Systems allowed to send referrals: a name, the source they speak for, and a token.

The token is shown once when the system is added and only its SHA-256 is stored, so a
copy of the database gives no one the power to send referrals.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from joinedup.errors import UserError
from joinedup.lake.schema import REFERRAL_SOURCES
from joinedup.referrals.models import SystemClient, token_digest


class SystemClientError(UserError):
    """A system that cannot be added as asked; the message names the option."""


def add_system(
    name: str, source: str, *, sends_admissions: bool = False
) -> tuple[SystemClient, str]:
    """Register a sending system (the acute hospital's may also send admissions to the
    transfer of care hub); returns it and its token (shown once, never stored)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise SystemClientError("give the system's name (100 characters or fewer)", field="name")
    if source not in REFERRAL_SOURCES:
        raise SystemClientError(f"expected one of {', '.join(REFERRAL_SOURCES)}", field="source")
    if sends_admissions and source != "hospital":
        raise SystemClientError(
            "only the acute hospital's system sends admissions (`source` hospital)",
            field="admissions",
            mentions=["source"],
        )
    if SystemClient.objects.filter(name=name).exists():
        raise SystemClientError(f"a system called {name!r} already exists", field="name")
    token = secrets.token_urlsafe(32)
    client = SystemClient.objects.create(
        name=name,
        source=source,
        token_sha256=token_digest(token),
        created_at=timezone.now(),
        sends_admissions=sends_admissions,
    )
    return client, token


def rotate_token(name: str) -> tuple[SystemClient, str]:
    """A new token for a system (the old one stops working at once): for a token leaked or
    a new supplier, keeping the system, and so the referrals and stays it speaks for."""
    client = SystemClient.objects.filter(name=name.strip()).first()
    if client is None:
        raise SystemClientError(f"no system is called {name.strip()!r}", field="name")
    token = secrets.token_urlsafe(32)
    client.token_sha256 = token_digest(token)
    client.save(update_fields=["token_sha256"])
    return client, token


def client_for(token: str) -> SystemClient | None:
    """The active system holding this token, if any."""
    if not token:
        return None
    return SystemClient.objects.filter(token_sha256=token_digest(token), active=True).first()
