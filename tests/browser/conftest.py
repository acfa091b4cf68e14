"""A production-like server and Debian's chromium for the browser tests.

The server is Django's own LiveServerThread, as pytest-django's live_server uses, but with
static files left to the app: pytest-django's fixture would serve them from the finders
(ahead of whitenoise), which cannot find collectstatic's hashed names and would hide a
broken manifest. Here they are collected first and served by whitenoise with DEBUG off,
exactly as `joinedup serve` serves them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}


class _LeaveStaticToTheApp:
    """A LiveServerThread static handler that serves nothing itself (whitenoise does)."""

    def __init__(self, application: Callable[..., Any]):
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.application(environ, start_response)


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("static")
    override = override_settings(STATIC_ROOT=root)
    override.enable()
    try:
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root
    finally:
        override.disable()


@pytest.fixture(scope="session")
def site(collected_static: Path, django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The URL of a running server (started once; each test brings its own data)."""
    with django_db_blocker.unblock():
        server = LiveServerThread("127.0.0.1", _LeaveStaticToTheApp)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.terminate()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make chromium` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class Traffic:
    """Every request the page made; any to another host was blocked and is listed in `outside`."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@contextmanager
def guarded_page(browser: Browser, site: str, traffic: Traffic) -> Iterator[Page]:
    """A page in a browser context of its own (its own cookies, so its own login) whose
    requests off 127.0.0.1 are blocked and listed, and whose error answers are kept."""
    context: BrowserContext = browser.new_context(
        base_url=site, viewport={"width": 1280, "height": 900}
    )

    def guard(route: Route) -> None:
        url = route.request.url
        traffic.requests.append(url)
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            traffic.outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on(
        "response",
        lambda r: traffic.failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, site: str, traffic: Traffic) -> Iterator[Page]:
    with guarded_page(browser, site, traffic) as page:
        yield page
