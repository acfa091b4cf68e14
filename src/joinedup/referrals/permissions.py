"""Who may see and act on a given referral (the record itself is joinedup.access.policy's).

Which roles refer and which triage is the permission table's (joinedup.access.capabilities):
anyone who may see people may refer; triage is the single point of access clinicians'.
A referral's page is for its referrer, the triage clinicians and the team it is with
(which is also what gives that team its relationship with the person). The urgent
response board is for the triage clinicians and the urgent response teams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

from joinedup.access.capabilities import FIND_PEOPLE, REFER, TRIAGE
from joinedup.access.models import StaffMember
from joinedup.access.policy import (
    referral_sector,
    staff_of,
    staff_sector,
    visible_across_sectors,
)
from joinedup.record.models import Referral, Team


def referrer_or_403(user: Any) -> StaffMember:
    staff = staff_of(user)
    if staff is None or not REFER.allows(staff):
        raise PermissionDenied("Your role does not include referring people.")
    return staff


def triage_or_403(user: Any) -> StaffMember:
    staff = staff_of(user)
    if staff is None or not TRIAGE.allows(staff):
        raise PermissionDenied("The triage queue is for single point of access clinicians.")
    return staff


def in_team(staff: StaffMember, team_id: str | None) -> bool:
    return team_id is not None and staff.teams.filter(pk=team_id).exists()


def may_see_referral(user: Any, referral: Referral) -> bool:
    staff = staff_of(user)
    if staff is None or not FIND_PEOPLE.allows(staff):
        return False
    return (
        referral.referred_by_id == user.pk
        or TRIAGE.allows(staff)
        or in_team(staff, referral.team_id)
    )


def urgent_teams_of(staff: StaffMember) -> list[Team]:
    return list(staff.teams.filter(kind=Team.Kind.URGENT_COMMUNITY_RESPONSE))


def records_urgent_visits_for(staff: StaffMember) -> Callable[[Referral], bool]:
    """Whether this member of staff may record a two-hour referral's first visit and what
    came of it: triage, or the urgent response team the referral is with. Asked once for
    a page of referrals (one query for the staff's teams)."""
    if TRIAGE.allows(staff):
        return lambda referral: True
    teams = {t.pk for t in urgent_teams_of(staff)}
    return lambda referral: referral.team_id in teams


def urgent_board_or_403(user: Any) -> StaffMember:
    staff = staff_of(user)
    if staff is None or not (TRIAGE.allows(staff) or urgent_teams_of(staff)):
        raise PermissionDenied(
            "The urgent response board is for triage clinicians and urgent response teams."
        )
    return staff


def intake_matcher_or_403(user: Any, urgency: str) -> StaffMember:
    """Triage matches every intake; a two-hour one also the urgent response team, whose
    clock is running while it waits."""
    staff = staff_of(user)
    if staff is not None and (
        TRIAGE.allows(staff) or (urgency == "two_hour" and urgent_teams_of(staff))
    ):
        return staff
    raise PermissionDenied("Matching a referral to its person is for triage.")


# Why the referrer sees the person's name without a link (joinedup.access.policy.NOT_RELATED's
# fuller form for them): referring opens no record, taking the referral on does.
REFERRER_NOT_RELATED = "you referred them; it opens to the team that takes the referral on"
DETAIL_HIDDEN = "Hidden: the person objects to sharing between health and social care."


def may_read_words(staff: StaffMember, referral: Referral, objection: bool) -> bool:
    """A referral's words (reason, needs, decisions) follow the person's objection to
    sharing as the record does (its side is its source's); their author always reads them."""
    if referral.referred_by_id is not None and referral.referred_by_id == staff.user_id:
        return True
    return visible_across_sectors(staff_sector(staff), referral_sector(referral.source), objection)
