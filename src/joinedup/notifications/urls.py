"""The notifications page, opening one, and marking all as read."""

from django.urls import path

from joinedup.notifications import views

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read/", views.mark_all_read, name="read_all"),
]
