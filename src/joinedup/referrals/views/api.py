"""The referral endpoint for systems: GP systems, NHS 111, ambulance, telecare centres.

POST /api/referrals/ with `Authorization: Bearer <token>` and a JSON referral. 201: made
(the person matched for certain); 202: held for triage to match the person (an Intake);
200: this external_id was already received with the same body (nothing new is made); 409:
it was received with another body; 4xx: a JSON list of errors, each naming its field, and
nothing saved. The body is read by its declared schema (joinedup.referrals.api_body).
GET /api/referrals/<id>/ tells the sending system where its referral is.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from joinedup.record.models import Referral
from joinedup.referrals.api_body import ReferralBody
from joinedup.referrals.matching import certain_match
from joinedup.referrals.models import Intake, ReceivedReferral, SystemClient
from joinedup.referrals.submission import Submission, read_referral
from joinedup.referrals.system_requests import calling_system, json_object, refusal
from joinedup.referrals.workflow import Actor, create_referral
from joinedup.untrusted_json import InputError, validated


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


def _repeat(client: SystemClient, external_id: str, digest: str) -> JsonResponse | None:
    """The answer already given for this external_id; a 409 if it came with another body."""
    if not external_id:
        return None
    sent = ReceivedReferral.objects.filter(client=client, external_id=external_id).first()
    if sent is not None and sent.digest != digest:
        return _errors(
            409,
            (
                "external_id",
                f"{external_id} was already sent with another referral: give each "
                "referral its own external_id",
            ),
        )
    return _already(client, external_id)


@csrf_exempt
def referrals(request: HttpRequest) -> HttpResponse:
    client = calling_system(request, "POST", "send referrals with POST")
    if isinstance(client, JsonResponse):
        return client
    data = json_object(request)
    if isinstance(data, JsonResponse):
        return data
    try:
        body = validated(ReferralBody, data)
    except InputError as exc:
        return refusal(exc.status, *exc.problems)
    sub = read_referral(body.model_dump(exclude_none=True), source=client.source)
    if sub.problems or sub.details is None:
        return _errors(422, *sub.problems)
    digest = body.digest()
    try:
        return _receive(client, sub, data, digest)
    except IntegrityError:
        # The same external_id sent twice at once: the other request made it; answer as a
        # repeat would be answered.
        repeated = _repeat(client, sub.external_id, digest)
        if repeated is None:
            raise
        return repeated


def _receive(
    client: SystemClient, sub: Submission, data: dict[str, Any], digest: str
) -> JsonResponse:
    assert sub.details is not None
    with transaction.atomic():
        repeated = _repeat(client, sub.external_id, digest)
        if repeated is not None:
            return repeated
        found = certain_match(sub.details)
        if found.problem:
            return _errors(422, ("person.nhs_number", found.problem))
        if sub.external_id:  # kept only with what it made: a refusal saves nothing
            ReceivedReferral.objects.create(
                client=client, external_id=sub.external_id, digest=digest,
                received_at=timezone.now(),
            )  # fmt: skip
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
