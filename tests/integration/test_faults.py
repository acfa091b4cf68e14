"""Faults while a system sends referrals: the server killed with SIGKILL, then PostgreSQL
restarted (immediate: as a crash) mid-stream. Every referral whose sender was told it was
made is in the database, the audit chain verifies, and the server serves again with no
manual step. On a private PostgreSQL cluster, so restarting it disturbs no other test.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from command_line import run_installed
from serving import free_port, start, stop, wait_until_serving

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BINARIES, reason="PostgreSQL's server programs are not installed"),
]
WRITERS = 3
PER_WRITER = 40


@contextmanager
def private_postgres() -> Iterator[tuple[str, Any]]:
    """A throwaway PostgreSQL cluster: its URL, and a function that crash-restarts it."""
    bin_dir = Path(BINARIES[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="joinedup-pg-", dir="/tmp"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to postgres
        shutil.chown(root, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    os.chmod(root, 0o755)
    data, port = root / "data", free_port()

    def pg_ctl(*args: str, check: bool = True) -> None:
        command = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log")]
        subprocess.run([*command, *args], check=check, capture_output=True, timeout=120)

    subprocess.run(
        [*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    pg_ctl("-o", options, "-w", "start")
    try:
        yield (
            f"postgresql://postgres@127.0.0.1:{port}/postgres",
            lambda: pg_ctl("-m", "immediate", "-o", options, "-w", "restart"),
        )
    finally:
        pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


def _post(url: str, token: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        f"{url}/api/referrals/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


class Stream:
    """Writers sending referrals, each retried (same external_id) until acknowledged."""

    def __init__(self, url: str, token: str, people: list[dict[str, str]]):
        self.url, self.token, self.people = url, token, people
        self.acknowledged: set[str] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.statuses: list[int] = []

    def body(self, external_id: str, n: int) -> dict[str, Any]:
        return {
            "external_id": external_id,
            "urgency": "routine",
            "reason": "Falls at home",
            "needs": f"Assessment {n}",
            "person": self.people[n % len(self.people)],
            "referrer": {"name": "Monitoring centre", "phone": "01632 960999"},
        }

    def write(self, writer: int) -> None:
        for n in range(PER_WRITER):
            external_id = f"fault-{writer}-{n}"
            while not self.stop.is_set():
                try:
                    status = _post(self.url, self.token, self.body(external_id, n))
                except OSError:  # refused or reset: the server is down, or restarting
                    status = 0
                self.statuses.append(status)
                if status in (200, 201):
                    with self.lock:
                        self.acknowledged.add(external_id)
                    break
                assert status == 0 or status >= 500, status  # never a refusal of a good body
                time.sleep(0.1)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def _wait_for(stream: Stream, acknowledged: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while stream.count() < acknowledged:
        latest = stream.statuses[-20:]  # 0: no answer (refused, reset or timed out)
        assert time.monotonic() < deadline, f"{stream.count()} acknowledged; latest {latest}"
        time.sleep(0.05)


def _people(database: str) -> list[dict[str, str]]:
    with closing(psycopg.connect(database)) as db:
        rows = db.execute(
            "SELECT nhs_number, given_name, family_name, birth_date FROM record_person "
            "WHERE nhs_number <> '' ORDER BY person_id LIMIT 6"
        ).fetchall()
    keys = ("nhs_number", "given_name", "family_name", "birth_date")
    return [dict(zip(keys, (*row[:3], row[3].isoformat()), strict=True)) for row in rows]


def test_acknowledged_writes_survive_a_killed_server_and_a_database_crash(
    tiny_lake: Path, tmp_path: Path
) -> None:
    with private_postgres() as (database, restart_database):
        env = {"JOINEDUP_DATABASE_URL": database}
        var = tmp_path / "var"
        for args in (("manage", "migrate", "--verbosity", "0"), ("load", str(tiny_lake))):
            done = run_installed(*args, var=var, **env)
            assert done.returncode == 0, done.stderr
        added = run_installed(
            "systems", "add", "--name", "Telecare", "--source", "telecare", var=var, **env
        )
        token = added.stdout.split()[-1]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start(var, port, **env)
        wait_until_serving(server, url)
        stream = Stream(url, token, _people(database))
        writers = [threading.Thread(target=stream.write, args=(w,)) for w in range(WRITERS)]
        for writer in writers:
            writer.start()
        try:
            _wait_for(stream, 20)
            stop(server, signal.SIGKILL)  # the arbiter and its workers, mid-request
            server = start(var, port, **env)
            wait_until_serving(server, url)
            _wait_for(stream, 50)
            restart_database()  # as a crash: no shutdown checkpoint
            _wait_for(stream, 80)
            for writer in writers:
                writer.join(timeout=180)
        finally:
            stream.stop.set()
            stop(server)
        assert stream.count() == WRITERS * PER_WRITER
        assert 0 in stream.statuses  # the writers did meet the server down
        with closing(psycopg.connect(database)) as db:
            stored = {
                external_id
                for (external_id,) in db.execute(
                    "SELECT external_id FROM record_referral WHERE source_system = 'Telecare'"
                )
            }
        assert stream.acknowledged <= stored
        assert len(stored) == WRITERS * PER_WRITER  # each once, however often it was retried
        verified = run_installed("audit", "verify", var=var, **env)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "audit log intact" in verified.stdout
