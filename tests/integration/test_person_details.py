"""Changing a person's details, through Django's test client on the real database.

A save writes version base+1 with a history row per changed field (the first change of a
loaded fact keeps the loaded value as its old value) and one audit event naming what
changed; bad input names its field, answers 400 and writes nothing; a second save from the
same version is a 409 naming who saved first, with nothing of the second written;
break-glass reads but never writes; a viewer without a relationship gets the refusal a
missing person gets; and the record page shows the details.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from joinedup.access.models import AuditEvent
from joinedup.access.policy import break_glass
from joinedup.people.details_form import normalised_postcode
from joinedup.record.models import Person, PersonDetailChange, PersonDetails
from workspace_world import Workspace, build_workspace

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

ADA = "p-ada"
MISSING = "p-nobody"
EDIT = f"/people/{ADA}/details/"
HISTORY = f"/people/{ADA}/details/history/"
LOADED_LINE_1, LOADED_POSTCODE = "1 Mill Lane", "CX1 2AB"  # as workspace_world loads Ada
NEEDS = "Hard of hearing: face her when speaking"
HELD = "Paper form at home, in the kitchen drawer"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def details_post(base: int, /, **changes: str) -> dict[str, str]:
    """The whole form as it comes back for Ada unchanged from `base`, with `changes`."""
    post = {
        "base": str(base),
        "address_line_1": LOADED_LINE_1,
        "address_line_2": "",
        "town": "Casterbridge",
        "postcode": LOADED_POSTCODE,
        "phone": "",
        "preferred_name": "",
        "next_of_kin_name": "",
        "next_of_kin_relationship": "",
        "next_of_kin_phone": "",
        "emergency_contact_name": "",
        "emergency_contact_relationship": "",
        "emergency_contact_phone": "",
        "communication_needs": "",
        "interpreter_needed": "no",
        "interpreter_language": "",
        "resuscitation_status": "not_known",
        "resuscitation_held_where": "",
    }
    post.update(changes)
    return post


FULL_CHANGE = {
    "postcode": "cx11aa",
    "phone": "07700 900123",
    "preferred_name": "Peggy",
    "next_of_kin_name": "Joan Quillfeather",
    "next_of_kin_relationship": "Daughter",
    "next_of_kin_phone": "+44 7700 900456",
    "communication_needs": NEEDS,
    "interpreter_needed": "yes",
    "interpreter_language": "Cornish",
    "resuscitation_status": "dnacpr",
    "resuscitation_held_where": HELD,
}


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def hidden_base(page: str) -> str:
    match = re.search(r'name="base" value="(\d+)"', page)
    assert match, "the form has no hidden base version"
    return match.group(1)


def updates() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(person_id=ADA, action="update")
        .order_by("sequence")
        .values_list("username", "what")
    )


def history() -> list[tuple[int, str, str, str, str]]:
    return list(
        PersonDetailChange.objects.filter(person_id=ADA)
        .order_by("version", "field")
        .values_list("version", "field", "old_value", "new_value", "changed_by")
    )


def ada() -> Person:
    return Person.objects.get(pk=ADA)


def nothing_written() -> None:
    person = ada()
    assert (person.address_line_1, person.postcode, person.phone) == (
        LOADED_LINE_1,
        LOADED_POSTCODE,
        "",
    )
    assert not PersonDetails.objects.filter(person_id=ADA).exists()
    assert history() == [] and updates() == []


# --- saving -----------------------------------------------------------------------------


def test_a_save_changes_the_details_keeps_history_and_audits_once(world: Workspace) -> None:
    nurse = world.client("nurse")
    form = nurse.get(EDIT)
    assert form.status_code == 200
    page = text_of(form)
    assert hidden_base(page) == "0"
    assert f'value="{LOADED_LINE_1}"' in page and f'value="{LOADED_POSTCODE}"' in page
    assert f'href="{HISTORY}"' in page  # the history is reachable from the details page

    saved = nurse.post(EDIT, details_post(0, **FULL_CHANGE))
    assert saved.status_code == 302 and saved["Location"] == f"/people/{ADA}/"

    person = ada()
    assert person.postcode == "CX1 1AA"  # normalised
    assert person.phone == "07700 900123" and person.address_line_1 == LOADED_LINE_1
    details = PersonDetails.objects.get(person_id=ADA)
    assert details.version == 1
    assert details.preferred_name == "Peggy"
    assert (details.next_of_kin_name, details.next_of_kin_relationship) == (
        "Joan Quillfeather",
        "Daughter",
    )
    assert details.next_of_kin_phone == "+44 7700 900456"
    assert details.communication_needs == NEEDS
    assert details.interpreter_needed and details.interpreter_language == "Cornish"
    assert (details.resuscitation_status, details.resuscitation_held_where) == ("dnacpr", HELD)
    assert (details.saved_by, details.saved_by_name) == ("nurse", "Nia Hart")

    # One history row per changed field; the loaded postcode is the first old value.
    assert history() == [
        (1, "communication_needs", "", NEEDS, "nurse"),
        (1, "interpreter_language", "", "Cornish", "nurse"),
        (1, "interpreter_needed", "no", "yes", "nurse"),
        (1, "next_of_kin_name", "", "Joan Quillfeather", "nurse"),
        (1, "next_of_kin_phone", "", "+44 7700 900456", "nurse"),
        (1, "next_of_kin_relationship", "", "Daughter", "nurse"),
        (1, "phone", "", "07700 900123", "nurse"),
        (1, "postcode", LOADED_POSTCODE, "CX1 1AA", "nurse"),
        (1, "preferred_name", "", "Peggy", "nurse"),
        (1, "resuscitation_held_where", "", HELD, "nurse"),
        (1, "resuscitation_status", "not_known", "dnacpr", "nurse"),
    ]
    assert updates() == [
        (
            "nurse",
            "person details: address, phone, preferred name, next of kin, communication "
            "needs, interpreter, ReSPECT/DNACPR status",
        )
    ]

    # The record confirms the save, once.
    shown = text_of(nurse.get(f"/people/{ADA}/"))
    assert "Details saved: address, phone, preferred name, next of kin" in shown
    assert "Details saved" not in text_of(nurse.get(f"/people/{ADA}/"))

    # A second save from version 1 makes version 2 and keeps version 1's history as it was.
    assert hidden_base(text_of(nurse.get(EDIT))) == "1"
    moved = details_post(1, **{**FULL_CHANGE, "postcode": "CX1 1AA", "address_line_1": "Flat 2"})
    assert nurse.post(EDIT, moved).status_code == 302
    assert PersonDetails.objects.get(person_id=ADA).version == 2
    assert ada().address_line_1 == "Flat 2"
    assert [h for h in history() if h[0] == 2] == [
        (2, "address_line_1", LOADED_LINE_1, "Flat 2", "nurse")
    ]
    assert len(history()) == 12 and updates()[-1] == ("nurse", "person details: address")

    # The history page lists both saves, newest first, with old and new values.
    listed = nurse.get(HISTORY)
    assert listed.status_code == 200
    page = text_of(listed)
    assert page.index('id="save-2"') < page.index('id="save-1"')
    assert "Nia Hart (District nurse, Casterbridge Community Health NHS Trust)" in page
    first = page[page.index('id="save-1"') :]
    assert LOADED_POSTCODE in first and "CX1 1AA" in first and "DNACPR decision in place" in first
    assert "Flat 2" in page[page.index('id="save-2"') : page.index('id="save-1"')]


def test_saving_the_form_unchanged_writes_nothing(world: Workspace) -> None:
    nurse = world.client("nurse")
    assert nurse.post(EDIT, details_post(0)).status_code == 302
    nothing_written()
    assert "nothing was saved" in text_of(nurse.get(f"/people/{ADA}/"))


def test_the_history_page_says_when_nothing_has_changed(world: Workspace) -> None:
    response = world.client("nurse").get(HISTORY)
    assert response.status_code == 200
    assert "Nobody has changed these details yet." in text_of(response)


def test_normalised_postcodes() -> None:
    assert normalised_postcode("cx11aa") == "CX1 1AA"
    assert normalised_postcode(" Cx1  1aa ") == "CX1 1AA"
    assert normalised_postcode("sw1a2aa") == "SW1A 2AA"
    assert normalised_postcode("m11ae") == "M1 1AE"
    for bad in ("CX1", "CX1 1A", "1CX 1AA", "CX1 1CA", "CX1 1AAA", "not a postcode", ""):
        assert normalised_postcode(bad) is None, bad


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postcode": "CX1 1A"}, "postcode", "Enter a real postcode, like CX1 1AA"),
        ({"postcode": "Casterbridge"}, "postcode", "Enter a real postcode"),
        ({"phone": "0770O 900123"}, "phone", "Phone must contain only numbers and spaces"),
        ({"phone": "07700 900123 ext 4"}, "phone", "Phone must contain only numbers"),
        ({"phone": "0" * 21}, "phone", "Phone must be 20 characters or fewer"),
        (
            {"next_of_kin_name": "Joan", "next_of_kin_phone": "call her"},
            "next_of_kin_phone",
            "Next of kin's phone must contain only numbers",
        ),
        ({"address_line_1": "x" * 201}, "address_line_1", "must be 200 characters or fewer"),
        ({"preferred_name": "P" * 101}, "preferred_name", "must be 100 characters or fewer"),
        (
            {"communication_needs": "Deaf\x00"},
            "communication_needs",
            "Communication needs has a character that cannot be stored",
        ),
        ({"preferred_name": "Peg\x00gy"}, "preferred_name", "a character that cannot be stored"),
        (
            {"emergency_contact_phone": "07700 900789"},
            "emergency_contact_name",
            "Enter the emergency contact's name",
        ),
        (
            {"interpreter_needed": "yes"},
            "interpreter_language",
            "Enter the language the interpreter is needed for",
        ),
        ({"interpreter_needed": "maybe"}, "interpreter_needed", "Choose whether an interpreter"),
        (
            {"resuscitation_status": "dnacpr"},
            "resuscitation_held_where",
            "Enter where the DNACPR decision is held",
        ),
        ({"resuscitation_status": "resuscitate"}, "resuscitation_status", "Choose the ReSPECT"),
        ({"base": "one"}, "address_line_1", "This form is out of date"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    world: Workspace, changes: dict[str, str], field: str, message: str
) -> None:
    nurse = world.client("nurse")
    typed = {**changes, "town": "Casterbridge Typed"}  # something typed, to be kept
    response = nurse.post(EDIT, details_post(0, **typed))
    assert response.status_code == 400
    page = text_of(response)
    assert "<title>Error: " in page
    start = page.index('class="nhsuk-error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert message in summary
    assert f'href="#{field}"' in summary
    assert f'id="{field}"' in page  # the link lands on the field
    assert "nhsuk-form-group--error" in page
    assert 'value="Casterbridge Typed"' in page  # what was typed is kept
    nothing_written()


def test_several_problems_are_all_named(world: Workspace) -> None:
    response = world.client("nurse").post(
        EDIT, details_post(0, postcode="nowhere", phone="ring me", preferred_name="x" * 101)
    )
    assert response.status_code == 400
    summary = text_of(response).split('class="nhsuk-error-summary"')[1].split("</ul>")[0]
    for field in ("postcode", "phone", "preferred_name"):
        assert f'href="#{field}"' in summary
    nothing_written()


# --- two editors ------------------------------------------------------------------------


def test_two_saves_from_the_same_version_conflict_and_nothing_of_the_second_is_written(
    world: Workspace,
) -> None:
    nurse, social_worker = world.client("nurse"), world.client("social_worker")
    assert nurse.post(EDIT, details_post(0, preferred_name="Peggy")).status_code == 302
    # Both open the form at version 1 ...
    assert hidden_base(text_of(nurse.get(EDIT))) == "1"
    assert hidden_base(text_of(social_worker.get(EDIT))) == "1"
    # ... the nurse saves first ...
    first = nurse.post(EDIT, details_post(1, preferred_name="Peggy", phone="07700 900111"))
    assert first.status_code == 302
    # ... and the social worker's save from version 1 is refused.
    late = details_post(
        1,
        preferred_name="Margaret",
        phone="01632 960222",
        emergency_contact_name="Sam Penrose",
        emergency_contact_relationship="Neighbour",
    )
    second = social_worker.post(EDIT, late)
    assert second.status_code == 409
    page = text_of(second)
    assert "Someone else changed these details first" in page
    notice = " ".join(page[page.index('id="conflict-notice"') :].split())
    assert "Nia Hart (District nurse, Casterbridge Community Health NHS Trust)" in notice
    assert "saved changes to these details at" in notice
    phone_row = page[page.index('id="compared-phone"') :]
    phone_row = phone_row[: phone_row.index("</tr>")]
    assert phone_row.index("07700 900111") < phone_row.index("01632 960222")  # theirs, yours
    assert "Different" in phone_row
    assert f'href="{EDIT}"' in page and "Start again from their details" in page
    form = page[page.index('id="yours"') :]
    assert 'value="Margaret"' in form and 'value="Sam Penrose"' in form  # what was typed
    assert hidden_base(form) == "2"  # based now on the version saved meanwhile

    details = PersonDetails.objects.get(person_id=ADA)
    assert details.version == 2 and details.preferred_name == "Peggy"
    assert details.emergency_contact_name == "" and ada().phone == "07700 900111"
    assert {h[4] for h in history()} == {"nurse"}
    assert [who for who, _ in updates()] == ["nurse", "nurse"]
    views = AuditEvent.objects.filter(person_id=ADA, action="view", username="social_worker")
    assert views.filter(what="person details save (relationship)").count() == 1

    # Starting again from theirs gives their values at version 2; saving then works.
    again = text_of(social_worker.get(EDIT))
    assert hidden_base(again) == "2" and 'value="07700 900111"' in again
    merged = details_post(
        2,
        preferred_name="Peggy",
        phone="07700 900111",
        **{
            "emergency_contact_name": "Sam Penrose",
        },
    )
    assert social_worker.post(EDIT, merged).status_code == 302
    assert PersonDetails.objects.get(person_id=ADA).emergency_contact_name == "Sam Penrose"
    assert updates()[-1] == ("social_worker", "person details: emergency contact")


def test_two_first_saves_conflict_too(world: Workspace) -> None:
    nurse, social_worker = world.client("nurse"), world.client("social_worker")
    assert nurse.post(EDIT, details_post(0, phone="07700 900111")).status_code == 302
    late = social_worker.post(EDIT, details_post(0, phone="01632 960222"))
    assert late.status_code == 409
    assert "Nia Hart" in text_of(late)
    assert ada().phone == "07700 900111"
    assert PersonDetails.objects.get(person_id=ADA).version == 1
    assert history() == [(1, "phone", "", "07700 900111", "nurse")]


# --- access -----------------------------------------------------------------------------


def test_break_glass_reads_the_details_but_cannot_change_them(world: Workspace) -> None:
    world.client("nurse").post(EDIT, details_post(0, preferred_name="Peggy"))
    outsider = world.client("outsider")
    with transaction.atomic():
        break_glass(world.user("outsider"), ADA, "Called out of hours by her daughter")
    record = text_of(outsider.get(f"/people/{ADA}/"))
    assert "Known as" in record and "Peggy" in record  # read, in an emergency
    assert 'id="change-details"' not in record and f'href="{EDIT}"' not in record
    assert outsider.get(HISTORY).status_code == 200
    assert outsider.get(EDIT).status_code == 403
    refused = outsider.post(EDIT, details_post(1, preferred_name="Overwritten", phone="999"))
    assert refused.status_code == 403
    assert PersonDetails.objects.get(person_id=ADA).preferred_name == "Peggy"
    assert ada().phone == "" and updates() == [("nurse", "person details: preferred name")]


def normalised(body: bytes, person_id: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', body.decode()).replace(person_id, "<ID>")


def test_unrelated_viewer_is_refused_exactly_as_for_a_missing_person(world: Workspace) -> None:
    outsider = world.client("outsider")
    for path in ("details/", "details/history/"):
        real = outsider.get(f"/people/{ADA}/{path}")
        missing = outsider.get(f"/people/{MISSING}/{path}")
        assert real.status_code == missing.status_code == 403, path
        assert normalised(real.content, ADA) == normalised(missing.content, MISSING)
        assert "No record to show" in text_of(real) and "Quillfeather" not in text_of(real)
    real = outsider.post(f"/people/{ADA}/details/", details_post(0, phone="07700 900999"))
    missing = outsider.post(f"/people/{MISSING}/details/", details_post(0, phone="07700 900999"))
    assert real.status_code == missing.status_code == 403
    assert normalised(real.content, ADA) == normalised(missing.content, MISSING)
    nothing_written()
    refusals = AuditEvent.objects.filter(person_id=ADA, username="outsider")
    assert set(refusals.values_list("what", flat=True)) == {
        "person details edit: refused",
        "person details history: refused",
        "person details save: refused",
    }


def test_logged_out_visitors_are_sent_to_log_in(world: Workspace) -> None:
    response = Client().post(EDIT, details_post(0, phone="07700 900999"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    nothing_written()


# --- the record page --------------------------------------------------------------------


def test_the_record_page_shows_the_details_and_links_to_change_them(world: Workspace) -> None:
    nurse = world.client("nurse")
    before = text_of(nurse.get(f"/people/{ADA}/"))
    assert 'id="communication-banner"' not in before and "Known as" not in before
    assert f'href="{EDIT}" id="change-details">Change details</a>' in before
    resuscitation = before[before.index('id="resuscitation">') + 19 :]
    assert resuscitation[: resuscitation.index("</dd>")].strip() == "Not known"

    nurse.post(
        EDIT,
        details_post(
            0, **FULL_CHANGE, emergency_contact_name="Sam Penrose", emergency_contact_phone="999"
        ),
    )
    page = text_of(nurse.get(f"/people/{ADA}/"))
    assert "Known as <strong>Peggy</strong>" in page
    banner = page[page.index('id="communication-banner"') :]
    banner = banner[: banner.index("</div>")]
    assert NEEDS in banner and "Interpreter needed:</strong> Cornish" in banner
    assert page.index('id="communication-banner"') < page.index('id="why"')  # the banner area
    kin = page[page.index('id="next-of-kin"') :]
    assert kin.index("Joan Quillfeather (Daughter)") < kin.index("+44 7700 900456")
    assert "Sam Penrose" in page[page.index('id="emergency-contact"') :]
    assert NEEDS in page[page.index('id="communication"') :]
    resuscitation = page[page.index('id="resuscitation"') :]
    assert f"DNACPR decision in place: {HELD}" in resuscitation
    assert "CX1 1AA" in page and "07700 900123" in page  # the identity shows the new facts
    assert f'href="{HISTORY}"' in page


def test_interpreter_alone_puts_a_line_in_the_banner(world: Workspace) -> None:
    nurse = world.client("nurse")
    post = details_post(0, interpreter_needed="yes", interpreter_language="Polish")
    assert nurse.post(EDIT, post).status_code == 302
    page = text_of(nurse.get(f"/people/{ADA}/"))
    banner = page[page.index('id="communication-banner"') :]
    assert "Interpreter needed:</strong> Polish" in banner[: banner.index("</div>")]
    assert "Communication needs:" not in banner[: banner.index("</div>")]
