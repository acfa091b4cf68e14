"""Lists of referrals: the triage queue, the referrer's own, and the urgent response board.

Each shows people, so each writes a view event for exactly the people on the page (pages
of PAGE_SIZE keep that bounded) in the transaction that read them. The urgent board also
shows beside each person the alerts that change how a visit goes (key safe, do not visit
alone, falls risk), read for the whole page at once in that transaction; and, below the
clock, the visits whose outcome is still to be recorded and those recorded in the last
day, so the nurse records it from the board and the team sees what came of its visits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from joinedup.access.audit import record_views
from joinedup.access.decorators import staff_member_required
from joinedup.access.policy import objecting
from joinedup.people.record_summary import visit_alerts
from joinedup.record import referral_lifecycle as lifecycle
from joinedup.record.models import Referral
from joinedup.referrals.models import Intake
from joinedup.referrals.permissions import (
    DETAIL_HIDDEN,
    may_read_words,
    records_urgent_visits_for,
    referrer_or_403,
    triage_or_403,
    urgent_board_or_403,
)
from joinedup.referrals.submission import URGENCY_LABELS
from joinedup.referrals.two_hour_share import first_visits_until, shares_to
from joinedup.referrals.visit_outcomes import in_words, last_days_to
from joinedup.referrals.workflow import (
    TWO_HOURS,
    URGENCY_ORDER,
    Routing,
    not_yet_visited,
    unaccepted_too_long,
)

PAGE_SIZE = 50
# How long a recorded outcome stays on the urgent board, for the team to see.
OUTCOMES_SHOWN_FOR = dt.timedelta(hours=24)


def _urgency_rank() -> Case:
    return Case(
        *(When(urgency=u, then=Value(rank)) for u, rank in URGENCY_ORDER.items()),
        default=Value(len(URGENCY_ORDER)),
        output_field=IntegerField(),
    )


def _page(request: HttpRequest, rows: QuerySet[Any, Any]) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _audited(request: HttpRequest, page: Page, what: str) -> list[Any]:
    with transaction.atomic():
        rows = list(page.object_list)
        ids = list(dict.fromkeys(r.person_id for r in rows))
        record_views(request.user, ids, what)
    return rows


@staff_member_required
def triage(request: HttpRequest) -> HttpResponse:
    """Referrals waiting to be accepted: most urgent first, then the longest waiting."""
    staff = triage_or_403(request.user)
    now = timezone.now()
    waiting = (
        Referral.objects.filter(status="requested")
        .select_related("person", "team", "person__neighbourhood")
        .annotate(rank=_urgency_rank())
        .order_by("rank", "received_at", "id")
    )
    page = _page(request, waiting)
    rows = _audited(request, page, "triage queue")
    routing = Routing.load()
    objectors = objecting([r.person_id for r in rows])
    intakes = list(
        Intake.objects.filter(status=Intake.Status.AWAITING_MATCH).select_related("client")
    )
    return render(
        request,
        "referrals/triage.jinja",
        {
            "page": page,
            "rows": [
                {
                    "referral": r,
                    "waited": now - r.received_at,
                    "flagged": unaccepted_too_long(r, now),
                    "suggested": routing.suggest(r.person, r.urgency),
                    "words": may_read_words(staff, r, r.person_id in objectors),
                    "urgency": URGENCY_LABELS.get(r.urgency or "", "Not recorded"),
                }
                for r in rows
            ],
            "intakes": intakes,
            "now": now,
            "hidden": DETAIL_HIDDEN,
        },
    )


@staff_member_required
def mine(request: HttpRequest) -> HttpResponse:
    """The referrals I made, newest first, with where each is and its latest decision."""
    referrer_or_403(request.user)
    now = timezone.now()
    made = (
        Referral.objects.filter(referred_by_id=request.user.pk)
        .select_related("person", "team")
        .order_by("-received_at", "-id")
    )
    page = _page(request, made)
    rows = _audited(request, page, "my referrals")
    return render(
        request,
        "referrals/mine.jinja",
        {
            "page": page,
            "rows": [
                {
                    "referral": r,
                    "flagged": unaccepted_too_long(r, now),
                    "urgency": URGENCY_LABELS.get(r.urgency or "", "Not recorded"),
                }
                for r in rows
            ],
            "waiting": sum(1 for r in rows if unaccepted_too_long(r, now)),
        },
    )


@staff_member_required
def urgent(request: HttpRequest) -> HttpResponse:
    """Open two-hour referrals not yet visited, the least time left first; and the share
    of first visits within two hours for each team (the standard is 70%)."""
    staff = urgent_board_or_403(request.user)
    now = timezone.now()
    waiting = (
        Referral.objects.filter(
            not_yet_visited(),
            urgency="two_hour",
            status__in=lifecycle.VISITABLE,
        )
        .select_related("person", "team")
        .order_by("received_at", "id")
    )
    page = _page(request, waiting)
    visited = (
        Referral.objects.filter(urgency="two_hour", first_visit_at__isnull=False)
        .filter(
            Q(status="in-progress", visit_outcome__isnull=True)
            | Q(visit_outcome__recorded_at__gte=now - OUTCOMES_SHOWN_FOR)
        )
        .select_related("person", "team", "visit_outcome", "visit_outcome__referred_to_team")
        .order_by("first_visit_at", "id")
    )
    with transaction.atomic():
        rows = _audited(request, page, "urgent response board")
        alerts = visit_alerts([r.person_id for r in rows], now)
        after_visit = list(visited[: PAGE_SIZE + 1])
        record_views(
            request.user,
            list(dict.fromkeys(r.person_id for r in after_visit[:PAGE_SIZE])),
            "urgent response board: after the first visit",
        )
    records = records_urgent_visits_for(staff)
    objectors = objecting([r.person_id for r in rows])
    today = timezone.localdate(now)
    visits_end = first_visits_until(today)
    unmatched = Intake.objects.filter(status=Intake.Status.AWAITING_MATCH, urgency="two_hour")
    return render(
        request,
        "referrals/urgent.jinja",
        {
            "page": page,
            "rows": [
                {
                    "referral": r,
                    "deadline": r.received_at + TWO_HOURS,
                    "remaining": r.received_at + TWO_HOURS - now,
                    "words": may_read_words(staff, r, r.person_id in objectors),
                    "alerts": alerts.get(r.person_id, ""),
                }
                for r in rows
            ],
            "unmatched": [
                {
                    "intake": i,
                    "sent": i.payload.get("person", {}),
                    "remaining": i.received_at + TWO_HOURS - now,
                }
                for i in unmatched.select_related("client").order_by("received_at", "id")
            ],
            "after_visit": [
                {
                    "referral": r,
                    "outcome": in_words(r.visit_outcome) if hasattr(r, "visit_outcome") else "",
                    "may_record": records(r) and not hasattr(r, "visit_outcome"),
                }
                for r in after_visit[:PAGE_SIZE]
            ],
            "more_after_visit": len(after_visit) > PAGE_SIZE,
            "shares": shares_to(visits_end),
            "outcomes": last_days_to(visits_end),
            "today": today,
            "now": now,
            "hidden": DETAIL_HIDDEN,
        },
    )
