"""The referral pages in the header menu (see access/menu.py)."""

from joinedup.access.capabilities import TRIAGE
from joinedup.access.menu import MenuEntry, reverse_if

ENTRIES = (
    MenuEntry(
        "triage",
        "Triage",
        10,
        lambda v: reverse_if(v.cares and TRIAGE.allows(v.staff), "referrals:triage"),
    ),
    MenuEntry(
        "urgent",
        "Urgent response",
        20,
        lambda v: reverse_if(
            v.cares and (TRIAGE.allows(v.staff) or v.urgent_team is not None), "referrals:urgent"
        ),
    ),
    MenuEntry("mine", "My referrals", 80, lambda v: reverse_if(v.cares, "referrals:mine")),
    MenuEntry("refer", "Make a referral", 90, lambda v: reverse_if(v.cares, "referrals:new")),
)
