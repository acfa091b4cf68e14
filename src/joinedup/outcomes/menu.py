"""The outcome dashboards in the header menu (see access/menu.py).

The one entry shown to staff who do not work with people's records, beside the overview.
"""

from joinedup.access.capabilities import SEE_OUTCOMES
from joinedup.access.menu import MenuEntry, reverse_if

ENTRIES = (
    MenuEntry(
        "outcomes",
        "Outcomes",
        110,
        lambda v: reverse_if(SEE_OUTCOMES.allows(v.staff), "outcomes:index"),
    ),
)
