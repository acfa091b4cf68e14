"""Opening an episode (from the caseload page's form) and closing one, for the team's members.

A form with problems comes back with each problem named against its field (status 400)
and nothing saved. A page that says anything about a particular person writes a VIEW
audit event for them, like every page that shows people. A refusal of a real person the
team may not open says nothing about them but is audited (a pattern of refusals is what
snooping looks like). Closing an episode someone else has just closed answers 409.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.access.audit import record_view
from joinedup.access.decorators import staff_member_required
from joinedup.access.team_membership import member_of
from joinedup.forms.dates import DateEntry
from joinedup.record.models import Episode, Team
from joinedup.teams.episodes import (
    END_REASONS,
    REASONS,
    CloseForm,
    DuplicateEpisodeError,
    EpisodeClosedError,
    OpenForm,
    close_episode,
    long_date,
    open_episode,
    person_name,
    read_close_form,
    read_open_form,
)
from joinedup.teams.views.pages import team_page


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def episode_open(request: HttpRequest, team_id: str) -> HttpResponse:
    """GET: the form alone. POST: open the episode, then on to allocating a key worker."""
    _, team = member_of(request.user, team_id)
    today = timezone.localdate()
    form = OpenForm(start=DateEntry.of(today))
    if request.method == "POST":
        form, person = read_open_form(request.POST, team, today)
        if person is not None and form.start.date is not None:
            try:
                open_episode(request.user, team, person, form.reason, form.start.date)
            except DuplicateEpisodeError as duplicate:
                form.errors.add("nhs_number", str(duplicate))
                form.shows_person = person
            else:
                messages.success(
                    request,
                    f"{person_name(person)} is on the caseload from "
                    f"{long_date(form.start.date)}. Allocate a key worker.",
                )
                return redirect("teams:key_worker", team_id=team.pk, person_id=person.pk)
        # A message about a particular person, or a refusal of a real one, is audited like
        # any view of them.
        about, refused = form.shows_person or form.refused_person, form.shows_person is None
        if about is not None:
            record_view(
                request.user,
                about.pk,
                f"open episode form of {team.name}" + (": refused" if refused else ""),
            )
    return team_page(
        request,
        "teams/episode_open.jinja",
        team,
        {"form": form, "reasons": REASONS},
        status=400 if form.errors else 200,
    )


def _open_episode(team: Team, episode_id: str) -> Episode:
    today = timezone.localdate()
    episode = Episode.objects.select_related("person").filter(pk=episode_id, team=team).first()
    if episode is None or (episode.end_date is not None and episode.end_date <= today):
        raise Http404("No open episode with this id in this team.")
    return episode


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def episode_close(request: HttpRequest, team_id: str, episode_id: str) -> HttpResponse:
    """GET: the form. POST: end the episode (and the key worker it alone needed)."""
    _, team = member_of(request.user, team_id)
    today = timezone.localdate()
    episode = _open_episode(team, episode_id)
    form = CloseForm(end=DateEntry.of(today))
    if request.method == "POST":
        form = read_close_form(request.POST, episode, today)
        if not form.errors and form.end.date is not None:
            try:
                ended = close_episode(
                    request.user, team, episode, form.end.date, form.end_reason, today
                )
            except EpisodeClosedError as closed:
                # Another close won: say so without showing the person, nothing changed.
                return team_page(
                    request,
                    "teams/episode_closed.jinja",
                    team,
                    {"message": closed.message},
                    status=409,
                )
            note = " Their key worker allocation with the team has ended." if ended else ""
            messages.success(
                request,
                f"The episode for {person_name(episode.person)} ended on "
                f"{long_date(form.end.date)}.{note}",
            )
            return redirect("teams:caseload", team_id=team.pk)
    record_view(request.user, episode.person_id, f"close episode form of {team.name}")
    return team_page(
        request,
        "teams/episode_close.jinja",
        team,
        {
            "episode": episode,
            "name": person_name(episode.person),
            "form": form,
            "end_reasons": END_REASONS,
            "reasons": dict(REASONS),
        },
        status=400 if form.errors else 200,
    )
