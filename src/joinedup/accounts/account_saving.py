"""Changes to staff accounts, each in one transaction with its audit event.

Every change writes one event (no person id) naming the account, "account <username>: ...",
and what changed, never a password: added, the parts of the details changed with their new
values, deactivated, reactivated, a new password set; with the number of sessions ended.

Two administrators editing one account: the form carries the fingerprint of the details it
was drawn from, and a save goes through only while the account, read under a row lock,
still has them (on SQLite the IMMEDIATE transaction queues writers instead). Otherwise
nothing is written and the editor is shown what was saved meanwhile, and by whom, from the
audit log. A form that changes nothing from what is saved now writes nothing, whatever it
was drawn from, as joinedup.people.details_saving does.

Passwords are hashed before the transaction: Argon2 takes a tenth of a second on purpose,
which must not be spent holding the database's write lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction, AuditEvent, Profession, StaffMember
from joinedup.accounts.account_form import AccountChoices, AccountValues, values_of
from joinedup.accounts.login_sessions import end_sessions, sessions_text
from joinedup.record.models import Team
from joinedup.save_outcome import SaveOutcome

WHAT_MAX = 200  # AuditEvent.what
PROFESSIONS = dict(Profession.choices)
# The events that change what the account form shows (for "who changed it").
DETAIL_CHANGES = (AuditAction.CREATE, AuditAction.UPDATE)


def account_what(username: str, text: str) -> str:
    """The audit event's what: 'account nia.hart: deactivated, 1 session ended'."""
    what = f"account {username}: {text}"
    return what if len(what) <= WHAT_MAX else what[: WHAT_MAX - 1] + "…"


def _account_prefix(username: str) -> str:
    return f"account {username}: "


def _described(values: AccountValues, choices: AccountChoices, parts: list[str]) -> str:
    """Each part with its value now: 'profession Team manager; teams Northgate INT'."""
    words = {
        "name": "name",
        "profession": f"profession {PROFESSIONS.get(values.profession, values.profession)}",
        "organisation": f"organisation {choices.organisation_name(values.organisation)}",
        "teams": f"teams {choices.team_names(values.teams)}",
    }
    return "; ".join(words[part] for part in parts)


def username_taken(username: str) -> bool:
    """Whether an account has this username, in any case (nia.hart and Nia.Hart would be
    two people no one could tell apart)."""
    return get_user_model().objects.filter(username__iexact=username).exists()


def create_account(
    *, by: Any, username: str, values: AccountValues, password: str, choices: AccountChoices
) -> Any:
    """The new account's User, with its staff record and teams, audited; None when the
    username is taken (asked again inside the transaction, and the unique index refuses
    one added by someone else at the same moment)."""
    hashed = make_password(password)
    user_model = get_user_model()
    with transaction.atomic():
        if username_taken(username):
            return None
        try:
            with transaction.atomic():
                user = user_model.objects.create(
                    username=username,
                    password=hashed,
                    first_name=values.first_name,
                    last_name=values.last_name,
                )
        except IntegrityError:  # added at the same moment by someone else
            return None
        staff = StaffMember.objects.create(
            user=user, profession=values.profession, organisation_id=values.organisation
        )
        staff.teams.set(Team.objects.filter(pk__in=values.teams))
        described = _described(values, choices, ["profession", "organisation", "teams"])
        record_event(
            AuditAction.CREATE, user=by, what=account_what(username, f"added with {described}")
        )
    return user


@dataclass(frozen=True)
class LastChange:
    """Who last added or changed an account's details through these pages, and when."""

    at: dt.datetime
    username: str
    name: str
    profession: str
    organisation: str

    @property
    def who(self) -> str:
        """'Ada Patel (System administrator, NHS Casterbridge Integrated Care Board)'."""
        about = ", ".join(part for part in (self.profession, self.organisation) if part)
        return f"{self.name} ({about})" if about else self.name


def last_change(username: str) -> LastChange | None:
    """The latest audit event that added or changed the account's details, as who and when."""
    prefix = _account_prefix(username)
    candidates = AuditEvent.objects.filter(
        person_id__isnull=True, action__in=DETAIL_CHANGES, what__startswith=prefix
    ).order_by("-sequence")
    # startswith ignores case on SQLite; usernames do not.
    event = next((e for e in candidates.iterator() if e.what.startswith(prefix)), None)
    if event is None:
        return None
    by = get_user_model().objects.filter(pk=event.user_id).first() if event.user_id else None
    return LastChange(
        at=event.occurred_at,
        username=event.username,
        name=(by.get_full_name() if by is not None else "") or event.username,
        profession=PROFESSIONS.get(event.profession, event.profession),
        organisation=event.organisation,
    )


@dataclass(frozen=True)
class CurrentAccount:
    """The details as saved now (read afresh), their fingerprint, and their last change."""

    values: AccountValues
    fingerprint: str
    changed: LastChange | None


def current_account(staff: StaffMember) -> CurrentAccount:
    values = values_of(staff)
    return CurrentAccount(values, values.fingerprint(), last_change(staff.user.get_username()))


def _locked(user_id: int) -> StaffMember:
    """The staff record and its login, locked until the transaction ends."""
    return (
        StaffMember.objects.select_for_update(of=("self", "user"))
        .select_related("user")
        .get(user_id=user_id)
    )


def change_account(
    *, by: Any, user_id: int, base: str, values: AccountValues, choices: AccountChoices
) -> SaveOutcome[tuple[str, ...], CurrentAccount]:
    """Save the details if the account still has those of fingerprint `base`: the parts
    changed (none when nothing differed), or on a conflict what is saved now."""
    with transaction.atomic():
        staff = _locked(user_id)
        before = values_of(staff)
        changed = values.parts_changed_from(before)
        if not changed:
            return SaveOutcome(saved=())
        if before.fingerprint() != base:
            return SaveOutcome(saved=None, latest=current_account(staff))
        user = staff.user
        if "name" in changed:
            user.first_name, user.last_name = values.first_name, values.last_name
            user.save(update_fields=["first_name", "last_name"])
        if {"profession", "organisation"} & set(changed):
            staff.profession = values.profession
            staff.organisation_id = values.organisation
            staff.save(update_fields=["profession", "organisation"])
        if "teams" in changed:
            staff.teams.set(Team.objects.filter(pk__in=values.teams))
        what = account_what(user.get_username(), "changed " + _described(values, choices, changed))
        record_event(AuditAction.UPDATE, user=by, what=what)
    return SaveOutcome(saved=tuple(changed))


def set_active(*, by: Any, user_id: int, active: bool) -> int | None:
    """Deactivate (ending every session) or reactivate the account; how many sessions
    ended, or None when it already was so (nothing written)."""
    with transaction.atomic():
        user = _locked(user_id).user
        if user.is_active == active:
            return None
        user.is_active = active
        user.save(update_fields=["is_active"])
        if active:
            ended = 0
            record_event(
                AuditAction.REACTIVATE,
                user=by,
                what=account_what(user.get_username(), "reactivated"),
            )
        else:
            ended = end_sessions(user)
            record_event(
                AuditAction.DEACTIVATE,
                user=by,
                what=account_what(
                    user.get_username(), f"deactivated, {sessions_text(ended)} ended"
                ),
            )
    return ended


def reset_password(*, by: Any, user_id: int, password: str, keep: str | None = None) -> int:
    """Give the account a new password and end its sessions (but `keep`, the session of an
    administrator setting their own); how many ended."""
    hashed = make_password(password)
    with transaction.atomic():
        user = _locked(user_id).user
        user.password = hashed
        user.save(update_fields=["password"])
        ended = end_sessions(user, keep=keep)
        record_event(
            AuditAction.PASSWORD_RESET,
            user=by,
            what=account_what(
                user.get_username(), f"new password set, {sessions_text(ended)} ended"
            ),
        )
    return ended
