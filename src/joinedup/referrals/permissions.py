"""Who may do what with referrals (the record itself is still joinedup.access.policy's).

Anyone who may see people may refer. Triage is the single point of access clinicians'.
A referral's page is for its referrer, the triage clinicians and the team it is with
(which is also what gives that team its relationship with the person). The urgent
response board is for the triage clinicians and the urgent response teams.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from joinedup.access.models import Profession, StaffMember
from joinedup.access.policy import (
    NO_RECORD,
    referral_sector,
    staff_of,
    staff_sector,
    visible_across_sectors,
)
from joinedup.record.models import Referral, Team


def referrer_or_403(user: Any) -> StaffMember:
    staff = staff_of(user)
    if staff is None or staff.profession in NO_RECORD:
        raise PermissionDenied("Your role does not include referring people.")
    return staff


def is_triage(staff: StaffMember | None) -> bool:
    return staff is not None and staff.profession == Profession.SPA_TRIAGE_CLINICIAN


def triage_or_403(user: Any) -> StaffMember:
    staff = staff_of(user)
    if staff is None or not is_triage(staff):
        raise PermissionDenied("The triage queue is for single point of access clinicians.")
    return staff


def in_team(staff: StaffMember, team_id: str | None) -> bool:
    return team_id is not None and staff.teams.filter(pk=team_id).exists()


def may_see_referral(user: Any, referral: Referral) -> bool:
    staff = staff_of(user)
    if staff is None or staff.profession in NO_RECORD:
        return False
    return (
        referral.referred_by_id == user.pk or is_triage(staff) or in_team(staff, referral.team_id)
    )


def urgent_teams_of(staff: StaffMember) -> list[Team]:
    return list(staff.teams.filter(kind=Team.Kind.URGENT_COMMUNITY_RESPONSE))


def urgent_board_or_403(user: Any) -> StaffMember:
    staff = staff_of(user)
    if staff is None or not (is_triage(staff) or urgent_teams_of(staff)):
        raise PermissionDenied(
            "The urgent response board is for triage clinicians and urgent response teams."
        )
    return staff


def intake_matcher_or_403(user: Any, urgency: str) -> StaffMember:
    """Triage matches every intake; a two-hour one also the urgent response team, whose
    clock is running while it waits."""
    staff = staff_of(user)
    if staff is not None and (
        is_triage(staff) or (urgency == "two_hour" and urgent_teams_of(staff))
    ):
        return staff
    raise PermissionDenied("Matching a referral to its person is for triage.")


DETAIL_HIDDEN = "Hidden: the person objects to sharing between health and social care."


def may_read_words(staff: StaffMember, referral: Referral, objection: bool) -> bool:
    """A referral's words (reason, needs, decisions) follow the person's objection to
    sharing as the record does (its side is its source's); their author always reads them."""
    if referral.referred_by_id is not None and referral.referred_by_id == staff.user_id:
        return True
    return visible_across_sectors(staff_sector(staff), referral_sector(referral.source), objection)
