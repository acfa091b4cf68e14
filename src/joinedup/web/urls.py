"""Login, logout and the partnership overview."""

from django.contrib.auth import views as auth_views
from django.urls import path

from joinedup.web import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.jinja", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
