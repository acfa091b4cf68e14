"""The Jinja2 environment of every staff page: our templates first, then the NHS.UK components.

nhsuk-frontend-jinja ships the design system's macros as a Python package; a PackageLoader
makes `{% from "nhsuk/components/header/macro.jinja" import header %}` work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from joinedup.record.nhs_number import format_nhs_number


def workspace_menu(request: Any) -> list[dict[str, Any]]:
    """The role's menu (imported late: the models are not ready when templates load)."""
    from joinedup.web.workspace import menu

    return menu(request)


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def long_date(value: dt.date | None) -> str:
    """'1 April 2019', the GOV.UK and NHS.UK style for dates."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def localtime_text(value: dt.datetime | None) -> str:
    """'25 November 2026 at 21:15', in the service's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def thousands(value: int | float | None) -> str:
    """12,345 (numbers in tables are easier to compare with separators)."""
    if value is None:
        return ""
    return f"{value:,}"


def nhs_number_text(value: str | None) -> str:
    """999 123 4519 (3-3-4, as printed on NHS cards), or "" for none or a malformed one."""
    if not value:
        return ""
    try:
        return format_nhs_number(value)
    except ValueError:
        return ""


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
        **options,
    )
    env.globals.update({"static": static, "url": url, "menu": workspace_menu})
    env.filters.update(
        {
            "long_date": long_date,
            "thousands": thousands,
            "localtime_text": localtime_text,
            "nhs_number": nhs_number_text,
        }
    )
    return env
