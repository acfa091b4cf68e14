"""The shared care plan of one person: the plan, a version, editing, the printable view."""

from django.urls import path

from joinedup.careplans import views

urlpatterns = [
    path("<str:person_id>/", views.plan, name="plan"),
    path("<str:person_id>/versions/<int:number>/", views.version, name="version"),
    path("<str:person_id>/edit/", views.edit, name="edit"),
    path("<str:person_id>/print/", views.print_plan, name="print"),
]
