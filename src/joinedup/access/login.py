"""The login and logout pages: Django's, with throttling, audit and the session clock.

This is the only way in: the admin's own login page redirects here (access/admin_site.py),
so no login path escapes the throttle or the audit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from joinedup.access.audit import record_event
from joinedup.access.middleware import start_session_clock
from joinedup.access.models import AuditAction
from joinedup.access.throttle import (
    client_address,
    is_throttled,
    record_failure,
    record_refusal,
    record_success,
)
from joinedup.access.throttle import window as throttle_window


class LoginForm(AuthenticationForm):
    """Refuses a throttled username or address before checking the password, and counts
    and audits each wrong username or password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "Enter a correct username and password (both are case-sensitive)"
        ),
        "throttled": gettext_lazy(
            "There have been too many attempts to log in. Wait %(minutes)s minutes, then "
            "try again. If you have forgotten your password, ask your system administrator."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def _throttled_error(self) -> forms.ValidationError:
        minutes = int(throttle_window().total_seconds() // 60)
        return forms.ValidationError(
            self.error_messages["throttled"], code="throttled", params={"minutes": minutes}
        )

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()  # nothing to check a password against: not an attempt
        address = client_address(self.request) if self.request is not None else None
        if is_throttled(username, address):
            record_refusal(username, address)
            raise self._throttled_error()
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code != "invalid_login":
                raise
            record_failure(username, address)
            if is_throttled(username, address):
                raise self._throttled_error() from error
            raise


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "web/login.jinja"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The page's error summary, each error linked to its field (a notice, such as why
        the last session ended, is web/base.jinja's, as on every page)."""
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["error_list"] = [
            {"text": error, "href": "#username"} for error in form.non_field_errors()
        ] + [
            {"text": error, "href": f"#{name}"}
            for name in ("username", "password")
            for error in form.errors.get(name, [])
        ]
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        with transaction.atomic():
            record_success(user, client_address(self.request))
            response = super().form_valid(form)  # logs in: a new session key
        start_session_clock(self.request.session)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return super().post(request, *args, **kwargs)
        with transaction.atomic():
            record_event(AuditAction.LOGOUT, user=request.user, what="logged out")
            response = super().post(request, *args, **kwargs)
        messages.info(request, "You have logged out.")
        return response
