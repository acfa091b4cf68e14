"""Following a link in the header's menu once the NHS.UK header script has laid it out.

That script re-inserts every menu item when it starts and again on the first resize it
observes, a frame or two later; a click landing in that moment is lost (seen in CI under
load). People do not click within milliseconds of a page arriving; tests do, so they wait.
"""

from playwright.sync_api import Page

_SETTLED = """async () => {
  await document.fonts.ready;
  for (let i = 0; i < 3; i++) await new Promise((done) => requestAnimationFrame(done));
}"""


def header_settled(page: Page) -> None:
    """Wait until the header script has started and laid the menu out (in a narrow window
    it moves the items that do not fit under "More"; until then they overflow the header)."""
    page.wait_for_load_state()
    if page.locator("header.nhsuk-header").count() == 0:
        return  # a page without the header (a report saved to a file, the plain error page)
    page.locator("header[data-nhsuk-header-init]").wait_for(state="attached")
    page.evaluate(_SETTLED)


def follow_menu_link(page: Page, name: str) -> None:
    """Click the header menu's link called `name` after the header has finished moving,
    opening "More" first when the window is too narrow for it (on a phone, say)."""
    header_settled(page)
    link = page.get_by_role("banner").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        page.locator("header #toggle-menu").click()
    link.click()
