"""Each JSON API fuzzed from its published OpenAPI description, against a live server.

Schemathesis draws bodies that fit the description and bodies that break it (hundreds per
operation, the same ones every run: derandomized), sends each over HTTP with a valid token,
and checks: no 5xx, every answer as the description says (its status, content type and
schema), and nothing saved by a request that was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from joinedup.access.models import AuditEvent
from joinedup.record.models import HospitalSpell, Referral
from joinedup.referrals.models import Intake, ReceivedReferral
from joinedup.referrals.system_clients import add_system
from joinedup.transfers.models import FeedEvent
from joinedup.web.openapi import document
from workspace_world import build_workspace

# Constraints, JSON columns and text rules differ by database: both.
pytestmark = [pytest.mark.both_databases, pytest.mark.django_db(transaction=True)]

CASES = 150  # per operation and mode: a few hundred per endpoint
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def saved() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Referral, Intake, ReceivedReferral, FeedEvent, HospitalSpell, AuditEvent)
    )


def fuzz(url: str, label: str, token: str, mode: GenerationMode) -> int:
    """Send CASES requests drawn for the operation `label`; returns how many were refused."""
    operation = schemathesis.openapi.from_dict(document()).find_operation_by_label(label)
    assert operation is not None, label
    refused = 0

    @settings(
        max_examples=CASES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        nonlocal refused
        before = saved()
        response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            refused += 1
            assert saved() == before, (response.status_code, case.body)

    send()
    return refused


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(
    ("label", "system"),
    [
        ("POST /api/referrals/", lambda: add_system("Casterbridge Telecare", "telecare")),
        ("GET /api/referrals/{referral_id}/", lambda: add_system("NHS 111", "nhs111")),
        (
            "POST /api/transfers/events/",
            lambda: add_system("Casterbridge General PAS", "hospital", sends_admissions=True),
        ),
    ],
)
def test_each_api_holds_under_fuzzing(
    live_server: Any, label: str, system: Callable[[], Any], mode: GenerationMode
) -> None:
    build_workspace()
    _, token = system()
    refused = fuzz(live_server.url, label, token, mode)
    if mode is GenerationMode.NEGATIVE:
        assert refused > 0  # bodies that break the description were sent, and refused


def test_the_description_is_served_and_covers_every_api(client: Any) -> None:
    """Every URL under /api/ is described, so no API escapes the fuzzing above."""
    served = client.get("/api/openapi.json")
    assert served.status_code == 200 and served.json() == document()
    routes = {
        "/" + route.replace("<str:", "{").replace(">", "}")
        for route in _routes(get_resolver().url_patterns)
        if route.startswith("api/")
    }
    assert routes == set(document()["paths"]) | {"/api/openapi.json"}


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    """Every URL pattern, its prefixes joined in ("api/referrals/<str:referral_id>/")."""
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        found += (
            _routes(pattern.url_patterns, route) if isinstance(pattern, URLResolver) else [route]
        )
    return found
