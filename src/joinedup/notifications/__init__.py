"""Notifications: telling each member of staff what someone else did that needs them.

A referral they made accepted or closed, an allocation as a person's key worker, a task
handed to them, a person they care for admitted to or discharged from hospital, a care
plan they own changed. Written in the transaction of the change that causes it
(joinedup.notifications.sending), read on the header's link and the notifications page.
"""
