"""Login, logout, the partnership overview and each role's starting page."""

from django.urls import path

from joinedup.access.login import LoginView, LogoutView
from joinedup.web import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("workspace/", views.workspace, name="workspace"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
