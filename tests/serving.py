"""The installed `joinedup serve` started as an operator starts it, for the tests of what a
running server does (its start checks, /health/, a kill -9, a database restart)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from command_line import INSTALLED, installed_environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, timeout: float = 10) -> tuple[int, Any]:
    """The status and JSON body of GET `url` (an error status is an answer too)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def start(var: Path, port: int, **env: str) -> subprocess.Popen[str]:
    """`joinedup serve` in its own process group (so all of gunicorn can be killed at once),
    its output (the access log too) appended to <var>/server.log: a pipe nobody read would
    fill and stop the server."""
    var.mkdir(parents=True, exist_ok=True)
    with open(var / "server.log", "a") as log:
        return subprocess.Popen(
            [str(INSTALLED), "serve", "--port", str(port), "--workers", "2"],
            env=installed_environment(var, env),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )


def wait_until_serving(server: subprocess.Popen[str], url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("the server stopped: its output is in <var>/server.log")
        try:
            get(f"{url}/health/", timeout=2)
            return
        except (OSError, ValueError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def stop(server: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    """Signal every process of the server (gunicorn's arbiter and workers) and wait."""
    with suppress(ProcessLookupError):
        os.killpg(server.pid, sig)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


@contextmanager
def serving(var: Path, **env: str) -> Iterator[str]:
    """The URL of `joinedup serve` running on `var` until the block ends."""
    port = free_port()
    server = start(var, port, **env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, url)
        yield url
    finally:
        stop(server)
