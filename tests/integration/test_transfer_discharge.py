"""Recording a discharge starts what follows: the package, the caseload, the next MDT agenda.

Nothing is saved when any part is refused, and every change is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from clock import clock_at
from date_boxes import date_boxes, typed_boxes
from joinedup.access.models import AuditEvent, Consent, Profession
from joinedup.mdt.agenda import build_agenda
from joinedup.mdt.models import AgendaItem, Meeting
from joinedup.record.models import CarePackage, Episode, HospitalSpell, Person
from joinedup.transfers.discharge import DischargeError, record_discharge
from joinedup.transfers.models import PlanChange
from workspace_world import Workspace, add_staff, build_workspace

# Discharges through the ORM, one at a time.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

MOMENT = timezone.now()  # every test's clock starts here: one date throughout
TODAY = timezone.localdate(MOMENT)
_clock = clock_at(MOMENT)
ADMITTED = TODAY - dt.timedelta(days=6)  # the data are live: the board describes today
READY = TODAY - dt.timedelta(days=4)


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def in_hospital(world: Workspace, key: str, reason: str = "awaiting_care_package") -> HospitalSpell:
    return HospitalSpell.objects.create(
        id=f"s-{key}",
        person=world.people[key],
        admission_date=ADMITTED,
        admission_method="emergency",
        acsc=False,
        fall=True,
        ready_for_discharge_date=READY,
        delay_reason=reason,
        delay_responsibility="social_care",
    )


def meeting(world: Workspace, days: int = 2) -> Meeting:
    now = timezone.now()
    return Meeting.objects.create(
        team=world.north, starts_at=now + dt.timedelta(days=days), location="Room 1",
        created_at=now, created_by="manager",
    )  # fmt: skip


def discharge(spell: HospitalSpell, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "discharge_date": TODAY,
        "destination": "usual_residence",
        "pathway": 1,
        "by": "coordinator",
    }
    return record_discharge(spell, **{**fields, **changes})


def test_pathway_1_starts_the_package_the_caseload_and_the_agenda(world: Workspace) -> None:
    spell = in_hospital(world, "bert")
    upcoming = meeting(world)
    done = discharge(spell, follow_on="home_care", user=world.user("manager"))

    spell.refresh_from_db()
    assert (spell.discharge_date, spell.discharge_destination, spell.discharge_pathway) == (
        TODAY, "usual_residence", 1,
    )  # fmt: skip
    package = CarePackage.objects.get(after_spell=spell)
    assert (package.service_type, package.start_date, package.permanent) == (
        "home_care",
        TODAY,
        False,
    )
    assert done.package == package
    episode = Episode.objects.get(person=world.people["bert"], team=world.north)
    assert (episode.reason, episode.start_date, episode.end_date) == ("post_discharge", TODAY, None)
    item = AgendaItem.objects.get(meeting=upcoming, person=world.people["bert"])
    assert "Discharged from hospital" in item.detail and "home care package started" in item.detail
    audited = AuditEvent.objects.filter(person_id="p-bert").values_list("what", flat=True)
    assert any("discharged on" in what for what in audited)
    assert any("care package" in what for what in audited)
    assert any("caseload episode" in what for what in audited)


def test_each_pathway_starts_its_own_service(world: Workspace) -> None:
    assert discharge(in_hospital(world, "ada")).package.service_type == "reablement"
    bert = discharge(in_hospital(world, "bert"), pathway=2)
    assert bert.package.service_type == "intermediate_care" and bert.package.funder == "nhs"
    cora = discharge(
        in_hospital(world, "cora", reason="awaiting_nursing_home"),
        pathway=3, destination="care_home_new",
    )  # fmt: skip
    assert (cora.package.service_type, cora.package.permanent) == ("nursing_care", True)
    dot = discharge(in_hospital(world, "dot", reason="housing"), pathway=0)
    assert (dot.package, dot.episode) == (None, None)  # home, no new support: nothing starts


def test_a_death_starts_nothing(world: Workspace) -> None:
    meeting(world)
    done = discharge(in_hospital(world, "bert"), destination="died", pathway=0)
    assert (done.package, done.episode, done.agenda_item) == (None, None, None)
    assert not Episode.objects.filter(person=world.people["bert"]).exists()


def test_someone_already_on_the_caseload_keeps_their_episode(world: Workspace) -> None:
    assert Episode.objects.filter(person=world.people["ada"]).count() == 1  # the world's
    done = discharge(in_hospital(world, "ada"))
    assert done.episode is None
    assert Episode.objects.filter(person=world.people["ada"]).count() == 1


def test_without_a_meeting_the_agenda_rule_finds_them_when_built(world: Workspace) -> None:
    done = discharge(in_hospital(world, "bert"))
    assert done.agenda_item is None
    later = meeting(world)
    items = build_agenda(later)
    assert [(i.person_id, i.reason) for i in items if i.person_id == "p-bert"] == [
        ("p-bert", AgendaItem.Reason.DISCHARGED)
    ]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"discharge_date": ADMITTED - dt.timedelta(days=1)}, "discharge_date", "on or after"),
        ({"discharge_date": TODAY + dt.timedelta(days=1)}, "discharge_date", "on or before"),
        ({"pathway": 4}, "discharge_pathway", "0 to 3"),
        ({"destination": "moon"}, "discharge_destination", "where the person went"),
        ({"follow_on": "nursing_care"}, "follow_on", "Pathway 1 starts"),
        # a first care home placement on pathway 1 would start reablement at home
        ({"destination": "care_home_new"}, "discharge_pathway", "care home placement is pathway 3"),
        ({"destination": "care_home_new", "pathway": 0}, "discharge_pathway", "pathway 3"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_saves_nothing(
    world: Workspace, changes: dict[str, Any], field: str, words: str
) -> None:
    spell = in_hospital(world, "bert")
    meeting(world)
    before = [m.objects.count() for m in (AuditEvent, CarePackage, Episode, AgendaItem)]
    with pytest.raises(DischargeError) as refused:
        discharge(spell, **changes)
    assert refused.value.field == field and words in refused.value.message
    spell.refresh_from_db()
    assert spell.discharge_date is None and spell.discharge_pathway is None
    assert [m.objects.count() for m in (AuditEvent, CarePackage, Episode, AgendaItem)] == before


def test_no_discharge_before_the_ready_date_and_an_adult_s_ready_date_is_never_left_empty(
    world: Workspace,
) -> None:
    spell = in_hospital(world, "bert")
    with pytest.raises(DischargeError, match="on or after the discharge ready date"):
        discharge(spell, discharge_date=READY - dt.timedelta(days=1))
    unrecorded = in_hospital(world, "cora")
    HospitalSpell.objects.filter(pk=unrecorded.pk).update(
        ready_for_discharge_date=None, delay_reason=None, delay_responsibility=None
    )
    discharge(unrecorded)
    unrecorded.refresh_from_db()
    assert unrecorded.ready_for_discharge_date == TODAY  # no delay recorded: ready that day
    # ... and the plan's history says so, and who
    change = PlanChange.objects.get(spell=unrecorded)
    assert (change.ready_for_discharge_date, change.changed_by) == (TODAY, "coordinator")
    assert "no ready date recorded" in change.note


def test_nothing_starts_for_someone_who_has_died_and_no_discharge_after_it(
    world: Workspace,
) -> None:
    meeting(world)
    bert = world.people["bert"]
    spell = in_hospital(world, "bert")
    Person.objects.filter(pk=bert.pk).update(death_date=TODAY - dt.timedelta(days=1))
    with pytest.raises(DischargeError, match="died on") as refused:
        discharge(spell)  # today: after the death
    assert refused.value.field == "discharge_date"
    # Recorded late: discharged home the day before they died; nothing starts now.
    done = discharge(spell, discharge_date=TODAY - dt.timedelta(days=2), pathway=1)
    assert (done.package, done.episode, done.agenda_item) == (None, None, None)
    assert not Episode.objects.filter(person=bert).exists()


def test_the_agenda_item_is_audited(world: Workspace) -> None:
    upcoming = meeting(world)
    discharge(in_hospital(world, "bert"))
    audited = AuditEvent.objects.filter(person_id="p-bert").values_list("what", flat=True)
    assert f"mdt agenda of meeting {upcoming.pk}: discharged" in audited


def test_a_second_discharge_is_refused(world: Workspace) -> None:
    spell = in_hospital(world, "ada")
    discharge(spell)
    with pytest.raises(DischargeError, match="already discharged"):
        discharge(spell)
    assert CarePackage.objects.count() == 1


# --- the page -----------------------------------------------------------------------------


def _coordinator(world: Workspace) -> Any:
    add_staff(world, "coordinator", Profession.DISCHARGE_COORDINATOR, "acute", "Dee", "Charge")
    add_staff(world, "broker", Profession.SOCIAL_CARE_BROKER, "council", "Bea", "Broker")
    return world.client("coordinator")


def test_the_coordinator_records_a_discharge_on_the_page(world: Workspace) -> None:
    spell = in_hospital(world, "bert")
    upcoming = meeting(world)
    coordinator = _coordinator(world)
    url = f"/transfers/stay/{spell.pk}/discharge/"
    page = coordinator.get(url)
    assert page.status_code == 200 and "Bertram Oakes" in page.content.decode()
    assert AuditEvent.objects.filter(person_id="p-bert", what__contains="discharge form").exists()
    done = coordinator.post(
        url, {**date_boxes("discharge_date", TODAY), "destination": "usual_residence",
              "pathway": "1", "follow_on": "home_care"},
    )  # fmt: skip
    assert done.status_code == 302 and done["Location"] == f"/transfers/stay/{spell.pk}/"
    assert CarePackage.objects.get(after_spell=spell).service_type == "home_care"
    # the stay says it is done, and what was started
    stay = coordinator.get(done["Location"]).content.decode()
    assert "The discharge is recorded." in stay
    assert "Started: a home care package from" in stay and "pathway 1" in stay
    assert AgendaItem.objects.filter(meeting=upcoming, person_id="p-bert").exists()
    assert coordinator.get(url).status_code == 404  # discharged: no longer in hospital


def test_what_started_follows_an_objection_to_sharing(world: Workspace) -> None:
    """The stay shows the package started as the record shows packages: under an
    objection, only to the side that funds it (home care: the council's)."""
    spell = in_hospital(world, "bert")
    coordinator = _coordinator(world)
    Consent.objects.create(
        person=world.people["bert"], kind=Consent.Kind.SHARING_OBJECTION,
        recorded_at=timezone.now(), recorded_by="nurse",
    )  # fmt: skip
    discharge(spell, follow_on="home_care")
    page = coordinator.get(f"/transfers/stay/{spell.pk}/").content.decode()
    assert "home care" not in page and "a package not shown to you" in page
    broker = world.client("broker").get(f"/transfers/stay/{spell.pk}/").content.decode()
    assert "Started: a home care package from" in broker


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (typed_boxes("discharge_date", "soon", "1", "2025"), "discharge_date",
         "The discharge date must be a real date, like 27 3 2025"),
        (typed_boxes("discharge_date", "31", "2", "2025"), "discharge_date",
         "The discharge date must be a real date"),
        (typed_boxes("discharge_date", "", "", ""), "discharge_date", "Enter the discharge date"),
        (date_boxes("discharge_date", ADMITTED.replace(day=1) - dt.timedelta(days=1)),
         "discharge_date", "on or after the admission date"),
        ({"pathway": "7"}, "pathway", "choose pathway 0, 1, 2 or 3"),
        ({"destination": "moon"}, "destination", "Select where the person went"),
    ],
)  # fmt: skip
def test_the_page_refuses_bad_input_naming_the_field(
    world: Workspace, form: dict[str, Any], field: str, words: str
) -> None:
    spell = in_hospital(world, "bert")
    coordinator = _coordinator(world)
    data = {**date_boxes("discharge_date", TODAY), "destination": "usual_residence", "pathway": "1"}
    response = coordinator.post(f"/transfers/stay/{spell.pk}/discharge/", {**data, **form})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="{field}-error"' in html and words in html
    linked = f"{field}-day" if field == "discharge_date" else field
    assert f'href="#{linked}"' in html
    spell.refresh_from_db()
    assert spell.discharge_date is None and not CarePackage.objects.exists()


def test_only_discharge_coordinators_record_discharges(world: Workspace) -> None:
    spell = in_hospital(world, "bert")
    _coordinator(world)
    for viewer in ("broker", "manager", "nurse"):
        response = world.client(viewer).get(f"/transfers/stay/{spell.pk}/discharge/")
        assert response.status_code == 403, viewer
