"""Capacity and the daily situation report through Django's test client.

The report's CSV and the page's figures are checked against counts made here directly from
the database (raw SQL and a plain loop, with the bands written out again), the bands at
their edges, capacity refused with nothing saved, the gap and which delays capacity
explains on a case built by hand, and who may see and change what.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from date_boxes import date_boxes, typed_boxes
from joinedup.access.models import AuditAction, AuditEvent, Profession
from joinedup.record.models import CarePackage, HospitalSpell, Person
from joinedup.transfers.capacity import (
    EXPLAINED,
    FLOW,
    NOT_KNOWN,
    capacity_picture,
    current_reports,
    explained_by_capacity,
)
from joinedup.transfers.models import Capacity, Stay
from joinedup.transfers.situation_report import delay_metrics
from page_notices import notices, notices_in
from workspace_world import Workspace, add_person, add_staff, build_workspace

# Capacity through the ORM; NUL characters run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

DAY = dt.date(2025, 3, 31)  # the last admission on record: the board's day
READERS = ("broker", "coordinator", "manager", "commissioner")
OUTSIDERS = ("gp", "spa", "nurse", "social_worker", "navigator", "ucr_nurse")
URLS = ("/transfers/capacity/", "/transfers/situation-report/", "/transfers/situation-report.csv")


@pytest.fixture
def world() -> Workspace:
    world = build_workspace()
    add_staff(world, "broker", Profession.SOCIAL_CARE_BROKER, "council", "Bea", "Broker")
    add_staff(world, "coordinator", Profession.DISCHARGE_COORDINATOR, "acute")
    # The latest admission on record, so the board's day is DAY (not delayed: no ready date).
    spell(world, "eli", "s-latest", admitted=DAY)
    return world


def spell(
    world: Workspace,
    person: str,
    spell_id: str,
    *,
    admitted: dt.date,
    ready: dt.date | None = None,
    discharged: dt.date | None = None,
    reason: str | None = None,
) -> HospitalSpell:
    return HospitalSpell.objects.create(
        id=spell_id,
        person=world.people[person],
        admission_date=admitted,
        admission_method="emergency",
        acsc=False,
        fall=False,
        ready_for_discharge_date=ready,
        discharge_date=discharged,
        delay_reason=reason,
    )


def row_cells(html: str, row_id: str) -> dict[str, str]:
    """The cells of the table row with this id, by their data-band or data-field, as text."""
    found = re.search(rf'<tr[^>]*id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, row_id
    cells = re.findall(r'data-(?:band|field)="([^"]+)">(.*?)</td>', found.group(1), re.S)
    cells = [(name, re.sub(r'<span class="nhsuk-table__heading".*?</span>', "", text))
             for name, text in cells]  # fmt: skip
    return {name: re.sub(r"<[^>]+>", "", text).strip() for name, text in cells}


def number(text: str) -> float:
    return float(text.replace(",", "").split()[0].rstrip("%"))


# --- the situation report -------------------------------------------------------------

EDGES = {0: "0-1", 1: "0-1", 2: "2-3", 3: "2-3", 4: "4-6", 6: "4-6", 7: "7-13", 13: "7-13",
         14: "14-20", 20: "14-20", 21: "21+", 45: "21+"}  # fmt: skip


def band_of(days: int) -> str:
    """The collection's bands, written out again for the direct count."""
    for high, name in ((1, "0-1"), (3, "2-3"), (6, "4-6"), (13, "7-13"), (20, "14-20")):
        if days <= high:
            return name
    return "21+"


def direct_report(day: dt.date) -> dict[tuple[str, str], tuple[int, int]]:
    """{(reason, band): (adults, days delayed)} by raw SQL and a loop, as the test's own count."""
    spells, people = HospitalSpell._meta.db_table, Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.delay_reason, s.ready_for_discharge_date, p.birth_date "
            f"FROM {spells} s JOIN {people} p ON p.person_id = s.person_id "
            "WHERE s.admission_date <= %s AND s.ready_for_discharge_date <= %s "
            "AND (s.discharge_date IS NULL OR s.discharge_date > %s)",
            [day, day, day],
        )
        rows = cursor.fetchall()
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    for reason, ready_value, birth_value in rows:
        ready, birth = (dt.date.fromisoformat(str(v)) for v in (ready_value, birth_value))
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        if age < 18:
            continue
        days = (day - ready).days
        key = (reason or "unrecorded", band_of(days))
        people_so_far, days_so_far = counts.get(key, (0, 0))
        counts[key] = (people_so_far + 1, days_so_far + days)
    return counts


def delays_at_the_edges(world: Workspace) -> dict[str, int]:
    """One adult delayed on DAY by each edge length; and people who must not count."""
    reasons = ["awaiting_care_package", "awaiting_nursing_home", None, "housing"]
    made = {}
    for serial, (days, _band) in enumerate(EDGES.items()):
        key = f"edge{days}"
        add_person(world, key, 50_000 + serial * 100, place="n-north" if serial % 2 else "n-south")
        spell(world, key, f"s-{key}", admitted=DAY - dt.timedelta(days=days + 3),
              ready=DAY - dt.timedelta(days=days), reason=reasons[serial % 4])  # fmt: skip
        made[f"s-{key}"] = days
    # 18 today (counts) and 17 until tomorrow (does not)
    add_person(world, "adult", 61_000, birth_date=dt.date(2007, 3, 31))
    spell(world, "adult", "s-adult", admitted=DAY - dt.timedelta(days=9),
          ready=DAY - dt.timedelta(days=2), reason="awaiting_assessment")  # fmt: skip
    add_person(world, "child", 62_000, birth_date=dt.date(2007, 4, 1))
    spell(world, "child", "s-child", admitted=DAY - dt.timedelta(days=9),
          ready=DAY - dt.timedelta(days=2), reason="awaiting_assessment")  # fmt: skip
    # not delayed on DAY: ready tomorrow; no ready date; discharged on DAY; admitted after
    spell(world, "ada", "s-ready-later", admitted=DAY - dt.timedelta(days=4),
          ready=DAY + dt.timedelta(days=1))  # fmt: skip
    spell(world, "bert", "s-no-ready", admitted=DAY - dt.timedelta(days=30))
    spell(world, "cora", "s-gone", admitted=DAY - dt.timedelta(days=20),
          ready=DAY - dt.timedelta(days=10), discharged=DAY, reason="housing")  # fmt: skip
    return made


def test_the_csv_and_the_page_equal_a_direct_count_with_bands_at_their_edges(
    world: Workspace,
) -> None:
    made = delays_at_the_edges(world)
    expected = direct_report(DAY)
    # the direct count itself has every edge where the collection puts it
    assert sum(n for n, _ in expected.values()) == len(made) + 1  # the edges and the 18-year-old
    for spell_id, days in made.items():
        assert band_of(days) == EDGES[days], spell_id

    response = world.client("coordinator").get("/transfers/situation-report.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"situation-report-{DAY}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["date", "delay_reason", "delay_band", "people", "delayed_days"]
    assert {r["date"] for r in rows} == {DAY.isoformat()}
    detail = {
        (r["delay_reason"], r["delay_band"]): (int(r["people"]), int(r["delayed_days"]))
        for r in rows
        if "all" not in (r["delay_reason"], r["delay_band"])
    }
    assert len(detail) == 12 * 6  # every reason (and unrecorded) x every band, zeros included
    assert {k: v for k, v in detail.items() if v != (0, 0)} == expected
    total = next(r for r in rows if r["delay_reason"] == "all" and r["delay_band"] == "all")
    assert int(total["people"]) == sum(n for n, _ in expected.values()) == 13
    assert (
        int(total["delayed_days"]) == sum(d for _, d in expected.values()) == sum(made.values()) + 2
    )
    for band in ("0-1", "2-3", "4-6", "7-13", "14-20", "21+"):
        band_total = next(r for r in rows if r["delay_reason"] == "all" and r["delay_band"] == band)
        assert int(band_total["people"]) == sum(
            n for (_, b), (n, _) in expected.items() if b == band
        )

    page = world.client("coordinator").get("/transfers/situation-report/")
    assert page.status_code == 200
    html = page.content.decode()
    for reason in ("awaiting_care_package", "awaiting_nursing_home", "unrecorded", "housing"):
        cells = row_cells(html, f"sitrep-{reason}")
        for band in ("0-1", "2-3", "4-6", "7-13", "14-20", "21+"):
            assert int(cells[band]) == expected.get((reason, band), (0, 0))[0], (reason, band)
        assert int(cells["delayed_days"]) == sum(
            d for (r, _), (_, d) in expected.items() if r == reason
        )
    everyone = row_cells(html, "sitrep-all")
    assert int(everyone["all"]) == 13


def test_an_earlier_day_counts_people_discharged_since(world: Workspace) -> None:
    earlier = DAY - dt.timedelta(days=5)
    spell(world, "ada", "s-left", admitted=earlier - dt.timedelta(days=10),
          ready=earlier - dt.timedelta(days=7), discharged=DAY - dt.timedelta(days=1),
          reason="awaiting_residential_home")  # fmt: skip
    spell(world, "bert", "s-left-that-day", admitted=earlier - dt.timedelta(days=10),
          ready=earlier - dt.timedelta(days=2), discharged=earlier, reason="housing")  # fmt: skip
    response = world.client("broker").get(
        "/transfers/situation-report.csv", date_boxes("on", earlier)
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    counted = {
        (r["delay_reason"], r["delay_band"]): (int(r["people"]), int(r["delayed_days"]))
        for r in rows
        if "all" not in (r["delay_reason"], r["delay_band"]) and r["people"] != "0"
    }
    assert counted == direct_report(earlier) == {("awaiting_residential_home", "7-13"): (1, 7)}
    # The page for that day offers the same day's CSV.
    page = world.client("broker").get("/transfers/situation-report/", date_boxes("on", earlier))
    link = f"/transfers/situation-report.csv?on_day={earlier.day}&amp;on_month={earlier.month}"
    assert f'href="{link}&amp;on_year={earlier.year}"' in page.content.decode()


def test_a_bad_day_is_refused_naming_the_field(world: Workspace) -> None:
    client = world.client("coordinator")
    page = client.get("/transfers/situation-report/", typed_boxes("on", "31", "2", "2025"))
    assert page.status_code == 400
    assert 'href="#on-day"' in page.content.decode()
    assert "The day must be a real date" in page.content.decode()
    assert 'name="on_day" type="text" value="31"' in page.content.decode()  # shown back
    partly = client.get("/transfers/situation-report/", typed_boxes("on", "3", "", "2025"))
    assert partly.status_code == 400 and "The day must include a month" in partly.content.decode()
    year_one = client.get("/transfers/situation-report/", typed_boxes("on", "1", "1", "0001"))
    assert year_one.status_code == 400
    assert "The day must be in 1900 or later" in year_one.content.decode()
    later = client.get(
        "/transfers/situation-report.csv", date_boxes("on", DAY + dt.timedelta(days=1))
    )
    assert later.status_code == 400
    assert later.content.decode().startswith(
        "The day must be on or before 31 March 2025, when the hospital data end"
    )


# --- metrics 6, 7, 8 -----------------------------------------------------------------------


def direct_metrics(start: dt.date, end: dt.date) -> dict[str | None, dict[str, Any]]:
    """Metrics 6, 7, 8 by raw SQL and a loop, per neighbourhood and for the area (None)."""
    spells, people = HospitalSpell._meta.db_table, Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.discharge_date, s.ready_for_discharge_date, s.delay_reason, "
            f"p.birth_date, p.neighbourhood_id FROM {spells} s "
            f"JOIN {people} p ON p.person_id = s.person_id "
            "WHERE s.discharge_date >= %s AND s.discharge_date <= %s "
            "AND s.ready_for_discharge_date IS NOT NULL",
            [start, end],
        )
        rows = cursor.fetchall()
    out: dict[str | None, dict[str, Any]] = {}
    for discharged_value, ready_value, reason, birth_value, place in rows:
        discharged, ready, birth = (
            dt.date.fromisoformat(str(v)) for v in (discharged_value, ready_value, birth_value)
        )
        age = (
            discharged.year
            - birth.year
            - ((discharged.month, discharged.day) < (birth.month, birth.day))
        )
        if age < 18:
            continue
        delay = max(0, (discharged - ready).days)
        for group in (None, place):
            m = out.setdefault(group, {"n": 0, "zero": 0, "delayed": 0, "days": 0, "reasons": {}})
            m["n"] += 1
            m["zero"] += delay == 0
            m["delayed"] += delay > 0
            m["days"] += delay
            name = reason or "unrecorded"
            m["reasons"][name] = m["reasons"].get(name, 0) + delay
    return out


def test_the_pages_metrics_equal_a_direct_count(world: Workspace) -> None:
    start = DAY - dt.timedelta(days=29)
    cases = [
        # person, discharged, delay, reason
        ("ada", DAY, 0, None),
        ("bert", DAY - dt.timedelta(days=3), 5, "awaiting_care_package"),
        ("cora", start, 12, "awaiting_nursing_home"),  # the period's first day: in
        ("dot", start - dt.timedelta(days=1), 9, "housing"),  # the day before: out
        ("eli", DAY - dt.timedelta(days=10), 0, "awaiting_assessment"),
        ("eli", DAY - dt.timedelta(days=2), 4, None),  # delayed with no reason: unrecorded
        ("ada", DAY - dt.timedelta(days=20), 2, "awaiting_care_package"),
    ]
    for i, (person, discharged, delay, reason) in enumerate(cases):
        spell(world, person, f"s-m{i}", admitted=discharged - dt.timedelta(days=delay + 6),
              ready=discharged - dt.timedelta(days=delay), discharged=discharged,
              reason=reason)  # fmt: skip
    # ready after the discharge: a delay of 0, not negative
    spell(world, "bert", "s-m-early", admitted=DAY - dt.timedelta(days=9),
          ready=DAY - dt.timedelta(days=1), discharged=DAY - dt.timedelta(days=4))  # fmt: skip
    # no ready date recorded: left out; 17 at discharge: left out; 18 at discharge: in
    spell(world, "cora", "s-m-unready", admitted=DAY - dt.timedelta(days=9),
          discharged=DAY - dt.timedelta(days=1))  # fmt: skip
    add_person(world, "teen", 70_000, place="n-south", birth_date=dt.date(2007, 3, 30))
    spell(world, "teen", "s-m-17", admitted=DAY - dt.timedelta(days=20),
          ready=DAY - dt.timedelta(days=15), discharged=DAY - dt.timedelta(days=2))  # fmt: skip
    spell(world, "teen", "s-m-18", admitted=DAY - dt.timedelta(days=6),
          ready=DAY - dt.timedelta(days=4), discharged=DAY, reason="dispute")  # fmt: skip

    expected = direct_metrics(start, DAY)
    assert expected[None]["n"] == 8  # 6 in the window, the early ready date and the 18-year-old
    computed = {m.neighbourhood_id: m for m in delay_metrics(start, DAY)}
    assert set(computed) == {None, "n-north", "n-south"}
    for group, m in computed.items():
        want = expected.get(group, {"n": 0, "zero": 0, "delayed": 0, "days": 0, "reasons": {}})
        assert (m.spells, m.on_ready_date, m.delayed, m.delayed_days) == (
            want["n"], want["zero"], want["delayed"], want["days"],
        ), group  # fmt: skip
        assert m.by_reason == want["reasons"], group

    html = world.client("manager").get("/transfers/situation-report/").content.decode()
    area = expected[None]
    cells = row_cells(html, "metrics-area")
    assert int(cells["spells"]) == area["n"]
    assert number(cells["on_ready_date_pct"]) == round(area["zero"] * 100 / area["n"], 1)
    assert number(cells["mean_delay"]) == round(area["days"] / area["delayed"], 1)
    assert int(cells["delayed_days"]) == area["days"] == 5 + 12 + 4 + 2 + 4
    for place in ("n-north", "n-south"):
        assert int(row_cells(html, f"metrics-{place}")["delayed_days"]) == expected[place]["days"]
    for reason, days in area["reasons"].items():
        if days:
            assert int(row_cells(html, f"by-reason-{reason}")["delayed_days"]) == days
        else:
            assert f'id="by-reason-{reason}"' not in html
    assert '<svg class="outcomes-chart"' in html and "Delayed days by reason" in html


# --- capacity: recording it ------------------------------------------------------------------


def post(client: Client, **fields: str) -> Any:
    data = {"service": "home_care", "neighbourhood": "n-north", "available": "40", "note": ""}
    return client.post("/transfers/capacity/", {**data, **fields})


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"service": ""}, "service", "Service: choose what the figure is for"),
        ({"service": "day_care"}, "service", "Service: choose a service from the list"),
        ({"neighbourhood": ""}, "neighbourhood", "Area: choose a neighbourhood or the whole"),
        ({"neighbourhood": "n-nowhere"}, "neighbourhood", "Area: choose a neighbourhood from"),
        ({"available": ""}, "available", "Enter the number available"),
        ({"available": "lots"}, "available", "Number available must be a number"),
        ({"available": "nan"}, "available", "Number available must be a number"),
        ({"available": "-1"}, "available", "Number available must be 0 or more"),
        # a decimal comma, or commas not between thousands, is never read as a bigger number
        ({"available": "12,5"}, "available", "Number available must be a number"),
        ({"available": "1,2,3"}, "available", "Number available must be a number"),
        ({"available": "1_000"}, "available", "Number available must be a number"),
        ({"available": "50001"}, "available", "must be 50,000 hours a week or fewer"),
        ({"service": "nursing_care", "available": "2001"}, "available", "2,000 vacancies or fewer"),
        ({"service": "reablement", "available": "2.5"}, "available", "a whole number of slots"),
        ({"note": "x" * 301}, "note", "Note must be 300 characters or fewer"),
        ({"note": "a\x00b"}, "note", "remove the NUL character"),
        ({"neighbourhood": "n-\x00"}, "neighbourhood", "the one given is not known"),
    ],
)
@pytest.mark.both_databases
def test_bad_capacity_is_refused_naming_the_field_and_nothing_is_saved(
    world: Workspace, fields: dict[str, str], field: str, message: str
) -> None:
    events = AuditEvent.objects.count()
    response = post(world.client("broker"), **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#{field}">' in html
    assert message in html
    assert f'id="{field}-error"' in html
    assert Capacity.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_broker_records_capacity_audited_and_the_page_shows_current_and_history(
    world: Workspace,
) -> None:
    client = world.client("broker")
    first = post(client, available="1,200.5", note="Two providers")
    assert first.status_code == 302
    report = Capacity.objects.get()
    assert first["Location"] == "/transfers/capacity/"  # confirmed by a message, once
    said = "Recorded: Home care (hours a week), Northgate: 1,200.5 hours a week."
    assert notices(client, first["Location"]) == [said]
    assert notices(client, first["Location"]) == []
    assert (report.service, report.neighbourhood_id, report.available, report.recorded_by) == (
        "home_care", "n-north", 1200.5, "broker",
    )  # fmt: skip
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.person_id is None and event.username == "broker"
    assert event.profession == Profession.SOCIAL_CARE_BROKER
    assert event.what == f"capacity {report.pk}: home_care in n-north: 1200.5"
    assert post(client, available="900").status_code == 302
    assert (
        post(client, service="nursing_care", neighbourhood="area", available="3").status_code == 302
    )
    assert Capacity.objects.count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 3

    html = client.get("/transfers/capacity/").content.decode()
    current = re.search(r'id="current-home_care-n-north"[^>]*>(.*?)</tr>', html, re.S)
    assert current and "900 hours a week" in current.group(1)
    assert "by Bea Broker" in current.group(1)  # the broker's name, not her login
    assert "1,200.5" not in current.group(1)
    assert 'id="current-nursing_care-area"' in html
    history = html[html.index('id="history"') :]
    assert history.count('id="report-') == 3
    assert "1,200.5 hours a week" in history and "Two providers" in history
    assert history.count("Bea Broker") == 3 and ">broker<" not in history
    assert notices_in(html) == [
        "Recorded: Home care (hours a week), Northgate: 900 hours a week.",
        "Recorded: Care home vacancies: nursing, Whole area: 3 vacancies.",
    ]  # one for each report recorded since the page was last drawn


# --- capacity: the gap and which delays it explains ------------------------------------------


def package(world: Workspace, person: str, pid: str, start: dt.date, hours: float | None,
            end: dt.date | None = None) -> None:  # fmt: skip
    CarePackage.objects.create(
        id=pid, person=world.people[person], service_type="home_care", start_date=start,
        end_date=end, hours_per_week=hours, personal_budget=False, permanent=False,
    )  # fmt: skip


def test_the_gap_and_which_delays_capacity_explains_on_a_hand_built_case(
    world: Workspace,
) -> None:
    admitted, ready = DAY - dt.timedelta(days=20), DAY - dt.timedelta(days=6)
    north = [f"n{i}" for i in range(7)]
    south = [f"s{i}" for i in range(5)]
    for serial, key in enumerate(north + south):
        add_person(
            world, key, 80_000 + serial * 100, place="n-north" if key in north else "n-south"
        )

    def delayed(key: str, reason: str, pathway: int | None = None) -> None:
        spell(world, key, f"s-{key}", admitted=admitted, ready=ready, reason=reason)
        if pathway is not None:
            when = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
            Stay.objects.create(
                spell_id=f"s-{key}", proposed_pathway=pathway, updated_at=when, updated_by="t"
            )

    # Home care already running when admitted: waiting for home care (north, two people).
    for key in ("n0", "n1"):
        package(world, key, f"pk-{key}", dt.date(2023, 1, 1), 7.0)
        delayed(key, "awaiting_care_package")
    # A new need on pathway 1 or none yet: reablement (north none, south pathway 1).
    delayed("n2", "awaiting_care_package")
    delayed("s0", "awaiting_care_package", pathway=1)
    # A new need on another pathway: home care (south).
    delayed("s1", "awaiting_care_package", pathway=3)
    # Home care that ended before the admission is not running: reablement (north).
    package(
        world, "n3", "pk-n3-old", dt.date(2023, 1, 1), 30.0, end=admitted - dt.timedelta(days=1)
    )
    delayed("n3", "awaiting_care_package")
    delayed("n4", "awaiting_residential_home")
    delayed("n5", "awaiting_residential_home")
    delayed("s2", "awaiting_residential_home")
    delayed("s3", "awaiting_nursing_home")
    delayed("n6", "awaiting_further_nhs_care")
    delayed("s4", "awaiting_assessment")  # no service ends it

    # Home care packages started in the 12 months to DAY: 5, 10, 20 hours -> median 10
    # (one 13 months ago, one of no hours and the old ones above are not counted).
    package(world, "ada", "pk-a", DAY - dt.timedelta(days=30), 5.0)
    package(world, "bert", "pk-b", DAY - dt.timedelta(days=364), 10.0)
    package(world, "cora", "pk-c", DAY, 20.0)
    package(world, "dot", "pk-d", DAY - dt.timedelta(days=365), 100.0)
    package(world, "eli", "pk-e", DAY - dt.timedelta(days=40), None)

    t0 = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    t1 = t0 + dt.timedelta(days=1)

    def report(service: str, place: str | None, available: float, at: dt.datetime) -> None:
        Capacity.objects.create(service=service, neighbourhood_id=place, available=available,
                                recorded_at=at, recorded_by="broker")  # fmt: skip

    report("home_care", "n-north", 15, t1)  # needed 2 x 10 = 20: short by 5
    report("reablement", None, 1, t1)  # area-wide; 3 waiting: short by 2
    report("residential_care", "n-north", 0, t0)  # superseded by the next
    report("residential_care", "n-north", 5, t1)  # 2 waiting: room to spare
    report("residential_care", "n-south", 0, t1)  # 1 waiting: short here, and the
    report("residential_care", None, 0, t1)  # area-wide pool is empty (the north's own don't count)
    report("intermediate_care", None, 0, t1)  # 1 waiting: short by 1
    # nursing care: nothing recorded; home care in the south: nothing recorded

    picture = capacity_picture(DAY)
    assert picture.median_hours == 10.0

    def row(service: str, place: str | None) -> tuple[Any, ...]:
        r = picture.row(service, place)
        assert r is not None, (service, place)
        return (r.waiting, r.needed, r.available, r.gap, r.explained, r.flow, r.not_known)

    assert row("home_care", None) == (3, 30.0, 15.0, None, 2, 0, 1)  # the south: no figure
    assert row("home_care", "n-north") == (2, 20.0, 15.0, 5.0, 2, 0, 0)
    assert row("home_care", "n-south") == (1, 10.0, None, None, 0, 0, 1)
    assert row("reablement", None) == (3, 3.0, 1.0, 2.0, 3, 0, 0)
    # the area is short by the south's 1: the north's 3 spare places are not the south's
    assert row("residential_care", None) == (3, 3.0, 5.0, 1.0, 1, 2, 0)
    assert row("residential_care", "n-north") == (2, 2.0, 5.0, -3.0, 0, 2, 0)
    assert row("residential_care", "n-south") == (1, 1.0, 0.0, 1.0, 1, 0, 0)
    assert row("nursing_care", None) == (1, 1.0, None, None, 0, 0, 1)
    assert row("intermediate_care", None) == (1, 1.0, 0.0, 1.0, 1, 0, 0)
    assert (picture.count(EXPLAINED), picture.count(FLOW), picture.count(NOT_KNOWN)) == (7, 2, 2)

    explained = explained_by_capacity(
        HospitalSpell.objects.filter(id__in=["s-n0", "s-n2", "s-s0", "s-n3", "s-n6"]), DAY
    )
    assert explained == {"s-n0": True, "s-n2": True, "s-s0": True, "s-n3": True, "s-n6": True}
    assert explained_by_capacity(["s-n4", "s-s2", "s-s1", "s-s3", "s-s4", "s-latest"], DAY) == {
        "s-n4": False,  # residential care to spare in the north: flow
        "s-s2": True,  # short in the south, none area-wide: the north's own places don't help
        "s-s1": False,  # home care in the south: no figure
        "s-s3": False,  # nursing care: no figure
        "s-s4": False,  # awaiting assessment: not a service's capacity
        "s-latest": False,  # not delayed
    }
    # Capacity as at a time: before the second reports, the north had no residential room.
    early = current_reports(t0 + dt.timedelta(hours=1))
    assert set(early) == {("residential_care", "n-north")}
    assert early[("residential_care", "n-north")].available == 0
    assert current_reports()[("residential_care", "n-north")].available == 5

    html = world.client("coordinator").get("/transfers/capacity/").content.decode()
    cells = row_cells(html, "gap-home_care-n-north")
    assert (cells["waiting"], cells["needed"], cells["available"], cells["gap"]) == (
        "2", "20 hours a week", "15 hours a week", "5",
    )  # fmt: skip
    assert (cells["explained"], cells["flow"], cells["not_known"]) == ("2", "0", "0")
    assert row_cells(html, "gap-residential_care-n-south")["explained"] == "1"
    assert row_cells(html, "gap-nursing_care-area")["available"] == "Not recorded"
    assert "hours a week: the median of the home care packages" in html
    summary = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", "", html[html.index('id="explained-summary"') :])
    )
    assert "explains the delay of 7 " in summary and " 2 wait although capacity exists" in summary

    # The board marks each delay the same way and gives the area's gap per service.
    board = world.client("coordinator").get("/transfers/").content.decode()

    def board_row(spell_id: str) -> str:
        return board.split(f'id="stay-{spell_id}"', 1)[1].split("</tr>", 1)[0]

    assert "Capacity short" in board_row("s-n0") and "Capacity short" in board_row("s-n6")
    assert "Capacity available" in board_row("s-n4")
    assert "Capacity" not in board_row("s-s4")  # awaiting assessment: not capacity
    gaps = board[board.index('id="capacity-gap-list"') :].split("</ul>", 1)[0]
    assert "Home care (hours a week): 3 waiting, 15.0 available." in re.sub(r"\s+", " ", gaps)


# --- who may see and change what ---------------------------------------------------------------


def test_only_the_hub_managers_and_commissioners_read_and_only_brokers_record(
    world: Workspace,
) -> None:
    for key in READERS:
        client = world.client(key)
        for url in URLS:
            assert client.get(url).status_code == 200, (key, url)
    for key in OUTSIDERS:
        client = world.client(key)
        for url in URLS:
            assert client.get(url).status_code == 403, (key, url)
        assert post(client).status_code == 403, key
    for key in ("coordinator", "manager", "commissioner"):
        assert post(world.client(key)).status_code == 403, key
        assert (
            'action="/transfers/capacity/"' not in world.client(key).get(URLS[0]).content.decode()
        )
    assert Capacity.objects.count() == 0
    for url in URLS:
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert post(world.client("broker")).status_code == 302


def test_another_neighbourhood_s_own_places_never_clear_a_shortage(world: Workspace) -> None:
    admitted, ready = DAY - dt.timedelta(days=20), DAY - dt.timedelta(days=6)
    for serial, key in enumerate(("x0", "x1")):
        add_person(world, key, 90_000 + serial * 100, place="n-north")
        spell(world, key, f"s-{key}", admitted=admitted, ready=ready,
              reason="awaiting_residential_home")  # fmt: skip
    at = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    for place, available in (("n-north", 0), ("n-south", 10), (None, 0)):
        Capacity.objects.create(
            service="residential_care", neighbourhood_id=place, available=available,
            recorded_at=at, recorded_by="broker",
        )  # fmt: skip
    assert explained_by_capacity(["s-x0", "s-x1"], DAY) == {"s-x0": True, "s-x1": True}
