"""A referral started from the person's record, and the referrer's answer on consent.

The record links to the form with the person already matched (no search step); the form
opens only for a person whose record the viewer may open, refused exactly as the record
is otherwise. Every referral made through the form says whether the person agreed, and a
person with capacity who declined is not referred."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from clock import clock_at
from date_boxes import date_boxes
from joinedup.access.models import AuditAction, AuditEvent
from joinedup.formatting import nhs_number_text
from joinedup.record.models import Person, Referral
from joinedup.referrals.models import ReferralConsent
from joinedup.referrals.workflow import Actor, create_referral
from workspace_world import Workspace, build_workspace

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

MOMENT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
clock = clock_at(MOMENT)
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
CONSENT_LABELS = (
    "Yes, they agreed",
    "No: they lack capacity to decide and it is in their best interests",
    "No: made without consent because of a safeguarding concern",
    "No, they declined",
)


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def text(content: bytes) -> str:
    return html.unescape(content.decode())


def referral_fields(**changes: str) -> dict[str, str]:
    data = {
        "person_id": "p-ada",
        "consent": "agreed",
        "urgency": "routine",
        "reason": "Struggling with stairs since a fall",
        "needs": "Assessment for equipment; lives alone.",
        "source": "social_care",
        "referrer.name": "Nia Hart",
        "referrer.role": "District nurse",
        "referrer.phone": "01632 960123",
    }
    data.update(changes)
    return data


def test_the_record_links_to_the_form_with_the_person_matched(world: Workspace) -> None:
    nurse = world.client("nurse")  # Ada is on her team's caseload
    record = text(nurse.get("/people/p-ada/").content)
    assert re.search(
        r'<a href="/referrals/new/\?person=p-ada" id="make-referral">Make a referral</a>', record
    )

    response = nurse.get("/referrals/new/?person=p-ada")

    body = text(response.content)
    assert response.status_code == 200
    known = body[
        body.index('id="known-person"') : body.index("</dl>", body.index('id="known-person"'))
    ]
    number = nhs_number_text(world.people["ada"].nhs_number)
    assert "Ada Quillfeather" in known and number in known and "11 February 1938" in known
    assert 'name="person_id" value="p-ada"' in body
    # No search step: nothing asks who the person is.
    for asked in ('name="person.given_name"', 'name="person.nhs_number"', 'name="person_choice"'):
        assert asked not in body
    for label in CONSENT_LABELS:
        assert label in body
    assert "Did the person agree to the referral?" in body
    # Opening the form read the record's identity: audited as a view of the record.
    view = AuditEvent.objects.get(
        username="nurse", person_id="p-ada", what__startswith="referral form"
    )
    assert (view.action, view.what) == (AuditAction.VIEW, "referral form (relationship)")


@pytest.mark.parametrize("answer", ["agreed", "best_interests", "safeguarding"])
def test_a_referral_from_the_record_keeps_the_consent_answer(world: Workspace, answer: str) -> None:
    nurse = world.client("nurse")

    response = nurse.post("/referrals/new/", referral_fields(consent=answer))

    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    assert (referral.person_id, referral.status, referral.referred_by) == (
        "p-ada",
        "requested",
        world.user("nurse"),
    )
    assert ReferralConsent.objects.get(referral=referral).answer == answer
    # Matched without a search: no one was disclosed as a search hit.
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH_HIT).exists()
    made = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert made.what == f"referral {referral.pk} (routine, consent: {answer})"
    label = dict(ReferralConsent.Answer.choices)[answer]
    # Shown to the referrer and to triage, which opens it from its queue.
    for who in ("nurse", "spa"):
        page = text(world.client(who).get(f"/referrals/{referral.pk}/").content)
        row = page[page.index("Did the person agree to the referral?") :]
        assert label in row[: row.index("</div>")], who
    queue = text(world.client("spa").get("/referrals/triage/").content)
    assert f"/referrals/{referral.pk}/" in queue


@pytest.mark.parametrize(
    ("consent", "message"),
    [
        ("declined", "A person with capacity who declines cannot be referred unless there is a "
                     "safeguarding concern"),
        ("", "Say whether the person agreed to the referral"),
        ("maybe", "Say whether the person agreed to the referral"),
    ],
)  # fmt: skip
def test_consent_is_required_and_declined_is_refused(
    world: Workspace, consent: str, message: str
) -> None:
    nurse = world.client("nurse")
    for fields in (referral_fields(consent=consent), by_search(world.people["ada"], consent)):
        response = nurse.post("/referrals/new/", fields)
        body = text(response.content)
        assert response.status_code == 200 and "There is a problem" in body
        assert 'href="#consent"' in body and 'id="consent"' in body
        assert body.count(message) == 2  # in the summary and beside the field
        assert not Referral.objects.exists() and not ReferralConsent.objects.exists()
        # What was typed is kept.
        assert "Struggling with stairs since a fall" in body


def by_search(person: Person, consent: str) -> dict[str, str]:
    """The form filled in without starting from the record: the person found by details."""
    fields = referral_fields(consent=consent)
    del fields["person_id"]
    fields.update(
        {
            "person.nhs_number": person.nhs_number or "",
            "person.given_name": person.given_name,
            "person.family_name": person.family_name,
            **date_boxes("person-birth-date", person.birth_date),
            "person.postcode": person.postcode,
        }
    )
    return fields


def test_a_person_the_viewer_may_not_see_is_refused_as_if_no_one(world: Workspace) -> None:
    outsider = world.client("outsider")  # Southmead: no relationship with Ada
    record_refusal = outsider.get("/people/p-ada/")
    real = outsider.get("/referrals/new/?person=p-ada")
    missing = outsider.get("/referrals/new/?person=p-nobody")

    assert real.status_code == missing.status_code == record_refusal.status_code == 403
    blank = b'name="csrfmiddlewaretoken" value=""'
    assert CSRF.sub(blank, real.content).replace(b"p-ada", b"<ID>") == CSRF.sub(
        blank, missing.content
    ).replace(b"p-nobody", b"<ID>")
    assert [t.name for t in real.templates] == [t.name for t in record_refusal.templates]
    assert "Quillfeather" not in real.content.decode()
    # Posting the id is refused the same way, and nothing is made.
    posted = outsider.post("/referrals/new/", referral_fields())
    assert posted.status_code == 403 and "Quillfeather" not in posted.content.decode()
    assert not Referral.objects.exists()
    # The refusals of a real person are audited; the missing id has no one to audit.
    refused = AuditEvent.objects.filter(person_id="p-ada", what="referral form: refused")
    assert refused.count() == 2
    assert not AuditEvent.objects.filter(person_id="p-nobody").exists()


def test_those_who_may_not_refer_get_no_form(world: Workspace) -> None:
    commissioner = world.client("commissioner")
    assert commissioner.get("/referrals/new/?person=p-ada").status_code == 403
    assert commissioner.post("/referrals/new/", referral_fields()).status_code == 403
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(person_id="p-ada").exists()


def test_a_system_referral_shows_consent_not_recorded(world: Workspace) -> None:
    referral = create_referral(
        person=world.people["cora"], urgency="urgent", source="telecare", reason="Alarm",
        needs="Check", actor=Actor(system="Casterbridge Telecare"), now=MOMENT,
    )  # fmt: skip
    assert not ReferralConsent.objects.exists()
    page = text(world.client("spa").get(f"/referrals/{referral.pk}/").content)
    row = page[page.index("Did the person agree to the referral?") :]
    assert "Not recorded" in row[: row.index("</div>")]
