"""The header menu's entries, each declared by the app whose page it opens.

Every installed app may hold a `menu` module with `ENTRIES`; the web layer gathers them,
so a new capability puts its page in the menu without editing the web layer, and whether
a viewer sees an entry is decided beside the page that will allow or refuse them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from joinedup.access.capabilities import FIND_PEOPLE, REVIEW_BREAK_GLASS
from joinedup.access.models import StaffMember
from joinedup.record.models import Team


@dataclass(frozen=True)
class Viewer:
    """Who the menu is drawn for, with what entries commonly ask about them."""

    staff: StaffMember
    team: Team | None  # their first neighbourhood team
    urgent_team: Team | None  # their first urgent community response team

    @property
    def cares(self) -> bool:
        """Works with people's records (the direct-care pages are theirs)."""
        return FIND_PEOPLE.allows(self.staff)

    @classmethod
    def of(cls, staff: StaffMember) -> Viewer:
        neighbourhood = urgent = None
        for team in staff.teams.order_by("name", "id"):
            if team.kind == Team.Kind.NEIGHBOURHOOD and neighbourhood is None:
                neighbourhood = team
            elif team.kind == Team.Kind.URGENT_COMMUNITY_RESPONSE and urgent is None:
                urgent = team
        return cls(staff, neighbourhood, urgent)


@dataclass(frozen=True)
class MenuEntry:
    key: str  # names the entry where a role's landing page is chosen
    text: str
    rank: int  # its place in the menu, lowest first
    href: Callable[[Viewer], str | None]  # the page for this viewer; None: not in their menu


def reverse_if(shown: bool, name: str, *args: object) -> str | None:
    """The page's address when the entry is the viewer's, else None."""
    return reverse(name, args=args) if shown else None


def team_page(name: str) -> Callable[[Viewer], str | None]:
    """A page of the viewer's neighbourhood team, for staff who work with records."""
    return lambda v: reverse_if(v.cares and v.team is not None, name, v.team and v.team.pk)


ENTRIES = (
    MenuEntry(
        "glass",
        "Break-glass review",
        120,
        lambda v: reverse_if(
            v.cares and REVIEW_BREAK_GLASS.allows(v.staff), "access:break_glass_review"
        ),
    ),
)
