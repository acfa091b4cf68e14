"""View decorators that fail closed: no login, no page; a login that is not a staff member, 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def is_staff_member(user: Any) -> bool:
    return bool(user.is_authenticated and hasattr(user, "staff_member"))


def staff_member_required(view: View) -> View:
    """Logged in and linked to a StaffMember (a bare account, even a superuser, is refused)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise PermissionDenied("Your account is not linked to a staff record.")
        return view(request, *args, **kwargs)

    return login_required(wrapped)
