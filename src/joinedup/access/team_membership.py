"""Whose team pages are whose: a team's caseload, tasks and meetings are for its members.

Fail closed: anyone who is not a member (another team, a commissioner, an account without
a staff record) gets a 403, and a team that does not exist a 404, so the workspace never
shows a team's people to someone outside it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from joinedup.access.capabilities import WORK_IN_TEAMS
from joinedup.access.models import StaffMember
from joinedup.access.policy import staff_of
from joinedup.record.models import Team


def member_of(user: Any, team_id: str) -> tuple[StaffMember, Team]:
    """The viewer's staff record and the team, if the viewer is a member; else 403 or 404."""
    staff = staff_of(user)
    if staff is None or not WORK_IN_TEAMS.allows(staff):
        raise PermissionDenied("Team pages are for the team's own staff.")
    team = (
        Team.objects.filter(pk=team_id).select_related("neighbourhood").first()
        if "\x00" not in team_id  # PostgreSQL refuses NUL in text: no team has one
        else None
    )
    if team is None:
        raise Http404("No such team.")
    if not staff.teams.filter(pk=team.pk).exists():
        raise PermissionDenied("You are not a member of this team.")
    return staff, team


def teams_of(user: Any) -> list[Team]:
    """The viewer's teams, for links and pickers (none for roles that never see people)."""
    staff = staff_of(user)
    if staff is None or not WORK_IN_TEAMS.allows(staff):
        return []
    return list(staff.teams.order_by("name", "id"))
