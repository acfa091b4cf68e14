"""GET /health/: whether this server can serve, for load balancers and monitoring.

200 when the database answers, its migrations are applied and the audit chain's head can be
read; else 503. The answer names each check only as ok or failing (it needs no login, so
it says nothing of the installation); why a check fails goes to the server's log.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from joinedup.readiness import audit_head_problem, database_problem, migrations_problem

log = logging.getLogger(__name__)
_migrated = False  # once applied, migrations stay applied: not looked up again


def _migrations() -> str:
    global _migrated
    if _migrated:
        return ""
    problem = migrations_problem()
    _migrated = not problem
    return problem


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    problems = {"database": database_problem()}
    if not problems["database"]:
        problems["migrations"] = _migrations()
        problems["audit_chain"] = audit_head_problem()
    for check, problem in problems.items():
        if problem:
            log.warning("health check %s failing: %s", check, problem)
    failing = any(problems.values())
    return JsonResponse(
        {
            "status": "failing" if failing else "ok",
            "checks": {check: "failing" if p else "ok" for check, p in problems.items()},
        },
        status=503 if failing else 200,
    )
