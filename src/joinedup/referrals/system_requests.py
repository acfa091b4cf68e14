"""Reading a request from a connected system: its bearer token, its JSON body, its refusals.

The referral endpoint (joinedup.referrals.views.api) and the hospital feed
(joinedup.transfers.views.feed) answer the same systems, so they check the token and the
body alike and refuse alike: {"errors": [{"field": ..., "message": ...}]}.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse

from joinedup.referrals.models import SystemClient
from joinedup.referrals.system_clients import client_for

MAX_BODY_BYTES = 64 * 1024


def refusal(status: int, *problems: tuple[str, str]) -> JsonResponse:
    """A refusal: each problem is (field, message)."""
    return JsonResponse(
        {"errors": [{"field": f, "message": m} for f, m in problems]}, status=status
    )


def calling_system(request: HttpRequest, method: str, how: str) -> SystemClient | JsonResponse:
    """The system whose bearer token came with the request, or the refusal (405: another
    method, `how` saying which to use; 401: no valid token)."""
    if request.method != method:
        return refusal(405, ("method", how))
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    client = client_for(token.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        return refusal(401, ("Authorization", "give a valid Bearer token"))
    return client


def json_object(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The body as a JSON object, or the refusal (413: too large; 400: not an object)."""
    if len(request.body) > MAX_BODY_BYTES:
        return refusal(413, ("body", f"larger than {MAX_BODY_BYTES} bytes"))
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return refusal(400, ("body", "not valid JSON"))
    if not isinstance(data, dict):
        return refusal(400, ("body", "expected a JSON object"))
    return data
