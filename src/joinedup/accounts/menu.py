"""The staff list in the header menu (see access/menu.py).

The system administrator's only entry beside the overview, and so their landing page
(joinedup.web.workspace starts a role that works with no one's record at its last entry).
"""

from joinedup.access.capabilities import ADMINISTER_ACCOUNTS
from joinedup.access.menu import MenuEntry, reverse_if

ENTRIES = (
    MenuEntry(
        "accounts",
        "Staff accounts",
        130,
        lambda v: reverse_if(ADMINISTER_ACCOUNTS.allows(v.staff), "accounts:staff"),
    ),
)
