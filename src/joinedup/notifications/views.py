"""The notifications page: the viewer's own, newest first; opening one; marking all read.

Only the viewer's own notifications exist for them: another's id answers 404, as an id
that matches nothing does. The page names people, so each person on it is audited as
viewed, in the transaction that read them, and it is read a page at a time (PAGE_SIZE) so
the events stay bounded. Opening and marking read change only the notification, not a
person's data: they are not audited. Opening goes to the page to act on, unless that is a
record the viewer may no longer open (the work that related them has ended): then it is
marked read and the list says why, so no link leads to a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from joinedup.access.audit import record_views
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import openable_person_ids, staff_of
from joinedup.notifications.models import Notification

PAGE_SIZE = 50
MAX_ID = 2**63 - 1  # the largest key a database holds: a longer number names nothing
WHAT = "notifications"  # the audit's words for a view of the list
NO_LONGER_OPEN = "you no longer have a care relationship with this person"


@dataclass(frozen=True)
class Line:
    notification: Notification
    reachable: bool  # its page opens for the viewer now


def _reachable(notification: Notification, openable: set[str]) -> bool:
    return not notification.needs_the_record or notification.person_id in openable


@require_safe
@staff_member_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The viewer's notifications, newest first, a page at a time."""
    staff = staff_of(request.user)
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    with transaction.atomic():
        page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page.object_list)
        person_ids = list(dict.fromkeys(n.person_id for n in shown if n.person_id))
        record_views(request.user, person_ids, WHAT)
        openable = openable_person_ids(staff, person_ids)
        unread = mine.unread().count()
    return render(
        request,
        "notifications/list.jinja",
        {
            "page": page,
            "lines": [Line(n, _reachable(n, openable)) for n in shown],
            "unread": unread,
            "no_longer_open": NO_LONGER_OPEN,
        },
    )


def _own(request: HttpRequest, pk: int) -> Notification:
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(Notification, pk=pk, recipient_id=request.user.pk)


@require_POST
@staff_member_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to the page to act on, when that page opens for the viewer."""
    notification = _own(request, pk)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    openable = (
        openable_person_ids(staff_of(request.user), [notification.person_id])
        if notification.needs_the_record and notification.person_id
        else set()
    )
    if _reachable(notification, openable) and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts=None
    ):
        return HttpResponseRedirect(notification.link)
    messages.info(request, f"Marked as read. The record is not open to you: {NO_LONGER_OPEN}.")
    return redirect("notifications:list")


@require_POST
@staff_member_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Every unread notification of the viewer's marked read, with a confirmation."""
    count = (
        Notification.objects.filter(recipient_id=request.user.pk)
        .unread()
        .update(read_at=timezone.now())
    )
    if count:
        noun = "notification" if count == 1 else "notifications"
        messages.success(request, f"{count} {noun} marked as read.")
    else:
        messages.success(request, "You had no unread notifications.")
    return redirect("notifications:list")
