"""The shared person record: search, the record itself, break-glass and the access report."""

from django.urls import path

from joinedup.people.views import break_glass, record, search

urlpatterns = [
    path("", search.search, name="search"),
    path("<str:person_id>/", record.record, name="record"),
    path("<str:person_id>/break-glass/", break_glass.break_glass, name="break_glass"),
    path("<str:person_id>/access-report/", record.access_report, name="access_report"),
]
