"""The team's MDT meetings in the header menu (see access/menu.py)."""

from joinedup.access.menu import MenuEntry, team_page

ENTRIES = (MenuEntry("mdt", "MDT meetings", 60, team_page("mdt:meetings")),)
