"""Login, logout and the partnership overview."""

from django.urls import path

from joinedup.access.login import LoginView, LogoutView
from joinedup.web import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
