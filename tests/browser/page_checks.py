"""What every browser test checks on a page (axe, WCAG 2.2 AA) and the user guide's screenshots."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from header_menu import header_settled
from playwright.sync_api import Page

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "images"
# Only the violations in full: the passes are listed without their elements, which halves
# axe's time on a long page.
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

PHONE = {"width": 390, "height": 844}  # a common phone, in CSS pixels

# On a phone: why the document is wider than the window, or a table wider than its box (it
# scrolls sideways inside it, its last columns out of sight), naming the deepest elements
# past the right edge (what to fix); null when everything fits.
_TOO_WIDE = """() => {
  const root = document.documentElement;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    [...e.classList].map((c) => "." + c).join("");
  const past = (within, edge) => {
    const over = (e) => e.getBoundingClientRect().right > edge + 1;
    return [...within.querySelectorAll("*")]
      .filter((e) => over(e) && ![...e.children].some(over))
      .slice(0, 3)
      .map((e) => name(e.parentElement) + " > " + name(e))
      .join(", ");
  };
  const found = [];
  if (root.scrollWidth > root.clientWidth) {
    found.push(`the page is ${root.scrollWidth} px wide: ${past(document.body, root.clientWidth)}`);
  }
  for (const table of document.querySelectorAll("table")) {
    const box = table.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) {
      const edge = box.getBoundingClientRect().left + box.clientWidth;
      found.push(`${name(table)} is ${box.scrollWidth} px wide in ${box.clientWidth} px: ` +
        past(table, edge));
    }
  }
  return found.length ? found.join("; ") : null;
}"""


def violations(page: Page, impacts: Collection[str] | None = None) -> list[str]:
    """axe's WCAG 2.2 AA violations on the page as it is now, one line each ([] when none);
    only those of the given impacts ("minor" to "critical") when `impacts` names some. Once
    the header has laid its menu out, as a person first sees the page: before that, the
    items a window has no room for overflow the header, white on grey."""
    header_settled(page)
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
    found = violations(page)
    assert found == [], f"{page.url}: " + "; ".join(found)


def too_wide(page: Page) -> str | None:
    """What scrolls sideways on the page as it is now (the page, or a table in its box), or
    None when everything fits the window."""
    found: str | None = page.evaluate(_TOO_WIDE)
    return found


def fits(page: Page) -> None:
    """Fail naming the page and what is wider than the window, if anything is."""
    assert (wide := too_wide(page)) is None, f"{page.url}: {wide}"


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save docs/user-guide/images/<name>.png, only when JOINEDUP_WRITE_DOCS=1 asks for it
    (the whole page, or only what the window shows of a very long one)."""
    if os.environ.get("JOINEDUP_WRITE_DOCS"):
        page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=full_page)
