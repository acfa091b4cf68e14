"""The outcome dashboards through Django's test client, on figures computed by the real metrics
(DuckDB) from a tiny lake: who may see them, the CSVs equal the stored figures, the Audit
Commission page agrees with hand-worked numbers, and storing is all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from joinedup.access.demo import create_demo_logins
from joinedup.access.models import AuditEvent, Profession, StaffMember
from joinedup.outcomes.models import AREA, OutcomeResult, OutcomeRun
from joinedup.outcomes.refresh import RefreshError, refresh_outcomes, store_outcomes, stored_for
from joinedup.record.load import lake_fingerprint, load_lake
from joinedup.record.models import Person

# Stored outcomes read through the ORM; storing all-or-nothing runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

METRIC = "emergency_admissions_per_100k"
VIEWERS = {Profession.COMMISSIONER, Profession.TEAM_MANAGER}


@pytest.fixture
def city(tiny_lake: Path) -> dict[str, str]:
    """The tiny lake loaded, its outcome figures computed and stored, and the demo logins."""
    load_lake(tiny_lake)
    refresh_outcomes(tiny_lake, username="tests")
    usernames = {login.username for login in create_demo_logins()}
    return {
        staff.profession: staff.user.username
        for staff in StaffMember.objects.select_related("user")
        if staff.user.username in usernames
    }


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def number(text: str) -> float | None:
    return float(text) if text else None


def test_only_commissioners_and_team_managers_see_the_dashboards(
    city: dict[str, str],
) -> None:
    urls = [
        "/outcomes/",
        f"/outcomes/{METRIC}/",
        f"/outcomes/{METRIC}/panels.csv",
        f"/outcomes/{METRIC}/area.csv",
        f"/outcomes/{METRIC}/league.csv",
        "/outcomes/audit-commission/",
        "/outcomes/audit-commission.csv",
    ]
    labels = dict(Profession.choices)
    for profession, username in city.items():
        client = client_for(username)
        for url in urls:
            response = client.get(url)
            expected = 200 if profession in VIEWERS else 403
            assert response.status_code == expected, (labels[profession], url)
            if expected == 403:
                assert b"You cannot see this page" in response.content
        overview = client.get("/").content.decode()
        assert ('href="/outcomes/"' in overview) == (profession in VIEWERS), labels[profession]
    anonymous = Client().get("/outcomes/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    get_user_model().objects.create_superuser("bare-superuser", password="a long password 1")
    assert client_for("bare-superuser").get("/outcomes/").status_code == 403
    assert Client().get(f"/outcomes/{METRIC}/panels.csv").status_code == 302


def test_pages_show_aggregates_and_no_person(city: dict[str, str]) -> None:
    client = client_for(city[Profession.COMMISSIONER])
    pages = [client.get("/outcomes/"), client.get("/outcomes/audit-commission/")]
    pages += [client.get(f"/outcomes/{name}/") for name in (METRIC, "delayed_days")]
    pages.append(client.get("/outcomes/pooled_budget_spent_pct/"))
    people = Person.objects.all()
    assert people.count() == 6
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        for person in people:
            for detail in (person.id, person.given_name, person.family_name, person.postcode):
                assert f">{detail}<" not in text and f" {detail} " not in text
    assert AuditEvent.objects.filter(action="view").count() == 0  # no person, no view event


def test_metric_page_has_a_panel_per_neighbourhood_with_go_live(city: dict[str, str]) -> None:
    page = client_for(city[Profession.COMMISSIONER]).get(f"/outcomes/{METRIC}/").content.decode()
    assert page.count('<svg class="outcomes-chart"') == 3  # the area, Northgate, Southmead
    assert 'id="panel-n-north"' in page and 'id="panel-n-south"' in page
    assert page.count('class="outcomes-go-live"') == 1  # Southmead is not integrated yet
    assert "The integrated team went live on 1 April 2021" in page
    assert "The team is not integrated yet." in page
    assert "League table, 2024/25" in page
    assert "outcomes-panel--yours" not in page  # a commissioner has no team


def test_team_managers_land_with_their_neighbourhood_highlighted(city: dict[str, str]) -> None:
    manager = StaffMember.objects.get(user__username=city[Profession.TEAM_MANAGER])
    assert list(manager.teams.values_list("neighbourhood_id", flat=True)) == ["n-north"]
    page = client_for(city[Profession.TEAM_MANAGER]).get(f"/outcomes/{METRIC}/").content.decode()
    assert 'class="outcomes-panel outcomes-panel--yours" id="panel-n-north"' in page
    assert "Northgate (your team)" in page
    assert 'Your team\'s neighbourhood, <a href="#panel-n-north">Northgate</a>' in page


def test_csv_downloads_equal_the_stored_figures(city: dict[str, str]) -> None:
    client = client_for(city[Profession.TEAM_MANAGER])
    stored = {
        (r.neighbourhood_id, r.period_start.isoformat()): r
        for r in OutcomeResult.objects.filter(period_kind="month", metric=METRIC)
    }
    panels = read_csv(client.get(f"/outcomes/{METRIC}/panels.csv").content)
    assert len(panels) == 2 * 72  # two neighbourhoods, April 2019 to March 2025
    for row in panels:
        figure = stored[(row["group"], row["period_start"])]
        area = stored[(AREA, row["period_start"])]
        assert row["period_end"] == figure.period_end.isoformat()
        assert number(row["numerator"]) == figure.numerator
        assert number(row["denominator"]) == figure.denominator
        assert number(row["value"]) == figure.value
        assert number(row["area_value"]) == area.value
    assert {r["go_live_date"] for r in panels if r["group"] == "n-north"} == {"2021-04-01"}
    assert {r["go_live_date"] for r in panels if r["group"] == "n-south"} == {""}

    area = read_csv(client.get(f"/outcomes/{METRIC}/area.csv").content)
    assert [(r["period_start"], number(r["value"])) for r in area] == [
        (k[1], f.value) for k, f in sorted(stored.items()) if k[0] == AREA
    ]
    assert area[10]["twelve_month_average"] == "" and area[11]["twelve_month_average"] != ""

    league = read_csv(client.get(f"/outcomes/{METRIC}/league.csv?year=2022").content)
    yearly = {
        r.neighbourhood_id: r
        for r in OutcomeResult.objects.filter(
            period_kind="year", metric=METRIC, period_start=dt.date(2022, 4, 1)
        )
    }
    assert {r["group"] for r in league} == {"n-north", "n-south", AREA}
    for row in league:
        figure = yearly[row["group"]]
        assert row["financial_year"] == "2022/23"
        assert (number(row["numerator"]), number(row["denominator"]), number(row["value"])) == (
            figure.numerator,
            figure.denominator,
            figure.value,
        )
        assert number(row["area_value"]) == yearly[AREA].value


def test_delayed_days_are_shown_per_100k_of_the_stored_population(city: dict[str, str]) -> None:
    client = client_for(city[Profession.COMMISSIONER])
    rows = read_csv(client.get("/outcomes/delayed_days/league.csv?year=2019").content)
    by_group = {r["group"]: r for r in rows}
    days = OutcomeResult.objects.get(
        period_kind="year", metric="delayed_days", neighbourhood_id="n-north",
        period_start=dt.date(2019, 4, 1),
    )  # fmt: skip
    people = OutcomeResult.objects.get(
        period_kind="year", metric=METRIC, neighbourhood_id="n-north",
        period_start=dt.date(2019, 4, 1),
    )  # fmt: skip
    # s1: ready 20 January 2020, discharged the 25th: 5 delayed days among 2 people.
    assert days.numerator == 5 and people.denominator == 2
    north = by_group["n-north"]
    assert number(north["delayed_days"]) == 5
    assert number(north["population"]) == 2
    assert number(north["delayed_days_per_100k"]) == pytest.approx(5 * 100_000 / 2)


def test_year_choice_and_its_errors(city: dict[str, str]) -> None:
    client = client_for(city[Profession.COMMISSIONER])
    page = client.get(f"/outcomes/{METRIC}/?year=2020").content.decode()
    assert "League table, 2020/21" in page and '<option value="2020" selected' in page
    for bad, message in (
        ("twenty", "Choose a financial year by the year it starts in, such as 2024"),
        ("2031", "There are no figures for the financial year starting April 2031"),
    ):
        response = client.get(f"/outcomes/{METRIC}/?year={bad}")
        assert response.status_code == 200
        text = response.content.decode()
        assert "There is a problem" in text and message in text
        assert "League table, 2024/25" in text  # the latest year instead
        assert client.get(f"/outcomes/{METRIC}/league.csv?year={bad}").status_code == 404
    assert client.get("/outcomes/no_such_metric/").status_code == 404
    assert client.get(f"/outcomes/{METRIC}/nonsense.csv").status_code == 404


def hand_made_rows(metric: str, counts: dict[str, tuple[float, float | None]]) -> list[Any]:
    """One financial year of stored rows for four neighbourhoods and the area."""
    rows = []
    for nid, (numerator, denominator) in counts.items():
        value = numerator * 100_000 / denominator if denominator else None
        rows.append(
            {
                "metric": metric,
                "neighbourhood_id": nid,
                "period_start": dt.date(2023, 4, 1),
                "period_end": dt.date(2024, 3, 31),
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
                "suppressed": False,
            }
        )
    return rows


def store_hand_made(fingerprint: str = "hand-made", **extra: Any) -> None:
    admissions = {"A": (30, 10_000), "B": (50, 10_000), "C": (20, 5_000), "D": (120, 20_000)}
    admissions[AREA] = (220, 45_000)
    days = {"A": (10, None), "B": (40, None), "C": (5, None), "D": (100, None), AREA: (155, None)}
    homes = {"A": (2, 2_000), "B": (3, 2_000), "C": (1, 1_000), "D": (10, 4_000), AREA: (16, 9_000)}
    year = [
        *hand_made_rows(METRIC, admissions),
        *hand_made_rows("delayed_days", days),
        *hand_made_rows("care_home_admissions_65plus_per_100k", homes),
    ]
    store_outcomes(
        {"year": year, "month": []},
        lake=Path("/nowhere"),
        manifest={"source": "hand"},
        observation=(dt.date(2023, 4, 1), dt.date(2024, 3, 31)),
        fingerprint=fingerprint,
        username="tests",
        **extra,
    )


def test_audit_commission_page_and_csv_agree_with_hand_worked_numbers(
    city: dict[str, str],
) -> None:
    """Admissions (rates 300, 500, 400, 600): best quartile 375, 58.75 fewer, £152,456.25.
    Delayed days per 100,000 (100, 400, 100, 500): best quartile 100; B (400 - 100) x 10,000
    / 100,000 = 30 and D 80: 110 fewer days, x £313 = £34,430. Care homes (100, 150, 100,
    250 per 100,000 aged 65+): best quartile 100; B 1 and D 6: 7 fewer, x £62,400 = £436,800.
    """
    store_hand_made()
    client = client_for(city[Profession.COMMISSIONER])
    page = client.get("/outcomes/audit-commission/").content.decode()
    assert "<strong>59 fewer emergency admissions</strong>" in page
    assert "<strong>110 fewer delayed days</strong>" in page
    assert "<strong>7 fewer permanent care home admissions</strong>" in page
    assert "about <strong>£624,000</strong>" in page  # 152,456.25 + 34,430 + 436,800
    assert "£623,686" in page  # the total, to the pound, in the table
    assert "£62,400" in page and "x 52" in page
    rows = read_csv(client.get("/outcomes/audit-commission.csv?year=2023").content)
    totals = {r["measure"]: r for r in rows if r["neighbourhood_id"] == AREA}
    assert number(totals["emergency_admissions"]["best_quartile_rate_per_100k"]) == 375
    assert number(totals["emergency_admissions"]["fewer_at_best_quartile"]) == pytest.approx(58.75)
    assert number(totals["emergency_admissions"]["value_gbp"]) == pytest.approx(152_456.25)
    assert number(totals["delayed_days"]["fewer_at_best_quartile"]) == pytest.approx(110)
    assert number(totals["delayed_days"]["value_gbp"]) == pytest.approx(34_430)
    assert number(totals["care_home_admissions"]["fewer_at_best_quartile"]) == pytest.approx(7)
    assert number(totals["care_home_admissions"]["value_gbp"]) == pytest.approx(436_800)
    d = next(r for r in rows if r["measure"] == "delayed_days" and r["neighbourhood_id"] == "D")
    assert (number(d["events"]), number(d["population"]), number(d["rate_per_100k"])) == (
        100,
        20_000,
        500,
    )


@pytest.mark.both_databases
def test_storing_is_all_or_nothing(city: dict[str, str], tiny_lake: Path) -> None:
    run = OutcomeRun.objects.get()
    before = list(OutcomeResult.objects.order_by("pk").values_list("pk", "metric", "value"))
    events = AuditEvent.objects.count()
    assert stored_for(tiny_lake) and run.lake_fingerprint == lake_fingerprint(tiny_lake)
    assert AuditEvent.objects.filter(
        action="update", what__startswith="outcome metrics replaced", username="tests"
    ).exists()

    good = hand_made_rows(METRIC, {"A": (1, 100)})
    # The database refuses the second of two identical rows, after the old ones were deleted
    # and some new ones written: everything rolls back.
    with pytest.raises(RefreshError, match="the database refused the outcome metrics"):
        store_outcomes(
            {"year": [*good, *good]},
            lake=Path("/nowhere"),
            manifest={},
            observation=(dt.date(2023, 4, 1), dt.date(2024, 3, 31)),
            fingerprint="duplicate",
        )
    broken = [{**good[0], "period_start": "2023-04-01"}]
    with pytest.raises(RefreshError, match=r"year results, row 1: period_start is not a date"):
        store_outcomes(
            {"year": broken},
            lake=Path("/nowhere"),
            manifest={},
            observation=(dt.date(2023, 4, 1), dt.date(2024, 3, 31)),
            fingerprint="broken",
        )
    with pytest.raises(RefreshError, match="unknown period kind"):
        store_outcomes(
            {"week": good},
            lake=Path("/nowhere"),
            manifest={},
            observation=(dt.date(2023, 4, 1), dt.date(2024, 3, 31)),
            fingerprint="weekly",
        )
    assert list(OutcomeRun.objects.values_list("pk", flat=True)) == [run.pk]
    assert list(OutcomeResult.objects.order_by("pk").values_list("pk", "metric", "value")) == before
    assert AuditEvent.objects.count() == events

    # A good store replaces everything, and is audited.
    store_hand_made(fingerprint="second")
    assert OutcomeRun.objects.get().lake_fingerprint == "second"
    assert OutcomeResult.objects.count() == 15
    assert not stored_for(tiny_lake)
    assert AuditEvent.objects.count() == events + 1


def test_refresh_stores_months_and_years_of_every_metric(tiny_lake: Path) -> None:
    summary = refresh_outcomes(tiny_lake)
    assert summary.rows == {
        "month": OutcomeResult.objects.filter(period_kind="month").count(),
        "year": OutcomeResult.objects.filter(period_kind="year").count(),
    }
    years = OutcomeResult.objects.filter(period_kind="year", metric=METRIC)
    assert sorted({r.period_start.year for r in years}) == [2019, 2020, 2021, 2022, 2023, 2024]
    assert {r.neighbourhood_id for r in years} == {"n-north", "n-south", AREA}
    assert OutcomeResult.objects.filter(metric="pooled_budget_spent_pct:pooled").exists()
    assert AuditEvent.objects.get().username == "joinedup outcomes refresh"


def test_pages_explain_when_nothing_is_computed_yet(tiny_lake: Path) -> None:
    load_lake(tiny_lake)
    create_demo_logins()
    client = client_for("demo-commissioner")
    for url in ("/outcomes/", f"/outcomes/{METRIC}/", "/outcomes/audit-commission/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "No outcome figures have been computed yet" in response.content.decode(), url
    for url in (f"/outcomes/{METRIC}/panels.csv", "/outcomes/audit-commission.csv"):
        assert client.get(url).status_code == 404, url
