"""Tasks: mine, my team's, closing one and adding one."""

from django.urls import path

from joinedup.tasks import views

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("team/<str:team_id>/", views.team, name="team"),
    path("<int:pk>/close/", views.close, name="close"),
]
