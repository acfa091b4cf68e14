"""The confirmations a page shows: the text of each success banner web/base.jinja draws
from the Django messages the last change left."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client

BANNER_TEXT = re.compile(r'<p class="nhsuk-notification-banner__heading">(.*?)</p>', re.S)


def notices_in(html: str) -> list[str]:
    return [unescape(" ".join(text.split())) for text in BANNER_TEXT.findall(html)]


def notices(client: Client, path: str) -> list[str]:
    """Open `path` as `client` and read its confirmations (which opening it uses up)."""
    return notices_in(client.get(path).content.decode())
