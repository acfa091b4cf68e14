"""The staff list: every member of staff with their account, found by name or username.

Only StaffMember rows are listed (an account without a staff record can open no page), as
lines of text ready to show: the profession by its label, never its code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from joinedup.access.models import StaffMember
from joinedup.record.models import Team
from joinedup.untrusted_json import UNSTORABLE

PAGE_SIZE = 50
QUERY_MAX = 100  # characters of a search kept
WORDS_MAX = 5  # words of a search matched


@dataclass(frozen=True)
class StaffLine:
    user_id: int
    name: str
    username: str
    profession: str
    organisation: str
    teams: str
    active: bool


def search_words(query: str) -> list[str]:
    """The words of a search, each to be found in the name or the username. Characters no
    column can hold (a NUL, which PostgreSQL refuses even in a pattern) are dropped."""
    return UNSTORABLE.sub("", query[:QUERY_MAX]).split()[:WORDS_MAX]


def staff_matching(query: str) -> QuerySet[StaffMember]:
    """Staff whose first name, last name or username holds every word of `query` (any case),
    by last name, first name and username."""
    staff = StaffMember.objects.select_related("user", "organisation").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name", "id"))
    )
    for word in search_words(query):
        staff = staff.filter(
            Q(user__username__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
        )
    return staff.order_by("user__last_name", "user__first_name", "user__username", "pk")


def line_of(staff: StaffMember) -> StaffLine:
    user = staff.user
    return StaffLine(
        user_id=user.pk,
        name=user.get_full_name() or user.get_username(),
        username=user.get_username(),
        profession=staff.get_profession_display(),
        organisation=staff.organisation.name,
        teams=", ".join(team.name or team.id for team in staff.teams.all()),
        active=user.is_active,
    )
