"""The task list in the header menu (see access/menu.py)."""

from joinedup.access.menu import MenuEntry, reverse_if

ENTRIES = (MenuEntry("tasks", "My tasks", 70, lambda v: reverse_if(v.cares, "tasks:mine")),)
