"""The demo's hospital system: a published token, so the feed can be tried against the demo.

`joinedup systems add --admissions` shows a system's token once and keeps only its hash;
a demo visitor has no such token, so `joinedup demo` registers the demo hospital with a
token derived like the demo logins' passwords (published, printed by the demo) and only
for a synthetic city. Idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from joinedup.access.demo import PASSWORD_SUFFIX, refuse_unless_synthetic
from joinedup.referrals.models import SystemClient, token_digest

DEMO_HOSPITAL = "Casterbridge General PAS (demo)"
DEMO_FEED_TOKEN = "demo-hospital-feed" + PASSWORD_SUFFIX


def seed_demo_hospital(now: dt.datetime | None = None) -> SystemClient:
    """The demo hospital's system, allowed to send admissions, with DEMO_FEED_TOKEN."""
    refuse_unless_synthetic()
    client, _ = SystemClient.objects.get_or_create(
        name=DEMO_HOSPITAL,
        defaults={
            "source": "hospital",
            "token_sha256": token_digest(DEMO_FEED_TOKEN),
            "sends_admissions": True,
            "created_at": now or timezone.now(),
        },
    )
    return client
