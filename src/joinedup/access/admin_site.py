"""Django's admin as joinedup's account administration: for system administrators only.

The admin bypasses the record's access rules, so it holds accounts and reference data,
never a person (access/admin.py, record/admin.py; a test walks the registry). Only a
system administrator (ADMINISTER_ACCOUNTS in joinedup.access.capabilities, with is_staff)
may use it; any other login, superuser or not, is refused. Its login and logout are
joinedup's own pages (access/login.py), so the admin has no unthrottled or unaudited way in
or out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from joinedup.access.capabilities import ADMINISTER_ACCOUNTS


def is_system_administrator(user: Any) -> bool:
    staff = getattr(user, "staff_member", None) if user.is_authenticated else None
    return bool(user.is_active and user.is_staff and ADMINISTER_ACCOUNTS.allows(staff))


class AdminSite(admin.AdminSite):
    site_header = "joinedup account administration"
    site_title = "joinedup accounts"
    index_title = "Accounts, organisations and teams"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_system_administrator(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """joinedup's login page for someone not logged in; 403 for a login without rights
        (sending them to log in again would loop)."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied("Account administration is for system administrators.")
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        return HttpResponseRedirect(
            reverse("login") + "?" + urlencode({REDIRECT_FIELD_NAME: target})
        )

    def logout(  # type: ignore[override]  # joinedup's logout redirects, no admin page
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponseBase:
        from joinedup.access.login import LogoutView

        return LogoutView.as_view()(request)


class AdminConfig(DjangoAdminConfig):
    """In INSTALLED_APPS in place of django.contrib.admin, making AdminSite the admin."""

    default_site = "joinedup.access.admin_site.AdminSite"
