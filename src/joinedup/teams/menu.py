"""The team's caseload and case-finding pages in the header menu (see access/menu.py)."""

from joinedup.access.menu import MenuEntry, team_page

ENTRIES = (
    MenuEntry("caseload", "Caseload", 40, team_page("teams:caseload")),
    MenuEntry("casefinding", "Case finding", 50, team_page("casefinding:worklist")),
)
