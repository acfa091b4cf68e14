"""Matching a system's referral to its person, when the system's details were not certain.

Triage sees what was sent and the likely matches, and either chooses the person (or, having
confirmed none of them is, makes a new record) which makes the referral as sent, or
rejects the submission with a reason. The intake is kept either way.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from joinedup.access.decorators import staff_member_required
from joinedup.lake.schema import SEX
from joinedup.people.search import Candidate
from joinedup.record.models import GpPractice, Person, enum_choices
from joinedup.referrals.matching import audited_match
from joinedup.referrals.models import Intake
from joinedup.referrals.new_person import create_person
from joinedup.referrals.permissions import intake_matcher_or_403
from joinedup.referrals.submission import Submission, read_new_person, read_referral
from joinedup.referrals.views.form_data import field_errors
from joinedup.referrals.workflow import Actor, create_referral
from joinedup.untrusted_json import storable


def _page(
    request: HttpRequest,
    intake: Intake,
    sub: Submission,
    candidates: list[Candidate],
    problems: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    return render(
        request,
        "referrals/intake.jinja",
        {
            "intake": intake,
            "sub": sub,
            "candidates": candidates,
            "data": request.POST if request.method == "POST" else {},
            "problems": field_errors(problems),
            "sexes": enum_choices(SEX),
            "practices": GpPractice.objects.order_by("name", "id"),
        },
        status=400 if problems else 200,
    )


@staff_member_required
def intake(request: HttpRequest, intake_id: int) -> HttpResponse:
    held = Intake.objects.select_related("client").filter(pk=intake_id).first()
    if held is None:
        intake_matcher_or_403(request.user, "")
        raise Http404("No such submission.")
    intake_matcher_or_403(request.user, held.urgency)
    if held.status != Intake.Status.AWAITING_MATCH:
        if held.referral_id:
            return redirect("referrals:referral", held.referral_id)
        return redirect("referrals:triage")
    # storable: a body kept from before joinedup.untrusted_json refused unstorable text
    sub = read_referral(storable(held.payload), source=held.client.source)
    assert sub.details is not None  # it was checked when it arrived
    candidates = audited_match(sub.details, request.user, "intake: matching").candidates
    if request.method != "POST":
        return _page(request, held, sub, candidates)
    actor = Actor(user=request.user)
    now = timezone.now()
    if request.POST.get("action") == "reject":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            return _page(request, held, sub, candidates,
                         [("reason", "reason: give the reason for rejecting it")])  # fmt: skip
        Intake.objects.filter(pk=held.pk, status=Intake.Status.AWAITING_MATCH).update(
            status=Intake.Status.REJECTED, decided_by=actor.username, decided_at=now,
            decision=reason,
        )  # fmt: skip
        return redirect("referrals:triage")
    choice = request.POST.get("person_choice", "")
    problems: list[tuple[str, str]] = []
    person: Person | None = None
    new_person = None
    if choice in {c.id for c in candidates}:
        person = Person.objects.get(pk=choice)
    elif choice == "new":
        if candidates and request.POST.get("confirm_new") != "yes":
            problems.append(("confirm_new", "confirm_new: confirm that none of the people "
                             "listed is the person, or choose one of them"))  # fmt: skip
        new_person = read_new_person(request.POST.dict(), problems)
    else:
        problems.append(("person_choice", "person_choice: choose the person, or a new record"))
    if problems:
        return _page(request, held, sub, candidates, problems)
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=held.pk)
        if locked.status != Intake.Status.AWAITING_MATCH:
            return redirect("referrals:triage")  # someone else decided meanwhile
        if person is None:
            assert new_person is not None
            person = create_person(
                sub.details, new_person, actor=actor, candidates_seen=len(candidates)
            )
        referral = create_referral(
            person=person, urgency=sub.urgency, source=sub.source, reason=sub.reason,
            needs=sub.needs, actor=actor, referrer_name=sub.referrer_name,
            referrer_role=sub.referrer_role, referrer_phone=sub.referrer_phone,
            external_id=locked.external_id, source_system=locked.client.name,
            now=locked.received_at,
        )  # fmt: skip
        locked.status = Intake.Status.MATCHED
        locked.referral = referral
        locked.decided_by, locked.decided_at = actor.username, now
        locked.decision = f"Matched to {person.pk}"
        locked.save()
    return redirect("referrals:referral", referral.pk)
