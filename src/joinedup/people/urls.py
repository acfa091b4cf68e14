"""The shared person record: search, the record itself, break-glass and the access report."""

from django.urls import path

from joinedup.people.views import break_glass, details, entries, record, search

urlpatterns = [
    path("", search.search, name="search"),
    path("<str:person_id>/", record.record, name="record"),
    path("<str:person_id>/break-glass/", break_glass.break_glass, name="break_glass"),
    path("<str:person_id>/access-report/", record.access_report, name="access_report"),
    path("<str:person_id>/notes/new/", entries.add_note, name="add_note"),
    path("<str:person_id>/alerts/new/", entries.add_alert, name="add_alert"),
    path("<str:person_id>/alerts/<int:pk>/end/", entries.end_alert, name="end_alert"),
    path("<str:person_id>/consents/new/", entries.add_consent, name="add_consent"),
    path("<str:person_id>/consents/<int:pk>/end/", entries.end_consent, name="end_consent"),
    path("<str:person_id>/details/", details.edit_details, name="edit_details"),
    path("<str:person_id>/details/history/", details.details_history, name="details_history"),
]
