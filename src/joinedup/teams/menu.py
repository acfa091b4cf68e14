"""The team's caseload and case-finding pages, and a key worker's own people, in the header
menu (see access/menu.py)."""

from joinedup.access.capabilities import WORK_IN_TEAMS
from joinedup.access.menu import MenuEntry, reverse_if, team_page

ENTRIES = (
    MenuEntry("caseload", "Caseload", 40, team_page("teams:caseload")),
    MenuEntry("casefinding", "Case finding", 50, team_page("casefinding:worklist")),
    # For every role that can be a person's key worker (teams.key_workers.team_members).
    MenuEntry(
        "my_people",
        "My people",
        65,
        lambda v: reverse_if(WORK_IN_TEAMS.allows(v.staff), "teams:my_people"),
    ),
)
