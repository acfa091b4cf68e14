"""Case finding: a team's worklist of high-risk people no team knows (members only)."""

from django.urls import path

from joinedup.casefinding import views

urlpatterns = [
    path("<str:team_id>/", views.worklist_page, name="worklist"),
]
