"""Staff accounts in the admin: the login (User) with its staff record (profession,
organisation, teams, work phone) on one page.

No person-level data is registered here or anywhere in the admin: it bypasses the
record's access rules, so only accounts, organisations and teams appear (a test walks the
registry). Only system administrators reach it (access/admin_site.py); for them the
profession is the permission, so they need no Django model permissions of their own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from joinedup.access.admin_site import is_system_administrator
from joinedup.access.models import StaffMember


class SystemAdministratorsManage:
    """Every change to accounts for a system administrator, nothing for anyone else."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_administrator(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_system_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_administrator(request.user)


class StaffMemberInline(SystemAdministratorsManage, admin.StackedInline):
    model = StaffMember
    can_delete = False
    fields = ["profession", "organisation", "teams", "phone"]
    filter_horizontal = ["teams"]
    verbose_name = "staff record"
    verbose_name_plural = "staff record"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(SystemAdministratorsManage, DjangoUserAdmin):
    inlines = [StaffMemberInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "staff_profession",
        "staff_organisation",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_active", "is_staff", "staff_member__profession"]
    list_select_related = ["staff_member__organisation"]

    @admin.display(description="profession", ordering="staff_member__profession")
    def staff_profession(self, user: Any) -> str:
        staff = getattr(user, "staff_member", None)
        return staff.get_profession_display() if staff is not None else "No staff record"

    @admin.display(description="organisation", ordering="staff_member__organisation__name")
    def staff_organisation(self, user: Any) -> str:
        staff = getattr(user, "staff_member", None)
        return staff.organisation.name if staff is not None else ""


@admin.register(StaffMember)
class StaffMemberAdmin(SystemAdministratorsManage, admin.ModelAdmin):
    list_display = ["user", "profession", "organisation", "phone"]
    list_filter = ["profession", "organisation"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["teams"]
