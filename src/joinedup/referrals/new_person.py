"""Making a person record at referral, only when matching found no one it could be.

The caller has already shown the likely matches and had the referrer confirm that none of
them is the person; that confirmation is written to the audit event with the new record,
so a duplicate made in error can be traced and merged.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from joinedup.access.audit import record_event
from joinedup.access.models import AuditAction
from joinedup.record.models import Person
from joinedup.referrals.matching import PersonDetails
from joinedup.referrals.submission import NewPerson
from joinedup.referrals.workflow import Actor, new_id


def create_person(
    details: PersonDetails, new: NewPerson, *, actor: Actor, candidates_seen: int,
    today: dt.date | None = None,
) -> Person:  # fmt: skip
    """Call inside the referral's transaction: the person exists only if the referral does."""
    person = Person(
        id=new_id("person"),
        birth_date=details.birth_date,
        sex=new.sex,
        neighbourhood_id=new.practice.neighbourhood_id,
        practice=new.practice,
        lives_alone=new.lives_alone,
        has_unpaid_carer=new.has_unpaid_carer,
        registered_from=today or timezone.localdate(),
        nhs_number=details.nhs_number or None,
        given_name=details.given_name,
        family_name=details.family_name,
        postcode=details.postcode,
    )
    person.save()
    confirmed = (
        f"confirmed none of {candidates_seen} likely matches is the person"
        if candidates_seen
        else "no likely match found"
    )
    record_event(
        AuditAction.CREATE,
        user=actor.user,
        username=actor.system,
        person_id=person.pk,
        what="person record at referral",
        reason=confirmed,
    )
    return person
