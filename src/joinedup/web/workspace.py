"""Where each member of staff starts, and the menu of the pages their role uses.

Each app declares its own menu entries (access/menu.py); this module gathers them and
picks the landing page among them, so the landing page is always in the menu: the triage
clinician starts at the triage queue, the urgent response team at its board, a team
manager at the team's caseload, team members at their tasks, referrers (GPs, pharmacists)
at their referrals, discharge coordinators and social care brokers at the transfer of care
hub's board (team managers, who may read it, reach it from their caseload: their menu is
full), commissioners and analysts at the outcome dashboards and system administrators
at the staff accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import module_has_submodule

from joinedup.access.capabilities import TRIAGE, WORK_THE_HUB
from joinedup.access.menu import MenuEntry, Viewer
from joinedup.access.models import Profession, StaffMember
from joinedup.access.policy import staff_of


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Workspace:
    landing: Link
    menu: list[Link]


@cache
def menu_entries() -> tuple[MenuEntry, ...]:
    """Every installed app's menu entries (its `menu` module's ENTRIES), in menu order."""
    entries: list[MenuEntry] = []
    for config in apps.get_app_configs():
        if config.module is not None and module_has_submodule(config.module, "menu"):
            entries.extend(import_module(f"{config.name}.menu").ENTRIES)
    return tuple(sorted(entries, key=lambda entry: entry.rank))


def _landing(viewer: Viewer) -> str:
    """Which of the role's pages it starts at."""
    staff = viewer.staff
    if TRIAGE.allows(staff):
        return "triage"
    if viewer.urgent_team is not None:
        return "urgent"
    if WORK_THE_HUB.allows(staff):
        return "hub"
    if staff.profession == Profession.TEAM_MANAGER and viewer.team is not None:
        return "caseload"
    if staff.profession in (Profession.GP, Profession.PHARMACIST) or viewer.team is None:
        return "mine"
    return "tasks"


def workspace_for(staff: StaffMember | None) -> Workspace:
    overview = Link("Overview", reverse("overview"))
    if staff is None:
        return Workspace(overview, [])
    viewer = Viewer.of(staff)
    links = {
        entry.key: Link(entry.text, href)
        for entry in menu_entries()
        if (href := entry.href(viewer)) is not None
    }
    if not viewer.cares:
        menu = [overview, *links.values()]
        return Workspace(menu[-1], menu)
    return Workspace(links[_landing(viewer)], list(links.values()))


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
