"""A crawler for the pages each role is shown: every link followed from the landing page.

It follows the links a page shows (and the redirects it answers with) to a depth, each
address once, with Django's test client, and keeps every link that answered an error
with the page that showed it. Every link shown is opened, since access is decided person
by person; but only the first few pages of each kind (each URL pattern: a person's record,
a meeting) have their own links followed, since the pages below a person's record are the
same for every person and are opened by the same access. Used by the no-dead-ends test;
it is plain enough to point at any loaded database.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

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
