"""Writing to the shared record: case notes, alerts and consent decisions, through Django's
test client on the real database.

On the small partnership of tests/workspace_world.py (Ada on Northgate's caseload). Covers:
each write saves, is audited against the person and shows on the record and its timeline;
every field problem names its field (400) and saves nothing; break-glass reads but never
writes (403, and no buttons); a viewer without a relationship, a commissioner and a
missing person get the identical refusal; ending what someone else ended is a 409 naming
them; an objection hides the other side's notes at once; a labelled note is hidden from
the professions that may not read its label, and the form says so, from the policy's own
table; and the alerts that matter on a visit show on the record, the urgent response board
and a hospital stay's page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from joinedup.access.models import AuditEvent, Consent, Profession, Sensitivity
from joinedup.access.policy import SENSITIVE_READERS, break_glass
from joinedup.people.models import Alert, CaseNote
from joinedup.record.models import HospitalSpell, Person, Referral
from joinedup.referrals.workflow import Actor, create_referral
from workspace_world import Workspace, add_staff, build_workspace

# Through the ORM; the conditional ends, the person's lock and NUL characters run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

ADA = "p-ada"
MISSING = "p-nobody"
NOTE = "Leg ulcer dressed; healing well. Daughter visits on Sundays."
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
OBJECTION = Consent.Kind.SHARING_OBJECTION


@pytest.fixture
def world() -> Workspace:
    world = build_workspace()
    # A second member of council staff in Northgate's team: another social care viewer.
    add_staff(world, "ot", Profession.OCCUPATIONAL_THERAPIST, "council", "Otto", "Tern")
    world.staff["ot"].teams.add(world.north)
    return world


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def record(world: Workspace, who: str, person_id: str = ADA) -> str:
    response = world.client(who).get(f"/people/{person_id}/")
    assert response.status_code == 200, who
    return text_of(response)


def entry_ids(page: str) -> set[str]:
    return set(re.findall(r'id="(entry-[a-z]+-[^"]+)"', page))


def section(page: str, start: str, end: str) -> str:
    """The page from `start` to the first `end` after it."""
    first = page.index(start)
    return page[first : page.index(end, first)]


def audited(action: str, who: str | None = None) -> list[str]:
    events = AuditEvent.objects.filter(person_id=ADA, action=action)
    if who is not None:
        events = events.filter(username=who)
    return list(events.order_by("sequence").values_list("what", flat=True))


def add_alert(world: Workspace, who: str, kind: str, detail: str = "") -> Alert:
    response = world.client(who).post(
        f"/people/{ADA}/alerts/new/", {"kind": kind, "detail": detail}
    )
    assert response.status_code == 302, text_of(response)
    return Alert.objects.filter(person_id=ADA).latest("id")


def record_consent(world: Workspace, who: str, kind: str, note: str = "") -> Any:
    return world.client(who).post(f"/people/{ADA}/consents/new/", {"kind": kind, "note": note})


def write_note(world: Workspace, who: str, text: str, sensitivity: str = "") -> CaseNote:
    response = world.client(who).post(
        f"/people/{ADA}/notes/new/", {"text": text, "sensitivity": sensitivity}
    )
    assert response.status_code == 302, text_of(response)
    return CaseNote.objects.filter(person_id=ADA).latest("id")


# --- case notes ---------------------------------------------------------------------------


def test_a_case_note_is_saved_audited_and_on_the_timeline(world: Workspace) -> None:
    nurse = world.client("nurse")
    form = nurse.get(f"/people/{ADA}/notes/new/")
    assert form.status_code == 200
    assert 'name="text"' in text_of(form) and 'id="sensitivity"' in text_of(form)

    saved = nurse.post(f"/people/{ADA}/notes/new/", {"text": f"  {NOTE}\r\n", "sensitivity": ""})
    assert saved.status_code == 302 and saved["Location"] == f"/people/{ADA}/"

    note = CaseNote.objects.get(person_id=ADA)
    assert note.text == NOTE  # trimmed
    assert note.author == world.staff["nurse"]
    assert note.organisation == world.organisations["trust"]
    assert (note.sector, note.sensitivity) == ("health", None)
    assert abs(note.written_at - timezone.now()) < dt.timedelta(minutes=1)
    assert audited("create", "nurse") == ["case note"]
    assert "case note save (relationship)" in audited("view", "nurse")

    page = text_of(nurse.get(saved["Location"]))
    assert "The case note is added to the record." in page  # the confirmation, once
    assert f"entry-note-{note.pk}" in entry_ids(page) and NOTE in page
    card = page[page.index(f'id="entry-note-{note.pk}"') :]
    card = card[: card.index("</li>")]
    assert "Nia Hart" in card and "Casterbridge Community Health NHS Trust" in card
    assert "Health" in card
    assert "The case note is added" not in record(world, "nurse")  # shown once only


def test_a_note_of_exactly_the_limit_is_saved(world: Workspace) -> None:
    note = write_note(world, "nurse", "x" * 10_000)
    assert len(note.text) == 10_000


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"text": "   ", "sensitivity": ""}, "text", "Enter the case note"),
        (
            {"text": "x" * 10_001, "sensitivity": ""},
            "text",
            "The case note must be 10,000 characters or fewer",
        ),
        (
            {"text": "Visited\x00today", "sensitivity": ""},
            "text",
            "The case note has a character that cannot be saved (a NUL or a broken character)",
        ),
        (
            {"text": NOTE, "sensitivity": "gossip"},
            "sensitivity",
            "Choose a sensitivity label from the list, or no label",
        ),
    ],
)
@pytest.mark.both_databases
def test_note_problems_name_their_field_and_save_nothing(
    world: Workspace, post: dict[str, str], field: str, message: str
) -> None:
    response = world.client("nurse").post(f"/people/{ADA}/notes/new/", post)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert f'href="#{field}"' in page and f'id="{field}"' in page
    assert "<title>Error: " in page
    if field == "sensitivity":
        assert NOTE in page  # what was typed is shown again
    assert not CaseNote.objects.exists()
    assert audited("create") == []


def test_the_label_guidance_names_who_may_read_each_label_from_the_policy(
    world: Workspace,
) -> None:
    page = text_of(world.client("nurse").get(f"/people/{ADA}/notes/new/"))
    for number, label in enumerate(Sensitivity, start=2):  # radio 1 is "No label"
        hint = re.search(rf'id="sensitivity-{number}-item-hint"[^>]*>([^<]*)<', page)
        assert hint is not None, label
        words = hint.group(1)
        for profession in Profession:
            name = profession.label if profession.label[1:2].isupper() else profession.label.lower()
            listed = re.search(rf"(: |, | and ){re.escape(name)}(,| and |\.)", words) is not None
            assert listed == (profession in SENSITIVE_READERS[label]), (label, profession)
        # A district nurse may read safeguarding detail but not sexual or mental health.
        yourself = "You will not be able to read it yourself." in words
        assert yourself == (Profession.DISTRICT_NURSE not in SENSITIVE_READERS[label])
    assert "Sexual health" in page and "Only these professions can read it: GP." in page


def test_a_labelled_note_is_hidden_from_professions_that_may_not_read_it(
    world: Workspace,
) -> None:
    note = write_note(world, "gp", "Sexual health clinic referral discussed.", "sexual_health")
    assert (note.sensitivity, note.sector) == ("sexual_health", "health")
    marker = f"entry-note-{note.pk}"
    gp_page = record(world, "gp")
    assert marker in entry_ids(gp_page) and "clinic referral discussed" in gp_page
    for who in ("nurse", "social_worker", "navigator"):
        page = record(world, who)
        assert marker not in entry_ids(page) and "clinic referral discussed" not in page, who


# --- alerts -------------------------------------------------------------------------------


def test_an_alert_is_added_shown_first_and_ended(world: Workspace) -> None:
    form = world.client("nurse").get(f"/people/{ADA}/alerts/new/")
    assert form.status_code == 200 and "Do not visit alone" in text_of(form)
    alert = add_alert(world, "nurse", Alert.Kind.KEY_SAFE, "Key safe by the back door")
    assert (alert.kind, alert.detail, alert.recorded_by, alert.ended_at) == (
        "key_safe",
        "Key safe by the back door",
        "nurse",
        None,
    )
    assert audited("create", "nurse") == ["alert"]

    page = record(world, "social_worker")
    callout = section(page, 'id="alerts-callout"', "</ul>")
    assert "Key safe" in callout and "Key safe by the back door" in callout
    assert "by Nia Hart)" in section(page, 'id="alerts"', 'id="care-team"')  # who, by name
    # The callout is at the top: after the identity banner, before the care team.
    assert page.index('id="identity"') < page.index('id="alerts-callout"')
    assert page.index('id="alerts-callout"') < page.index('id="care-team"')
    assert f'action="/people/{ADA}/alerts/{alert.pk}/end/"' in page
    assert f"entry-alert-{alert.pk}" in entry_ids(page)

    social_worker = world.client("social_worker")
    ended = social_worker.post(f"/people/{ADA}/alerts/{alert.pk}/end/")
    assert ended.status_code == 302 and ended["Location"] == f"/people/{ADA}/"
    alert.refresh_from_db()
    assert alert.ended_by == "social_worker" and alert.ended_at is not None
    assert audited("update", "social_worker") == ["alert ended"]

    page = text_of(social_worker.get(ended["Location"]))
    assert "Alert ended: Key safe." in page
    assert "Key safe by the back door" not in section(page, 'id="alerts"', 'id="care-team"')
    assert "Key safe" not in section(page, 'id="alerts-callout"', "</ul>")  # Lives alone stays
    assert f'action="/people/{ADA}/alerts/{alert.pk}/end/"' not in page
    card = page[page.index(f'id="entry-alert-{alert.pk}"') :]
    card = card[: card.index("</li>")]
    assert "Alert: Key safe (ended)" in card and "by Sol Webb" in card  # names, not logins
    assert "Nia Hart" in card and "social_worker" not in card


@pytest.mark.both_databases
def test_ending_an_ended_alert_is_a_conflict_naming_who_ended_it(world: Workspace) -> None:
    alert = add_alert(world, "nurse", Alert.Kind.FALLS_RISK)
    assert world.client("nurse").post(f"/people/{ADA}/alerts/{alert.pk}/end/").status_code == 302
    alert.refresh_from_db()
    first_end = alert.ended_at
    assert first_end is not None
    again = world.client("social_worker").post(f"/people/{ADA}/alerts/{alert.pk}/end/")
    assert again.status_code == 409
    page = text_of(again)
    local = timezone.localtime(first_end)
    assert "Nia Hart" in page and f"{local.day} {local:%B %Y} at {local:%H:%M}" in page
    assert "Falls risk" in page and "Nothing has been changed" in page
    alert.refresh_from_db()
    assert (alert.ended_by, alert.ended_at) == ("nurse", first_end)
    assert audited("update", "social_worker") == []


def test_an_alert_of_someone_else_or_no_alert_is_not_found(world: Workspace) -> None:
    theirs = Alert.objects.create(
        person=world.people["bert"],
        kind=Alert.Kind.KEY_SAFE,
        recorded_at=timezone.now(),
        recorded_by="gp",
    )
    nurse = world.client("nurse")
    assert nurse.post(f"/people/{ADA}/alerts/{theirs.pk}/end/").status_code == 404
    assert nurse.post(f"/people/{ADA}/alerts/99999999999999999999/end/").status_code == 404
    assert nurse.get(f"/people/{ADA}/alerts/{theirs.pk}/end/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.ended_at is None


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"kind": "", "detail": ""}, "kind", "Choose the kind of alert"),
        ({"kind": "dragons", "detail": ""}, "kind", "Choose the kind of alert"),
        (
            {"kind": "key_safe", "detail": "d" * 301},
            "detail",
            "The detail must be 300 characters or fewer",
        ),
        (
            {"kind": "key_safe", "detail": "back\x00door"},
            "detail",
            "The detail has a character that cannot be saved",
        ),
    ],
)
def test_alert_problems_name_their_field_and_save_nothing(
    world: Workspace, post: dict[str, str], field: str, message: str
) -> None:
    response = world.client("nurse").post(f"/people/{ADA}/alerts/new/", post)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and f'href="#{field}"' in page and f'id="{field}"' in page
    assert not Alert.objects.exists() and audited("create") == []


# --- consent decisions --------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_consent_decision_is_recorded_refused_twice_and_withdrawn(world: Workspace) -> None:
    form = world.client("social_worker").get(f"/people/{ADA}/consents/new/")
    assert form.status_code == 200 and "National Data Opt-out" in text_of(form)
    response = record_consent(world, "social_worker", Consent.Kind.CONSENT_TO_SHARE, "Agreed")
    assert response.status_code == 302
    consent = Consent.objects.get(person_id=ADA)
    assert (consent.kind, consent.recorded_by, consent.note) == (
        "consent_to_share",
        "social_worker",
        "Agreed",
    )
    assert audited("create", "social_worker") == ["consent decision"]
    page = record(world, "nurse")
    listed = section(page, 'id="consent"', 'id="timeline"')
    assert "Consents to sharing with the integrated team" in listed
    assert "by Sol Webb" in listed and "in force" in listed and "social_worker" not in listed
    assert f"entry-consent-{consent.pk}" in entry_ids(page)

    # The same kind again is refused on its field, naming who recorded the one in force.
    twice = record_consent(world, "nurse", Consent.Kind.CONSENT_TO_SHARE)
    assert twice.status_code == 400
    local = timezone.localtime(consent.recorded_at)
    assert (
        "Consents to sharing with the integrated team is already recorded, by Sol Webb on "
        f"{local.day} {local:%B %Y} at {local:%H:%M}"
    ) in text_of(twice)
    assert 'href="#kind"' in text_of(twice)
    assert Consent.objects.count() == 1 and audited("create", "nurse") == []

    withdrawn = world.client("nurse").post(f"/people/{ADA}/consents/{consent.pk}/end/")
    assert withdrawn.status_code == 302
    consent.refresh_from_db()
    assert consent.ended_by == "nurse" and consent.ended_at is not None
    assert audited("update", "nurse") == ["consent decision ended"]
    page = record(world, "nurse")
    assert "ended" in section(page, 'id="consent"', 'id="timeline"')
    assert "by Nia Hart" in section(page, 'id="consent"', 'id="timeline"')
    assert f'action="/people/{ADA}/consents/{consent.pk}/end/"' not in page
    assert "Consent decision: Consents to sharing with the integrated team (withdrawn)" in page

    # Once withdrawn, the same kind may be recorded again.
    assert record_consent(world, "nurse", Consent.Kind.CONSENT_TO_SHARE).status_code == 302
    assert Consent.objects.filter(ended_at__isnull=True).count() == 1


@pytest.mark.both_databases
def test_withdrawing_a_withdrawn_decision_is_a_conflict_naming_who(world: Workspace) -> None:
    record_consent(world, "nurse", Consent.Kind.NATIONAL_DATA_OPT_OUT)
    consent = Consent.objects.get()
    assert (
        world.client("nurse").post(f"/people/{ADA}/consents/{consent.pk}/end/").status_code == 302
    )
    again = world.client("social_worker").post(f"/people/{ADA}/consents/{consent.pk}/end/")
    assert again.status_code == 409
    assert "Nia Hart" in text_of(again) and "National Data Opt-out" in text_of(again)
    consent.refresh_from_db()
    assert consent.ended_by == "nurse"
    assert audited("update", "social_worker") == []


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"kind": "", "note": ""}, "kind", "Choose the decision the person made"),
        ({"kind": "whatever", "note": ""}, "kind", "Choose the decision the person made"),
        (
            {"kind": "consent_to_share", "note": "n" * 301},
            "note",
            "The note must be 300 characters or fewer",
        ),
    ],
)
def test_consent_problems_name_their_field_and_save_nothing(
    world: Workspace, post: dict[str, str], field: str, message: str
) -> None:
    response = world.client("nurse").post(f"/people/{ADA}/consents/new/", post)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and f'href="#{field}"' in page and f'id="{field}"' in page
    assert not Consent.objects.exists() and audited("create") == []


def test_an_objection_hides_the_other_sides_notes_at_once(world: Workspace) -> None:
    note = write_note(world, "nurse", NOTE)
    alert = add_alert(world, "nurse", Alert.Kind.DO_NOT_VISIT_ALONE, "Dog in the garden")
    marker = f"entry-note-{note.pk}"
    for who in ("social_worker", "ot"):
        assert marker in entry_ids(record(world, who)), who

    assert (
        record_consent(world, "social_worker", OBJECTION, "Said so at the visit").status_code == 302
    )
    objection = Consent.objects.get(kind=OBJECTION)
    for who in ("social_worker", "ot"):  # council staff: the nurse's note is health's
        page = record(world, who)
        assert marker not in entry_ids(page) and NOTE not in page, who
        assert "objects to sharing between health and social care" in page
        # Shared entries stay: the alert (safety) and the decision itself.
        assert {f"entry-alert-{alert.pk}", f"entry-consent-{objection.pk}"} <= entry_ids(page)
    nurse_page = record(world, "nurse")  # health still sees its own note
    assert marker in entry_ids(nurse_page) and f"entry-consent-{objection.pk}" in entry_ids(
        nurse_page
    )

    # Withdrawn, and the note is back for the council's staff at once too.
    world.client("social_worker").post(f"/people/{ADA}/consents/{objection.pk}/end/")
    assert marker in entry_ids(record(world, "ot"))


# --- who may write ------------------------------------------------------------------------


def test_break_glass_reads_but_cannot_write(world: Workspace) -> None:
    alert = add_alert(world, "nurse", Alert.Kind.KEY_SAFE)
    record_consent(world, "nurse", Consent.Kind.CONSENT_TO_SHARE)
    consent = Consent.objects.get()
    with transaction.atomic():
        break_glass(world.user("outsider"), ADA, "Called out of hours by her daughter")
    outsider = world.client("outsider")
    page = text_of(outsider.get(f"/people/{ADA}/"))
    assert "Key safe" in page and 'id="break-glass-read-only"' in page
    for link in ("Add a case note", "Add an alert", "Record a consent decision", "/end/"):
        assert link not in page, link
    # The forms and the writes are refused, and nothing is written.
    for url in ("notes/new/", "alerts/new/", "consents/new/"):
        assert outsider.get(f"/people/{ADA}/{url}").status_code == 403, url
    attempts = {
        "notes/new/": {"text": NOTE, "sensitivity": ""},
        "alerts/new/": {"kind": "falls_risk", "detail": ""},
        "consents/new/": {"kind": OBJECTION, "note": ""},
        f"alerts/{alert.pk}/end/": {},
        f"consents/{consent.pk}/end/": {},
    }
    for url, post in attempts.items():
        assert outsider.post(f"/people/{ADA}/{url}", post).status_code == 403, url
    assert not CaseNote.objects.exists()
    assert Alert.objects.count() == 1 and Consent.objects.count() == 1
    assert Alert.objects.get().ended_at is None and Consent.objects.get().ended_at is None
    assert audited("create", "outsider") == [] and audited("update", "outsider") == []


def test_a_related_viewer_sees_the_links_and_buttons(world: Workspace) -> None:
    alert = add_alert(world, "nurse", Alert.Kind.OXYGEN)
    page = record(world, "navigator")
    for link in ("Add a case note", "Add an alert", "Record a consent decision"):
        assert link in page, link
    assert f'action="/people/{ADA}/alerts/{alert.pk}/end/"' in page


def normalised(body: bytes, person_id: str) -> bytes:
    return CSRF.sub(b'name="csrfmiddlewaretoken" value=""', body).replace(
        person_id.encode(), b"<ID>"
    )


@pytest.mark.parametrize("who", ["outsider", "commissioner"])
def test_no_relationship_and_a_missing_person_get_the_same_refusal(
    world: Workspace, who: str
) -> None:
    alert = add_alert(world, "nurse", Alert.Kind.KEY_SAFE)
    record_consent(world, "nurse", Consent.Kind.CONSENT_TO_SHARE)
    consent = Consent.objects.get()
    client = world.client(who)
    requests = [
        ("get", "notes/new/", {}),
        ("get", "alerts/new/", {}),
        ("get", "consents/new/", {}),
        ("post", "notes/new/", {"text": NOTE, "sensitivity": ""}),
        ("post", "alerts/new/", {"kind": "falls_risk"}),
        ("post", "consents/new/", {"kind": OBJECTION}),
        ("post", f"alerts/{alert.pk}/end/", {}),
        ("post", f"consents/{consent.pk}/end/", {}),
    ]
    for method, url, data in requests:
        real = getattr(client, method)(f"/people/{ADA}/{url}", data)
        missing = getattr(client, method)(f"/people/{MISSING}/{url}", data)
        assert real.status_code == missing.status_code == 403, url
        assert normalised(real.content, ADA) == normalised(missing.content, MISSING), url
        assert "Quillfeather" not in text_of(real) and "No record to show" in text_of(real)
    assert not CaseNote.objects.exists() and Alert.objects.count() == Consent.objects.count() == 1
    assert Alert.objects.get().ended_at is None and Consent.objects.get().ended_at is None


def test_logged_out_visitors_are_sent_to_log_in(world: Workspace) -> None:
    response = Client().post(f"/people/{ADA}/notes/new/", {"text": NOTE})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not CaseNote.objects.exists()


# --- the alerts that matter on a visit, where staff visit from ----------------------------


def alerts_for(person: Person, *kinds: str, ended: str = "") -> None:
    now = timezone.now()
    for kind in kinds:
        Alert.objects.create(
            person=person, kind=kind, recorded_at=now - dt.timedelta(days=1), recorded_by="gp"
        )
    if ended:
        Alert.objects.create(
            person=person,
            kind=ended,
            recorded_at=now - dt.timedelta(days=9),
            recorded_by="gp",
            ended_at=now - dt.timedelta(days=2),
            ended_by="gp",
        )


def two_hour(world: Workspace, key: str) -> Referral:
    return create_referral(
        person=world.people[key],
        urgency="two_hour",
        source="ambulance",
        reason="Fall",
        needs="Lift",
        actor=Actor(user=world.user("gp")),
    )


def test_visit_alerts_show_on_the_urgent_board_in_one_query(world: Workspace) -> None:
    cora = two_hour(world, "cora")
    ucr = world.client("ucr_nurse")
    ucr.get("/referrals/urgent/")  # the first request after logging in also saves the session
    with CaptureQueriesContext(connection) as one:
        assert ucr.get("/referrals/urgent/").status_code == 200
    alerts_for(
        world.people["cora"],
        Alert.Kind.KEY_SAFE,
        Alert.Kind.FALLS_RISK,
        Alert.Kind.COMMUNICATION,  # not a visit alert: on the record, not the board
        ended=Alert.Kind.DO_NOT_VISIT_ALONE,  # ended: not shown
    )
    bert = two_hour(world, "bert")
    alerts_for(world.people["bert"], Alert.Kind.DO_NOT_VISIT_ALONE)
    eli = two_hour(world, "eli")  # no alerts
    with CaptureQueriesContext(connection) as three:
        board = text_of(ucr.get("/referrals/urgent/"))
    assert len(three) == len(one)  # one query for every row's alerts, not one per row
    line = re.search(rf'id="visit-alerts-{cora.pk}">(.*?)</span>\s*</div></th>', board, re.S)
    assert line is not None
    assert "Key safe" in line.group(1) and "Falls risk" in line.group(1)
    assert "Communication" not in line.group(1) and "Do not visit alone" not in line.group(1)
    assert f'id="visit-alerts-{bert.pk}"' in board
    assert "Do not visit alone" in board[board.index(f'id="visit-alerts-{bert.pk}"') :]
    assert f'id="visit-alerts-{eli.pk}"' not in board


def test_visit_alerts_show_on_a_hospital_stay(world: Workspace) -> None:
    add_staff(world, "coordinator", Profession.DISCHARGE_COORDINATOR, "acute", "Dee", "Charge")
    today = timezone.localdate()
    for key in ("ada", "bert"):
        HospitalSpell.objects.create(
            id=f"s-{key}",
            person=world.people[key],
            admission_date=today - dt.timedelta(days=3),
            admission_method="emergency",
            primary_diagnosis="I50.0",
            acsc=False,
            fall=False,
        )
    alerts_for(world.people["ada"], Alert.Kind.DO_NOT_VISIT_ALONE, Alert.Kind.ANIMALS)
    coordinator = world.client("coordinator")
    page = text_of(coordinator.get("/transfers/stay/s-ada/"))
    line = section(page, 'id="visit-alerts"', "</p>")
    assert "Do not visit alone" in line and "Animals" not in line
    assert 'id="visit-alerts"' not in text_of(coordinator.get("/transfers/stay/s-bert/"))


def test_the_record_shows_current_alerts_in_a_warning_callout(world: Workspace) -> None:
    alerts_for(world.people["ada"], Alert.Kind.DNACPR, ended=Alert.Kind.ANIMALS)
    page = record(world, "nurse")
    callout = section(page, 'id="alerts-warning"', "</ul>")
    assert "Do not attempt CPR decision" in callout and "Lives alone" in callout
    assert "Animals in the home" not in callout
    # Ended alerts stay on the timeline, saying so.
    ended = Alert.objects.get(kind=Alert.Kind.ANIMALS)
    assert f"entry-alert-{ended.pk}" in entry_ids(page)
    assert "Alert: Animals in the home (ended)" in page
