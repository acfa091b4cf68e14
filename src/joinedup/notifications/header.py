"""The header's link to the notifications page, with how many are unread, on every page.

One query a page (a count over the partial index of unread rows); drawn only for staff whose
role works with people, the only ones anything is ever sent to (the page itself is open to
every member of staff, so the link never leads to a refusal).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from joinedup.access.capabilities import FIND_PEOPLE
from joinedup.access.policy import staff_of
from joinedup.notifications.models import Notification


def link_text(unread: int) -> str:
    """The link's words, the count in them so a screen reader says it too."""
    return f"Notifications ({unread} unread)"


def header_link(request: Any) -> dict[str, str] | None:
    """The header's account item for this page's viewer, or None (no link for them)."""
    staff = staff_of(getattr(request, "user", None))
    if staff is None or not FIND_PEOPLE.allows(staff):
        return None
    unread = Notification.objects.filter(recipient_id=staff.user_id).unread().count()
    return {"href": reverse("notifications:list"), "text": link_text(unread)}
