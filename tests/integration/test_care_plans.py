"""Shared care plans through Django's test client on the real database.

Saving writes a new version only from the current one (a second save from the same base is
a 409 conflict showing both versions, with nothing lost and exactly one new version); bad
input names its field and saves nothing; only staff with a care relationship see any page;
every save is audited with its version; the printable view is written for the person; and
overdue_reviews finds the caseload's plans past their review date.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from clock import clock_at
from date_boxes import date_boxes, typed_boxes
from joinedup.access.models import AuditEvent, CareTeamMember
from joinedup.access.policy import break_glass
from joinedup.careplans.changes import changes
from joinedup.careplans.models import CarePlan, CarePlanVersion
from joinedup.careplans.reviews import overdue_reviews
from joinedup.record.models import Episode
from page_notices import notices
from workspace_world import Workspace, build_workspace

# Conditional updates through the ORM, one connection.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

ADA = "p-ada"
WHAT_MATTERS = "Staying in my own home with my cat, Marmalade."
GOAL = "Walk to the post office on my own"
ACTION = "Fit a grab rail by the back door"


MOMENT = timezone.now()
clock = clock_at(MOMENT)  # one "today" for the module


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def later(days: int = 60) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def no_date(prefix: str) -> dict[str, str]:
    """A date input left blank."""
    return typed_boxes(prefix, "", "", "")


def plan_post(version: int, **changes: str) -> dict[str, str]:
    """A whole plan as the form sends it from `version`: one goal, one action, blank rows."""
    post = {
        "base": str(version),
        "what_matters": WHAT_MATTERS,
        "goal-0-text": GOAL,
        "goal-0-status": "in_progress",
        "goal-1-text": "",
        "goal-1-status": "",
        "action-0-text": ACTION,
        "action-0-owner": "council",
        "action-0-who": "Occupational therapist",
        **date_boxes("action-0-due", later(14)),
        "action-1-text": "",
        "action-1-owner": "",
        "action-1-who": "",
        **no_date("action-1-due"),
        **date_boxes("review_date", later()),
    }
    post.update(changes)
    return post


def hidden_base(page: str) -> str:
    match = re.search(r'name="base" value="(\d+)"', page)
    assert match, "the form has no hidden base version"
    return match.group(1)


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def versions() -> list[int]:
    return list(
        CarePlanVersion.objects.filter(plan__person_id=ADA)
        .order_by("number")
        .values_list("number", flat=True)
    )


def changes_audited(action: str) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(person_id=ADA, action=action)
        .order_by("sequence")
        .values_list("username", "what")
    )


# --- saving and versions ---------------------------------------------------------------


def test_first_save_creates_the_plan_and_version_1(world: Workspace) -> None:
    nurse = world.client("nurse")
    page = nurse.get(f"/care-plans/{ADA}/")
    assert page.status_code == 200
    assert "has no care plan yet" in text_of(page)

    form = nurse.get(f"/care-plans/{ADA}/edit/")
    assert form.status_code == 200
    assert hidden_base(text_of(form)) == "0"
    # An empty plan offers three blank goal rows and three blank action rows.
    assert 'id="goal-2-text"' in text_of(form) and 'id="goal-3-text"' not in text_of(form)
    assert 'id="action-2-due-day"' in text_of(form) and 'name="action-2-due_year"' in text_of(form)

    saved = nurse.post(f"/care-plans/{ADA}/edit/", plan_post(0))
    assert saved.status_code == 302 and saved["Location"] == f"/care-plans/{ADA}/"
    assert notices(nurse, saved["Location"]) == ["Care plan saved as version 1."]
    assert notices(nurse, saved["Location"]) == []  # once

    plan = CarePlan.objects.get(person_id=ADA)
    assert plan.version == 1
    assert plan.review_date == later()
    first = plan.versions.get()
    assert first.number == 1
    assert first.what_matters == WHAT_MATTERS
    assert first.goals == [{"goal": GOAL, "status": "in_progress"}]  # the blank row is ignored
    assert first.actions == [
        {
            "action": ACTION,
            "owner": "council",
            "who": "Occupational therapist",
            "due": later(14).isoformat(),  # kept as ISO text in the version, as before
        }
    ]
    assert (first.saved_by, first.saved_by_name) == ("nurse", "Nia Hart")
    assert first.profession == "district_nurse"
    assert first.organisation == "Casterbridge Community Health NHS Trust"
    assert changes_audited("create") == [("nurse", "care plan version 1")]
    assert changes_audited("update") == []

    shown = text_of(nurse.get(f"/care-plans/{ADA}/"))
    for words in (WHAT_MATTERS, GOAL, "In progress", ACTION, "Council", "Version 1"):
        assert words in shown
    versions_table = shown[shown.index('id="versions"') :]
    for words in ("Nia Hart", "District nurse", "Casterbridge Community Health NHS Trust"):
        assert words in versions_table


def test_second_save_makes_version_2_and_keeps_version_1_unchanged(world: Workspace) -> None:
    nurse = world.client("nurse")
    nurse.post(f"/care-plans/{ADA}/edit/", plan_post(0))
    first = CarePlanVersion.objects.get(plan__person_id=ADA, number=1)
    kept = {f: getattr(first, f) for f in ("what_matters", "goals", "actions", "review_date")}

    form = text_of(nurse.get(f"/care-plans/{ADA}/edit/"))
    assert hidden_base(form) == "1"
    assert WHAT_MATTERS in form and GOAL in form and ACTION in form  # pre-filled
    assert 'id="goal-1-text"' in form and 'id="goal-3-text"' in form  # 1 filled + 3 blank
    assert 'id="goal-4-text"' not in form
    # The saved dates are back in their boxes, as people type them.
    for name, value in {
        **date_boxes("review_date", later()),
        **date_boxes("action-0-due", later(14)),
    }.items():
        assert re.search(rf'name="{name}"[^>]*value="{value}"', form), name
    assert re.search(r'name="action-1-due_day"[^>]*value=""', form)  # a blank row: no date

    social_worker = world.client("social_worker")
    changed = plan_post(
        1,
        what_matters=WHAT_MATTERS + " Seeing my sister on Sundays.",
        **{
            "goal-0-status": "achieved",
            "goal-1-text": "Cook a hot meal",
            "goal-1-status": "not_started",
            **date_boxes("action-0-due", later(21)),
            **date_boxes("review_date", later(90)),
        },
    )
    assert social_worker.post(f"/care-plans/{ADA}/edit/", changed).status_code == 302

    assert versions() == [1, 2]
    assert CarePlan.objects.get(person_id=ADA).version == 2
    first.refresh_from_db()
    assert {f: getattr(first, f) for f in kept} == kept
    second = CarePlanVersion.objects.get(plan__person_id=ADA, number=2)
    assert second.goals[0] == {"goal": GOAL, "status": "achieved"}
    assert (second.saved_by, second.organisation) == ("social_worker", "Casterbridge City Council")
    assert changes_audited("update") == [("social_worker", "care plan version 2")]

    # Version 2's page says what changed from version 1, field by field.
    page = text_of(social_worker.get(f"/care-plans/{ADA}/versions/2/"))
    assert "What matters to me" in page and "Seeing my sister on Sundays." in page
    assert f"Status of goal: {GOAL}" in page
    assert "Goal added" in page and "Cook a hot meal" in page
    assert f"Action changed: {ACTION}" in page and f"due {later(21):%-d %B %Y}" in page
    assert "Review date" in page and f"{later(90):%-d %B %Y}" in page
    assert second.actions[0]["due"] == later(21).isoformat() and second.review_date == later(90)
    # Version 1 is still there, read-only, as it was.
    old = social_worker.get(f"/care-plans/{ADA}/versions/1/")
    assert old.status_code == 200
    old_page = text_of(old)
    assert "earlier version" in old_page and "first version" in old_page
    assert "Seeing my sister" not in old_page and '<form method="post"' not in old_page
    assert social_worker.get(f"/care-plans/{ADA}/versions/9/").status_code == 404


def test_two_saves_from_the_same_version_conflict_and_nothing_is_lost(world: Workspace) -> None:
    nurse, social_worker = world.client("nurse"), world.client("social_worker")
    nurse.post(f"/care-plans/{ADA}/edit/", plan_post(0))
    # Both open the form at version 1 ...
    assert hidden_base(text_of(nurse.get(f"/care-plans/{ADA}/edit/"))) == "1"
    assert hidden_base(text_of(social_worker.get(f"/care-plans/{ADA}/edit/"))) == "1"
    nurse_text = "Nurse: leg ulcer dressings twice a week"
    social_text = "Social worker: carer's assessment for her sister"
    # ... the nurse saves first ...
    first = nurse.post(
        f"/care-plans/{ADA}/edit/",
        plan_post(1, **{"action-1-text": nurse_text, "action-1-owner": "nhs"}),
    )
    assert first.status_code == 302
    # ... and the social worker's save from version 1 is refused with both versions shown.
    second = social_worker.post(
        f"/care-plans/{ADA}/edit/",
        plan_post(1, **{"action-1-text": social_text, "action-1-owner": "council"}),
    )
    assert second.status_code == 409
    page = text_of(second)
    assert "Someone else saved this care plan first" in page
    theirs = page[page.index('id="theirs"') : page.index('id="mine"')]
    mine = page[page.index('id="mine"') : page.index('id="merge"')]
    assert nurse_text in theirs and "Nia Hart" in theirs and "version 2" in theirs.lower()
    assert social_text in mine and nurse_text not in mine
    form = page[page.index('id="merge"') :]
    assert social_text in form  # the form holds what the social worker typed
    assert hidden_base(form) == "2"  # based now on the version saved meanwhile

    assert versions() == [1, 2]  # exactly one new version
    assert CarePlan.objects.get(person_id=ADA).version == 2
    assert changes_audited("update") == [("nurse", "care plan version 2")]
    views = AuditEvent.objects.filter(person_id=ADA, action="view", username="social_worker")
    assert views.filter(what="care plan save (relationship)").count() == 1

    # Merging both into the form and saving from version 2 makes version 3.
    merged = plan_post(
        2,
        **{
            "action-1-text": nurse_text,
            "action-1-owner": "nhs",
            "action-2-text": social_text,
            "action-2-owner": "council",
        },
    )
    assert social_worker.post(f"/care-plans/{ADA}/edit/", merged).status_code == 302
    assert versions() == [1, 2, 3]
    actions = CarePlanVersion.objects.get(plan__person_id=ADA, number=3).actions
    assert [a["action"] for a in actions] == [ACTION, nurse_text, social_text]


def test_two_first_saves_conflict_too(world: Workspace) -> None:
    nurse, social_worker = world.client("nurse"), world.client("social_worker")
    assert nurse.post(f"/care-plans/{ADA}/edit/", plan_post(0)).status_code == 302
    late = social_worker.post(
        f"/care-plans/{ADA}/edit/", plan_post(0, what_matters="Getting back to church")
    )
    assert late.status_code == 409
    assert "Getting back to church" in text_of(late) and WHAT_MATTERS in text_of(late)
    assert CarePlan.objects.filter(person_id=ADA).count() == 1
    assert versions() == [1]
    assert changes_audited("create") == [("nurse", "care plan version 1")]


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"what_matters": "  "}, "what_matters", "Enter what matters to the person"),
        ({"what_matters": "x" * 4001}, "what_matters", "What matters to me must be 4,000"),
        ({"goal-0-status": ""}, "goal-0-status", "Choose a status for goal 1"),
        ({"goal-0-status": "sort of"}, "goal-0-status", "Choose a status for goal 1"),
        ({"goal-0-text": "g" * 501}, "goal-0-text", "Goal 1 must be 500 characters or fewer"),
        ({"action-0-owner": ""}, "action-0-owner", "Choose who is responsible for action 1"),
        (
            {"action-0-text": "", "action-0-who": "Daughter"},
            "action-0-text",
            "Enter what will be done for action 1",
        ),
        (
            typed_boxes("action-0-due", "30", "2", "2026"),
            "action-0-due-day",
            "The due date of action 1 must be a real date, like 27 3 2025",
        ),
        (
            typed_boxes("action-0-due", "next", "week", ""),
            "action-0-due-day",
            "The due date of action 1 must include a year",
        ),
        (
            typed_boxes("action-0-due", "14", "", "2026"),
            "action-0-due-day",
            "The due date of action 1 must include a month",
        ),
        (
            typed_boxes("action-0-due", "14", "3", "26"),
            "action-0-due-day",
            "The due date of action 1 must be a real date",
        ),
        ({"action-0-who": "w" * 201}, "action-0-who", "The name or role for action 1 must be"),
        (no_date("review_date"), "review_date-day", "Enter the review date"),
        (
            typed_boxes("review_date", "31", "31", "2026"),
            "review_date-day",
            "The review date must be a real date, like 27 3 2025",
        ),
        (
            typed_boxes("review_date", "", "12", "2026"),
            "review_date-day",
            "The review date must include a day",
        ),
        (
            date_boxes("review_date", dt.date(2020, 1, 1)),
            "review_date-day",
            "The review date must be today or later",
        ),
        (
            date_boxes("review_date", later(-1)),
            "review_date-day",
            "The review date must be today or later",
        ),
        (date_boxes("review_date", later(4000)), "review_date-day", "within 3 years"),
        ({"base": "one"}, "what_matters", "This form is out of date"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    world: Workspace, changes: dict[str, str], field: str, message: str
) -> None:
    nurse = world.client("nurse")
    response = nurse.post(f"/care-plans/{ADA}/edit/", plan_post(0, **changes))
    assert response.status_code == 400
    page = text_of(response)
    start = page.index('class="nhsuk-error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert message in summary
    assert f'href="#{field}"' in summary
    assert f'id="{field}"' in page  # the link lands on the field
    assert "nhsuk-form-group--error" in page
    assert (ACTION if "goal-0-text" in changes else GOAL) in page  # what was typed is kept
    for name, typed in changes.items():  # a date's boxes show back what was typed
        if name.endswith(("_day", "_month", "_year")) and typed:
            assert re.search(rf'name="{name}"[^>]*value="{typed}"', page), name
    assert not CarePlan.objects.filter(person_id=ADA).exists()
    assert changes_audited("create") == [] and changes_audited("update") == []


def test_a_later_row_error_names_the_row_as_shown_again(world: Workspace) -> None:
    """Blank rows between filled ones drop out, so 'goal 2' is the second row on the page."""
    nurse = world.client("nurse")
    post = plan_post(0, **{"goal-1-text": "", "goal-2-text": "Sleep upstairs", "goal-2-status": ""})
    response = nurse.post(f"/care-plans/{ADA}/edit/", post)
    assert response.status_code == 400
    page = text_of(response)
    assert '<a href="#goal-1-status">Choose a status for goal 2</a>' in page
    assert 'value="Sleep upstairs"' in page and 'id="goal-1-text"' in page


def test_blank_rows_are_ignored_even_with_a_status_chosen(world: Workspace) -> None:
    nurse = world.client("nurse")
    post = plan_post(0, **{"goal-1-status": "achieved", "action-1-owner": "carer"})
    assert nurse.post(f"/care-plans/{ADA}/edit/", post).status_code == 302
    saved = CarePlanVersion.objects.get(plan__person_id=ADA)
    assert len(saved.goals) == 1 and len(saved.actions) == 1


# --- access and audit -------------------------------------------------------------------

PAGES = ("", "edit/", "print/", "versions/1/")


@pytest.mark.parametrize("key", ["outsider", "commissioner"])
def test_staff_without_a_relationship_and_commissioners_are_refused(
    world: Workspace, key: str
) -> None:
    world.client("nurse").post(f"/care-plans/{ADA}/edit/", plan_post(0))
    client = world.client(key)
    for suffix in PAGES:
        response = client.get(f"/care-plans/{ADA}/{suffix}")
        assert response.status_code == 403, suffix
        page = text_of(response)
        assert "No record to show" in page
        assert WHAT_MATTERS not in page and "Quillfeather" not in page
    refused = client.post(f"/care-plans/{ADA}/edit/", plan_post(1, what_matters="Overwritten"))
    assert refused.status_code == 403
    assert versions() == [1]
    assert CarePlanVersion.objects.get().what_matters == WHAT_MATTERS
    # Refusals of a real person are audited (commissioners are refused before any lookup).
    refusals = AuditEvent.objects.filter(person_id=ADA, username=key, what__endswith="refused")
    assert refusals.count() == (len(PAGES) + 1 if key == "outsider" else 0)


def test_a_person_who_does_not_exist_is_refused_the_same_way(world: Workspace) -> None:
    nurse = world.client("nurse")
    response = nurse.get("/care-plans/p-nobody/")
    assert response.status_code == 403 and "No record to show" in text_of(response)


def test_logged_out_visitors_are_sent_to_log_in(world: Workspace) -> None:
    response = Client().get(f"/care-plans/{ADA}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_page_audits_the_view(world: Workspace) -> None:
    nurse = world.client("nurse")
    nurse.post(f"/care-plans/{ADA}/edit/", plan_post(0))
    for suffix in PAGES:
        assert nurse.get(f"/care-plans/{ADA}/{suffix}").status_code == 200
    whats = list(
        AuditEvent.objects.filter(person_id=ADA, username="nurse")
        .order_by("sequence")
        .values_list("action", "what")
    )
    assert whats == [
        ("create", "care plan version 1"),
        ("view", "care plan save (relationship)"),
        ("view", "care plan (relationship)"),
        ("view", "care plan edit (relationship)"),
        ("view", "care plan print (relationship)"),
        ("view", "care plan version 1 (relationship)"),
    ]


def test_the_record_page_links_to_the_care_plan(world: Workspace) -> None:
    page = text_of(world.client("nurse").get(f"/people/{ADA}/"))
    assert f'href="/care-plans/{ADA}/">Care plan</a>' in page


def test_the_edit_form_says_who_reads_the_plan(world: Workspace) -> None:
    """Hazard H22: sensitive detail belongs in a labelled case note, not the shared plan."""
    page = text_of(world.client("nurse").get(f"/care-plans/{ADA}/edit/"))
    assert "Everyone caring for the person, in every organisation, reads this plan" in page
    assert "write that in a labelled case note" in page


# --- the printable view -----------------------------------------------------------------


def test_printable_view_is_written_for_the_person(world: Workspace) -> None:
    nurse = world.client("nurse")
    nurse.post(
        f"/care-plans/{ADA}/edit/",
        plan_post(0, **{"action-1-text": "Water the plants", "action-1-owner": "person"}),
    )
    world.staff["social_worker"].phone = "01632 960777"
    world.staff["social_worker"].save()
    CareTeamMember.objects.create(
        person_id=ADA,
        staff=world.staff["social_worker"],
        role="Key worker",
        key_worker=True,
        started=dt.date(2024, 1, 5),
    )
    plan_page = text_of(nurse.get(f"/care-plans/{ADA}/"))
    assert f'href="/care-plans/{ADA}/print/" id="print-link">Print</a>' in plan_page

    response = nurse.get(f"/care-plans/{ADA}/print/")
    assert response.status_code == 200
    page = text_of(response)
    assert "<h1>My care plan</h1>" in page and "Ada Quillfeather" in page
    assert "careplans/print" in page and ".css" in page  # the print stylesheet is linked
    assert " style=" not in page and "<style" not in page  # no inline styles (CSP)
    goals = page[page.index('id="my-goals"') :]
    assert GOAL in goals and "(in progress)" in goals
    assert "The council: Occupational therapist" in page and "You</td>" in page
    contact = page[page.index('id="contact"') :]
    assert "Sol Webb" in contact and "01632 960777" in contact
    review = later()
    assert f"{review.day} {review:%B %Y}" in page[page.index('id="review"') :]


def test_printable_view_without_a_key_worker_points_to_the_gp(world: Workspace) -> None:
    nurse = world.client("nurse")
    nurse.post(f"/care-plans/{ADA}/edit/", plan_post(0))
    page = text_of(nurse.get(f"/care-plans/{ADA}/print/"))
    assert "Contact your GP practice, Abbey Road Surgery" in page


# --- overdue reviews --------------------------------------------------------------------


def plan_for(person_id: str, review_date: dt.date) -> CarePlan:
    now = timezone.now()
    plan = CarePlan.objects.create(
        person_id=person_id, version=1, review_date=review_date, created_at=now
    )
    CarePlanVersion.objects.create(
        plan=plan,
        number=1,
        what_matters="Home",
        review_date=review_date,
        saved_at=now,
        saved_by="nurse",
    )
    return plan


def test_overdue_reviews_are_the_caseloads_plans_past_their_review(world: Workspace) -> None:
    on = dt.date(2026, 6, 1)
    ada = plan_for("p-ada", dt.date(2026, 5, 31))  # on the caseload, a day overdue
    plan_for("p-bert", dt.date(2026, 1, 1))  # overdue but on nobody's caseload
    plan_for("p-cora", dt.date(2026, 1, 1))  # her episode closed before `on`
    plan_for("p-dot", dt.date(2026, 6, 1))  # on the caseload, due today: not overdue yet
    eli = plan_for("p-eli", dt.date(2026, 2, 1))  # overdue, on the caseload from 2026-03-01
    north = world.north
    Episode.objects.create(
        id="e-cora",
        person_id="p-cora",
        team=north,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 5, 1),
    )
    Episode.objects.create(
        id="e-dot", person_id="p-dot", team=north, start_date=dt.date(2025, 1, 1)
    )
    Episode.objects.create(
        id="e-eli", person_id="p-eli", team=north, start_date=dt.date(2026, 3, 1)
    )
    assert overdue_reviews("t-north", on) == [eli, ada]  # longest overdue first
    cora = CarePlan.objects.get(person_id="p-cora")
    assert overdue_reviews("t-north", dt.date(2026, 2, 15)) == [cora]  # eli not yet on it
    assert overdue_reviews("t-south", on) == []


def test_the_plan_page_highlights_an_overdue_review(world: Workspace) -> None:
    plan_for(ADA, timezone.localdate() - dt.timedelta(days=3))
    page = text_of(world.client("nurse").get(f"/care-plans/{ADA}/"))
    assert "Review overdue" in page and 'id="review-overdue"' in page


# --- what changed between versions ------------------------------------------------------


def test_changes_name_every_field_that_moved() -> None:
    def version(**fields: Any) -> CarePlanVersion:
        defaults: dict[str, Any] = {
            "what_matters": "Home",
            "goals": [{"goal": "Garden again", "status": "not_started"}],
            "actions": [
                {"action": "Ramp", "owner": "council", "who": "", "due": "2026-12-01"},
                {"action": "Shopping", "owner": "carer", "who": "Edith", "due": ""},
            ],
            "review_date": dt.date(2026, 12, 31),
        }
        return CarePlanVersion(number=1, **{**defaults, **fields})

    before = version()
    assert changes(None, before) == []
    assert changes(before, version()) == []
    after = version(
        goals=[],
        actions=[{"action": "Ramp", "owner": "nhs", "who": "OT", "due": "2026-12-01"}],
        review_date=dt.date(2027, 1, 31),
    )
    found = {(c.what, c.before, c.after) for c in changes(before, after)}
    assert found == {
        ("Goal removed", "Garden again (Not started)", ""),
        (
            "Action changed: Ramp",
            "Ramp: Council, due 1 December 2026",
            "Ramp: NHS, OT, due 1 December 2026",
        ),
        ("Action removed", "Shopping: Their carer, Edith", ""),
        ("Review date", "31 December 2026", "31 January 2027"),
    }


def test_break_glass_reads_the_plan_but_cannot_change_it(world: Workspace) -> None:
    world.client("nurse").post(f"/care-plans/{ADA}/edit/", plan_post(0))
    outsider = world.client("outsider")
    with transaction.atomic():
        break_glass(world.user("outsider"), ADA, "Called out of hours by her daughter")
    page = outsider.get(f"/care-plans/{ADA}/")
    assert page.status_code == 200 and "Update the care plan" not in page.content.decode()
    assert outsider.get(f"/care-plans/{ADA}/edit/").status_code == 403
    refused = outsider.post(f"/care-plans/{ADA}/edit/", plan_post(1))
    assert refused.status_code == 403 and versions() == [1]


@pytest.mark.both_databases
def test_an_impossible_version_number_is_not_found(world: Workspace) -> None:
    nurse = world.client("nurse")
    assert nurse.get(f"/care-plans/{ADA}/versions/99999999999999999999/").status_code == 404
