"""What every team page's template is given besides its own data: the team."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from joinedup.record.models import Team


def team_page(
    request: HttpRequest, template: str, team: Team, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a team page (web/base.jinja confirms the last change, as on every page)."""
    return render(request, template, {"team": team, **context}, status=status)
