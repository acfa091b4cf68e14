"""The staff account pages: the list, adding a member of staff, their account (details,
access, password).

For system administrators only (ADMINISTER_ACCOUNTS in joinedup.access.capabilities);
everyone else gets the 403 page. The pages show accounts, organisations and teams, never a
person, so viewing them writes no audit event; every change does
(joinedup.accounts.account_saving), and is confirmed with a message once it has committed.
Every change is a POST (CSRF-protected) that redirects when it is done.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from joinedup.access.capabilities import ADMINISTER_ACCOUNTS
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import StaffMember
from joinedup.access.policy import staff_of
from joinedup.accounts.account_form import (
    USERNAME_TAKEN,
    AccountChoices,
    AccountValues,
    account_choices,
    password_rules,
    read_account,
    read_password,
    read_username,
    values_of,
)
from joinedup.accounts.account_saving import (
    change_account,
    create_account,
    current_account,
    reset_password,
    set_active,
    username_taken,
)
from joinedup.accounts.login_sessions import sessions_text
from joinedup.accounts.staff_list import PAGE_SIZE, line_of, staff_matching
from joinedup.forms.errors import FieldError

OWN_PROFESSION = "You cannot change your own profession: ask another system administrator"


def _administrator(request: HttpRequest) -> StaffMember:
    staff = staff_of(request.user)
    if staff is None or not ADMINISTER_ACCOUNTS.allows(staff):
        raise PermissionDenied("Only system administrators manage staff accounts.")
    return staff


def _staff(user_id: int) -> StaffMember:
    staff = (
        StaffMember.objects.select_related("user", "organisation").filter(user_id=user_id).first()
    )
    if staff is None:
        raise Http404("No such member of staff.")
    return staff


def _is_self(request: HttpRequest, staff: StaffMember) -> bool:
    return bool(staff.user_id == request.user.pk)


@require_safe
@staff_member_required
def staff(request: HttpRequest) -> HttpResponse:
    """Every member of staff, found by name or username, 50 a page."""
    _administrator(request)
    query = str(request.GET.get("q", "")).strip()
    paginator = Paginator(staff_matching(query), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))

    def page_url(number: int) -> str:
        return "?" + urlencode({"q": query, "page": number} if query else {"page": number})

    return render(
        request,
        "accounts/staff.jinja",
        {
            "query": query,
            "lines": [line_of(member) for member in page.object_list],
            "total": paginator.count,
            "page": page,
            "previous_url": page_url(page.number - 1) if page.has_previous() else "",
            "next_url": page_url(page.number + 1) if page.has_next() else "",
        },
    )


def _form_context(
    choices: AccountChoices, values: AccountValues, problems: list[FieldError]
) -> dict[str, Any]:
    return {
        "choices": choices,
        "values": values,
        "problems": problems,
        "password_rules": password_rules(),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def add(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: add the account with its staff record, teams and password."""
    _administrator(request)
    choices = account_choices()
    if request.method != "POST":
        return render(request, "accounts/add.jinja", _form_context(choices, AccountValues(), []))
    username, problems = read_username(request.POST)
    if not problems and username_taken(username):
        problems.append(FieldError("username", USERNAME_TAKEN))
    values, more = read_account(request.POST, choices)
    problems += more
    candidate = get_user_model()(
        username=username, first_name=values.first_name, last_name=values.last_name
    )
    password, more = read_password(request.POST, candidate)
    problems += more
    user = None
    if not problems:
        user = create_account(
            by=request.user, username=username, values=values, password=password, choices=choices
        )
        if user is None:
            problems.append(FieldError("username", USERNAME_TAKEN))
    if user is None:
        context = {**_form_context(choices, values, problems), "username": username}
        return render(request, "accounts/add.jinja", context, status=400)
    messages.success(request, f"Account added: {username}. They can log in now.")
    return redirect("accounts:account", user_id=user.pk)


def _account_context(request: HttpRequest, staff: StaffMember) -> dict[str, Any]:
    return {"line": line_of(staff), "is_self": _is_self(request, staff)}


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def account(request: HttpRequest, user_id: int) -> HttpResponse:
    """GET: the account, its details form and what may be done with it. POST: save the
    details, or show what someone else saved meanwhile (409)."""
    _administrator(request)
    member = _staff(user_id)
    choices = account_choices()
    context = _account_context(request, member)
    if request.method != "POST":
        current = values_of(member)
        context |= _form_context(choices, current, []) | {"base": current.fingerprint()}
        return render(request, "accounts/account.jinja", context)
    values, problems = read_account(request.POST, choices)
    if context["is_self"] and values.profession != member.profession:
        problems.append(FieldError("profession", OWN_PROFESSION))
    base = str(request.POST.get("base", ""))
    if problems:
        context |= _form_context(choices, values, problems) | {"base": base}
        return render(request, "accounts/account.jinja", context, status=400)
    outcome = change_account(
        by=request.user, user_id=member.user_id, base=base, values=values, choices=choices
    )
    if outcome.saved is None:
        latest = outcome.latest or current_account(member)
        context |= _form_context(choices, values, []) | {
            "base": latest.fingerprint,
            "theirs": latest,
            "compared": _compared(choices, latest.values, values),
        }
        return render(request, "accounts/conflict.jinja", context, status=409)
    if outcome.saved:
        messages.success(request, f"Account saved: {', '.join(outcome.saved)} changed.")
    else:
        messages.success(request, "Nothing in the account was different, so nothing was saved.")
    return redirect("accounts:account", user_id=member.user_id)


def _compared(
    choices: AccountChoices, theirs: AccountValues, mine: AccountValues
) -> list[dict[str, Any]]:
    """Each detail saved meanwhile beside the one typed, as people read them."""
    professions = dict(choices.professions)

    def shown(values: AccountValues) -> dict[str, str]:
        return {
            "name": values.full_name,
            "profession": professions.get(values.profession, values.profession),
            "organisation": choices.organisation_name(values.organisation),
            "teams": choices.team_names(values.teams),
        }

    theirs_shown, mine_shown = shown(theirs), shown(mine)
    return [
        {
            "part": part,
            "label": part.capitalize(),
            "theirs": theirs_shown[part],
            "mine": mine_shown[part],
            "differs": theirs_shown[part] != mine_shown[part],
        }
        for part in theirs_shown
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def password(request: HttpRequest, user_id: int) -> HttpResponse:
    """GET: the form. POST: set the new password typed twice; the account's sessions end
    (an administrator setting their own keeps the session they are using)."""
    _administrator(request)
    member = _staff(user_id)
    context = _account_context(request, member) | {"password_rules": password_rules()}
    if request.method != "POST":
        return render(request, "accounts/password.jinja", context | {"problems": []})
    new_password, problems = read_password(request.POST, member.user)
    if problems:
        return render(
            request, "accounts/password.jinja", context | {"problems": problems}, status=400
        )
    own = context["is_self"]
    ended = reset_password(
        by=request.user,
        user_id=member.user_id,
        password=new_password,
        keep=request.session.session_key if own else None,
    )
    if own:
        member.user.refresh_from_db()
        update_session_auth_hash(request, member.user)
    username = member.user.get_username()
    messages.success(
        request,
        f"New password set for {username} ({sessions_text(ended)} ended). "
        "Tell them it in person or by phone, never by email.",
    )
    return redirect("accounts:account", user_id=member.user_id)


@require_POST
@staff_member_required
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate a leaver: they cannot log in, and their sessions end now."""
    _administrator(request)
    member = _staff(user_id)
    if _is_self(request, member):
        raise PermissionDenied("You cannot deactivate your own account.")
    ended = set_active(by=request.user, user_id=member.user_id, active=False)
    username = member.user.get_username()
    if ended is None:
        messages.success(request, f"{username} was already deactivated: nothing changed.")
    else:
        messages.success(
            request,
            f"{username} is deactivated: they can no longer log in ({sessions_text(ended)} ended).",
        )
    return redirect("accounts:account", user_id=member.user_id)


@require_POST
@staff_member_required
def reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Let a deactivated member of staff log in again (with the password they had)."""
    _administrator(request)
    member = _staff(user_id)
    done = set_active(by=request.user, user_id=member.user_id, active=True)
    username = member.user.get_username()
    if done is None:
        messages.success(request, f"{username} was already active: nothing changed.")
    else:
        messages.success(request, f"{username} is reactivated: they can log in again.")
    return redirect("accounts:account", user_id=member.user_id)
