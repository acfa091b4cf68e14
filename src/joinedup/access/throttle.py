"""Login throttling: too many failed logins for one username, or from one address, and the
login page refuses every attempt (even with the right password) until the window passes.

Counted in the database (LoginFailure), so every server process sees the same count and
a restart forgets nothing. Limits are per username (against guessing one account's
password) and per address (against trying a few passwords on many accounts). The refusal
is the same whether or not the username exists, so it never confirms an account.

Each failure is written with its LOGIN_FAILED audit event in one transaction; a success
clears that username's failures with its LOGIN event. The check and the write are not one
transaction (the password hash takes a tenth of a second; holding a write lock through it
would queue every login), so attempts already in flight when the limit is reached may each
add one more failure: at most one per server worker, once.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction, LoginFailure

USERNAME_LENGTH = LoginFailure._meta.get_field("username").max_length or 150


def window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES)


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from: REMOTE_ADDR, the TCP peer.

    X-Forwarded-For is anyone's to write, so it is read only when settings.BEHIND_PROXY
    says a reverse proxy is in front (and then only its last entry, the one that proxy
    appended: entries before it came from the client).
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and (address := _valid_address(forwarded.split(",")[-1])):
            return address
    return _valid_address(request.META.get("REMOTE_ADDR") or "")


def _stored_username(username: str) -> str:
    return username[:USERNAME_LENGTH]


def is_throttled(username: str, address: str | None) -> bool:
    """Whether this username, or this address, has reached its limit within the window."""
    since = timezone.now() - window()
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=_stored_username(username)).count() >= (
        settings.LOGIN_THROTTLE_PER_USERNAME
    ):
        return True
    return (
        address is not None
        and recent.filter(address=address).count() >= settings.LOGIN_THROTTLE_PER_ADDRESS
    )


def _from(address: str | None) -> str:
    return f"from {address}" if address else "from an unknown address"


def record_failure(username: str, address: str | None) -> None:
    """A wrong username or password: counted and audited together, old failures pruned."""
    now = timezone.now()
    with transaction.atomic():
        LoginFailure.objects.filter(at__lt=now - window()).delete()
        LoginFailure.objects.create(username=_stored_username(username), address=address, at=now)
        record_event(
            AuditAction.LOGIN_FAILED,
            username=_stored_username(username),
            what=f"wrong username or password {_from(address)}",
        )


def record_refusal(username: str, address: str | None) -> None:
    """An attempt refused while throttled: audited, not counted (the window does not slide)."""
    with transaction.atomic():
        record_event(
            AuditAction.LOGIN_FAILED,
            username=_stored_username(username),
            what=f"refused, too many failed logins {_from(address)}",
        )


def record_success(user: Any, address: str | None) -> None:
    """A login: the username's failures cleared and the login audited together (the login
    view logs the user in inside the same transaction)."""
    with transaction.atomic():
        LoginFailure.objects.filter(username=_stored_username(user.get_username())).delete()
        record_event(AuditAction.LOGIN, user=user, what=f"logged in {_from(address)}")
