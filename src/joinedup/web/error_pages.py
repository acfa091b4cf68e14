"""The pages of a request that went wrong (404, 403, 405, 500, a form's failed CSRF check),
drawn even when the service is not whole.

A 500 may come from the database or the static files, so its page uses neither: plain
HTML with a few lines of style inline (allowed by their hash in its Content-Security-Policy,
since the service's policy refuses inline style), nothing to load, no query. A 404, 403 or
405 is drawn in the usual layout, whose header asks the database for the menu and whose
head asks static() for the style sheets; when either fails (the database is down, the
static manifest is missing), the same plain page says the same words instead of turning a
missing page into a server error. A 405 from Django's require_POST and its kin has an empty
body, which a browser shows as a blank page: MethodNotAllowedPageMiddleware draws the page
in its place, keeping the Allow header.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from string import Template

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from joinedup.access.middleware import CONTENT_SECURITY_POLICY

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorPage:
    """What one error page says: its status, heading (the title too), paragraphs, and a link
    onward (none when `link_text` is empty)."""

    status: int
    title: str
    paragraphs: tuple[str, ...]
    link_text: str = ""
    link_href: str = ""


def _address(name: str) -> str:
    """A page's address; the site's root if even the URLs cannot be read."""
    try:
        return reverse(name)
    except Exception:  # a broken URL configuration may be why the page is shown
        return "/"


def not_found_page() -> ErrorPage:
    return ErrorPage(
        404,
        "Page not found",
        (
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ),
        "Go to the partnership overview",
        _address("overview"),
    )


def forbidden_page() -> ErrorPage:
    return ErrorPage(
        403,
        "You cannot see this page",
        (
            "Your account is not allowed to see this page. If you need it for your work, ask "
            "your team manager or your system administrator.",
        ),
    )


def not_allowed_page(request: HttpRequest) -> ErrorPage:
    """Back to the page the link was on when the browser said which (and it is one of ours),
    else to the viewer's start page."""
    came_from = request.headers.get("referer", "")
    back = came_from and url_has_allowed_host_and_scheme(
        came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return ErrorPage(
        405,
        "This page cannot be opened that way",
        (
            "This address is for sending a form, such as a button that saves a change. It "
            "cannot be opened from a link, a bookmark or by typing it in.",
            "Nothing has been changed.",
        ),
        "Go back to the page you were on" if back else "Go to your start page",
        came_from if back else _address("workspace"),
    )


def csrf_failure_page() -> ErrorPage:
    return ErrorPage(
        403,
        "This form could not be sent",
        (
            "Your session on this form expired or the form was opened in another window; "
            "go back, reload and try again.",
            "Nothing has been changed.",
        ),
        "Go to your start page",
        _address("workspace"),
    )


def server_error_page() -> ErrorPage:
    return ErrorPage(
        500,
        "Sorry, there is a problem with the service",
        ("Try again later. Nothing you entered has been saved unless you saw it confirmed.",),
        "Go to your start page",
        _address("workspace"),
    )


# The NHS.UK design system's colours, type and focus style, in as few lines as draw it.
STYLE = (
    "body{margin:0;background:#f0f4f5;color:#212b32;font-family:Arial,Helvetica,sans-serif;"
    "font-size:19px;line-height:1.47}"
    ".skip{position:absolute;left:-9999px}.skip:focus{position:static;display:block;"
    "padding:8px 16px}"
    "header{background:#005eb8;padding:16px}"
    "header a,header a:visited,header a:hover{color:#fff;font-size:24px;font-weight:bold;"
    "text-decoration:none}"
    "main{display:block;max-width:960px;margin:0 auto;padding:40px 16px}"
    "h1{font-size:32px;line-height:1.25;margin:0 0 24px}p{margin:0 0 24px}"
    "a{color:#005eb8}a:visited{color:#330072}a:hover{color:#7c2855}"
    "a:focus,header a:focus{background:#ffeb3b;box-shadow:0 -2px #ffeb3b,0 4px #212b32;"
    "color:#212b32;outline:4px solid transparent;text-decoration:none}"
    "footer{background:#d8dde0;border-top:4px solid #005eb8;padding:24px 16px;font-size:16px}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# The service's policy, with the plain page's own style allowed by its hash and no other.
PLAIN_PAGE_POLICY = f"{CONTENT_SECURITY_POLICY}; style-src 'self' 'sha256-{STYLE_HASH}'"

_PLAIN = Template(
    """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title – joinedup</title>
<style>$style</style>
</head>
<body>
<a class="skip" href="#maincontent">Skip to main content</a>
<header><a href="/">joinedup</a></header>
<main id="maincontent">
<h1>$title</h1>
$paragraphs$link</main>
<footer>joinedup: open-source software for integrated health and social care teams.</footer>
</body>
</html>
"""
)


def plain_response(page: ErrorPage) -> HttpResponse:
    """The page with nothing to load and no query: for a server error, and for any error
    page the usual layout cannot draw."""
    link = (
        f'<p><a href="{escape(page.link_href)}">{escape(page.link_text)}</a></p>\n'
        if page.link_text
        else ""
    )
    html = _PLAIN.substitute(
        title=escape(page.title),
        style=STYLE,
        paragraphs="".join(f"<p>{escape(text)}</p>\n" for text in page.paragraphs),
        link=link,
    )
    response = HttpResponse(html, status=page.status)
    response["Content-Security-Policy"] = PLAIN_PAGE_POLICY
    return response


def error_response(request: HttpRequest, page: ErrorPage) -> HttpResponse:
    """The page in the usual layout, or the plain page when the layout cannot be drawn (it
    needs the database and the static files): an error page must not fail in its turn."""
    try:
        return render(request, "web/error.jinja", {"page": page}, status=page.status)
    except Exception:
        logger.exception("the %s page could not be drawn in the layout: plain page", page.status)
        return plain_response(page)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404."""
    return error_response(request, not_found_page())


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403 (a record's own refusal, people/refused.jinja, is drawn by its view)."""
    return error_response(request, forbidden_page())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its valid token (a session that ended, a form
    kept open in another window) gets a page that says what to do, not Django's bare one."""
    logger.warning("form refused, CSRF check failed: %s", reason)
    return error_response(request, csrf_failure_page())


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: always the plain page, whatever failed."""
    return plain_response(server_error_page())


class MethodNotAllowedPageMiddleware:
    """Draws the 405 page for a 405 that has no body of its own (require_POST, a class-based
    view's http_method_not_allowed), with the Allow header the view gave. The APIs' 405s,
    which explain themselves in JSON, are left as they are. Placed after the authentication
    middleware, so the page's header knows who is logged in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        page = error_response(request, not_allowed_page(request))
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
