"""Ending a member of staff's sessions, so that deactivating them or setting a new password
takes effect at once, not when their session would have timed out.

Sessions live in the database (Django's default engine, which settings.py keeps), each
holding its user's id inside its signed data: there is no column to select them by, so
every session is read. A partnership has thousands of sessions at most, and an account is
changed rarely. With another session engine this cannot end anyone's sessions, so it
refuses to run rather than let a leaver stay logged in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured

DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


def end_sessions(user: Any, keep: str | None = None) -> int:
    """Delete every session of `user` but `keep` (a session key), expired ones included;
    how many ended. Call inside the transaction that changes the account."""
    if settings.SESSION_ENGINE != DATABASE_SESSIONS:
        raise ImproperlyConfigured(
            f"ending a user's sessions needs SESSION_ENGINE = {DATABASE_SESSIONS!r}"
        )
    user_id = str(user.pk)
    theirs = [
        session.session_key
        for session in Session.objects.iterator(chunk_size=500)
        if session.session_key != keep and session.get_decoded().get(SESSION_KEY) == user_id
    ]
    Session.objects.filter(session_key__in=theirs).delete()
    return len(theirs)


def sessions_text(count: int) -> str:
    """'no session', '1 session', '3 sessions'."""
    if count == 0:
        return "no session"
    return f"{count} session" + ("" if count == 1 else "s")
