"""The Jinja2 environment of every staff page: our templates first, then the NHS.UK components.

nhsuk-frontend-jinja ships the design system's macros as a Python package; a PackageLoader
makes `{% from "nhsuk/components/header/macro.jinja" import header %}` work.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from joinedup.formatting import localtime_text, long_date, nhs_number_text, printable, thousands


def workspace_menu(request: Any) -> list[dict[str, Any]]:
    """The role's menu (imported late: the models are not ready when templates load)."""
    from joinedup.web.workspace import menu

    return menu(request)


def notifications_link(request: Any) -> dict[str, str] | None:
    """The header's link to the viewer's notifications with the unread count (imported late,
    as the menu is); None for a viewer nothing is sent to."""
    from joinedup.notifications.header import header_link

    return header_link(request)


def confirmations(request: Any) -> list[tuple[str, bool]]:
    """The messages the last change left (Django's messages framework), each with whether it
    confirms a success (else it informs: "You have logged out"), read once: drawn by
    web/base.jinja on the page after the change, so every app confirms the same way."""
    if not isinstance(request, HttpRequest):  # a template drawn without a request
        return []
    return [(str(m), m.level == messages.SUCCESS) for m in messages.get_messages(request)]


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    loader = options.pop("loader")
    # The NHS.UK macros read nested optional parameters (params.navigation.colour) that may
    # be absent: ChainableUndefined allows that (Django's default, DebugUndefined when
    # DEBUG, would print them instead).
    options["undefined"] = ChainableUndefined
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = Environment(
        loader=ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja", "templates")]),
        finalize=printable,
        **options,
    )
    env.globals.update(
        {
            "static": static,
            "url": url,
            "menu": workspace_menu,
            "notifications_link": notifications_link,
            "confirmations": confirmations,
        }
    )
    env.filters.update(
        {
            "long_date": long_date,
            "thousands": thousands,
            "localtime_text": localtime_text,
            "nhs_number": nhs_number_text,
        }
    )
    return env
