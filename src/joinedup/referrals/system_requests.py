"""Reading a request from a connected system: its bearer token, its JSON body, its refusals.

The referral endpoint (joinedup.referrals.views.api) and the hospital feed
(joinedup.transfers.views.feed) answer the same systems, so they check the token and the
body alike (joinedup.untrusted_json) and refuse alike, always in JSON:
{"errors": [{"field": ..., "message": ...}]}.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse

from joinedup.referrals.models import SystemClient
from joinedup.referrals.system_clients import client_for
from joinedup.untrusted_json import InputError, read_json, too_large

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
    """The body as a JSON object within joinedup.untrusted_json's rules, or the refusal."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return refusal(400, ("Content-Length", "not a number of bytes"))
    try:
        if declared > MAX_BODY_BYTES:
            raise too_large(MAX_BODY_BYTES)  # refused before it is read
        try:
            return read_json(request.body, max_bytes=MAX_BODY_BYTES)
        except RequestDataTooBig:  # longer than it said, past Django's own limit
            raise too_large(MAX_BODY_BYTES) from None
    except InputError as exc:
        return refusal(exc.status, *exc.problems)
