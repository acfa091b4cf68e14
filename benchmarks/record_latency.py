"""Latency of person search and the record page with 20 concurrent logged-in sessions.

Builds (or reuses) a city, serves it with gunicorn as `joinedup serve` does, logs 20
client sessions in through the real login form (each its own connection and cookies),
and times four kinds of request: a search by name (a third misspelt, a sixth with the
names transposed) with date of birth, a search by NHS number, the record page of a person
on the demo team's caseload, and the long record (issue 19): the record page of a person
whose timeline holds exactly 500 entries. Before serving, 20 people on the caseload
(--long-records) are given that history: case notes by the demo staff (mostly the person's
own care team; health, social care and voluntary sector; a few labelled safeguarding,
mental health or sexual health; 200 to 800 characters) added to what the lake and the
demo gave them, counted as the timeline counts them (every kind in
joinedup.people.timeline.KINDS), so a reused city gets nothing added twice. Each long
record's page is then read over HTTP as the demo GP (who may read every label), which
should say "Showing entries 1 to <the first page> of 500" (checked, in the output). Three phases:
the 20 sessions asking without pause (the server saturated), the 20 sessions pausing
about a second between requests (still far busier than staff reading records), and one
session alone (a request's own cost); then the CPU time of each request, one at a time,
in the server's processes and in the database's backends (less changed than the wall
clock by other work on a shared machine).
Prints one JSON document (also written to benchmarks/out/) with p50, p95, max, requests
per second, the load average around each phase and every non-200 answer. Timings are never
test assertions.

    .venv/bin/python benchmarks/record_latency.py                        # demo city, SQLite
    .venv/bin/python benchmarks/record_latency.py --database postgresql  # the large city
    .venv/bin/python benchmarks/record_latency.py --database both --rebuild

SQLite: the demo-size city (100,000 people at the start, what `joinedup demo` builds) is
generated and loaded into a fresh temporary var dir every run (about a minute).
PostgreSQL: the database `joinedup_bench` holds a city of 1,000,000 people at the start
(about 1.38 million by its end). It is built once (about ten minutes) and reused
while it holds a city of that size; --rebuild drops and rebuilds it. The `test` databases
are refused, since the test suites use them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import machine  # noqa: E402  (the same machine description as the foundation's)

DEMO_PEOPLE = 100_000  # `joinedup demo`'s default city
# 1,000,000 people at the start, about 1.38 million by the end of the window; the 909,091
# NHS numbers of the 999 test range go to a random subset (the loader leaves the rest
# without one), so searches by NHS number pick among those who have one.
BIG_PEOPLE = 1_000_000
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/joinedup_bench"
REFUSED_DATABASES = {"test", "test_test", "postgres", "template0", "template1"}
# The long record (issue 19): the record page of a person with LONG_ENTRIES timeline entries.
GOALS_MS = {"search_name": 100.0, "search_nhs": 100.0, "record": 150.0, "long_record": 200.0}
KINDS = tuple(GOALS_MS)
# Demo logins in the demo team who may search and open records (two sessions each).
SESSION_USERS = (
    "demo-district-nurse",
    "demo-community-nurse",
    "demo-social-worker",
    "demo-occupational-therapist",
    "demo-physiotherapist",
    "demo-gp",
    "demo-pharmacist",
    "demo-mental-health-practitioner",
    "demo-care-navigator",
    "demo-team-manager",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- building the database (each step in a fresh process with the run's environment) ------


def run_step(step: str, env: dict[str, str], *args: str, script: str = __file__) -> dict[str, Any]:
    """Run one step of `script` (this one by default) in a fresh process (Django reads its
    settings once)."""
    result = subprocess.run(
        [sys.executable, script, "--step", step, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"step {step} failed (exit code {result.returncode}); see stderr")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def step_generate(people: int, city: str) -> dict[str, Any]:
    from joinedup.synth.city import generate_city
    from joinedup.synth.config import CityConfig

    started = time.perf_counter()
    generate_city(CityConfig(people=people), Path(city))
    return {"seconds": time.perf_counter() - started}


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")
    import django

    django.setup()


def step_state() -> dict[str, Any]:
    """The people the database holds, and the size of each city loaded into it (for reuse)."""
    setup_django()
    from django.core.management import call_command

    from joinedup.record.models import LoadedLake, Person

    call_command("migrate", interactive=False, verbosity=0)
    sizes = [m.get("people") for m in LoadedLake.objects.values_list("manifest", flat=True)]
    return {"people": Person.objects.count(), "cities": sizes}


def step_load(city: str) -> dict[str, Any]:
    setup_django()
    from django.core.management import call_command

    from joinedup.record.load import load_lake

    call_command("migrate", interactive=False, verbosity=0)
    summary = load_lake(Path(city))
    return {"seconds": summary.seconds, "rows": sum(summary.rows.values())}


def step_setup() -> dict[str, Any]:
    """Migrate, collect static files, demo logins and demo people data (all idempotent)."""
    setup_django()
    from django.core.management import call_command

    from joinedup.access.demo import create_demo_logins

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    create_demo_logins()
    seeded = False
    try:
        from joinedup.people import demo as people_demo
    except ImportError:
        people_demo = None  # type: ignore[assignment]
    if people_demo is not None and hasattr(people_demo, "seed_demo_record"):
        people_demo.seed_demo_record()
        seeded = True
    return {"demo_record_seeded": seeded}


def step_targets(count: int, seed: int, long_ids: str = "") -> dict[str, Any]:
    """People to search for and records to open, picked before any request is timed.

    Records: people on the demo team's caseload (an open episode with the team of
    demo-district-nurse), confirmed related by the access policy itself, other than the
    long records (`long_ids`, comma-separated). Searches: half of them caseload people,
    half anyone in the city.
    """
    setup_django()
    from django.db.models import Q
    from django.utils import timezone

    from joinedup.access.models import StaffMember
    from joinedup.access.policy import related_person_ids
    from joinedup.record.models import Episode, Person

    rng = random.Random(seed)
    staff = StaffMember.objects.get(user__username="demo-district-nurse")
    teams = list(staff.teams.values_list("id", flat=True))
    today = timezone.localdate()
    caseload = sorted(
        set(
            Episode.objects.filter(team_id__in=teams, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
            .values_list("person_id", flat=True)
        )
    )
    long_records = set(filter(None, long_ids.split(",")))
    ordinary = [p for p in caseload if p not in long_records]
    picked = rng.sample(ordinary, min(count, len(ordinary)))
    related = related_person_ids(staff, picked)
    records = [p for p in picked if p in related]
    everyone = list(Person.objects.filter(nhs_number__isnull=False).values_list("id", flat=True))
    anyone = rng.sample(everyone, count)
    search_ids = [*rng.sample(records, min(len(records), count // 2)), *anyone][:count]
    fields = ("id", "given_name", "family_name", "birth_date", "nhs_number")
    people = {p["id"]: p for p in Person.objects.filter(id__in=search_ids).values(*fields)}
    searches = [
        {
            "given": people[i]["given_name"],
            "family": people[i]["family_name"],
            "birth_date": people[i]["birth_date"].isoformat(),
            "nhs_number": people[i]["nhs_number"],
        }
        for i in search_ids
        if people[i]["nhs_number"]
    ]
    entries = sorted(entry_counts(sorted(set(records))).values())
    return {
        "people": Person.objects.count(),
        "team": teams,
        "caseload": len(caseload),
        "records": records,
        # timeline entries of the ordinary records opened: [min, median, max]
        "record_entries": [entries[0], entries[len(entries) // 2], entries[-1]] if entries else [],
        "searches": searches,
    }


# --- long records: people whose timeline holds exactly LONG_ENTRIES entries -----------------

LONG_ENTRIES = 500
NOTE_YEARS = 4  # the added notes are spread over the last four years, in working hours
# What staff write, sentence by sentence (bland and synthetic); a note is the author's own
# opening (joinedup.people.demo_text.NOTES) and then sentences drawn from these until it is
# 200 to 800 characters long.
NOTE_SENTENCES: tuple[str, ...] = (
    "Seen at home with their daughter present for most of the visit.",
    "Telephone call to check how the week has gone since the last visit.",
    "Says they are sleeping better and the pain is easier in the mornings.",
    "Eating and drinking well; fridge stocked and meals delivered on weekdays.",
    "Home carer reports the morning call is running late most days; raised with the agency.",
    "Medicines taken as prescribed; the blister pack for this week is nearly finished.",
    "Skin checked on heels and sacrum, no redness; continue repositioning as planned.",
    "Mobilising around the flat with the frame; no falls reported since the last contact.",
    "Discussed the plan for the coming weeks and agreed the next review date.",
    "Their son would like a call after each review; contact details checked and correct.",
    "Pendant alarm tested with the call centre and working.",
    "Heating on and the house warm; advised on the winter fuel payment.",
    "Appointment letter from the hospital clinic read through together.",
    "Feels lonely at weekends; interested in the befriending service.",
    "Weight stable compared with last month; appetite reported as good.",
    "Swelling in both ankles a little worse; legs elevated and advice given.",
    "Reviewed the equipment in the bathroom: the bath board is in use and safe.",
    "Spoke with the practice nurse about the results; no change needed for now.",
    "Carer is finding the evenings hard; carer's break discussed and information left.",
    "Shopping now done online with help from a neighbour.",
    "The agreed goals were reviewed: walking to the shop is still the main one.",
    "No concerns raised by the person or their family today.",
    "Discussed at the team meeting; the key worker will coordinate the next steps.",
    "Left a copy of the care plan in the folder by the front door.",
    "Breathing comfortable at rest, more breathless on the stairs than last time.",
    "Blood sugar readings in the diary are within the agreed range.",
    "Hearing aid batteries replaced; hears much better on the phone now.",
    "Wants to stay at home and is clear about that; their wishes are recorded in the plan.",
    "The district nursing team will visit on Thursday as planned.",
    "A referral to the falls service was discussed and the person agreed to it.",
    "Their pharmacy will deliver the new prescription tomorrow.",
    "Reminded about the flu vaccine clinic at the practice next week.",
)


def _note_text(rng: random.Random, opening: str) -> str:
    """A note of 200 to 800 characters: an opening, then sentences until long enough."""
    target = rng.randint(200, 800)
    sentences = [opening]
    pool = list(NOTE_SENTENCES)
    rng.shuffle(pool)
    text = opening
    for sentence in pool:
        if len(text) >= target or len(text) + 1 + len(sentence) > 800:
            break
        sentences.append(sentence)
        text = " ".join(sentences)
    while len(text) < 200:  # never shorter than 200 characters
        text += " " + rng.choice(NOTE_SENTENCES)
    return text[:800]


def entry_counts(person_ids: list[str]) -> dict[str, int]:
    """Each person's timeline entries, every kind the timeline reads (KINDS), as it counts
    them (no filters, before any viewer's sensitivity labels or objection hide some)."""
    from django.db.models import Count

    from joinedup.people.timeline import KINDS as TIMELINE_KINDS
    from joinedup.people.timeline import SOURCES

    counts = dict.fromkeys(person_ids, 0)
    for kind in TIMELINE_KINDS:
        rows = (
            SOURCES[kind]
            .model._default_manager.filter(person_id__in=person_ids)
            .values("person_id")
            .annotate(n=Count("pk"))
            .values_list("person_id", "n")
        )
        for person_id, n in rows:
            counts[person_id] += n
    return counts


def step_long_records(count: int, seed: int) -> dict[str, Any]:
    """Give `count` people on the demo team's caseload exactly LONG_ENTRIES timeline entries,
    adding case notes by the demo staff to what they already have (idempotent).

    Candidates: living people with an open episode with the demo team, a demo care team (so
    the demo staff writing about them is plausible) and no objection to sharing (so a
    viewer who may read every label, the GP, sees all their entries), with at most
    LONG_ENTRIES entries. People who already have exactly LONG_ENTRIES come first, so a reused
    city gets the same people back and nothing is added a second time.
    """
    setup_django()
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from joinedup.access.audit import record_events
    from joinedup.access.demo import demo_username
    from joinedup.access.models import (
        AuditAction,
        CareTeamMember,
        Profession,
        Sensitivity,
        StaffMember,
    )
    from joinedup.access.policy import objecting, staff_sector
    from joinedup.people.demo_text import NOTES, ROLES, SENSITIVE_NOTES
    from joinedup.people.models import CaseNote
    from joinedup.record.models import Episode, Person

    if count <= 0:
        return {"people": [], "entries": {}, "added": 0}
    staff = {
        s.user.get_username(): s
        for s in StaffMember.objects.select_related("user", "organisation").filter(
            user__username__in=[demo_username(p) for p in ROLES]
        )
    }
    by_profession = {s.profession: s for s in staff.values()}
    teams = list(staff["demo-district-nurse"].teams.values_list("id", flat=True))
    today = timezone.localdate()
    caseload = set(
        Episode.objects.filter(team_id__in=teams, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .values_list("person_id", flat=True)
    )
    living = set(
        Person.objects.filter(pk__in=caseload, death_date__isnull=True).values_list("id", flat=True)
    )
    cared = set(
        CareTeamMember.objects.filter(
            person_id__in=living, staff__in=staff.values(), ended__isnull=True
        ).values_list("person_id", flat=True)
    )
    candidates = sorted(cared - objecting(cared))
    counts = entry_counts(candidates)
    rng = random.Random(f"long-records:{seed}")
    order = {pid: rng.random() for pid in candidates}
    chosen = sorted(
        (p for p in candidates if counts[p] <= LONG_ENTRIES),
        key=lambda p: (counts[p] != LONG_ENTRIES, order[p]),
    )[:count]
    members: dict[str, list[str]] = {}
    for person_id, profession in CareTeamMember.objects.filter(
        person_id__in=chosen, staff__in=staff.values(), ended__isnull=True
    ).values_list("person_id", "staff__profession"):
        members.setdefault(person_id, []).append(profession)
    zone = timezone.get_default_timezone()
    now = timezone.now()
    first_day = today - dt.timedelta(days=365 * NOTE_YEARS)
    notes: list[CaseNote] = []
    labels: dict[str, int] = {}
    for person_id in chosen:
        missing = LONG_ENTRIES - counts[person_id]
        prng = random.Random(f"long-records:{seed}:{person_id}")
        # The person's own care team write most of their notes; the rest of the demo team
        # (their colleagues covering, or asked to) some: health, social care and voluntary.
        weights = {p: (6 if p in members.get(person_id, ()) else 1) for p in ROLES}
        professions = list(weights)
        for _ in range(missing):
            profession = prng.choices(professions, [weights[p] for p in professions])[0]
            label = None
            if profession == Profession.SOCIAL_WORKER and prng.random() < 0.1:
                label = Sensitivity.SAFEGUARDING
            elif profession == Profession.MENTAL_HEALTH_PRACTITIONER and prng.random() < 0.4:
                label = Sensitivity.MENTAL_HEALTH
            elif profession == Profession.GP and prng.random() < 0.05:
                label = Sensitivity.SEXUAL_HEALTH
            opening = SENSITIVE_NOTES[label][1] if label else prng.choice(NOTES[profession])
            day = first_day + dt.timedelta(days=prng.randint(0, (today - first_day).days))
            moment = dt.datetime.combine(
                day, dt.time(prng.randint(8, 17), prng.randrange(0, 60, 5)), tzinfo=zone
            )
            author = by_profession[profession]
            notes.append(
                CaseNote(
                    person_id=person_id,
                    written_at=min(moment, now),
                    author=author,
                    organisation=author.organisation,
                    sector=staff_sector(author),
                    sensitivity=label,
                    text=_note_text(prng, opening),
                )
            )
            if label:
                labels[label] = labels.get(label, 0) + 1
    with transaction.atomic():
        CaseNote.objects.bulk_create(notes, batch_size=1000)
        # Audited as write_note audits a note written on the record page: one event each.
        written: dict[str, list[str]] = {}
        for note in notes:
            written.setdefault(note.author.user.get_username(), []).append(note.person_id)
        for username, person_ids in sorted(written.items()):
            user = staff[username].user
            record_events(AuditAction.CREATE, user=user, person_ids=person_ids, what="case note")
    after = entry_counts(chosen)
    lengths = sorted(len(n.text) for n in notes)
    sectors: dict[str, int] = {}
    for note in notes:
        sectors[note.sector] = sectors.get(note.sector, 0) + 1
    return {
        "people": chosen,
        "candidates": len(candidates),
        "entries_before": {p: counts[p] for p in chosen},
        "entries": after,
        "added": len(notes),
        "added_sectors": sectors,
        "added_labels": labels,
        "added_text_length": [lengths[0], lengths[len(lengths) // 2], lengths[-1]]
        if lengths
        else [],
    }


# --- the databases -------------------------------------------------------------------------


def sqlite_env(var: Path) -> dict[str, str]:
    return {"JOINEDUP_VAR_DIR": str(var), "JOINEDUP_DATABASE_URL": "", "JOINEDUP_DEBUG": ""}


def prepare_sqlite(tmp: Path, people: int) -> dict[str, str]:
    env = sqlite_env(tmp / "var")
    city = tmp / "demo-city"
    log(f"generating the demo city ({people:,} people)")
    generated = run_step("generate", env, str(people), str(city))
    log(f"generated in {generated['seconds']:.0f} s; loading it into SQLite")
    loaded = run_step("load", env, str(city))
    log(f"loaded {loaded['rows']:,} rows in {loaded['seconds']:.0f} s")
    shutil.rmtree(city)
    return env


def _database_name(url: str) -> str:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not name or name in REFUSED_DATABASES or name.startswith("test_"):
        raise SystemExit(f"refusing to use the database {name!r}: the test suites use it")
    return name


def _maintenance_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres"))


def prepare_postgres(tmp: Path, url: str, people: int, rebuild: bool) -> dict[str, str]:
    import psycopg

    name = _database_name(url)
    env = {"JOINEDUP_VAR_DIR": str(tmp / "var"), "JOINEDUP_DATABASE_URL": url, "JOINEDUP_DEBUG": ""}
    with psycopg.connect(_maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            log(f"dropping the database {name}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"creating the database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    state = run_step("state", env)
    if state["cities"] == [people]:
        log(f"reusing {name}: a city of {people:,} people ({state['people']:,} by its end)")
        return env
    if state["cities"] or state["people"]:
        raise SystemExit(
            f"{name} holds {state['people']:,} people from cities of {state['cities']} people, "
            f"not one city of {people:,}: pass --rebuild to drop and rebuild it"
        )
    city = tmp / "big-city"
    log(f"generating a city of {people:,} people")
    generated = run_step("generate", env, str(people), str(city))
    log(f"generated in {generated['seconds']:.0f} s; loading it into PostgreSQL (minutes)")
    loaded = run_step("load", env, str(city))
    log(f"loaded {loaded['rows']:,} rows in {loaded['seconds']:.0f} s; analysing")
    shutil.rmtree(city)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return env


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    workers: int


def start_server(env: dict[str, str], workers: int, logfile: Path) -> Server:
    """`joinedup serve` itself: gunicorn, gthread workers with 4 threads, access log on."""
    port = free_port()
    with logfile.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "joinedup.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited; see {logfile}:\n{logfile.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return Server(process, port, workers)
        except OSError:
            time.sleep(0.3)
    stop_server(Server(process, port, workers))
    raise SystemExit(f"the server did not answer within 60 s; see {logfile}")


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# --- the client sessions -------------------------------------------------------------------

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Session:
    """One browser: its own connection and cookie jar, logged in through the login form.

    The cookies are Secure (settings.py), which http.cookiejar would not send over plain
    http to 127.0.0.1 as a browser does, so the jar is a dict.
    """

    def __init__(self, port: int, username: str):
        self.port = port
        self.username = username
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except RETRYABLE:
                # The server closed an idle keep-alive connection: reconnect once, as a
                # browser does (the time to reconnect is inside the measurement).
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data

    def log_in(self) -> None:
        status, page = self.request("GET", "/login/")
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise SystemExit(f"{self.username}: the login page answered {status} without a form")
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": self.username,
            "password": self.username + "-synthetic-city",
            "next": "",
        }
        status, _ = self.request("POST", "/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{self.username}: logging in answered {status}, not a redirect")


@dataclass(frozen=True)
class Task:
    kind: str
    path: str
    expect: str  # text the answer should hold (the person found, or the record opened)


@dataclass
class Timing:
    kind: str
    ms: float
    status: int | None  # None: no answer (a connection error)
    error: str = ""
    found: bool = False


def formatted_nhs_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def misspelt(name: str, rng: random.Random) -> str:
    """One typo among the letters: two neighbours swapped, or one letter dropped or doubled."""
    letters = [i for i in range(1, len(name) - 2) if name[i : i + 2].isalpha()]
    if not letters:
        return name + name[-1]
    i = rng.choice(letters)
    typo = rng.choice(("swap", "drop", "double"))
    if typo == "swap":
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if typo == "drop":
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def search_path(query: str) -> str:
    return "/people/?" + urllib.parse.urlencode({"q": query})


def make_tasks(targets: dict[str, Any], per_kind: int, rng: random.Random) -> list[Task]:
    """`per_kind` requests of each kind: a third of the name searches misspelt, a sixth
    with the names transposed; dates of birth as staff type them (dd/mm/yyyy). Long
    records (the first page of a timeline of LONG_ENTRIES) only when there are some."""
    tasks = []
    searches, records = targets["searches"], targets["records"]
    long_records = targets.get("long_records", [])
    for i in range(per_kind):
        person = searches[i % len(searches)]
        given, family = person["given"], person["family"]
        born = dt.date.fromisoformat(person["birth_date"]).strftime("%d/%m/%Y")
        nhs = formatted_nhs_number(person["nhs_number"])
        variant = i % 6
        if variant in (1, 4):
            family = misspelt(family, rng)
        name = f"{family} {given}" if variant == 2 else f"{given} {family}"
        tasks.append(Task("search_name", search_path(f"{name} {born}"), nhs))
        tasks.append(Task("search_nhs", search_path(nhs), nhs))
        person_id = records[i % len(records)]
        tasks.append(Task("record", f"/people/{urllib.parse.quote(person_id)}/", "Timeline"))
        if long_records:
            person_id = long_records[i % len(long_records)]
            path = f"/people/{urllib.parse.quote(person_id)}/"
            tasks.append(Task("long_record", path, "Showing entries 1 to "))
    rng.shuffle(tasks)
    return tasks


def found_in(body: bytes, expect: str) -> bool:
    text = body.decode("utf-8", "replace").replace("&nbsp;", " ").replace("\xa0", " ")
    return expect in text or expect.replace(" ", "") in text


def run_sessions(
    port: int, sessions: int, warmup: list[Task], tasks: list[Task], pause: float = 0.0
) -> tuple[list[Timing], float]:
    """Log every session in, warm up, then time `tasks` shared out through one queue.

    pause: each session waits a random time (exponential, this mean in seconds) after each
    answer, as someone reading a page does; 0 keeps every session asking all the time.
    """
    clients = [Session(port, SESSION_USERS[i % len(SESSION_USERS)]) for i in range(sessions)]
    for client in clients:
        client.log_in()
    work: queue.Queue[Task] = queue.Queue()
    for task in tasks:
        work.put(task)
    timings: list[Timing] = []
    lock = threading.Lock()
    barrier = threading.Barrier(sessions + 1)

    def one(client: Session, task: Task) -> Timing:
        started = time.perf_counter()
        try:
            status, body = client.request("GET", task.path)
        except (OSError, http.client.HTTPException) as exc:
            ms = (time.perf_counter() - started) * 1000
            return Timing(task.kind, ms, None, type(exc).__name__)
        ms = (time.perf_counter() - started) * 1000
        return Timing(task.kind, ms, status, found=status == 200 and found_in(body, task.expect))

    def session(client: Session, offset: int) -> None:
        rng = random.Random(offset)
        for i in range(len(warmup)):
            one(client, warmup[(i + offset) % len(warmup)])
        barrier.wait()
        if pause:
            time.sleep(rng.uniform(0, pause))  # not all at once
        while True:
            try:
                task = work.get_nowait()
            except queue.Empty:
                return
            timing = one(client, task)
            with lock:
                timings.append(timing)
            if pause:
                time.sleep(rng.expovariate(1 / pause))

    threads = [
        threading.Thread(target=session, args=(c, i * 3), daemon=True)
        for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return timings, time.perf_counter() - started


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """Time on a CPU of each process, all its threads, from the scheduler's own count in
    nanoseconds (/proc/<pid>/task/<tid>/schedstat; the 10 ms ticks of cpu_times are too
    coarse for one request)."""
    seconds = {}
    for pid in pids:
        total = 0
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                    total += int(stat.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone: it used what it used
        seconds[pid] = total / 1e9
    return seconds


def cpu_per_request(
    port: int, server_pid: int, database: str, warmup: list[Task], tasks: list[Task]
) -> dict[str, Any]:
    """CPU time of each request, one at a time: the server's processes (Python: Django,
    templates) and the database's backends serving it (found by their process title, which
    names the database). Unlike the wall clock, barely changed by others' work on a shared
    machine, so runs at different moments compare."""
    import psutil

    server = psutil.Process(server_pid)

    def backends() -> list[int]:
        found = []
        for process in psutil.process_iter(["cmdline"]):
            title = " ".join(process.info["cmdline"] or ())
            if title.startswith("postgres:") and f" {database} " in title:
                found.append(process.pid)
        return found

    client = Session(port, SESSION_USERS[0])
    client.log_in()
    for task in warmup:
        client.request("GET", task.path)
    costs: dict[str, list[tuple[float, float, float]]] = {}
    for task in tasks:
        workers = [server.pid, *(p.pid for p in server.children(recursive=True))]
        db = backends() if database else []
        before_server, before_db = _cpu_seconds(workers), _cpu_seconds(db)
        started = time.perf_counter()
        status, _ = client.request("GET", task.path)
        wall = time.perf_counter() - started
        after_server = _cpu_seconds(workers)
        after_db = _cpu_seconds(backends() if database else [])
        if status != 200:
            continue
        used_server = sum(t - before_server.get(pid, 0.0) for pid, t in after_server.items())
        used_db = sum(t - before_db.get(pid, 0.0) for pid, t in after_db.items())
        costs.setdefault(task.kind, []).append((wall, used_server, used_db))
    client.conn.close()

    def median_ms(values: list[float]) -> float:
        ordered = sorted(values)
        return round(ordered[len(ordered) // 2] * 1000, 1)

    return {
        kind: {
            "requests": len(rows),
            "wall_p50_ms": median_ms([r[0] for r in rows]),
            "server_cpu_p50_ms": median_ms([r[1] for r in rows]),
            "database_cpu_p50_ms": median_ms([r[2] for r in rows]) if database else None,
            "wall_minus_cpu_p50_ms": median_ms([r[0] - r[1] - r[2] for r in rows]),
        }
        for kind, rows in sorted(costs.items())
    }


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_ms) * p // 100))
    return sorted_ms[int(rank) - 1]


def summarise(
    timings: list[Timing], seconds: float, goals: dict[str, float] = GOALS_MS
) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for kind in goals:
        mine = [t for t in timings if t.kind == kind]
        if not mine:  # a kind this run did not ask for (no long records)
            continue
        ok = sorted(t.ms for t in mine if t.status == 200)
        errors: dict[str, int] = {}
        for t in mine:
            if t.status != 200:
                key = t.error or f"HTTP {t.status}"
                errors[key] = errors.get(key, 0) + 1
        kinds[kind] = {
            "requests": len(mine),
            "ok": len(ok),
            "errors": errors,
            "p50_ms": round(percentile(ok, 50), 1) if ok else None,
            "p95_ms": round(percentile(ok, 95), 1) if ok else None,
            "max_ms": round(ok[-1], 1) if ok else None,
            "found": sum(t.found for t in mine),
            "goal_p95_ms": goals[kind],
            "goal_met": bool(ok) and not errors and percentile(ok, 95) < goals[kind],
        }
    return {
        "seconds": round(seconds, 2),
        "requests": len(timings),
        "requests_per_second": round(len(timings) / seconds, 1),
        "kinds": kinds,
    }


@dataclass
class Options:
    sessions: int = 20
    requests: int = 300
    warmup: int = 2
    pause: float = 1.0
    workers: int = field(default_factory=lambda: os.cpu_count() or 2)
    seed: int = 1
    long_records: int = 20


SHOWING = re.compile(r"Showing entries ([\d,]+) to ([\d,]+) of ([\d,]+)")
VERIFIER = "demo-gp"  # may read every sensitivity label


def showing(body: bytes) -> str:
    found = SHOWING.search(body.decode("utf-8", "replace"))
    return found.group(0) if found else ""


def verify_long_records(port: int, person_ids: list[str]) -> dict[str, Any]:
    """What each long record's page says about its timeline, read over HTTP before timing:
    as the demo GP, who may read every label, for every long record; and for the first, as
    each session's login (labels they may not read hide entries from them)."""
    gp = Session(port, VERIFIER)
    gp.log_in()
    says: dict[str, str] = {}
    sizes = []
    for person_id in person_ids:
        status, body = gp.request("GET", f"/people/{urllib.parse.quote(person_id)}/")
        says[person_id] = showing(body) if status == 200 else f"HTTP {status}"
        sizes.append(len(body))
    seen_by: dict[str, str] = {}
    for username in dict.fromkeys(SESSION_USERS):
        viewer = Session(port, username)
        viewer.log_in()
        status, body = viewer.request("GET", f"/people/{urllib.parse.quote(person_ids[0])}/")
        seen_by[username] = showing(body) if status == 200 else f"HTTP {status}"
        viewer.conn.close()
    gp.conn.close()
    sizes.sort()
    return {
        "page_says_to_" + VERIFIER.replace("-", "_"): says,
        "page_kilobytes": [round(sizes[0] / 1024), round(sizes[-1] / 1024)],
        "first_seen_by": seen_by,
    }


def loaded(phase: Callable[[], tuple[list[Timing], float]]) -> dict[str, Any]:
    """A phase's summary with the machine's 1-minute load average before and after it (the
    machine is shared: a load above what the phase itself makes is someone else's work)."""
    before = os.getloadavg()[0]
    summary = summarise(*phase())
    summary["load_average_1min"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    return summary


def measure(env: dict[str, str], tmp: Path, options: Options) -> dict[str, Any]:
    log("migrations, static files, demo logins")
    setup = run_step("setup", env)
    long = run_step("long_records", env, str(options.long_records), str(options.seed))
    if options.long_records:
        log(
            f"long records: {len(long['people'])} people on the caseload, "
            f"{long['added']:,} case notes added now; entries each: "
            f"{sorted(set(long['entries'].values()))}"
        )
    targets = run_step(
        "targets", env, str(options.requests), str(options.seed), ",".join(long["people"])
    )
    targets["long_records"] = long["people"]
    if not targets["records"]:
        raise SystemExit("the demo team has nobody on its caseload: nothing to open")
    log(
        f"{targets['caseload']:,} people on the demo team's caseload; "
        f"{len(targets['records'])} records and {len(targets['searches'])} searches picked"
    )
    rng = random.Random(options.seed)
    tasks = make_tasks(targets, options.requests, rng)
    warmup = make_tasks(targets, options.warmup, random.Random(options.seed + 1))
    server = start_server(env, options.workers, tmp / f"server-{time.time_ns()}.log")
    try:
        if long["people"]:
            long["pages"] = verify_long_records(server.port, long["people"])
            says = long["pages"]["page_says_to_" + VERIFIER.replace("-", "_")]
            for text, n in sorted(Counter(says.values()).items()):
                log(f"long records: {n} pages say {text!r} to {VERIFIER}")
            first_pages = {m[2] if (m := SHOWING.search(t)) else "" for t in says.values()}
            expected = f"Showing entries 1 to {min(first_pages)} of {LONG_ENTRIES}"
            long["verified"] = len(first_pages) == 1 and set(says.values()) == {expected}
            if not long["verified"]:
                log(f"WARNING: not every long record's page says {expected!r}")
            for username, text in long["pages"]["first_seen_by"].items():
                log(f"  the first, to {username}: {text!r}")
        phases = {}
        log(f"{options.sessions} sessions without pausing: {len(tasks)} requests")
        phases["no_pause"] = loaded(
            lambda: run_sessions(server.port, options.sessions, warmup, tasks)
        )
        log(f"{options.sessions} sessions pausing {options.pause} s: {len(tasks)} requests")
        phases[f"pause_{options.pause:g}s"] = loaded(
            lambda: run_sessions(server.port, options.sessions, warmup, tasks, options.pause)
        )
        # One request at a time: what a request costs without queueing behind others.
        alone = tasks[: len({t.kind for t in tasks}) * 30]
        log(f"one session alone: {len(alone)} requests")
        phases["one_session"] = loaded(lambda: run_sessions(server.port, 1, warmup, alone))
        log("CPU per request, one at a time")
        database = (
            ""
            if not env.get("JOINEDUP_DATABASE_URL")
            else _database_name(env["JOINEDUP_DATABASE_URL"])
        )
        cpu = cpu_per_request(server.port, server.process.pid, database, warmup, alone)
    finally:
        stop_server(server)
    return {
        "people": targets["people"],
        "caseload": targets["caseload"],
        "demo_record_seeded": setup["demo_record_seeded"],
        "record_entries": targets["record_entries"],
        "long_records": long,
        "sessions": options.sessions,
        "server": {"workers": options.workers, "threads": 4, "worker_class": "gthread"},
        "requests_per_kind": options.requests,
        "pause_mean_seconds": options.pause,
        "phases": phases,
        "cpu_per_request": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="sqlite", help="which city"
    )
    parser.add_argument(
        "--people", type=int, default=DEMO_PEOPLE, help="SQLite city: people at the start"
    )
    parser.add_argument(
        "--postgres-people",
        type=int,
        default=BIG_PEOPLE,
        help="PostgreSQL city: people at the start",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("JOINEDUP_BENCH_POSTGRES_URL", POSTGRES_URL),
        help="the PostgreSQL database to build or reuse (never a test database)",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild PostgreSQL's")
    parser.add_argument("--sessions", type=int, default=Options.sessions)
    parser.add_argument("--requests", type=int, default=Options.requests, help="per kind")
    parser.add_argument("--warmup", type=int, default=Options.warmup, help="per kind, per session")
    parser.add_argument(
        "--pause", type=float, default=Options.pause, help="mean pause (s) between requests"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--long-records",
        type=int,
        default=Options.long_records,
        help=f"people given {LONG_ENTRIES} timeline entries, opened as the long record (0: none)",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="build or check the databases, measure nothing"
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.step:
        steps: dict[str, Callable[[], dict[str, Any]]] = {
            "generate": lambda: step_generate(int(rest[0]), rest[1]),
            "state": step_state,
            "load": lambda: step_load(rest[0]),
            "setup": step_setup,
            "targets": lambda: step_targets(int(rest[0]), int(rest[1]), *rest[2:3]),
            "long_records": lambda: step_long_records(int(rest[0]), int(rest[1])),
        }
        print(json.dumps(steps[args.step](), default=str))
        return
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    options = Options(
        args.sessions,
        args.requests,
        args.warmup,
        args.pause,
        args.workers,
        long_records=args.long_records,
    )
    results: dict[str, Any] = {"machine": machine(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="joinedup-latency-") as name:
        tmp = Path(name)
        if args.database in ("sqlite", "both"):
            env = prepare_sqlite(tmp / "sqlite", args.people)
            if not args.prepare_only:
                results["runs"].append({"database": "sqlite", **measure(env, tmp, options)})
        if args.database in ("postgresql", "both"):
            env = prepare_postgres(
                tmp / "postgres", args.postgres, args.postgres_people, args.rebuild
            )
            if not args.prepare_only:
                results["runs"].append({"database": "postgresql", **measure(env, tmp, options)})
    if args.prepare_only:
        return
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2)
    (OUT / f"record-latency-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
