"""Who may see what of a person's record: the one module every page, export and API asks.

Fail closed. A person's record opens only to a viewer with a legitimate relationship
(their team has the person on its caseload or holds an open referral for them, they are
the person's key worker, or they hold open work about the person that the platform gave
them: joinedup.access.work) or an unexpired break-glass. Without one the answer is
RecordRefusedError, raised identically whether the person exists or not, so a refusal never
confirms that someone is known to the partnership. Inside an open record every entry is
checked twice more: a sensitivity label restricts it to the professions allowed to see
that kind of detail, and a person's objection to sharing between health and social care
hides the other side's entries. Which roles may open records at all, break the glass or
read each label is the permission table's (joinedup.access.capabilities): commissioners,
analysts and system administrators never see a record (docs/security.md: aggregates and
the pseudonymised lake only).

opened_record opens a record as a transaction that also writes the audit event (view or
refusal), so no page can show a record without auditing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.capabilities import (
    BREAK_GLASS,
    FIND_PEOPLE,
    READ_MENTAL_HEALTH,
    READ_SAFEGUARDING,
    READ_SEXUAL_HEALTH,
    REVIEW_BREAK_GLASS,
)
from joinedup.access.models import (
    AuditAction,
    BreakGlass,
    CareTeamMember,
    Consent,
    Profession,
    Sector,
    Sensitivity,
    StaffMember,
)
from joinedup.access.work import Worker, WorkRelationship, app_relationships
from joinedup.record import referral_lifecycle
from joinedup.record.models import ID_LENGTH, Episode, Organisation, Person, Referral

# Who may read each kind of sensitive detail (joinedup.access.capabilities says why).
SENSITIVE_READERS: dict[str, frozenset[str]] = {
    Sensitivity.SAFEGUARDING: READ_SAFEGUARDING.roles,
    Sensitivity.SEXUAL_HEALTH: READ_SEXUAL_HEALTH.roles,
    Sensitivity.MENTAL_HEALTH: READ_MENTAL_HEALTH.roles,
}
assert set(SENSITIVE_READERS) == set(Sensitivity.values)

# An entry's sector besides the three of Sector: SHARED entries belong to the integrated
# team itself (its caseload episodes, self-referrals, pooled packages) and are shown to
# both sides even under an objection; UNKNOWN (no sector recorded) is hidden under one.
SHARED = "shared"
UNKNOWN = "unknown"

ORGANISATION_SECTOR: dict[str, str] = {
    Organisation.Kind.NHS_TRUST: Sector.HEALTH,
    Organisation.Kind.GP_PRACTICE: Sector.HEALTH,
    Organisation.Kind.ICB: Sector.HEALTH,
    Organisation.Kind.COUNCIL: Sector.SOCIAL_CARE,
    Organisation.Kind.CARE_PROVIDER: Sector.SOCIAL_CARE,
    Organisation.Kind.VOLUNTARY: Sector.VOLUNTARY,
}
assert set(ORGANISATION_SECTOR) == set(Organisation.Kind.values)

REFERRAL_SOURCE_SECTOR: dict[str, str] = {
    "gp": Sector.HEALTH,
    "hospital": Sector.HEALTH,
    "nhs111": Sector.HEALTH,
    "ambulance": Sector.HEALTH,
    "social_care": Sector.SOCIAL_CARE,
    "voluntary": Sector.VOLUNTARY,
    "telecare": Sector.SOCIAL_CARE,  # community alarm services are run for the council
    "self": SHARED,
    "family_carer": SHARED,
    # "other" stays UNKNOWN: hidden under an objection, since its side cannot be told.
}
PACKAGE_FUNDER_SECTOR: dict[str, str] = {
    "nhs": Sector.HEALTH,
    "council": Sector.SOCIAL_CARE,
    "self": Sector.SOCIAL_CARE,  # arranged through the council's social care
    "pooled": SHARED,
}

# ICD-10 primary diagnoses whose detail is sensitive. Dementia (F00-F03) and delirium (F05)
# are not: they are managed by general and community services and every carer needs them.
_DIAGNOSIS_SENSITIVITY: tuple[tuple[str, str, str], ...] = (
    ("F04", "F04", Sensitivity.MENTAL_HEALTH),
    ("F06", "F99", Sensitivity.MENTAL_HEALTH),
    ("A50", "A64", Sensitivity.SEXUAL_HEALTH),
    ("B20", "B24", Sensitivity.SEXUAL_HEALTH),
    ("Z21", "Z21", Sensitivity.SEXUAL_HEALTH),
    ("T74", "T74", Sensitivity.SAFEGUARDING),
    ("T76", "T76", Sensitivity.SAFEGUARDING),
    ("Y05", "Y07", Sensitivity.SAFEGUARDING),
)


# Why a list shows a person's name without a link to their record (completes "record not
# open to you: "), where the page has no more particular reason.
NOT_RELATED = "you have no care relationship with this person"


def break_glass_duration() -> dt.timedelta:
    """How long a break-glass lasts: JOINEDUP_BREAK_GLASS_HOURS, 4 hours by default."""
    return dt.timedelta(hours=float(getattr(settings, "BREAK_GLASS_HOURS", 4)))


class RecordRefusedError(Exception):
    """No record for this viewer: said the same way whether or not the person exists.

    `person_exists` is for the audit only (opened_record audits refusals of real people);
    what reaches a caller never carries it.
    """

    message = "You do not have a care relationship with this person, or there is no such person."

    def __init__(self, *, person_exists: bool = False) -> None:
        super().__init__(self.message)
        self.person_exists = person_exists


def staff_of(user: Any) -> StaffMember | None:
    """The user's staff record, or None (anonymous, or an account without one)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "staff_member", None)


def staff_sector(staff: StaffMember) -> str:
    return ORGANISATION_SECTOR.get(staff.organisation.kind, UNKNOWN)


def may_read_sensitivity(profession: str, sensitivity: str | None) -> bool:
    return not sensitivity or profession in SENSITIVE_READERS.get(sensitivity, frozenset())


# --- the sector and sensitivity of each kind of entry -------------------------------------


def contact_sector(sector: str | None) -> str:
    return sector or UNKNOWN


def contact_sensitivity(service: str | None) -> str | None:
    return Sensitivity.MENTAL_HEALTH if service == "mental_health" else None


def referral_sector(source: str | None) -> str:
    return REFERRAL_SOURCE_SECTOR.get(source or "", UNKNOWN)


def package_sector(funder: str | None) -> str:
    return PACKAGE_FUNDER_SECTOR.get(funder or "", UNKNOWN)


# Long-term conditions whose very presence is mental health detail (ICD-10 F20-F39, inside
# the range _DIAGNOSIS_SENSITIVITY labels), so the conditions list hides what the timeline
# hides. Dementia is not, for the reason given there.
_CONDITION_SENSITIVITY: dict[str, str] = {
    "depression": Sensitivity.MENTAL_HEALTH,
    "severe_mental_illness": Sensitivity.MENTAL_HEALTH,
}


# Professions whose very involvement is sensitive detail: being under a mental health
# service is itself mental health detail, so a care team row of such a practitioner, and
# who wrote an entry they wrote, follow that label (joinedup.access.models.Sensitivity).
# The model has no sexual health profession or service; one added belongs here.
_PROFESSION_SENSITIVITY: dict[str, str] = {
    Profession.MENTAL_HEALTH_PRACTITIONER: Sensitivity.MENTAL_HEALTH,
}


# Who wrote or saved something, where the viewer may not know it (see above).
AUTHOR_WITHHELD = "a member of the person's care team"


def profession_sensitivity(profession: str | None) -> str | None:
    """The label a member of staff's involvement with a person carries, else None."""
    return _PROFESSION_SENSITIVITY.get(profession or "")


def condition_sensitivity(condition: str | None) -> str | None:
    """The label of a long-term condition (joinedup.lake.schema.CONDITIONS), else None."""
    return _CONDITION_SENSITIVITY.get(condition or "")


def diagnosis_sensitivity(code: str | None) -> str | None:
    """The label of a hospital spell whose primary diagnosis is sensitive, else None."""
    if not code:
        return None
    category = code.strip().upper()[:3]
    for low, high, label in _DIAGNOSIS_SENSITIVITY:
        if low <= category <= high:
            return label
    return None


# --- relationships --------------------------------------------------------------------


def current_on(today: dt.date, start: str, end: str) -> Q:
    """Rows that have started by `today` and not ended (an end date is the first day gone)."""
    return Q(**{f"{start}__lte": today}) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": today})
    )


def _team_ids(staff: StaffMember) -> list[str]:
    return list(staff.teams.values_list("id", flat=True))


def _caseload(team_ids: Any, today: dt.date) -> Q:
    return Q(team_id__in=team_ids) & current_on(today, "start_date", "end_date")


def _referrals(team_ids: Any) -> Q:
    return Q(team_id__in=team_ids, status__in=referral_lifecycle.OPEN, closed_at__isnull=True)


# The policy's own relationships: the team's caseload and open referrals, and the key worker.
TEAM_RELATIONSHIPS = (
    WorkRelationship(
        "caseload",
        "the person is on your team's caseload",
        "when the team's episode of care ends",
        lambda worker, now: (
            Episode.objects.filter(_caseload(worker.team_ids(), timezone.localdate(now)))
            if worker.teams
            else None
        ),
    ),
    WorkRelationship(
        "open_referral",
        "your team holds an open referral for the person",
        "when the referral is completed, rejected, cancelled or withdrawn",
        lambda worker, now: (
            Referral.objects.filter(_referrals(worker.team_ids())) if worker.teams else None
        ),
    ),
    WorkRelationship(
        "key_worker",
        "you are the person's key worker",
        "when another key worker is allocated or the allocation ends",
        lambda worker, now: CareTeamMember.objects.filter(
            Q(staff=worker.staff, key_worker=True)
            & current_on(timezone.localdate(now), "started", "ended")
        ),
    ),
)


def relationships() -> tuple[WorkRelationship, ...]:
    """Every relationship that opens a record: the team's, then those the apps' work gives."""
    return TEAM_RELATIONSHIPS + app_relationships()


@dataclass(frozen=True)
class Relationship:
    """What lets a viewer into one record: the relationships they hold, or a break-glass."""

    reasons: tuple[WorkRelationship, ...] = ()
    break_glass_until: dt.datetime | None = None

    @property
    def legitimate(self) -> bool:
        return bool(self.reasons)

    @property
    def opens_record(self) -> bool:
        return self.legitimate or self.break_glass_until is not None

    def holds(self, key: str) -> bool:
        return any(reason.key == key for reason in self.reasons)

    def describe(self) -> str:
        """Why the viewer may see the record, in words for the page."""
        if self.reasons:
            because = " and ".join(reason.because for reason in self.reasons)
            return f"You can see this record because {because}."
        if self.break_glass_until is not None:
            return (
                "You broke the glass to see this record; access ends at "
                f"{timezone.localtime(self.break_glass_until):%H:%M on %d %B %Y}."
            )
        return RecordRefusedError.message


def relationship(
    staff: StaffMember, person_id: str, now: dt.datetime | None = None
) -> Relationship:
    """The viewer's relationship with one person (none for a person who does not exist):
    the first that holds, or a break-glass."""
    if not FIND_PEOPLE.allows(staff):
        return Relationship()
    now = now or timezone.now()
    glass = (
        BreakGlass.objects.filter(staff=staff, person_id=person_id, expires_at__gt=now)
        .order_by("-expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
    worker = Worker.of(staff)
    # The first relationship that holds is enough to open the record and to say why: the
    # rest are not asked (a query each), the team's own first, as the commonest.
    held = next((r for r in relationships() if r.holds(worker, person_id, now)), None)
    return Relationship(reasons=() if held is None else (held,), break_glass_until=glass)


def related_person_ids(
    staff: StaffMember, person_ids: Collection[str], now: dt.datetime | None = None
) -> set[str]:
    """Which of these people the viewer has a legitimate relationship with (a query a kind)."""
    if not FIND_PEOPLE.allows(staff) or not person_ids:
        return set()
    now = now or timezone.now()
    worker = Worker.of(staff)
    related: set[str] = set()
    for kind in relationships():
        related |= kind.among(worker, set(person_ids) - related, now)
    return related


def openable_person_ids(
    staff: StaffMember | None, person_ids: Collection[str], now: dt.datetime | None = None
) -> set[str]:
    """Which of these people's records the viewer may open now: a relationship or an active
    break-glass. Lists link only these, so no link the platform shows leads to a refusal."""
    if staff is None or not FIND_PEOPLE.allows(staff) or not person_ids:
        return set()
    now = now or timezone.now()
    glass = broken_glass_ids(staff, person_ids, now)
    return glass | related_person_ids(staff, set(person_ids) - glass, now)


def broken_glass_ids(
    staff: StaffMember, person_ids: Collection[str], now: dt.datetime | None = None
) -> set[str]:
    """Which of these people's records the viewer has an unexpired break-glass on (one
    query): with related_person_ids, what openable_person_ids gives, for a page that needs
    both apart (search)."""
    return set(
        BreakGlass.objects.filter(
            staff=staff, person_id__in=list(person_ids), expires_at__gt=now or timezone.now()
        ).values_list("person_id", flat=True)
    )


def break_glass_under_review(staff: StaffMember, now: dt.datetime | None = None) -> Q:
    """A BreakGlass filter: the uses a team manager reviews.

    Uses by a member of one of the manager's teams, and uses on a person the manager's teams
    hold now (caseload or open referral), whoever broke the glass. Nothing for anyone else.
    """
    if not REVIEW_BREAK_GLASS.allows(staff):
        return Q(pk__in=[])
    today = timezone.localdate(now or timezone.now())
    teams = _team_ids(staff)
    if not teams:
        return Q(staff=staff)
    return (
        Q(staff__in=StaffMember.objects.filter(teams__id__in=teams).values("pk"))
        | Q(person_id__in=Episode.objects.filter(_caseload(teams, today)).values("person_id"))
        | Q(person_id__in=Referral.objects.filter(_referrals(teams)).values("person_id"))
    )


def has_objection(person_id: str) -> bool:
    return Consent.objects.filter(
        person_id=person_id, kind=Consent.Kind.SHARING_OBJECTION, ended_at__isnull=True
    ).exists()


def objecting(person_ids: Collection[str]) -> set[str]:
    """Which of these people object to sharing between health and social care (one query)."""
    return set(
        Consent.objects.filter(
            person_id__in=list(person_ids),
            kind=Consent.Kind.SHARING_OBJECTION,
            ended_at__isnull=True,
        ).values_list("person_id", flat=True)
    )


def visible_across_sectors(viewer_sector: str, sector: str, objection: bool) -> bool:
    """Whether an entry of `sector` may be shown to a viewer of `viewer_sector`: always,
    unless the person objects to sharing, when only the viewer's own side and the
    integrated team's shared entries are (an unknown side on either end is hidden)."""
    if not objection:
        return True
    return sector == SHARED or (sector == viewer_sector and viewer_sector != UNKNOWN)


@dataclass(frozen=True)
class RecordAccess:
    """An opened record: the person, why it is open, and the test every entry must pass."""

    staff: StaffMember
    person: Person
    relationship: Relationship
    objection: bool

    @cached_property  # asked once an entry, and a record has hundreds
    def sector(self) -> str:
        return staff_sector(self.staff)

    def may_see(self, sector: str, sensitivity: str | None = None) -> bool:
        """Whether this viewer may see an entry of this sector and sensitivity label."""
        if not may_read_sensitivity(self.staff.profession, sensitivity):
            return False
        return visible_across_sectors(self.sector, sector, self.objection)

    def may_see_author(self, profession: str) -> bool:
        """Whether this viewer may know that a member of this profession is involved."""
        return may_read_sensitivity(self.staff.profession, profession_sensitivity(profession))


def write_refused(what: str) -> PermissionDenied:
    """The 403 for a write to a record only a break-glass opens: break-glass reads a record
    in an emergency; what the person's team keeps in it is the team's to change."""
    return PermissionDenied(
        f"Break-glass lets you read this record, not change {what}: ask the person's team."
    )


def refuse_write_under_break_glass(
    user: Any, person_id: str, what: str, now: dt.datetime | None = None
) -> None:
    """Raise write_refused before a write opens the record, when only a break-glass would
    open it (a refusal is left to opened_record, identical for a missing person). Check
    again inside the transaction with RecordAccess.relationship.legitimate."""
    staff = staff_of(user)
    if staff is not None:
        held = relationship(staff, person_id, now)
        if held.opens_record and not held.legitimate:
            raise write_refused(what)


@contextmanager
def opened_record(
    user: Any, person_id: str, *, what: str = "record", now: dt.datetime | None = None
) -> Iterator[RecordAccess]:
    """The person's record for this viewer, as a transaction that audits it; or a refusal.

        with opened_record(request.user, person_id) as access:
            ...read everything the page shows...

    The audit event is written last, just before the transaction commits, so the audit
    chain's lock (every writer queues on it) is held for a moment rather than for all the
    page's reads; an error while reading rolls back the event with the read. A refusal of
    a real person is audited and committed (a pattern of refusals is what snooping looks
    like) before RecordRefusedError is raised; a refusal of an id that matches nobody has no
    person to audit against and is otherwise identical.
    """
    with transaction.atomic():
        try:
            access = _decide(user, person_id, now)
        except RecordRefusedError as refusal:
            refused: RecordRefusedError | None = refusal
        else:
            refused = None
            yield access
            via = "relationship" if access.relationship.legitimate else "break-glass"
            record_event(AuditAction.VIEW, user=user, person_id=person_id, what=f"{what} ({via})")
    if refused is not None:
        if refused.person_exists:
            with transaction.atomic():
                record_event(
                    AuditAction.VIEW, user=user, person_id=person_id, what=f"{what}: refused"
                )
        raise RecordRefusedError


def _decide(user: Any, person_id: str, now: dt.datetime | None) -> RecordAccess:
    staff = staff_of(user)
    if staff is None or not FIND_PEOPLE.allows(staff):
        raise RecordRefusedError
    found = Person.objects.select_related("practice", "neighbourhood").filter(pk=person_id).first()
    if found is None:
        raise RecordRefusedError
    held = relationship(staff, person_id, now)
    if not held.opens_record:
        raise RecordRefusedError(person_exists=True)
    return RecordAccess(
        staff=staff, person=found, relationship=held, objection=has_objection(person_id)
    )


def break_glass(
    user: Any, person_id: str, reason: str, now: dt.datetime | None = None
) -> dt.datetime:
    """Open a record for break_glass_duration() with a reason; returns when access ends.

    The same whether or not the person exists (the row is keyed by the id as typed), and
    always audited. Call inside transaction.atomic().
    """
    staff = staff_of(user)
    reason = reason.strip()
    if staff is None or not BREAK_GLASS.allows(staff):
        raise RecordRefusedError
    if not reason:
        raise ValueError("Give the reason you need to see this record.")
    if len(person_id) > ID_LENGTH:  # no person has such an id, and the row could not hold it
        raise RecordRefusedError
    now = now or timezone.now()
    expires = now + break_glass_duration()
    BreakGlass.objects.create(
        staff=staff, person_id=person_id, reason=reason, started_at=now, expires_at=expires
    )
    record_event(
        AuditAction.BREAK_GLASS, user=user, person_id=person_id, what="record", reason=reason
    )
    return expires
