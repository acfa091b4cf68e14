"""Login, logout, the partnership overview, each role's starting page, the APIs' OpenAPI
description and the health check."""

from django.urls import path

from joinedup.access.login import LoginView, LogoutView
from joinedup.web import health, openapi, views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("workspace/", views.workspace, name="workspace"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("api/openapi.json", openapi.openapi, name="openapi"),
    path("health/", health.health, name="health"),
]
