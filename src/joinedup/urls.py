"""Every URL of the platform: each app's pages under its own prefix, each role's workspace at /."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("joinedup.web.urls")),
    path("people/", include("joinedup.people.urls")),
    path("break-glass/", include("joinedup.access.urls")),
    path("outcomes/", include("joinedup.outcomes.urls")),
    path("referrals/", include("joinedup.referrals.urls")),
    path("api/referrals/", include("joinedup.referrals.api_urls")),
    path("care-plans/", include("joinedup.careplans.urls")),
    path("teams/", include("joinedup.teams.urls")),
    path("case-finding/", include("joinedup.casefinding.urls")),
    path("transfers/", include("joinedup.transfers.urls")),
    path("api/transfers/", include("joinedup.transfers.api_urls")),
    path("mdt/", include("joinedup.mdt.urls")),
    path("tasks/", include("joinedup.tasks.urls")),
    path("admin/", admin.site.urls),
]
