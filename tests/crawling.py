"""A crawler for the pages each role is shown: every link followed from the landing page.

It follows the links a page shows (and the redirects it answers with) to a depth, each
address once, with Django's test client, and keeps every link that answered an error
with the page that showed it. Every link shown is opened, since access is decided person
by person; but only the first few pages of each kind (each URL pattern: a person's record,
a meeting) have their own links followed, since the pages below a person's record are the
same for every person and are opened by the same access. Used by the no-dead-ends test;
it is plain enough to point at any loaded database. Also the demo city those crawls start
from, built as `make demo` builds it at a fixed moment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, deque
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve
from rich.progress import Progress

from joinedup.demo_city import DemoCity, prepare_demo

# The crawls' "today": fixed, so the demo's data and pages are the same on any date.
MOMENT = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
DEPTH = 3  # the landing page, its lists, what their rows open

# Where a link leads off the pages under test: static files, signing out, other hosts.
SKIPPED_PREFIXES = ("/static/", "/logout", "/accounts/logout")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


# A word of lower case letters joined by underscores ("two_hour", "stayed_home"): how a
# value is stored, never how a person should read it.
_CODE = re.compile(r"(?<![\w@./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")


class _Text(HTMLParser):
    """The words a page shows: its text and the alternatives read out (title, alt, labels),
    not its scripts, styles, attribute values or what it marks as code (a download's column
    names, say)."""

    SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._hidden += 1
        self.words += [v for k, v in attrs if k in self.SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.words.append(data)


def internal_codes(html: str) -> set[str]:
    """The stored values a page shows as they are stored (see _CODE)."""
    parser = _Text()
    parser.feed(html)
    return {code for text in parser.words for code in _CODE.findall(text)}


def links_of(page_url: str, html: str) -> list[str]:
    """The same-site addresses a page links to, without fragments, in page order."""
    parser = _Links()
    parser.feed(html)
    found: list[str] = []
    for href in parser.hrefs:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        absolute, _fragment = urldefrag(urljoin(page_url, href))
        parts = urlsplit(absolute)
        if parts.netloc not in ("", "testserver"):
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if local.startswith(SKIPPED_PREFIXES):
            continue
        found.append(local)
    return found


@dataclass
class Crawl:
    """What a crawl visited, and every link that answered an error, with where it was shown."""

    visited: dict[str, int] = field(default_factory=dict)  # address -> status
    dead: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # the addresses that answered a page (HTML)
    codes: list[str] = field(default_factory=list)  # "<code> on <address>", see internal_codes


def url_kind(url: str) -> str:
    """The URL pattern an address belongs to (its view's name)."""
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return url


def crawl(
    client: Client, start: str, depth: int, expand: int = 4, open_each: int | None = None
) -> Crawl:
    """Breadth first from `start`, following links up to `depth` steps away, and the links
    of at most `expand` pages of each kind; every link shown is opened, or only the first
    `open_each` addresses of each kind (to sample the kinds of page, not to check links)."""
    result = Crawl()
    queue: deque[tuple[str, int, str]] = deque([(start, 0, "(start)")])
    seen = {start}
    expanded: Counter[str] = Counter()
    opened: Counter[str] = Counter([url_kind(start)])
    while queue:
        url, steps, shown_on = queue.popleft()
        response = client.get(url)
        result.visited[url] = response.status_code
        if response.status_code >= 400:
            result.dead.append(f"{response.status_code} {url} (linked from {shown_on})")
            continue
        is_page = "html" in response.headers.get("Content-Type", "")
        if response.status_code == 200 and is_page:
            result.pages.append(url)
            result.codes += [
                f"{code} on {url}" for code in internal_codes(response.content.decode())
            ]
        if response.status_code in (301, 302, 303, 307, 308):
            onward = [response.headers["Location"]]
        elif steps < depth and is_page and expanded[url_kind(url)] < expand:
            expanded[url_kind(url)] += 1
            onward = links_of(url, response.content.decode())
        else:
            continue
        for link in onward:
            link, _ = urldefrag(urljoin(url, link))
            if link in seen or (open_each is not None and opened[url_kind(link)] >= open_each):
                continue
            seen.add(link)
            opened[url_kind(link)] += 1
            queue.append((link, steps + 1, url))
    return result


class _Quiet:
    """The demo's report, kept to itself."""

    def say(self, line: str, *, strong: bool = False) -> None:
        pass

    def warn(self, line: str) -> None:
        raise AssertionError(f"the demo city was not built whole: {line}")

    def progress(self) -> AbstractContextManager[Progress | None]:
        return nullcontext(None)


def demo_logins(directory: Path) -> list[Any]:
    """A small demo city (6,000 people, two neighbourhoods) prepared at MOMENT in the test
    database, and its demo roles' users."""
    with time_machine.travel(MOMENT, tick=True):
        prepare_demo(DemoCity(directory / "city", people=6_000, neighbourhoods=2), _Quiet())
    return list(get_user_model().objects.filter(username__startswith="demo-").order_by("username"))
