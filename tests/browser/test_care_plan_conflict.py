"""Two people editing one care plan at once, in two chromium sessions: the second save is
refused with both versions side by side, the merge is saved, and no version is lost.

With JOINEDUP_WRITE_DOCS=1 it also takes the user guide's screenshots
(docs/user-guide/care-plans.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from date_input import fill_date
from django.utils import timezone
from page_checks import screenshot, violations
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from staff_login import log_in

from joinedup.access.models import CareTeamMember
from joinedup.careplans.models import CarePlan, CarePlanVersion
from workspace_world import PASSWORD, Workspace, build_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once_on_postgres,  # a journey: run once
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_audit"),  # every page here writes audit events
]

EDIT = "/care-plans/p-ada/edit/"
NURSE_ACTION = "Dress the leg ulcer twice a week"
SOCIAL_ACTION = "Carer's assessment for her sister, Edith"
SOCIAL_WORDS = " Having Edith to stay at weekends."


@pytest.fixture
def world(transactional_db: None) -> Workspace:
    """The workspace, committed; the nurse is Ada's key worker, with a phone number."""
    world = build_workspace()
    world.staff["nurse"].phone = "01632 960111"
    world.staff["nurse"].save()
    CareTeamMember.objects.create(
        person=world.people["ada"],
        staff=world.staff["nurse"],
        role="Key worker",
        key_worker=True,
        started=dt.date(2024, 1, 5),
    )
    return world


@pytest.fixture
def sessions(browser: Browser, site: str, world: Workspace) -> Iterator[dict[str, Page]]:
    """A nurse and a social worker of Northgate, each logged in in their own browser context."""
    outside: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    contexts: list[BrowserContext] = []
    pages = {}
    for key in ("nurse", "social_worker"):
        context = browser.new_context(base_url=site, viewport={"width": 1280, "height": 900})
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.goto(EDIT)
        log_in(page, key, PASSWORD)
        expect(page).to_have_url(EDIT)
        pages[key] = page
    try:
        yield pages
    finally:
        for context in contexts:
            context.close()
    assert outside == []


def test_two_people_save_the_same_plan_and_nothing_is_lost(
    sessions: dict[str, Page],
) -> None:
    nurse, social_worker = sessions["nurse"], sessions["social_worker"]
    review = timezone.localdate() + dt.timedelta(days=90)

    # The nurse writes the first version with Ada.
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Write the care plan")
    nurse.get_by_label("What matters to me").fill("Staying at home with my cat, Marmalade.")
    nurse.get_by_label("Goal 1", exact=True).fill("Walk to the post office on my own")
    nurse.get_by_label("Status of goal 1").select_option("in_progress")
    nurse.get_by_label("Action 1", exact=True).fill("Fit a grab rail by the back door")
    nurse.get_by_label("Who is responsible for action 1").select_option("council")
    nurse.get_by_label("Name or role for action 1").fill("Occupational therapist")
    fill_date(nurse, "Due date for action 1", review)
    # A review date without its day is refused, naming the field, with what was typed kept.
    boxes = nurse.get_by_role("group", name="Review date")
    boxes.get_by_label("Month").fill(str(review.month))
    boxes.get_by_label("Year").fill(str(review.year))
    nurse.get_by_role("button", name="Save the care plan").click()
    expect(nurse.locator(".nhsuk-error-summary")).to_contain_text(
        "The review date must include a day"
    )
    expect(nurse.get_by_role("group", name="Review date").get_by_label("Year")).to_have_value(
        str(review.year)
    )
    assert violations(nurse) == []
    fill_date(nurse, "Review date", review)
    nurse.get_by_role("button", name="Save the care plan").click()
    expect(nurse).to_have_url("/care-plans/p-ada/")
    expect(nurse.locator("#version-1")).to_contain_text("Nia Hart")

    # Both open the plan at version 1 and change it.
    nurse.goto(EDIT)
    social_worker.goto(EDIT)
    for page in (nurse, social_worker):
        expect(page.locator("input[name=base]")).to_have_value("1")
    nurse.get_by_label("Action 2", exact=True).fill(NURSE_ACTION)
    nurse.get_by_label("Who is responsible for action 2").select_option("nhs")
    nurse.get_by_label("Name or role for action 2").fill("District nurse")
    what_matters = social_worker.get_by_label("What matters to me")
    what_matters.fill(what_matters.input_value() + SOCIAL_WORDS)
    social_worker.get_by_label("Action 2", exact=True).fill(SOCIAL_ACTION)
    social_worker.get_by_label("Who is responsible for action 2").select_option("council")

    # The nurse saves first; the social worker's save is refused with both versions shown.
    nurse.get_by_role("button", name="Save the care plan").click()
    expect(nurse).to_have_url("/care-plans/p-ada/")
    with social_worker.expect_response(lambda r: r.request.method == "POST") as posted:
        social_worker.get_by_role("button", name="Save the care plan").click()
    assert posted.value.status == 409
    expect(social_worker.get_by_role("heading", level=1)).to_have_text(
        "Someone else saved this care plan first"
    )
    expect(social_worker.locator("#conflict-notice")).to_contain_text("Nia Hart")
    expect(social_worker.locator("#theirs")).to_contain_text(NURSE_ACTION)
    expect(social_worker.locator("#theirs")).not_to_contain_text(SOCIAL_ACTION)
    expect(social_worker.locator("#mine")).to_contain_text(SOCIAL_ACTION)
    expect(social_worker.locator("#mine")).to_contain_text(SOCIAL_WORDS.strip())
    expect(social_worker.locator("input[name=base]")).to_have_value("2")
    expect(social_worker.get_by_label("Action 2", exact=True)).to_have_value(SOCIAL_ACTION)
    assert list(CarePlanVersion.objects.values_list("number", flat=True).order_by("number")) == [
        1,
        2,
    ]
    assert violations(social_worker) == []
    screenshot(social_worker, "care-plan-conflict")

    # She merges the nurse's action into her own version and saves again.
    social_worker.get_by_label("Action 3", exact=True).fill(NURSE_ACTION)
    social_worker.get_by_label("Who is responsible for action 3").select_option("nhs")
    social_worker.get_by_label("Name or role for action 3").fill("District nurse")
    social_worker.get_by_role("button", name="Save the merged care plan").click()
    expect(social_worker).to_have_url("/care-plans/p-ada/")
    main = social_worker.locator("main")
    for words in (NURSE_ACTION, SOCIAL_ACTION, SOCIAL_WORDS.strip(), "Fit a grab rail"):
        expect(main).to_contain_text(words)
    expect(social_worker.locator("#current-version")).to_contain_text("Version 3")
    expect(social_worker.locator("#version-1")).to_contain_text("Nia Hart")
    expect(social_worker.locator("#version-2")).to_contain_text("Nia Hart")
    expect(social_worker.locator("#version-3")).to_contain_text("Sol Webb")
    expect(social_worker.locator("#version-3")).to_contain_text("Casterbridge City Council")
    plan = CarePlan.objects.get(person_id="p-ada")
    assert plan.version == 3
    latest = CarePlanVersion.objects.get(plan=plan, number=3)
    assert [a["action"] for a in latest.actions] == [
        "Fit a grab rail by the back door",
        SOCIAL_ACTION,
        NURSE_ACTION,
    ]
    assert violations(social_worker) == []
    screenshot(social_worker, "care-plan")

    # What changed in version 3, and the printable view for Ada.
    social_worker.get_by_role("link", name="Version 3").click()
    expect(social_worker.get_by_role("table", name="Changes from version 2")).to_contain_text(
        SOCIAL_ACTION
    )
    assert violations(social_worker) == []
    screenshot(social_worker, "care-plan-version")
    social_worker.goto("/care-plans/p-ada/")
    social_worker.get_by_role("link", name="Print", exact=True).click()
    expect(social_worker.get_by_role("heading", level=1)).to_have_text("My care plan")
    expect(social_worker.locator("#contact")).to_contain_text("01632 960111")
    assert violations(social_worker) == []
    social_worker.emulate_media(media="print")
    expect(social_worker.locator("header").first).to_be_hidden()
    expect(social_worker.locator(".careplans-screen-only")).to_be_hidden()
    screenshot(social_worker, "care-plan-print")
