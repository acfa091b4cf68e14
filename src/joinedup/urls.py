"""Every URL of the platform: each app's pages under its own prefix, the overview at /."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("joinedup.web.urls")),
    path("people/", include("joinedup.people.urls")),
    path("break-glass/", include("joinedup.access.urls")),
    path("outcomes/", include("joinedup.outcomes.urls")),
    path("admin/", admin.site.urls),
]
