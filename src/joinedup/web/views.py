"""The first pages staff see."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from joinedup.access.capabilities import SEE_OUTCOMES
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import staff_of
from joinedup.web.overview import partnership_overview
from joinedup.web.workspace import workspace_for


@staff_member_required
def workspace(request: HttpRequest) -> HttpResponse:
    """Where the role starts (where logging in lands): see joinedup.web.workspace."""
    return redirect(workspace_for(staff_of(request.user)).landing.href)


@staff_member_required
def overview(request: HttpRequest) -> HttpResponse:
    """Aggregates only: each neighbourhood's population and services, never a person."""
    return render(
        request,
        "web/overview.jinja",
        {
            "overview": partnership_overview(),
            "outcomes": SEE_OUTCOMES.allows(staff_of(request.user)),
        },
    )
