"""MDT meetings: a team's meetings, a meeting's agenda, items, attendance, holding, summary."""

from django.urls import path

from joinedup.mdt.views import attendance, items, meetings

urlpatterns = [
    path("team/<str:team_id>/", meetings.meetings, name="meetings"),
    path("<int:pk>/", meetings.meeting, name="meeting"),
    path("<int:pk>/attendance/", attendance.attendance, name="attendance"),
    path("<int:pk>/hold/", meetings.hold, name="hold"),
    path("<int:pk>/summary/", meetings.summary, name="summary"),
    path("item/<int:pk>/", items.item, name="item"),
]
