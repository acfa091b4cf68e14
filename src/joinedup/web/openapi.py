"""The OpenAPI description of every JSON API, served at /api/openapi.json.

Built from the same declared models the APIs read their bodies with
(joinedup.referrals.api_body, joinedup.transfers.feed_schema) and answer in, so the
published description cannot drift from what is enforced; the suite fuzzes each API from
it (tests/integration/test_api_fuzzing.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest, JsonResponse
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from joinedup.referrals.api_body import IntakeAnswer, ReferralAnswer, ReferralBody
from joinedup.transfers.feed_schema import EVENTS, Applied
from joinedup.untrusted_json import Refusal

REFUSALS = {
    "400": "The body is not a JSON object within the input rules",
    "401": "No valid bearer token",
    "405": "Another method",
    "413": "The body is larger than 64 KB",
    "422": "A field is wrong; each problem names its field",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _refusals(*extra: tuple[str, str]) -> dict[str, Any]:
    return {status: _json(_ref(Refusal), why) for status, why in (*REFUSALS.items(), *extra)}


def _operation(summary: str, answers: dict[str, Any], body: Any = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": answers}
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return operation


def _paths() -> dict[str, Any]:
    answer = {"oneOf": [_ref(ReferralAnswer), _ref(IntakeAnswer)]}
    event = {
        "oneOf": [_ref(model) for model in EVENTS.values()],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {kind: _ref(model)["$ref"] for kind, model in EVENTS.items()},
        },
    }
    return {
        "/api/referrals/": {
            "post": _operation(
                "Send a referral",
                {
                    "201": _json(_ref(ReferralAnswer), "Made: the person identified for certain"),
                    "202": _json(_ref(IntakeAnswer), "Held for triage to match the person"),
                    "200": _json(answer, "This external_id was received before with this body"),
                    **_refusals(("409", "This external_id was sent before with another body")),
                },
                _ref(ReferralBody),
            )
        },
        "/api/referrals/{referral_id}/": {
            "get": _operation(
                "Where a referral this system sent is",
                {
                    "200": _json(_ref(ReferralAnswer), "The referral"),
                    **_refusals(("404", "No referral of this system's has this id")),
                },
            )
            | {
                "parameters": [
                    {
                        "name": "referral_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 64},
                    }
                ]
            }
        },
        "/api/transfers/events/": {
            "post": _operation(
                "Send an admit, update or discharge event of a hospital stay",
                {
                    "201": _json(_ref(Applied), "Applied"),
                    "200": _json(_ref(Applied), "Applied before: nothing changed"),
                    **_refusals(
                        ("403", "This system may send referrals but not admissions"),
                        ("409", "The event conflicts with the stay (order, state, admitter)"),
                    ),
                },
                event,
            )
        },
    }


@cache
def document() -> dict[str, Any]:
    models: list[type[BaseModel]] = [
        ReferralBody,
        ReferralAnswer,
        IntakeAnswer,
        *EVENTS.values(),
        Applied,
        Refusal,
    ]
    _, schemas = models_json_schema(
        [(model, "validation") for model in models],
        ref_template="#/components/schemas/{model}",
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "joinedup APIs for connected systems",
            "version": "1",
            "description": "Every body is read by joinedup.untrusted_json's rules first "
            "(docs/security.md); every refusal is {errors: [{field, message}]}.",
        },
        "paths": _paths(),
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
    }


def openapi(request: HttpRequest) -> JsonResponse:
    """The description itself needs no token: it holds no data."""
    return JsonResponse(document())
