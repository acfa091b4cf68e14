"""The transfer of care hub's board in the header menu (see access/menu.py)."""

from joinedup.access.capabilities import WORK_THE_HUB
from joinedup.access.menu import MenuEntry, reverse_if

ENTRIES = (
    MenuEntry(
        "hub",
        "Transfer of care hub",
        30,
        lambda v: reverse_if(v.cares and WORK_THE_HUB.allows(v.staff), "transfers:board"),
    ),
)
