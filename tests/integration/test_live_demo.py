"""The demo is live on whatever day it is built: its city's data end the day before, so the
hub's board describes that day and takes a discharge dated it, the triage queue holds the
last few days' referrals and the risk scores are that day's. A second run a week later
serves the city it has with one line saying how to build it again, which `--refresh` does.

The whole demo runs as the installed command under libfaketime (Debian's `faketime`,
`make faketime`), as `make demo` would on that day, with its own var folder and SQLite
database; what it shows is read in `joinedup manage shell` under the same fake clock, by
the demo's logins through the pages (facts, below). The smallest city the generator
allows (2,000 people, 2 neighbourhoods) is built once for the module and once more by
`--refresh`: about half a minute of one core each.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from command_line import INSTALLED, installed_environment, migrated
from joinedup.demo_city import behind_line, demo_window
from joinedup.referrals.demo import REFERRALS, received_at

SMALL = ["--people", "2000", "--neighbourhoods", "2", "--seed", "3"]
BUILT = dt.datetime(2027, 3, 15, 10, 0)  # a Monday, in the middle of a month, London time
WEEK_LATER = BUILT + dt.timedelta(days=7)
# The generator accepts a routine referral within five days of receiving it, so the oldest
# still waiting when its window ends arrived five days before; the demo's own are younger.
OLDEST_WAIT = dt.timedelta(days=6)


@dataclass(frozen=True)
class Demo:
    var: Path
    built: subprocess.CompletedProcess[str]


def joinedup_at(moment: dt.datetime, *args: str, var: Path) -> subprocess.CompletedProcess[str]:
    """The installed `joinedup ARGS` with its clock starting at `moment` (London) and ticking."""
    faked = ["faketime", "-f", f"@{moment:%Y-%m-%d %H:%M:%S}", str(INSTALLED), *args]
    env = {"TZ": "Europe/London", "JOINEDUP_ALLOWED_HOSTS": "testserver"}
    return subprocess.run(
        faked,
        capture_output=True,
        text=True,
        env=installed_environment(var, env),
        check=False,
        timeout=600,
    )


def facts() -> dict[str, object]:
    """What the demo shows today, read by its logins through the pages. Run inside `joinedup
    manage shell` (its source is sent there), so it imports what it uses and returns plain
    values for the test to judge."""
    import re

    from django.contrib.auth import get_user_model
    from django.db.models import Max, Q
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from joinedup.access.demo import demo_team
    from joinedup.casefinding.models import ScoreRun
    from joinedup.record.models import HospitalSpell, Referral
    from joinedup.transfers.inpatients import in_hospital

    now = timezone.now()
    today = timezone.localdate(now)

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    hub = signed_in("demo-discharge-coordinator")
    board = hub.get(reverse("transfers:board")).content.decode()
    day = re.search(r'id="board-day">[^<]*<strong><time datetime="([0-9-]+)"', board)
    staying = in_hospital(today).filter(person__death_date__isnull=True)
    spell = staying.filter(
        Q(ready_for_discharge_date__isnull=True) | Q(ready_for_discharge_date__lte=today)
    ).order_by("admission_date", "id")[0]
    form = {
        "discharge_date_day": str(today.day),  # the NHS.UK date input's three boxes
        "discharge_date_month": str(today.month),
        "discharge_date_year": str(today.year),
        "destination": "usual_residence",
        "pathway": "0",
    }
    discharge = hub.post(reverse("transfers:discharge", args=[spell.pk]), form)
    discharged = HospitalSpell.objects.get(pk=spell.pk).discharge_date
    triage = signed_in("demo-spa-triage-clinician").get(reverse("referrals:triage"))
    waiting = Referral.objects.filter(status="requested").values_list("received_at", flat=True)
    team = demo_team()
    worklist = signed_in("demo-team-manager").get(f"/case-finding/{team.pk}/")
    latest = HospitalSpell.objects.aggregate(latest=Max("admission_date"))["latest"]
    return {
        "today": today.isoformat(),
        "board_day": day[1] if day else None,
        "board_says_the_data_end": "The hospital data end on" in board,
        "in_hospital": staying.count(),
        "latest_admission": latest.isoformat(),
        "discharge": discharge.status_code,
        "discharge_saved": discharge.get("Location") == f"/transfers/stay/{spell.pk}/",
        "discharged_on": discharged.isoformat() if discharged else None,
        "triage": triage.status_code,
        "waiting_seconds": sorted((now - at).total_seconds() for at in waiting),
        "scores_of": ScoreRun.objects.get().as_of.isoformat(),
        "worklist": worklist.status_code,
        "worklist_says_stale": 'id="stale"' in worklist.content.decode(),
    }


def facts_at(moment: dt.datetime, var: Path) -> dict[str, object]:
    code = inspect.getsource(facts) + "\nimport json\nprint(json.dumps(facts()))\n"
    shell = joinedup_at(moment, "manage", "shell", "-c", code, var=var)
    assert shell.returncode == 0, shell.stderr
    found: dict[str, object] = json.loads(shell.stdout.strip().splitlines()[-1])
    return found


def database(var: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(var / "joinedup.sqlite3")) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    if shutil.which("faketime") is None:
        pytest.fail("faketime is missing: `make faketime` installs Debian's")
    # migrated as `joinedup manage migrate` leaves it (copied: the demo then has nothing to
    # migrate), with this checkout's collected static files for the pages facts() opens
    var = migrated(tmp_path_factory.mktemp("live-demo") / "var")
    (var / "static").symlink_to(Path(settings.STATIC_ROOT).resolve(), target_is_directory=True)
    built = joinedup_at(BUILT, "demo", "--no-serve", *SMALL, var=var)
    assert built.returncode == 0, built.stderr
    yield Demo(var, built)


@pytest.mark.slow  # the smallest city, built and loaded as `make demo` does: half a minute
def test_a_demo_built_on_any_day_is_live_that_day(demo: Demo) -> None:
    assert "Generated the demo city at " in demo.built.stdout
    assert ": 1 April 2020 to 14 March 2027" in demo.built.stdout  # six whole years, then
    assert "Loaded the risk scores of 2027-03-15" in demo.built.stdout  # this one so far
    assert "behind" not in demo.built.stderr
    shown = facts_at(BUILT + dt.timedelta(minutes=5), demo.var)
    assert shown["today"] == "2027-03-15"
    # The hub's board describes today, its inpatients admitted in the days before it.
    assert shown["board_day"] == "2027-03-15" and not shown["board_says_the_data_end"]
    assert "2027-03-07" <= str(shown["latest_admission"]) <= "2027-03-14"
    assert int(str(shown["in_hospital"])) > 0
    # A discharge dated today is taken (it was refused "on or before 31 March 2025").
    assert shown["discharge"] == 302 and shown["discharge_saved"]
    assert shown["discharged_on"] == "2027-03-15"
    # The triage queue holds the last few days' referrals, none from the future.
    waits = shown["waiting_seconds"]
    assert isinstance(waits, list) and len(waits) >= len(REFERRALS)
    assert min(waits) > 0 and max(waits) < OLDEST_WAIT.total_seconds()
    assert shown["triage"] == 200
    # Case finding's scores are today's: no warning that they are old.
    assert shown["scores_of"] == "2027-03-15"
    assert shown["worklist"] == 200 and not shown["worklist_says_stale"]


@pytest.mark.slow  # a second city built and loaded by --refresh: another half a minute
def test_a_week_later_the_demo_says_how_to_refresh_and_refresh_brings_it_to_that_day(
    demo: Demo, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    shutil.copytree(demo.var, var, symlinks=True)  # the module's demo stays as it was built
    again = joinedup_at(WEEK_LATER, "demo", "--no-serve", *SMALL, var=var)
    assert again.returncode == 0, again.stderr
    assert "Reusing the demo city" in again.stdout and "Generated" not in again.stdout
    assert again.stderr.strip().splitlines() == [
        "The demo city is 7 days behind (its data end on 14 March 2027, not yesterday, "
        "21 March 2027): run `make demo-refresh` (or `joinedup demo --refresh`) to build it "
        "again up to today; changes made in the demo are lost"
    ]

    refreshed = joinedup_at(WEEK_LATER, "demo", "--no-serve", "--refresh", *SMALL, var=var)
    assert refreshed.returncode == 0, refreshed.stderr
    assert ": 1 April 2020 to 21 March 2027" in refreshed.stdout
    assert "Emptied the demo's database" in refreshed.stdout
    assert "behind" not in refreshed.stderr
    assert database(var, "SELECT observation_end FROM record_loadedlake") == [("2027-03-21",)]
    assert database(var, "SELECT as_of FROM casefinding_scorerun") == [("2027-03-22",)]
    days = database(var, "SELECT MAX(admission_date) FROM record_hospitalspell")[0][0]
    assert "2027-03-14" <= str(days) <= "2027-03-21"
    # the demo's referrals are seeded again in the new database, all since the first build
    received = database(
        var, "SELECT MIN(received_at) FROM record_referral WHERE source_system = 'joinedup demo'"
    )
    assert str(received[0][0]) > "2027-03-16"


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (dt.date(2026, 12, 7), dt.date(2020, 4, 1), dt.date(2026, 12, 6)),
        (dt.date(2027, 4, 1), dt.date(2021, 4, 1), dt.date(2027, 3, 31)),  # six years exactly
        (dt.date(2027, 3, 31), dt.date(2020, 4, 1), dt.date(2027, 3, 30)),
        (dt.date(2028, 3, 1), dt.date(2021, 4, 1), dt.date(2028, 2, 29)),
        (dt.date(2027, 1, 1), dt.date(2020, 4, 1), dt.date(2026, 12, 31)),
    ],
)
def test_the_window_is_six_financial_years_and_this_one_to_yesterday(
    today: dt.date, start: dt.date, end: dt.date
) -> None:
    assert demo_window(today) == (start, end)


def test_a_city_is_behind_when_its_data_do_not_end_yesterday() -> None:
    today = dt.date(2026, 12, 7)
    assert behind_line(dt.date(2026, 12, 6), today) is None
    assert str(behind_line(dt.date(2026, 12, 5), today)).startswith(
        "The demo city is 1 day behind (its data end on 5 December 2026, not yesterday, "
        "6 December 2026): run `make demo-refresh`"
    )
    assert "2 days ahead" in str(behind_line(dt.date(2026, 12, 8), today))


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2027, 3, 15, 10, 0),  # Monday morning: the surgery's come from last week
        dt.datetime(2027, 3, 17, 7, 30),  # Wednesday before the surgery opens
        dt.datetime(2027, 3, 20, 23, 0),  # Saturday night
        dt.datetime(2027, 7, 1, 0, 20),  # just after midnight in summer time
    ],
)
def test_the_referrals_arrive_before_now_and_the_surgerys_in_its_hours(now: dt.datetime) -> None:
    with time_machine.travel(timezone.make_aware(now), tick=False):
        moment = timezone.now()
        for ago, urgency, source, *_ in REFERRALS:
            received = timezone.localtime(received_at(moment, ago, source))
            assert moment - dt.timedelta(days=5) < received <= moment - ago, (urgency, source)
            if source in {"gp", "self"}:
                assert received.weekday() < 5 and dt.time(8) <= received.time() <= dt.time(18, 30)
