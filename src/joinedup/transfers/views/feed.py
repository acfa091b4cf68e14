"""The hospital feed's endpoint: POST /api/transfers/events/ (joinedup.transfers.feed).

`Authorization: Bearer <token>` of a system allowed to send admissions (`joinedup systems
add --admissions`) and one JSON event. 201: applied; 200: this event was applied already
(the same answer, nothing changed); 401: no valid token; 403: the system may not send
admissions; 400/413/422: the body is not JSON, too large, or a field is wrong (its declared
schema: joinedup.transfers.feed_schema, then joinedup.transfers.feed_body); 409: the
event conflicts with the spell (out of order, not admitted, already discharged). Every
refusal is {"errors": [{"field": ..., "message": ...}]} and saves nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from joinedup.referrals.system_requests import calling_system, json_object, refusal
from joinedup.transfers.feed import FeedError, receive, result
from joinedup.transfers.feed_schema import EVENTS
from joinedup.untrusted_json import InputError, validated


@csrf_exempt
def events(request: HttpRequest) -> HttpResponse:
    client = calling_system(request, "POST", "send events with POST")
    if isinstance(client, JsonResponse):
        return client
    if not client.sends_admissions:
        why = f"the system {client.name} may send referrals but not admissions"
        return refusal(403, ("Authorization", f"{why} (joinedup systems add --admissions)"))
    data = json_object(request)
    if isinstance(data, JsonResponse):
        return data
    declared = EVENTS.get(data["kind"]) if isinstance(data.get("kind"), str) else None
    try:
        if declared is not None:  # an unknown kind is named by read_event
            validated(declared, data)
        applied = receive(client, data)
    except (InputError, FeedError) as refused:
        return refusal(refused.status, *refused.problems)
    return JsonResponse(result(applied.event), status=200 if applied.repeat else 201)


urlpatterns: list[URLPattern] = [path("events/", events, name="events")]
