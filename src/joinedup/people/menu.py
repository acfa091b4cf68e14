"""Person search in the header menu (see access/menu.py)."""

from joinedup.access.menu import MenuEntry, reverse_if

ENTRIES = (
    MenuEntry("search", "Find a person", 100, lambda v: reverse_if(v.cares, "people:search")),
)
