"""The outcome dashboards through Django's test client, on figures computed by the real metrics
(DuckDB) from a tiny lake: who may see them, the CSVs equal the stored figures rounded as
the pages show them, the long-form downloads (published for every viewer, exact for
analysts), month-labelled charts, no internal code in anything a person reads, the Audit
Commission page agrees with hand-worked numbers, and storing is all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from joinedup.access.demo import create_demo_logins
from joinedup.access.models import AuditEvent, Profession, StaffMember
from joinedup.outcomes.catalogue import METRIC_CATALOGUE, METRICS_BY_NAME
from joinedup.outcomes.models import AREA, OutcomeResult, OutcomeRun
from joinedup.outcomes.refresh import RefreshError, refresh_outcomes, store_outcomes, stored_for
from joinedup.record.load import lake_fingerprint, load_lake
from joinedup.record.models import Person

# Stored outcomes read through the ORM; storing all-or-nothing runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]

METRIC = "emergency_admissions_per_100k"
VIEWERS = {Profession.COMMISSIONER, Profession.TEAM_MANAGER, Profession.ANALYST}
LONG_FORM = ["metric", "neighbourhood_id", "period_start", "period_end", "numerator",
             "denominator", "value", "suppressed"]  # fmt: skip


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


def rounded(value: float | None, decimals: int) -> str:
    """A stored figure as the pages round it, written out here so a change there shows."""
    return "" if value is None else f"{value:.{decimals}f}"


def visible(fragment: str) -> str:
    """The text a person reads in a piece of HTML: no tags, no attributes."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def table_rows(page: str, caption: str) -> list[list[str]]:
    """The text of each body row's cells of the table with this caption (without the column
    headings a responsive table repeats in each cell for a phone)."""
    table = page.split(html.escape(caption, quote=False), 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1]
    rows = []
    for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append(
            [visible(re.sub(r'<span class="nhsuk-table__heading".*?</span>', "", c)) for c in cells]
        )
    return rows


def test_only_commissioners_team_managers_and_analysts_see_the_dashboards(
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
        "/outcomes/figures.csv",
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
        # The exact figures: analysts only.
        exact = client.get("/outcomes/figures-exact.csv")
        assert exact.status_code == (200 if profession == Profession.ANALYST else 403), labels[
            profession
        ]
        overview = client.get("/").content.decode()
        assert ('href="/outcomes/"' in overview) == (profession in VIEWERS), labels[profession]
    anonymous = Client().get("/outcomes/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    get_user_model().objects.create_superuser("bare-superuser", password="a long password 1")
    assert client_for("bare-superuser").get("/outcomes/").status_code == 403
    assert Client().get(f"/outcomes/{METRIC}/panels.csv").status_code == 302
    assert Client().get("/outcomes/figures-exact.csv").status_code == 302


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
    """Each chart's CSV holds the stored figures, rounded as the page rounds them."""
    client = client_for(city[Profession.TEAM_MANAGER])
    stored = {
        (r.neighbourhood_id, r.period_start.isoformat()): r
        for r in OutcomeResult.objects.filter(period_kind="month", metric=METRIC)
    }
    names = {"Northgate": "n-north", "Southmead": "n-south"}
    value = "Value (admissions per 100,000 people)"
    response = client.get(f"/outcomes/{METRIC}/panels.csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="emergency-admissions-all-ages-by-neighbourhood.csv"'
    )
    panels = read_csv(response.content)
    assert len(panels) == 2 * 72  # two neighbourhoods, April 2019 to March 2025
    for row in panels:
        figure = stored[(names[row["Neighbourhood"]], row["Period start"])]
        area = stored[(AREA, row["Period start"])]
        assert row["Metric"] == "Emergency admissions, all ages"
        assert row["Month"] == figure.period_start.strftime("%B %Y")
        assert row["Period end"] == figure.period_end.isoformat()
        assert row["Admissions"] == rounded(figure.numerator, 0)
        assert row["Population"] == rounded(figure.denominator, 0)
        assert row[value] == rounded(figure.value, 0)
        assert row["Whole area value"] == rounded(area.value, 0)
    went_live = {(r["Neighbourhood"], r["Integrated team went live"]) for r in panels}
    assert went_live == {("Northgate", "2021-04-01"), ("Southmead", "")}

    area = read_csv(client.get(f"/outcomes/{METRIC}/area.csv").content)
    assert [(r["Area"], r["Period start"], r[value]) for r in area] == [
        ("Whole area", k[1], rounded(f.value, 0)) for k, f in sorted(stored.items()) if k[0] == AREA
    ]
    assert area[10]["12-month average"] == "" and area[11]["12-month average"] != ""

    response = client.get(f"/outcomes/{METRIC}/league.csv?year=2022")
    assert response["Content-Disposition"].endswith('"emergency-admissions-all-ages-2022-23.csv"')
    league = read_csv(response.content)
    yearly = {
        r.neighbourhood_id: r
        for r in OutcomeResult.objects.filter(
            period_kind="year", metric=METRIC, period_start=dt.date(2022, 4, 1)
        )
    }
    names["Whole area"] = AREA
    assert [r["Neighbourhood"] for r in league][-1] == "Whole area"
    assert {r["Neighbourhood"] for r in league} == {"Northgate", "Southmead", "Whole area"}
    for row in league:
        figure = yearly[names[row["Neighbourhood"]]]
        assert row["Financial year"] == "2022/23"
        assert (row["Admissions"], row["Population"], row[value]) == (
            rounded(figure.numerator, 0),
            rounded(figure.denominator, 0),
            rounded(figure.value, 0),
        )
        assert row["Whole area value"] == rounded(yearly[AREA].value, 0)
        assert row["Compared with the area"] in {"Better", "Worse", "Similar", "Same", ""}


@pytest.mark.parametrize(
    "name", [METRIC, "two_hour_response_pct", "mean_discharge_delay_all_days"]
)  # 0, 1 and 2 decimals
def test_every_csv_figure_is_the_pages_figure(city: dict[str, str], name: str) -> None:
    """Cell for cell, the CSV writes what the page's table shows, without the separators."""
    info = METRICS_BY_NAME[name]
    client = client_for(city[Profession.COMMISSIONER])
    page = client.get(f"/outcomes/{name}/?year=2023").content.decode()

    shown = table_rows(page, f"{info.title}, whole area, {info.unit}")
    area = read_csv(client.get(f"/outcomes/{name}/area.csv").content)
    value = f"Value ({info.unit})"
    assert [[r["Month"], r[value], r["12-month average"]] for r in area] == [
        [month, v.replace(",", ""), a.replace(",", "")] for month, v, a in shown
    ]
    assert any("." in r[value] for r in area) == (info.decimals > 0)

    shown = table_rows(page, f"{info.title} by neighbourhood, {info.unit}")
    panels = read_csv(client.get(f"/outcomes/{name}/panels.csv").content)
    by_month = {(r["Neighbourhood"], r["Month"]): r[value] for r in panels}
    for month, north, south, _area in shown:
        assert by_month[("Northgate", month)] == north.replace(",", "")
        assert by_month[("Southmead", month)] == south.replace(",", "")

    shown = table_rows(page, f"{info.title}, 2023/24, {info.unit}")
    league = read_csv(client.get(f"/outcomes/{name}/league.csv?year=2023").content)
    assert len(shown) == len(league) == 3
    for cells, row in zip(shown, league, strict=True):
        if info.direction is not None:
            rank, *cells = cells
            assert rank == row["Rank"]
        place, numerator, denominator, figure, *rest = cells
        assert place.removesuffix(" (your team)") == row["Neighbourhood"]
        assert figure.replace(",", "") == row[value]
        assert numerator.replace(",", "") == row[info.numerator_label]
        assert denominator.replace(",", "") == row[info.denominator_label]
        if info.interval and rest and rest[0]:
            low, high = rest[0].split(" to ")
            assert (low.replace(",", ""), high.replace(",", "")) == (
                row["95% confidence interval, lower"],
                row["95% confidence interval, upper"],
            )
        if info.direction is not None and row["Rank"]:
            difference, compared = rest[-2:]
            assert difference.replace(",", "") == row["Difference from the area"]
            assert compared == row["Compared with the area"]


def test_the_whole_run_in_long_form_published_and_exact(city: dict[str, str]) -> None:
    """Every stored row: published by the small-number rule for every viewer, exact for the
    analyst; the contract's columns with the metric's title and the place's name added."""
    stored = {
        (r.metric, r.neighbourhood_id, r.period_start.isoformat(), r.period_end.isoformat()): r
        for r in OutcomeResult.objects.all()
    }
    events = AuditEvent.objects.count()
    analyst = client_for(city[Profession.ANALYST])
    response = analyst.get("/outcomes/figures-exact.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="outcome-figures-exact-\d{4}-\d\d-\d\d\.csv"',
        response["Content-Disposition"],
    )
    header = response.content.decode().splitlines()[0].split(",")
    assert header == [*LONG_FORM, "title", "neighbourhood"]
    exact = read_csv(response.content)
    assert len(exact) == len(stored)
    for row in exact:
        result = stored[(row["metric"], row["neighbourhood_id"], row["period_start"],
                         row["period_end"])]  # fmt: skip
        assert number(row["numerator"]) == result.numerator  # exact, not rounded
        assert number(row["denominator"]) == result.denominator
        decimals = METRICS_BY_NAME[result.metric.split(":")[0]].decimals
        assert row["value"] == rounded(result.value, decimals)  # as the pages round it
        assert row["suppressed"] == "false"
    titles = {(r["metric"], r["title"]) for r in exact}
    assert (METRIC, "Emergency admissions, all ages") in titles
    assert ("pooled_budget_spent_pct:nhs", "Pooled budget spent: NHS") in titles
    assert {r["neighbourhood"] for r in exact} == {"Northgate", "Southmead", "Whole area"}

    published = read_csv(
        client_for(city[Profession.COMMISSIONER]).get("/outcomes/figures.csv").content
    )
    assert [(r["metric"], r["neighbourhood_id"], r["period_start"]) for r in published] == [
        (r["metric"], r["neighbourhood_id"], r["period_start"]) for r in exact
    ]
    withheld = 0
    for row in published:
        result = stored[(row["metric"], row["neighbourhood_id"], row["period_start"],
                         row["period_end"])]  # fmt: skip
        base = result.metric.split(":")[0]
        hidden = False
        for column in ("numerator", "denominator"):
            count = getattr(result, column)
            if base == "pooled_budget_spent_pct" or count is None:
                assert number(row[column]) == count  # money is shown as it is
            elif 1 <= count <= 7 and not (base.endswith("days") and column == "numerator"):
                assert row[column] == "*"
                hidden = True
            else:
                assert float(row[column]) % 5 == 0 and abs(float(row[column]) - count) <= 2.5
        assert row["suppressed"] == ("true" if hidden else "false")
        if hidden:
            withheld += 1
            assert row["value"] in {"*", ""}
        elif base not in {"delayed_days", "pooled_budget_spent_pct"}:
            decimals = METRICS_BY_NAME[base].decimals
            assert row["value"] == rounded(result.value, decimals)  # from the exact counts
    assert withheld > 100  # six people: most counts are small
    assert AuditEvent.objects.count() == events  # aggregates: no audit, as viewing writes none


def test_only_the_analyst_is_offered_the_exact_figures(city: dict[str, str]) -> None:
    for profession in VIEWERS:
        page = client_for(city[profession]).get("/outcomes/").content.decode()
        assert 'href="/outcomes/figures.csv"' in page
        assert "Download the published figures (CSV)" in page
        offered = 'href="/outcomes/figures-exact.csv"' in page
        assert offered == (profession == Profession.ANALYST), profession


def test_no_internal_code_in_any_page_or_csv_a_person_reads(city: dict[str, str]) -> None:
    codes = re.compile(
        "|".join(re.escape(m.name) for m in METRIC_CATALOGUE) + r"|\bn-north\b|\bn-south\b"
    )
    client = client_for(city[Profession.ANALYST])
    urls = ["/outcomes/", "/outcomes/audit-commission/"]
    urls += [f"/outcomes/{m.name}/" for m in METRIC_CATALOGUE]
    for url in urls:
        text = visible(client.get(url).content.decode())
        assert not codes.search(text), (url, codes.findall(text))
    downloads = ["/outcomes/audit-commission.csv"]
    for m in METRIC_CATALOGUE:
        downloads += [f"/outcomes/{m.name}/{chart}.csv" for chart in ("area", "panels")]
        downloads.append(f"/outcomes/{m.name}/league.csv")
    for url in downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        found = codes.findall(response.content.decode() + response["Content-Disposition"])
        assert not found, (url, found)
    # In the long form the contract's names are in the machine columns only.
    for url in ("/outcomes/figures.csv", "/outcomes/figures-exact.csv"):
        for row in read_csv(client.get(url).content):
            assert not codes.search(row["title"] + row["neighbourhood"]), row


def test_charts_label_each_month_and_its_value(city: dict[str, str]) -> None:
    client = client_for(city[Profession.COMMISSIONER])
    info = METRICS_BY_NAME["two_hour_response_pct"]
    page = client.get(f"/outcomes/{info.name}/").content.decode()
    table = table_rows(page, f"{info.title}, whole area, {info.unit}")
    wide = page.split('<svg class="outcomes-chart"', 1)[1].split("</svg>", 1)[0]
    titles = re.findall(r'<rect class="chart-month"[^>]*><title>(.*?)</title>', wide)
    assert len(titles) == len(table) == 72
    for title, (month, value, average) in zip(titles, table, strict=True):
        value_text = f"{value}% of urgent responses" if value else "no value"
        average_text = f"{average}% of urgent responses" if average else "no value"
        assert (
            html.unescape(title)
            == f"{month}. Value: {value_text}. 12-month average: {average_text}."
        )
    months = re.findall(r">([A-Z][a-z]{2} \d{4})</text>", wide)
    assert months[:3] == ["Apr 2019", "Oct 2019", "Apr 2020"] and len(months) == 12
    assert ">2019/20</text>" in wide  # and the financial years below them
    # Each neighbourhood's panel labels its months too, naming the panel and the area.
    panel = page.split('id="panel-n-north"', 1)[1].split("</svg>", 1)[0]
    first = re.findall(r'<rect class="chart-month"[^>]*><title>(.*?)</title>', panel)
    assert len(first) == 72 and first[0].startswith("April 2019. Whole area: ")
    assert ". Northgate: " in first[0] and re.search(r">Apr \d{4}</text>", panel)
    # A phone gets the area chart drawn narrow (a 340-unit wide drawing keeps a 12-unit
    # font readable at 390 px), with the same titles; CSS shows one or the other.
    compact = page.split('<svg class="outcomes-chart-compact"', 1)[1].split("</svg>", 1)[0]
    assert 'viewBox="0 0 340 ' in compact and 'font-size="12"' in compact
    assert re.findall(r'<rect class="chart-month"[^>]*><title>(.*?)</title>', compact) == titles


def test_delayed_days_are_shown_per_100k_of_the_stored_population(city: dict[str, str]) -> None:
    client = client_for(city[Profession.COMMISSIONER])
    rows = read_csv(client.get("/outcomes/delayed_days/league.csv?year=2019").content)
    by_place = {r["Neighbourhood"]: r for r in rows}
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
    north = by_place["Northgate"]
    assert north["Delayed days"] == "5"
    assert north["Population"] == "2"
    assert north["Value (delayed days per 100,000 people)"] == "250000"  # 5 x 100,000 / 2


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
    response = client.get("/outcomes/audit-commission.csv?year=2023")
    assert response["Content-Disposition"].endswith('"audit-commission-2023-24.csv"')
    rows = read_csv(response.content)
    totals = {r["Measure"]: r for r in rows if r["Neighbourhood"] == "All neighbourhoods"}
    admissions = totals["Emergency admissions"]
    # As the page's tables round them: rates and the gap to 1 decimal, money to the pound.
    assert admissions["Best quartile rate per 100,000"] == "375.0"
    assert admissions["Fewer at the best quartile"] == "58.8"  # 58.75
    assert admissions["Worth (£)"] == "152456"  # £152,456.25
    assert totals["Delayed days"]["Fewer at the best quartile"] == "110.0"
    assert totals["Delayed days"]["Worth (£)"] == "34430"
    assert (
        totals["Permanent care home admissions, 65 and over"]["Fewer at the best quartile"] == "7.0"
    )
    assert totals["Permanent care home admissions, 65 and over"]["Worth (£)"] == "436800"
    d = next(r for r in rows if r["Measure"] == "Delayed days" and r["Neighbourhood"] == "D")
    assert (d["Events"], d["Population"], d["Rate per 100,000"]) == ("100", "20000", "500.0")


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
