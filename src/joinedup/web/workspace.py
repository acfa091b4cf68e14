"""Where each member of staff starts, and the menu of the pages their role uses.

One table of roles to pages, so the landing page and the menu cannot disagree: the triage
clinician starts at the triage queue, the urgent response team at its board, a team
manager at the team's caseload, team members at their tasks, referrers (GPs, pharmacists)
at their referrals, discharge coordinators and social care brokers at the transfer of care
hub's board (team managers, who may read it, reach it from their caseload: their menu is
full), commissioners at the outcome dashboards
and analysts and administrators at the partnership overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from joinedup.access.capabilities import (
    FIND_PEOPLE,
    REVIEW_BREAK_GLASS,
    SEE_OUTCOMES,
    TRIAGE,
    WORK_THE_HUB,
)
from joinedup.access.models import Profession, StaffMember
from joinedup.access.policy import staff_of
from joinedup.record.models import Team


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Workspace:
    landing: Link
    menu: list[Link]


def _teams(staff: StaffMember) -> tuple[Team | None, Team | None]:
    """The viewer's first neighbourhood team and first urgent response team."""
    neighbourhood = urgent = None
    for team in staff.teams.order_by("name", "id"):
        if team.kind == Team.Kind.NEIGHBOURHOOD and neighbourhood is None:
            neighbourhood = team
        elif team.kind == Team.Kind.URGENT_COMMUNITY_RESPONSE and urgent is None:
            urgent = team
    return neighbourhood, urgent


def workspace_for(staff: StaffMember | None) -> Workspace:
    overview = Link("Overview", reverse("overview"))
    if staff is None:
        return Workspace(overview, [])
    outcomes = Link("Outcomes", reverse("outcomes:index"))
    if not FIND_PEOPLE.allows(staff):
        menu = [overview, *([outcomes] if SEE_OUTCOMES.allows(staff) else [])]
        return Workspace(menu[-1], menu)
    team, urgent = _teams(staff)
    triage = TRIAGE.allows(staff)
    links: dict[str, Link] = {
        "refer": Link("Make a referral", reverse("referrals:new")),
        "mine": Link("My referrals", reverse("referrals:mine")),
        "tasks": Link("My tasks", reverse("tasks:mine")),
        "search": Link("Find a person", reverse("people:search")),
    }
    if triage:
        links["triage"] = Link("Triage", reverse("referrals:triage"))
    if triage or urgent is not None:
        links["urgent"] = Link("Urgent response", reverse("referrals:urgent"))
    if team is not None:
        links["caseload"] = Link("Caseload", reverse("teams:caseload", args=[team.pk]))
        links["casefinding"] = Link("Case finding", reverse("casefinding:worklist", args=[team.pk]))
        links["mdt"] = Link("MDT meetings", reverse("mdt:meetings", args=[team.pk]))
    if WORK_THE_HUB.allows(staff):
        links["hub"] = Link("Transfer of care hub", reverse("transfers:board"))
    if SEE_OUTCOMES.allows(staff):
        links["outcomes"] = outcomes
    if REVIEW_BREAK_GLASS.allows(staff):
        links["glass"] = Link("Break-glass review", reverse("access:break_glass_review"))
    if triage:
        start = "triage"
    elif urgent is not None:
        start = "urgent"
    elif WORK_THE_HUB.allows(staff):
        start = "hub"
    elif staff.profession == Profession.TEAM_MANAGER and team is not None:
        start = "caseload"
    elif staff.profession in (Profession.GP, Profession.PHARMACIST) or team is None:
        start = "mine"
    else:
        start = "tasks"
    order = ("triage", "urgent", "hub", "caseload", "casefinding", "mdt", "tasks", "mine", "refer",
             "search", "outcomes", "glass")  # fmt: skip
    return Workspace(links[start], [links[k] for k in order if k in links])


def menu(request: Any) -> list[dict[str, Any]]:
    """The header's menu items for the page being drawn (the current one marked)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    path = request.path
    return [
        {"text": link.text, "href": link.href, "current": _current(path, link.href)}
        for link in workspace_for(staff_of(user)).menu
    ]


def _current(path: str, href: str) -> bool:
    """The page is the link's, or one below it (the overview at / only itself)."""
    return path == href if href == "/" else path.startswith(href)
