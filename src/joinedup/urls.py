"""Every URL of the platform: each app's pages under its own prefix, each role's workspace at /.

An app's urls module lists its pages; where the app is mounted and the namespace its pages
are reversed by ("people:record") are said here, once for every app.
"""

from django.contrib import admin
from django.urls import URLResolver, include, path


def _app(prefix: str, module: str, namespace: str) -> URLResolver:
    """The pages of joinedup.<module> under `prefix`, reversed as "<namespace>:<name>"."""
    return path(prefix, include((f"joinedup.{module}", namespace)))


urlpatterns = [
    path("", include("joinedup.web.urls")),
    _app("people/", "people.urls", "people"),
    _app("break-glass/", "access.urls", "access"),
    _app("outcomes/", "outcomes.urls", "outcomes"),
    _app("referrals/", "referrals.urls", "referrals"),
    _app("api/referrals/", "referrals.api_urls", "referrals_api"),
    _app("care-plans/", "careplans.urls", "careplans"),
    _app("teams/", "teams.urls", "teams"),
    _app("case-finding/", "teams.case_finding_urls", "casefinding"),
    _app("transfers/", "transfers.urls", "transfers"),
    _app("api/transfers/", "transfers.api_urls", "transfers_api"),
    _app("mdt/", "mdt.urls", "mdt"),
    _app("tasks/", "tasks.urls", "tasks"),
    _app("accounts/", "accounts.urls", "accounts"),
    _app("notifications/", "notifications.urls", "notifications"),
    path("admin/", admin.site.urls),
]

# Error pages that are drawn even when the database or the static files are not there.
handler403 = "joinedup.web.error_pages.permission_denied"
handler404 = "joinedup.web.error_pages.page_not_found"
handler500 = "joinedup.web.error_pages.server_error"
