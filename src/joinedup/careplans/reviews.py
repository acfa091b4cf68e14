"""Care plans due a review that has not happened: for a team's MDT agenda.

No audit here: the caller shows the people and audits exactly those it shows.
"""

from __future__ import annotations

import datetime as dt

from joinedup.access.policy import current_on
from joinedup.careplans.models import CarePlan
from joinedup.record.models import Episode


def overdue_reviews(team_id: str, on: dt.date) -> list[CarePlan]:
    """Plans of the team's caseload on `on` (an episode open that day) whose review date
    is before `on`, longest overdue first."""
    caseload = Episode.objects.filter(
        current_on(on, "start_date", "end_date"), team_id=team_id
    ).values("person_id")
    return list(
        CarePlan.objects.filter(person_id__in=caseload, review_date__lt=on)
        .select_related("person")
        .order_by("review_date", "person_id")
    )
