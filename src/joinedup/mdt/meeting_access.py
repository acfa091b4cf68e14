"""A meeting's pages are for its team's members; a held meeting's record is read-only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from joinedup.access.models import StaffMember
from joinedup.access.policy import NOT_RELATED
from joinedup.access.team_membership import member_of
from joinedup.mdt.models import Meeting


def meeting_for_member(user: Any, pk: int) -> tuple[StaffMember, Meeting]:
    """The viewer's staff record and the meeting, if they are in its team; else 403 (404)."""
    meeting = get_object_or_404(Meeting.objects.select_related("team"), pk=pk)
    staff, _team = member_of(user, meeting.team_id)
    return staff, meeting


def why_not_open(meeting: Meeting) -> str:
    """Why an agenda shows a person without a link: the meeting's relationship
    (joinedup.mdt.relationships) ends when it is held or cancelled."""
    if meeting.status == Meeting.Status.SCHEDULED:
        return NOT_RELATED
    return f"the meeting has been {meeting.get_status_display().lower()}"


def refuse_held(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """409: the meeting was held, so its agenda, notes and attendance no longer change."""
    return render(request, "mdt/held.jinja", {"meeting": meeting}, status=409)


def lock_unheld(meeting_pk: int) -> bool:
    """Lock the meeting's row until the transaction ends; False if it has been held.

    Call inside the transaction that changes its agenda or attendance, so a change and
    the meeting being marked held never interleave.
    """
    return (
        Meeting.objects.select_for_update()
        .filter(pk=meeting_pk)
        .exclude(status=Meeting.Status.HELD)
        .exists()
    )
