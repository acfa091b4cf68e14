"""Opening and closing a person's episode on a team's caseload, checked and audited.

Opening finds the person by NHS number (mod-11 checked first, so a mistyped number is
caught before it is looked up). A team may open an episode only for someone registered in
its neighbourhood or referred to it (joinedup.access.known_people): an episode gives the
team a relationship and so the whole record, and must not be a silent break-glass. Anyone
else gets the message an unknown number gets, and no other message (a death, a start
before birth) is ever given about them. A second open episode of the same team is refused:
the check runs again with the person's row locked, so two people opening the same episode
at once make one. Closing re-reads the episode under a lock, so two people closing it at
once close it once, and ends the key worker allocation the team made when no other open
episode of the key worker's teams still needs it. Each change writes its audit event in
the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from joinedup.access.audit import record_event
from joinedup.access.known_people import has_open_referral, in_neighbourhood
from joinedup.access.models import AuditAction, CareTeamMember
from joinedup.forms.dates import DateEntry, read_date, with_error
from joinedup.forms.errors import FormErrors
from joinedup.lake.schema import EPISODE_END_REASONS, EPISODE_REASONS
from joinedup.record.models import Episode, Person, Team, enum_choices
from joinedup.record.nhs_number import is_valid, normalise, spaced

REASONS = enum_choices(EPISODE_REASONS)
END_REASONS = enum_choices(EPISODE_END_REASONS)


def long_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def person_name(person: Person) -> str:
    return f"{person.given_name} {person.family_name}".strip() or person.id


def _open_overlapping(team: Team, person_id: str, start: dt.date) -> Episode | None:
    """The team's episode for the person still open on or after `start`, if any."""
    return (
        Episode.objects.filter(team=team, person_id=person_id)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
        .order_by("start_date")
        .first()
    )


@dataclass
class OpenForm:
    nhs_number: str = ""
    reason: str = ""
    start: DateEntry = field(default_factory=lambda: DateEntry("", "", "", None, ""))
    errors: FormErrors = field(default_factory=FormErrors)
    shows_person: Person | None = None  # a message tells something about this person
    refused_person: Person | None = None  # a real person the team may not open: audited


def may_open_for(team: Team, person: Person) -> bool:
    """Registered in the team's neighbourhood, or referred to the team and still open."""
    return in_neighbourhood(team, person) or has_open_referral(team, person.pk)


def unknown_message(team: Team, number: str) -> str:
    """The one refusal for a number that matches no one and for a stranger to the team."""
    return (
        f"No one with NHS number {spaced(number)} is known to {team.name}: check the number, "
        "or refer the person through the single point of access"
    )


def read_open_form(data: Any, team: Team, today: dt.date) -> tuple[OpenForm, Person | None]:
    """What was posted, checked: the form with its errors, and the person when all is well."""
    form = OpenForm(
        nhs_number=data.get("nhs_number", "").strip(),
        reason=data.get("reason", ""),
        start=read_date(data, "start", "start date"),
    )
    person = None
    number = normalise(form.nhs_number)
    if not number:
        form.errors.add("nhs_number", "Enter the person's NHS number")
    elif not is_valid(number):
        form.errors.add(
            "nhs_number",
            "Enter a valid NHS number: 10 digits, like 999 123 4567 (the last is a check digit)",
        )
    else:
        person = Person.objects.filter(nhs_number=number).first()
        if person is not None and not may_open_for(team, person):
            form.refused_person, person = person, None
        if person is None:
            form.errors.add("nhs_number", unknown_message(team, number))
    if form.reason not in EPISODE_REASONS:
        form.errors.add("reason", "Select why the person is joining the caseload")
    form.start = _not_after_today(form.start, "start date", form.errors, "start-day", today)
    if person is not None and form.start.date is not None and not form.start.error:
        _check_person(form, team, person, form.start.date)
    return form, (None if form.errors else person)


def _not_after_today(
    entry: DateEntry, label: str, errors: FormErrors, field_id: str, today: dt.date
) -> DateEntry:
    """The entry, with its problem added to `errors`; a date after today is one."""
    if entry.error:
        errors.add(field_id, entry.error)
    elif entry.date is not None and entry.date > today:
        entry = with_error(entry, f"The {label} must be today or in the past")
        errors.add(field_id, entry.error)
    return entry


def _check_person(form: OpenForm, team: Team, person: Person, start: dt.date) -> None:
    """The checks that tell something about the person: only for people the team may open."""
    if person.death_date is not None and person.death_date <= start:
        form.errors.add(
            "nhs_number",
            f"{person_name(person)} (NHS number {form.nhs_number}) died on "
            f"{long_date(person.death_date)}: an episode cannot start after that",
        )
        form.shows_person = person
        return
    if start < person.birth_date:
        form.start = with_error(
            form.start, "The start date must be on or after the person's date of birth"
        )
        form.errors.add("start-day", form.start.error)
        form.shows_person = person
        return
    existing = _open_overlapping(team, person.id, start)
    if existing is not None:
        form.errors.add("nhs_number", _duplicate_message(person, team, existing))
        form.shows_person = person


def _duplicate_message(person: Person, team: Team, existing: Episode) -> str:
    return (
        f"{person_name(person)} already has an open episode with {team.name}, started "
        f"{long_date(existing.start_date)}: close it before opening another"
    )


class DuplicateEpisodeError(Exception):
    """Another open episode appeared between the check and the save (two people at once)."""


def open_episode(user: Any, team: Team, person: Person, reason: str, start: dt.date) -> Episode:
    """Create the episode and its CREATE audit event in one transaction."""
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # queue on the person
        existing = _open_overlapping(team, person.id, start)
        if existing is not None:
            raise DuplicateEpisodeError(_duplicate_message(person, team, existing))
        episode = Episode.objects.create(
            id=uuid.uuid4().hex, person=person, team=team, start_date=start, reason=reason
        )
        record_event(
            AuditAction.CREATE,
            user=user,
            person_id=person.id,
            what=f"caseload episode {episode.id} opened in {team.name} ({reason})",
        )
    return episode


@dataclass
class CloseForm:
    end: DateEntry
    end_reason: str = ""
    errors: FormErrors = field(default_factory=FormErrors)


def read_close_form(data: Any, episode: Episode, today: dt.date) -> CloseForm:
    form = CloseForm(end=read_date(data, "end", "end date"), end_reason=data.get("end_reason", ""))
    end = form.end = _not_after_today(form.end, "end date", form.errors, "end-day", today)
    if not end.error and end.date is not None and end.date < episode.start_date:
        form.end = with_error(
            end,
            f"The end date must be on or after the start date, {long_date(episode.start_date)}",
        )
        form.errors.add("end-day", form.end.error)
    if form.end_reason not in EPISODE_END_REASONS:
        form.errors.add("end_reason", "Select why the episode ended")
    return form


def _still_needed(worker: CareTeamMember, closing: Episode, today: dt.date) -> bool:
    """Whether another open episode of one of the key worker's teams still holds the person."""
    return (
        Episode.objects.filter(
            person_id=closing.person_id, team__in=worker.staff.teams.values("pk")
        )
        .exclude(pk=closing.pk)
        .filter(start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .exists()
    )


class EpisodeClosedError(Exception):
    """Someone else closed the episode between the form being read and the save."""

    message = "This episode is already closed"

    def __init__(self) -> None:
        super().__init__(self.message)


def close_episode(
    user: Any, team: Team, episode: Episode, end: dt.date, end_reason: str, today: dt.date
) -> list[CareTeamMember]:
    """End the episode and the team's key worker allocation it alone needed, audited.

    Returns the key worker allocations it ended. The episode is read again under a lock:
    if it has ended by `today` (another close won), EpisodeClosedError and nothing changes.
    """
    ended: list[CareTeamMember] = []
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=episode.person_id).first()
        locked = Episode.objects.select_for_update().filter(pk=episode.pk).first()
        if locked is None or (locked.end_date is not None and locked.end_date <= today):
            raise EpisodeClosedError
        episode = locked
        episode.end_date = end
        episode.end_reason = end_reason
        episode.save(update_fields=["end_date", "end_reason"])
        workers = (
            CareTeamMember.objects.filter(
                person_id=episode.person_id, key_worker=True, staff__teams=team
            )
            .filter(Q(ended__isnull=True) | Q(ended__gt=end))
            .select_related("staff")
            .distinct()
        )
        for worker in workers:
            if _still_needed(worker, episode, today):
                continue
            worker.ended = max(end, worker.started)
            worker.save(update_fields=["ended"])
            ended.append(worker)
        what = f"caseload episode {episode.id} closed in {team.name} ({end_reason})"
        if ended:
            what += "; key worker allocation " + ", ".join(str(w.pk) for w in ended) + " ended"
        record_event(AuditAction.UPDATE, user=user, person_id=episode.person_id, what=what)
    return ended
