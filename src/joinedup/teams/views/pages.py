"""What every team page's template is given besides its own data: the team and its messages."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from joinedup.record.models import Team


def team_page(
    request: HttpRequest, template: str, team: Team, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a team page: messages left by the last change (Jinja has no context processor)."""
    notices = [str(m) for m in get_messages(request)]
    return render(request, template, {"team": team, "notices": notices, **context}, status=status)
