"""Staff accounts in Django's admin (no person-level data is registered here: the admin
bypasses the record's access rules, so only staff, organisations and teams appear)."""

from django.contrib import admin

from joinedup.access.models import StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "profession", "organisation"]
    list_filter = ["profession", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["teams"]
