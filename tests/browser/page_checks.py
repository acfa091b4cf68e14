"""What every browser test checks on a page (axe, WCAG 2.2 AA) and the user guide's screenshots."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "images"
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def violations(page: Page, impacts: Collection[str] | None = None) -> list[str]:
    """axe's WCAG 2.2 AA violations on the page as it is now, one line each ([] when none);
    only those of the given impacts ("minor" to "critical") when `impacts` names some."""
    result = Axe().run(page, options=WCAG)
    assert result.response["passes"], "axe checked nothing: the page did not load?"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} "
        f"({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result.response["violations"]
        if impacts is None or v["impact"] in impacts
    ]


def accessible(page: Page) -> None:
    """Fail naming the page and axe's violations, if there are any."""
    assert violations(page) == [], page.url


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save docs/user-guide/images/<name>.png, only when JOINEDUP_WRITE_DOCS=1 asks for it
    (the whole page, or only what the window shows of a very long one)."""
    if os.environ.get("JOINEDUP_WRITE_DOCS"):
        page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=full_page)
