"""How a page names a member of staff: by their full name, never by their login.

A username is a login ("demo-gp"), not something a colleague or a person reading their
record knows anyone by. Rows keep who acted as the username copied at the time
(joinedup.record.model_fields.copied_username), so history is never rewritten; a page turns
those usernames into names when it is drawn, all of a page's in one query (names_of). A
username that is no account's (one since removed, or a system such as a hospital's feed or
"joinedup demo") is shown as it was copied, since it is all there is to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from joinedup.access.models import StaffMember


def staff_name(who: Any) -> str:
    """The full name of a member of staff, given their StaffMember or their user; the
    username only for an account with no name recorded."""
    user = who.user if isinstance(who, StaffMember) else who
    return str(user.get_full_name() or user.get_username())


class StaffNames(dict[str, str]):
    """{username: name} for the usernames a page shows; a username it was not given, or
    that is no account's, stands for itself."""

    def __missing__(self, username: str) -> str:
        return username


def names_of(usernames: Iterable[str]) -> StaffNames:
    """The names of these copied usernames, in one query."""
    wanted = {username for username in usernames if username}
    names = StaffNames()
    if wanted:
        for user in get_user_model().objects.filter(username__in=wanted):
            names[user.get_username()] = staff_name(user)
    return names


def name_of(username: str) -> str:
    """One copied username's name (a page showing one, such as a conflict's message)."""
    return names_of([username])[username]
