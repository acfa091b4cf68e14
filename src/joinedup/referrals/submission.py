"""Reading a referral as sent, by the form or the endpoint, into checked values.

One reader for both, so the rules cannot drift: each problem is (field, message) with the
field named as the endpoint's JSON names it ("person.birth_date"), and nothing is saved
while any problem remains.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from joinedup.forms.dates import ISO_OR_DAY_FIRST, DateEntry, parse_date
from joinedup.lake.schema import REFERRAL_SOURCES, SEX, URGENCIES
from joinedup.people.search import normalise_postcode
from joinedup.record import nhs_number
from joinedup.record.models import GpPractice
from joinedup.referrals.matching import PersonDetails
from joinedup.referrals.models import ConsentAnswer

URGENCY_LABELS = {
    "two_hour": "Two-hour urgent community response",
    "urgent": "Urgent (within 2 days)",
    "routine": "Routine",
}
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
LIMITS = {"reason": 300, "needs": 4000, "name": 100, "referrer": 200, "phone": 40, "id": 100}
EARLIEST_BIRTH_YEAR = 1890  # an earlier year is a typing slip, not a person being referred
Problem = tuple[str, str]


@dataclass
class NewPerson:
    """What making a new person record needs beyond the identity matched on."""

    sex: str
    practice: GpPractice
    lives_alone: bool
    has_unpaid_carer: bool


@dataclass
class Submission:
    details: PersonDetails | None = None
    urgency: str = ""
    source: str = ""
    reason: str = ""
    needs: str = ""
    referrer_name: str = ""
    referrer_role: str = ""
    referrer_phone: str = ""
    external_id: str = ""
    problems: list[Problem] = field(default_factory=list)

    def problem(self, name: str, message: str) -> None:
        self.problems.append((name, message))


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _required(sub: Submission, data: dict[str, Any], key: str, name: str, what: str,
              limit: int) -> str:  # fmt: skip
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        sub.problem(name, f"{name}: {what} must be text")
        return ""
    text = (value or "").strip()
    if not text:
        sub.problem(name, f"{name}: enter {what}")
    elif len(text) > limit:
        sub.problem(name, f"{name}: {what} must be {limit} characters or fewer")
    return text


def _born_as_text(sub: Submission, data: dict[str, Any], prefix: str) -> dt.date | None:
    """The endpoint's date of birth: ISO text, as its contract says."""
    born_text = _required(sub, data, "birth_date", f"{prefix}birth_date", "the date of birth", 20)
    born = parse_date(born_text, ISO_OR_DAY_FIRST) if born_text else None
    if born_text and born is None:
        sub.problem(f"{prefix}birth_date", f"{prefix}birth_date: write the date as 2026-03-01")
    elif born is not None and (born > timezone.localdate() or born.year < EARLIEST_BIRTH_YEAR):
        sub.problem(f"{prefix}birth_date", f"{prefix}birth_date: must be a real date in the past")
    return born


def _born_in_boxes(sub: Submission, entry: DateEntry, prefix: str) -> dt.date | None:
    """The form's date of birth, read from its day, month and year boxes (read_date), with
    the endpoint's rule on what is a date of birth. The problem is at the day box
    (<prefix>birth_date_day, whose element id the form's date input gives it)."""
    name = f"{prefix}birth_date_day"
    if entry.error:
        sub.problem(name, f"{name}: {entry.error}")
        return None
    born = entry.date
    assert born is not None
    if born > timezone.localdate():
        sub.problem(name, f"{name}: the date of birth must be today or in the past")
        return None
    if born.year < EARLIEST_BIRTH_YEAR:
        sub.problem(name, f"{name}: the date of birth must be in {EARLIEST_BIRTH_YEAR} or later")
        return None
    return born


def read_person(
    sub: Submission, data: Any, prefix: str = "person.", born_typed: DateEntry | None = None
) -> None:
    """Who the person is. `born_typed` is the form's date of birth as typed in its boxes;
    without it (the endpoint) the date of birth is the text at "birth_date"."""
    if not isinstance(data, dict):
        sub.problem("person", "person: give the person's details")
        return
    given = _required(sub, data, "given_name", f"{prefix}given_name", "the given name",
                      LIMITS["name"])  # fmt: skip
    family = _required(sub, data, "family_name", f"{prefix}family_name", "the family name",
                       LIMITS["name"])  # fmt: skip
    if born_typed is None:
        born = _born_as_text(sub, data, prefix)
    else:
        born = _born_in_boxes(sub, born_typed, prefix)
    number = nhs_number.normalise(_text(data, "nhs_number"))
    if number and not nhs_number.is_valid(number):
        sub.problem(
            f"{prefix}nhs_number",
            f"{prefix}nhs_number: not a valid NHS number (10 digits passing the check digit)",
        )
    postcode = _text(data, "postcode").upper()
    if postcode and not POSTCODE.match(postcode):
        sub.problem(f"{prefix}postcode", f"{prefix}postcode: not a UK postcode (like CX1 5AB)")
    if given and family and born is not None:
        sub.details = PersonDetails(
            given_name=given,
            family_name=family,
            birth_date=born,
            postcode=normalise_postcode(postcode) if postcode and POSTCODE.match(postcode) else "",
            nhs_number=number if nhs_number.is_valid(number) else "",
        )


def read_referral(
    data: dict[str, Any],
    *,
    source: str | None = None,
    person_known: bool = False,
    born_typed: DateEntry | None = None,
) -> Submission:
    """The referral part: urgency, source (given by the system, or chosen), reason, needs;
    and who the person is, unless the form already knows (started from their record).
    `born_typed`: the form's date of birth boxes (the endpoint sends ISO text instead)."""
    sub = Submission()
    urgency = _text(data, "urgency")
    if urgency not in URGENCIES:
        sub.problem("urgency", f"urgency: choose how urgent it is ({', '.join(URGENCIES)})")
    sub.urgency = urgency
    sub.source = source or _text(data, "source")
    if sub.source not in REFERRAL_SOURCES:
        sub.problem("source", f"source: choose where it comes from ({', '.join(REFERRAL_SOURCES)})")
    sub.reason = _required(sub, data, "reason", "reason", "the reason for referral",
                           LIMITS["reason"])  # fmt: skip
    sub.needs = _required(sub, data, "needs", "needs", "what the person needs", LIMITS["needs"])
    referrer = data.get("referrer", {})
    if not isinstance(referrer, dict):
        sub.problem("referrer", "referrer: give the referrer's name, role and phone")
        referrer = {}
    sub.referrer_name = _required(sub, referrer, "name", "referrer.name", "the referrer's name",
                                  LIMITS["referrer"])  # fmt: skip
    sub.referrer_role = _text(referrer, "role")[: LIMITS["referrer"]]
    sub.referrer_phone = _required(sub, referrer, "phone", "referrer.phone",
                                   "a phone number to call back", LIMITS["phone"])  # fmt: skip
    external = data.get("external_id", "")
    if not isinstance(external, str) or len(external) > LIMITS["id"]:
        sub.problem("external_id", f"external_id: text of {LIMITS['id']} characters or fewer")
    else:
        sub.external_id = external.strip()
    if not person_known:
        read_person(sub, data.get("person"), born_typed=born_typed)
    return sub


# The form's question, its answers in the order shown; "declined" is an answer the form
# refuses, never one stored (joinedup.referrals.models.ReferralConsent).
DECLINED = "declined"
CONSENT_ITEMS: tuple[tuple[str, str], ...] = (
    *ConsentAnswer.choices,
    (DECLINED, "No, they declined"),
)


def read_consent(data: dict[str, Any], problems: list[Problem]) -> str | None:
    """Whether the person agreed to being referred (form field consent): a ConsentAnswer,
    or None with the problem added. A person with capacity who declines is not referred
    unless there is a safeguarding concern (which is its own answer)."""
    answer = _text(data, "consent")
    if answer == DECLINED:
        problems.append(
            ("consent", "consent: a person with capacity who declines cannot be referred unless "
             "there is a safeguarding concern")
        )  # fmt: skip
        return None
    if answer not in ConsentAnswer.values:
        problems.append(("consent", "consent: say whether the person agreed to the referral"))
        return None
    return answer


def read_new_person(data: dict[str, Any], problems: list[Problem]) -> NewPerson | None:
    """A new person's sex, GP practice and living situation (form fields new_*)."""
    before = len(problems)
    sex = _text(data, "new_sex")
    if sex not in SEX:
        problems.append(("new_sex", "new_sex: choose the person's sex"))
    practice = GpPractice.objects.filter(pk=_text(data, "new_practice")).first()
    if practice is None:
        problems.append(("new_practice", "new_practice: choose the person's GP practice"))
    flags = {}
    for key, what in (("new_lives_alone", "whether they live alone"),
                      ("new_has_unpaid_carer", "whether they have an unpaid carer")):  # fmt: skip
        answer = _text(data, key)
        if answer not in ("yes", "no"):
            problems.append((key, f"{key}: say {what}"))
        flags[key] = answer == "yes"
    if len(problems) > before or practice is None:
        return None
    return NewPerson(sex, practice, flags["new_lives_alone"], flags["new_has_unpaid_carer"])
