"""The hospital feed's endpoint: POST /api/transfers/events/ (joinedup.transfers.feed).

`Authorization: Bearer <token>` of a system allowed to send admissions (`joinedup systems
add --admissions`) and one JSON event. 201: applied; 200: this event was applied already
(the same answer, nothing changed); 401: no valid token; 403: the system may not send
admissions; 400/413/422: the body is not JSON, too large, or a field is wrong; 409: the
event conflicts with the spell (out of order, not admitted, already discharged). Every
refusal is {"errors": [{"field": ..., "message": ...}]} and saves nothing.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from joinedup.referrals.models import SystemClient
from joinedup.referrals.system_clients import client_for
from joinedup.transfers.feed import FeedError, Problem, receive, result

MAX_BODY_BYTES = 64 * 1024


def _errors(status: int, *problems: Problem) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": f, "message": m} for f, m in problems]}, status=status
    )


def _client(request: HttpRequest) -> SystemClient | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return client_for(token.strip()) if scheme.lower() == "bearer" else None


@csrf_exempt
def events(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _errors(405, ("method", "send events with POST"))
    client = _client(request)
    if client is None:
        return _errors(401, ("Authorization", "give a valid Bearer token"))
    if not client.sends_admissions:
        return _errors(403, ("Authorization", f"the system {client.name} may send referrals "
                             "but not admissions (joinedup systems add --admissions)"))  # fmt: skip
    if len(request.body) > MAX_BODY_BYTES:
        return _errors(413, ("body", f"larger than {MAX_BODY_BYTES} bytes"))
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return _errors(400, ("body", "not valid JSON"))
    if not isinstance(data, dict):
        return _errors(400, ("body", "expected a JSON object"))
    try:
        applied = receive(client, data)
    except FeedError as refusal:
        return _errors(refusal.status, *refusal.problems)
    return JsonResponse(result(applied.event), status=200 if applied.repeat else 201)


urlpatterns: list[URLPattern] = [path("events/", events, name="events")]
