"""Person search: identity only, each person shown audited, for staff who may see records."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from joinedup.access import policy
from joinedup.access.audit import record_events
from joinedup.access.capabilities import BREAK_GLASS, FIND_PEOPLE
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import AuditAction
from joinedup.forms.errors import FieldError
from joinedup.people.search import SearchResults, find_people, parse_query


@staff_member_required
def search(request: HttpRequest) -> HttpResponse:
    """/people/?q=: the search box, and the people matching what was typed.

    Every person on the page is an audited search hit, written in the transaction that
    found them; a page without a search shows no one and writes nothing. Commissioners,
    analysts and administrators get 403: identity is person data too.
    """
    staff = policy.staff_of(request.user)
    if staff is None or not FIND_PEOPLE.allows(staff):
        raise PermissionDenied("Your role does not include finding people's records.")
    query = parse_query(request.GET.get("q", ""))
    results = SearchResults(query)
    related: set[str] = set()
    openable: set[str] = set()
    if query.searchable:
        with transaction.atomic():
            results = find_people(query)
            ids = [match.person.id for match in results.matches]
            related = policy.related_person_ids(staff, ids)
            openable = related | policy.broken_glass_ids(staff, ids)
            record_events(AuditAction.SEARCH_HIT, user=request.user, person_ids=ids, what="search")
    return render(
        request,
        "people/search.jinja",
        {
            "query": query,
            "results": results,
            "related": related,
            "openable": openable,
            "may_break_glass": BREAK_GLASS.allows(staff),
            "not_related": policy.NOT_RELATED,
            "problems": [
                FieldError("q", text)
                for text in (*query.errors, *([query.guidance] if query.guidance else []))
            ],
        },
    )
