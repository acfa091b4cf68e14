"""Logging in through the login page, as staff do (shared by the browser tests)."""

from playwright.sync_api import Page


def log_in(page: Page, username: str, password: str) -> None:
    """Fill in and send the login form on the page the browser is showing."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
