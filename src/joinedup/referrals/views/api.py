"""The referral endpoint for systems: GP systems, NHS 111, ambulance, telecare centres.

POST /api/referrals/ with `Authorization: Bearer <token>` and a JSON referral. 201: made
(the person matched for certain); 202: held for triage to match the person (an Intake);
200: this external_id was already received (nothing new is made); 4xx: a JSON list of
errors, each naming its field, and nothing saved. GET /api/referrals/<id>/ tells the
sending system where its referral is. Plain Django: one endpoint needs no API framework.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from joinedup.record.models import Referral
from joinedup.referrals.matching import certain_match
from joinedup.referrals.models import Intake, SystemClient
from joinedup.referrals.submission import Submission, read_referral
from joinedup.referrals.system_requests import calling_system, json_object, refusal
from joinedup.referrals.workflow import Actor, create_referral


def _errors(status: int, *problems: tuple[str, str]) -> JsonResponse:
    """A refusal of problems written "field: message" (as joinedup.referrals.submission's)."""
    return refusal(status, *((f, m.split(": ", 1)[-1]) for f, m in problems))


def _referral_body(referral: Referral) -> dict[str, Any]:
    return {
        "referral_id": referral.pk,
        "external_id": referral.external_id,
        "status": referral.status,
        "team": str(referral.team) if referral.team else None,
        "outcome": referral.outcome or None,
        "received_at": referral.received_at.isoformat(),
    }


def _intake_body(intake: Intake) -> dict[str, Any]:
    body: dict[str, Any] = {
        "intake_id": intake.pk,
        "external_id": intake.external_id or None,
        "status": intake.status,
        "why": intake.why,
    }
    if intake.referral is not None:
        body["referral"] = _referral_body(intake.referral)
    return body


def _already(client: SystemClient, external_id: str) -> JsonResponse | None:
    if not external_id:
        return None
    referral = Referral.objects.filter(source_system=client.name, external_id=external_id).first()
    if referral is not None:
        return JsonResponse(_referral_body(referral), status=200)
    intake = Intake.objects.filter(client=client, external_id=external_id).first()
    if intake is not None:
        return JsonResponse(_intake_body(intake), status=200)
    return None


@csrf_exempt
def referrals(request: HttpRequest) -> HttpResponse:
    client = calling_system(request, "POST", "send referrals with POST")
    if isinstance(client, JsonResponse):
        return client
    data = json_object(request)
    if isinstance(data, JsonResponse):
        return data
    sub = read_referral(data, source=client.source)
    if sub.problems or sub.details is None:
        return _errors(422, *sub.problems)
    try:
        return _receive(client, sub, data)
    except IntegrityError:
        # The same external_id sent twice at once: the other request made it; answer as a
        # repeat would be answered.
        repeated = _already(client, sub.external_id)
        if repeated is None:
            raise
        return repeated


def _receive(client: SystemClient, sub: Submission, data: dict[str, Any]) -> JsonResponse:
    assert sub.details is not None
    with transaction.atomic():
        repeated = _already(client, sub.external_id)
        if repeated is not None:
            return repeated
        found = certain_match(sub.details)
        if found.problem:
            return _errors(422, ("person.nhs_number", found.problem))
        if found.person is not None:
            referral = create_referral(
                person=found.person, urgency=sub.urgency, source=sub.source,
                reason=sub.reason, needs=sub.needs, actor=Actor(system=client.name),
                referrer_name=sub.referrer_name, referrer_role=sub.referrer_role,
                referrer_phone=sub.referrer_phone, external_id=sub.external_id,
            )  # fmt: skip
            return JsonResponse(_referral_body(referral), status=201)
        why = (
            f"{len(found.candidates)} people have similar details"
            if found.candidates
            else "no one with these details is known"
        )
        intake = Intake.objects.create(
            client=client, received_at=timezone.now(), external_id=sub.external_id,
            payload=data, urgency=sub.urgency, why=why,
        )  # fmt: skip
    return JsonResponse(_intake_body(intake), status=202)


def referral_status(request: HttpRequest, referral_id: str) -> HttpResponse:
    """Where a referral this system sent is now (another system's referrals: 404)."""
    client = calling_system(request, "GET", "use GET")
    if isinstance(client, JsonResponse):
        return client
    referral = Referral.objects.filter(pk=referral_id, source_system=client.name).first()
    if referral is None:
        return _errors(404, ("referral_id", "referral_id: no referral of yours has this id"))
    return JsonResponse(_referral_body(referral))
