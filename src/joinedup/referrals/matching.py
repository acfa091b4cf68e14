"""Finding the person a referral is for, before anything is saved.

An NHS number, when given, decides (and must agree with the date of birth given with it);
otherwise the person search of the record (joinedup.people.search) looks for likely
matches on name, date of birth and postcode. A referral form shows those matches and
will not make a new person while any exist unless the referrer says none of them is the
person; the endpoint uses only a certain match (NHS number, or exactly one person with the
same names, date of birth and postcode) and otherwise leaves the choice to triage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from joinedup.access.audit import record_events
from joinedup.access.models import AuditAction
from joinedup.people.search import Candidate, SearchQuery, find_people, normalise_postcode
from joinedup.record.models import Person
from joinedup.record.name_sounds import fold

CANDIDATE_LIMIT = 8


@dataclass(frozen=True)
class PersonDetails:
    """What a referrer says about who the person is (nhs_number already validated)."""

    given_name: str
    family_name: str
    birth_date: dt.date
    postcode: str = ""
    nhs_number: str = ""


@dataclass
class PersonMatch:
    person: Person | None = None  # certain
    candidates: list[Candidate] = field(default_factory=list)  # likely, to choose from
    problem: str = ""  # why the details cannot be used as they are
    conflict_id: str = ""  # the person whose NHS number the problem is about

    @property
    def certain(self) -> bool:
        return self.person is not None

    @property
    def disclosed(self) -> list[str]:
        """Everyone whose existence the answer shows, for the audit (as search hits)."""
        return [c.id for c in self.candidates] + ([self.conflict_id] if self.conflict_id else [])


def _same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def _exact(details: PersonDetails, candidate: Candidate) -> bool:
    return (
        _same(details.given_name, candidate.given_name)
        and _same(details.family_name, candidate.family_name)
        and details.birth_date == candidate.birth_date
        and bool(details.postcode)
        and normalise_postcode(details.postcode) == normalise_postcode(candidate.postcode or "")
    )


def match_person(details: PersonDetails) -> PersonMatch:
    if details.nhs_number:
        person = Person.objects.filter(nhs_number=details.nhs_number).first()
        if person is not None:
            if person.birth_date != details.birth_date:
                return PersonMatch(
                    problem="nhs_number: this NHS number belongs to someone with a different "
                    "date of birth; check both",
                    conflict_id=person.pk,
                )
            return PersonMatch(person=person)
    words = tuple(w for w in (details.given_name, details.family_name) if w.strip())
    query = SearchQuery(
        text=" ".join(words),
        birth_date=details.birth_date,
        postcode=normalise_postcode(details.postcode) if details.postcode.strip() else "",
        names=words,
    )
    found = find_people(query, limit=CANDIDATE_LIMIT)
    candidates = [m.person for m in found.matches]
    if details.nhs_number:
        # The number given is no one's: someone recorded with another number is not them.
        candidates = [c for c in candidates if not c.nhs_number]
    return PersonMatch(candidates=candidates)


def audited_match(details: PersonDetails, user: Any, what: str) -> PersonMatch:
    """match_person, with everyone the answer discloses audited as a search hit (as the
    person search does), in the same transaction."""
    with transaction.atomic():
        found = match_person(details)
        record_events(AuditAction.SEARCH_HIT, user=user, person_ids=found.disclosed, what=what)
    return found


def certain_match(details: PersonDetails) -> PersonMatch:
    """For systems: a match only when it cannot be wrong (else candidates for triage)."""
    found = match_person(details)
    if found.certain or found.problem:
        return found
    exact = [c for c in found.candidates if _exact(details, c)]
    if len(exact) == 1:
        return PersonMatch(person=Person.objects.get(pk=exact[0].id))
    return found
