"""Staff accounts, managed by system administrators in the app: the staff list, adding a
member of staff, changing their profession, organisation, teams and name, deactivating a
leaver (their sessions end) and reactivating them, and setting a new password.

These pages hold accounts only, never a person's record, and every change is an audit
event with no person (docs/security.md, "Account administration").
"""
