"""The optional e-mail that says a notification is waiting, and nothing more.

Off unless JOINEDUP_NOTIFY_BY_EMAIL is set (settings.NOTIFY_BY_EMAIL), and sent through
Django's mail settings. An e-mail leaves the partnership's systems, so it never carries a
person's name or anything clinical: only that there is a new notification, of which kind
(its label names no one), and the address of the notifications page, where the recipient
logs in to read it. It is sent after the change commits (a change rolled back sends
nothing), and a mail server that fails is logged without undoing the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from joinedup.notifications.models import Kind, Notification

SUBJECT = "joinedup: a new notification"


def body(kind: Kind | str) -> str:
    """The whole message for a notification of this kind."""
    page = settings.SITE_URL.rstrip("/") + reverse("notifications:list")
    return f"You have a new notification in joinedup: {Kind(kind).label}\n\n{page}\n"


def _send(messages: Sequence[tuple[str, str]]) -> None:
    """Send (address, kind) pairs over one connection."""
    with get_connection() as connection:
        connection.send_messages(
            [EmailMessage(SUBJECT, body(kind), to=[address]) for address, kind in messages]
        )


def email_after_commit(notifications: Sequence[Notification]) -> None:
    """When e-mail is on, one e-mail per notification to a recipient with an address, once
    the transaction that made them commits."""
    if not settings.NOTIFY_BY_EMAIL:
        return
    messages = [
        (n.recipient.email, n.kind)
        for n in notifications
        if n.recipient.email and n.recipient.is_active
    ]
    if messages:
        transaction.on_commit(partial(_send, messages), robust=True)
