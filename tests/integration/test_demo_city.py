"""The demo's service without the command line (`joinedup demo` prints what it says; see
test_cli.py for the command end to end and test_live_demo.py for the demo on a given day):
what it adds, what it says, that a second run adds nothing, and that a second run on a
later day says how to bring the city up to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest
import time_machine
from rich.progress import Progress

from joinedup.access.models import AuditEvent, StaffMember
from joinedup.demo_city import DemoCity, prepare_demo
from joinedup.errors import UserError
from joinedup.outcomes.models import OutcomeRun
from joinedup.record.models import LoadedLake, Person


class Recorded:
    """A Report that keeps what the service said."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.warnings: list[str] = []

    def say(self, line: str, *, strong: bool = False) -> None:
        self.lines.append(line)

    def warn(self, line: str) -> None:
        self.warnings.append(line)

    def progress(self) -> AbstractContextManager[Progress | None]:
        return nullcontext(None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines)


def test_a_city_that_cannot_be_generated_is_refused_before_anything_is_done(
    tmp_path: Path,
) -> None:
    city = tmp_path / "city"
    said = Recorded()
    with pytest.raises(UserError, match=r"^people: must be at least"):
        prepare_demo(DemoCity(city, people=0), said)
    assert not city.exists() and said.lines == [] and said.warnings == []


def test_a_city_folder_holding_no_lake_is_refused_and_kept(tmp_path: Path) -> None:
    """The demo generates its city into an empty or missing folder only: a folder holding
    anything but a lake is someone else's (issue 18), refused before anything is done."""
    city = tmp_path / "city"
    city.mkdir()
    (city / "thesis.docx").write_text("four years of work")
    said = Recorded()
    with pytest.raises(UserError, match=r"holds no lake .* the demo never replaces it") as refused:
        prepare_demo(DemoCity(city, people=2_000, neighbourhoods=2), said)
    assert refused.value.naming(lambda f: f"--{f}").endswith("choose another --city")
    assert [p.name for p in city.iterdir()] == ["thesis.docx"]
    assert [p.name for p in tmp_path.iterdir()] == ["city"]
    assert said.lines == [] and said.warnings == []
    (city / "thesis.docx").unlink()
    with pytest.raises(UserError, match="/proc takes no new files") as refused:
        prepare_demo(DemoCity(Path("/proc/joinedup-demo-city")), said)
    assert refused.value.field == "city" and said.lines == []


# The tiny lake's data end on 31 March 2025: a demo built from it the next day is today's.
DAY_AFTER = dt.datetime(2025, 4, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
@pytest.mark.once_on_postgres
def test_the_demo_is_built_once_from_an_existing_city(tiny_lake: Path) -> None:
    first = Recorded()
    with time_machine.travel(DAY_AFTER, tick=True):
        prepare_demo(DemoCity(tiny_lake, username="tester (command line)"), first)
    assert first.lines[0] == f"Reusing the demo city at {tiny_lake}"
    assert first.lines[1].startswith("Loaded the demo city in ")
    assert first.lines[2].startswith(f"Stored the outcome figures of {tiny_lake} in ")
    assert [w.split(":")[0] for w in first.warnings] == ["Risk scores not loaded"]
    logins = first.lines.index("Demo logins (synthetic city only): username, password, role")
    assert first.lines[logins + 1].startswith("  demo-")
    assert any(line.startswith("The hospital feed (POST /api/transfers/events/)") for line in first)
    assert LoadedLake.objects.count() == 1 and Person.objects.count() == 6
    assert OutcomeRun.objects.count() == 1
    assert AuditEvent.objects.filter(username="tester (command line)").count() == 1  # the refresh
    people, staff, events = (
        Person.objects.count(),
        StaffMember.objects.count(),
        AuditEvent.objects.count(),
    )

    again = Recorded()
    with time_machine.travel(DAY_AFTER + dt.timedelta(days=7), tick=True):
        prepare_demo(DemoCity(tiny_lake), again)
    assert again.lines[:2] == [
        f"Reusing the demo city at {tiny_lake}",
        "The demo city is already loaded",
    ]
    assert not any(line.startswith(("Stored the outcome", "Added")) for line in again)
    assert (Person.objects.count(), StaffMember.objects.count()) == (people, staff)
    assert AuditEvent.objects.count() == events  # nothing added, nothing audited again
    # a week on, the city is served as it is, and the last thing said is how to refresh it
    assert again.warnings[-1] == (
        "The demo city is 7 days behind (its data end on 31 March 2025, not yesterday, "
        "7 April 2025): run `make demo-refresh` (or `joinedup demo --refresh`) to build it "
        "again up to today; changes made in the demo are lost"
    )


@pytest.mark.django_db
@pytest.mark.once_on_postgres
def test_refresh_never_empties_a_database_that_is_not_the_demos_own(tiny_lake: Path) -> None:
    """`refresh` deletes only the SQLite file in the var folder: this test database (or a
    PostgreSQL one) holding a city is refused before the city is touched."""
    prepare_demo(DemoCity(tiny_lake), Recorded())
    manifest = (tiny_lake / "manifest.json").read_text()
    said = Recorded()
    with pytest.raises(UserError, match=r"^refresh empties only the demo's own SQLite") as no:
        prepare_demo(DemoCity(tiny_lake, people=2_000, neighbourhoods=2, refresh=True), said)
    assert no.value.naming(lambda f: f"--{f}").startswith("--refresh empties only")
    assert (tiny_lake / "manifest.json").read_text() == manifest and said.lines == []
    assert LoadedLake.objects.count() == 1 and Person.objects.count() == 6


@pytest.mark.django_db
@pytest.mark.once_on_postgres
def test_a_database_holding_another_city_says_how_to_start_afresh(
    tiny_lake: Path, make_lake: Callable[..., Path]
) -> None:
    """One database holds one city: a demo city made again (its folder deleted, say) cannot
    be loaded beside the old one, and the demo says how to build both again."""
    prepare_demo(DemoCity(tiny_lake), Recorded())
    later = make_lake("later", observation_end=dt.date(2025, 4, 30))
    with pytest.raises(UserError, match=r"^the demo's database holds another city") as no:
        prepare_demo(DemoCity(later), Recorded())
    assert no.value.naming(lambda f: f"--{f}").endswith(
        "than the one at --city: run `make demo-refresh` (or `joinedup demo --refresh`) to "
        "build both again; changes made in the demo are lost"
    )
    assert LoadedLake.objects.count() == 1
