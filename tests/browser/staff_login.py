"""Logging in through the login page, as staff do (shared by the browser tests)."""

from playwright.sync_api import Page, expect


def log_in(page: Page, username: str, password: str) -> None:
    """Fill in and send the login form on the page the browser is showing."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def switch_to(page: Page, username: str, password: str) -> None:
    """Log out whoever is in, and log in as `username` from the login page (landing where
    they land), as one person handing the computer to another."""
    page.wait_for_load_state()  # a page still arriving has no "Log out" button yet
    log_out = page.get_by_role("button", name="Log out")
    if log_out.count():
        log_out.click()
        expect(log_out).to_have_count(0)  # the logout has landed before the next page
    page.goto("/login/")
    log_in(page, username, password)
