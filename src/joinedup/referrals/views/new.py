"""The referral form for staff: who the person is (matched first), what they need, who asks.

Nothing is saved until the person is certain: an NHS number that matches (with the same
date of birth), or one of the likely matches chosen by the referrer, or a new person
record the referrer has confirmed is not any of them (audited with that confirmation).
Started from a person's record (?person=<id>), the person is already certain: the form
names them and asks nothing about who they are, and opening it is a read of their record
(joinedup.access.policy.opened_record), refused as the record page refuses it, the same
whether or not the person exists. Every referral made here says whether the person agreed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from joinedup.access.decorators import staff_member_required
from joinedup.access.models import StaffMember
from joinedup.access.policy import RecordRefusedError, opened_record
from joinedup.access.staff_names import staff_name
from joinedup.forms.dates import DateEntry, read_date, with_error
from joinedup.forms.errors import error_text
from joinedup.lake.schema import REFERRAL_SOURCES, SEX, URGENCIES
from joinedup.people.search import Candidate
from joinedup.people.views.record import refused
from joinedup.record.models import GpPractice, Person, enum_choices
from joinedup.referrals.matching import audited_match
from joinedup.referrals.new_person import create_person
from joinedup.referrals.permissions import referrer_or_403
from joinedup.referrals.submission import (
    CONSENT_ITEMS,
    URGENCY_LABELS,
    Submission,
    read_consent,
    read_new_person,
    read_referral,
)
from joinedup.referrals.views.form_data import field_errors, nested
from joinedup.referrals.workflow import Actor, create_referral

SOURCE_BY_PROFESSION = {
    "gp": "gp",
    "pharmacist": "gp",
    "discharge_coordinator": "hospital",
    "social_worker": "social_care",
    "occupational_therapist": "social_care",
    "care_navigator": "voluntary",
}
NEW = "new"
# The date of birth's NHS.UK date input: boxes person-birth-date_day, _month, _year, and the
# day box's id person-birth-date-day (field_id of the problem's name, person.birth_date_day).
BIRTH_DATE = "person-birth-date"


def _born_typed(request: HttpRequest) -> DateEntry:
    return read_date(request.POST, BIRTH_DATE, "date of birth", example="11 2 1938")


def _initial(staff: StaffMember) -> dict[str, Any]:
    return {
        "source": SOURCE_BY_PROFESSION.get(staff.profession, "other"),
        "referrer": {
            "name": staff_name(staff),
            "role": f"{staff.get_profession_display()}, {staff.organisation.name}",
            "phone": staff.phone,
        },
    }


def _page(
    request: HttpRequest,
    data: dict[str, Any],
    problems: list[tuple[str, str]] | None = None,
    candidates: list[Candidate] | None = None,
    ask_new: bool = False,
    known: Person | None = None,
) -> HttpResponse:
    errors = field_errors(problems)
    born = DateEntry.blank()
    if request.method == "POST":  # what was typed, with its problem (if any) beside it
        born = with_error(_born_typed(request), error_text(errors, f"{BIRTH_DATE}-day"))
    return render(
        request,
        "referrals/new.jinja",
        {
            "data": data,
            "known": known,
            "born": born,
            "consent_items": CONSENT_ITEMS,
            "problems": errors,
            "candidates": candidates or [],
            "ask_new": ask_new,
            "urgencies": [(u, URGENCY_LABELS[u]) for u in URGENCIES],
            "sources": enum_choices(REFERRAL_SOURCES),
            "sexes": enum_choices(SEX),
            "practices": GpPractice.objects.order_by("name", "id"),
        },
    )


def _known_person(request: HttpRequest, person_id: str) -> Person:
    """The person the form was started for, their record's read audited; raises
    RecordRefusedError as the record page does (nothing said about whether they exist)."""
    with opened_record(request.user, person_id, what="referral form") as access:
        return access.person


@staff_member_required
def new_referral(request: HttpRequest) -> HttpResponse:
    staff = referrer_or_403(request.user)
    posted = request.method == "POST"
    person_id = (request.POST.get("person_id") if posted else request.GET.get("person")) or ""
    known = None
    if person_id.strip():
        try:
            known = _known_person(request, person_id.strip())
        except RecordRefusedError:
            return refused(request, person_id.strip())
    if not posted:
        return _page(request, _initial(staff), known=known)
    data = nested(request.POST)
    sub = read_referral(data, person_known=known is not None, born_typed=_born_typed(request))
    read_problems = list(sub.problems)
    consent = read_consent(data, read_problems)
    if read_problems or consent is None or (known is None and sub.details is None):
        return _page(request, data, read_problems, known=known)
    if known is not None:
        return _made(request, staff, sub, consent, known)
    assert sub.details is not None
    found = audited_match(sub.details, request.user, "referral form: matching")
    if found.problem:
        return _page(request, data, [("person.nhs_number", found.problem)])
    choice = data.get("person_choice", "")
    person: Person | None = found.person
    new_person = None
    if person is None:
        ids = {c.id for c in found.candidates}
        if choice in ids:
            person = Person.objects.get(pk=choice)
        elif choice != NEW:
            message = (
                "person_choice: these people have similar details; choose the person this "
                "referral is for, or confirm that none of them is"
                if found.candidates
                else "person_choice: no one with these details is known; check them, or "
                "confirm a new person record and give their GP practice and circumstances"
            )
            return _page(request, data, [("person_choice", message)], found.candidates, True)
        else:
            problems: list[tuple[str, str]] = []
            if found.candidates and data.get("confirm_new") != "yes":
                problems.append(
                    ("confirm_new", "confirm_new: confirm that none of the people listed is "
                     "the person, or choose one of them")
                )  # fmt: skip
            new_person = read_new_person(data, problems)
            if problems or new_person is None:
                return _page(request, data, problems, found.candidates, True)
    actor = Actor(user=request.user)
    with transaction.atomic():
        if person is None and new_person is not None:
            person = create_person(
                sub.details, new_person, actor=actor, candidates_seen=len(found.candidates)
            )
        assert person is not None
        return _made(request, staff, sub, consent, person)


def _made(
    request: HttpRequest, staff: StaffMember, sub: Submission, consent: str, person: Person
) -> HttpResponse:
    referral = create_referral(
        person=person,
        urgency=sub.urgency,
        source=sub.source,
        reason=sub.reason,
        needs=sub.needs,
        actor=Actor(user=request.user),
        referrer_name=sub.referrer_name,
        referrer_role=sub.referrer_role,
        referrer_phone=sub.referrer_phone,
        referrer_organisation=staff.organisation,
        consent=consent,
    )
    messages.success(request, f"Referral sent for {person}.")
    return redirect("referrals:referral", referral.pk)
