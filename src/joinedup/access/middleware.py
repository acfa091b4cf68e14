"""Middleware guarding every response and every session.

SecurityHeadersMiddleware adds the Content-Security-Policy and Permissions-Policy to every
response (static files included), and keeps pages shown to a logged-in user out of every
cache: person data must not come back from the browser's history or a shared proxy after
logout. Referrer-Policy, X-Content-Type-Options, X-Frame-Options and HSTS come from
Django's SecurityMiddleware and XFrameOptionsMiddleware (settings.py).

SessionTimeoutMiddleware ends a session left unused for settings.SESSION_IDLE_MINUTES
(a screen left logged in on a shared desk) or older than SESSION_COOKIE_AGE since login,
however busy (Django's own expiry slides forward whenever the session is saved).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction

# Everything from this origin only; no inline script or style (the pages have none), no
# plugins, no framing, forms post only here. img-src allows data: for the NHS.UK
# stylesheet's inline SVG icons.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"

LAST_SEEN = "joinedup_last_seen"  # epoch seconds of the last request, refreshed at most...
LAST_SEEN_REFRESH = 60  # ...once a minute, so a page's requests do not each save the session
LOGGED_IN_AT = "joinedup_logged_in_at"

Handler = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    """Placed before whitenoise, so static responses get the headers too."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # request.user exists only past AuthenticationMiddleware: not for static files.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


def start_session_clock(session: SessionBase, now: float | None = None) -> None:
    """Called at login: the session's age and idle time count from now."""
    now = time.time() if now is None else now
    session[LOGGED_IN_AT] = int(now)
    session[LAST_SEEN] = int(now)


def _ended_because(session: SessionBase, now: float) -> str | None:
    logged_in_at = session.get(LOGGED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if not isinstance(logged_in_at, int) or not isinstance(last_seen, int):
        return None
    if now - logged_in_at > settings.SESSION_COOKIE_AGE:
        return "age"
    if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


def _minutes_text(minutes: float) -> str:
    if minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hour" + ("s" if hours != 1 else "")
    whole = round(minutes)
    return f"{whole} minute" + ("s" if whole != 1 else "")


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware: logs out an idle or old session,
    audited as a logout, and sends the request to the login page with a message."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            reason = _ended_because(session, now)
            if reason is not None:
                return self._end(request, reason)
            if not isinstance(session.get(LOGGED_IN_AT), int):
                start_session_clock(session, now)  # a session from before this middleware
            elif now - session[LAST_SEEN] >= LAST_SEEN_REFRESH:
                session[LAST_SEEN] = int(now)
        return self.get_response(request)

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        if reason == "idle":
            length = _minutes_text(settings.SESSION_IDLE_MINUTES)
            what = f"logged out after {length} without use"
            text = f"You were logged out because joinedup was not used for {length}."
        else:
            length = _minutes_text(settings.SESSION_COOKIE_AGE / 60)
            what = f"logged out {length} after logging in"
            text = f"You were logged out because you logged in more than {length} ago."
        with transaction.atomic():
            record_event(AuditAction.LOGOUT, user=request.user, what=what)
            logout(request)
        messages.info(request, text + " Log in again to continue.")
        return redirect_to_login(request.get_full_path())
