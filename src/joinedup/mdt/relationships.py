"""The work an MDT gives its attendees: the people on its agenda, until it is held.

Preparing a meeting means reading the records of the people to be discussed, including
those case finding put there who are known to no team yet; once the meeting is held (or
cancelled) what was agreed lives in tasks and referrals, which carry their own
relationships.
"""

from __future__ import annotations

from django.db.models import Q

from joinedup.access.work import WorkRelationship
from joinedup.mdt.models import AgendaItem, Meeting

RELATIONSHIPS = (
    WorkRelationship(
        "mdt_agenda",
        "the person is on the agenda of your team's next MDT meeting",
        "when the meeting is held or cancelled",
        lambda worker, now: AgendaItem.objects.filter(
            Q(meeting__team_id__in=worker.team_ids()) | Q(meeting__attendance__staff=worker.staff),
            meeting__status=Meeting.Status.SCHEDULED,
        ),
    ),
)
