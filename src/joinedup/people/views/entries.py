"""The pages that write to a person's record: a case note, an alert, a consent decision, and
the buttons that end an alert or withdraw a decision.

Each opens the record with joinedup.access.policy.opened_record, as careplans' edit does,
so the page's reads, the write (joinedup.people.entries) and both audit events commit in
one transaction; a viewer without the record gets the record page's refusal, the same for
a person who does not exist. Break-glass reads and never writes (403). Problems show the
form again with what was typed (400); ending what someone else ended shows who did (409);
a write returns to the record with a confirmation (post/redirect/get).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.access.decorators import staff_member_required
from joinedup.access.models import Consent
from joinedup.access.policy import (
    RecordAccess,
    RecordRefusedError,
    opened_record,
    refuse_write_under_break_glass,
)
from joinedup.access.staff_names import name_of
from joinedup.formatting import localtime_text
from joinedup.forms.errors import FieldError
from joinedup.people import entries, record_summary
from joinedup.people.entry_forms import (
    CONSENT_NOTE_MAX,
    DETAIL_MAX,
    NOTE_MAX,
    AlertValues,
    ConsentValues,
    NoteValues,
    label_choices,
    read_alert,
    read_consent,
    read_note,
)
from joinedup.people.models import Alert
from joinedup.people.views.record import refused
from joinedup.save_outcome import SaveOutcome

MAX_ID = 2**63 - 1  # the largest key a database holds: a longer number names no entry

V = TypeVar("V")
M = TypeVar("M", bound=Model)
# Reads the POST into values and problems; writes checked values, returning the confirmation
# to show on the record, or the problem that stopped it.
Reader = Callable[[Mapping[str, Any]], tuple[V, list[FieldError]]]
Writer = Callable[[HttpRequest, RecordAccess, V, dt.datetime], "str | FieldError"]
Ender = Callable[..., "SaveOutcome[M, M] | None"]


def _form_page(
    request: HttpRequest,
    person_id: str,
    *,
    what: str,
    template: str,
    blank: V,
    read: Reader[V],
    write: Writer[V],
    extra: Callable[[RecordAccess], dict[str, Any]],
) -> HttpResponse:
    """GET: the empty form. POST: check, then write and go back to the record, or show the
    form again with what was typed and its problems (400)."""
    now = timezone.now()
    refuse_write_under_break_glass(request.user, person_id, entries.WHAT, now)
    saving = request.method == "POST"
    notice = ""
    try:
        with opened_record(
            request.user, person_id, what=f"{what} {'save' if saving else 'form'}", now=now
        ) as access:
            entries.require_relationship(access)
            values, problems = read(request.POST) if saving else (blank, [])
            if saving and not problems:
                outcome = write(request, access, values, now)
                if isinstance(outcome, str):
                    notice = outcome
                else:
                    problems = [outcome]
            context = {
                "banner": record_summary.banner(access.person, timezone.localdate(now)),
                "values": values,
                "problems": problems,
                **extra(access),
            }
    except RecordRefusedError:
        return refused(request, person_id)
    if notice:
        messages.success(request, notice)
        return redirect("people:record", person_id=person_id)
    return render(request, template, context, status=400 if problems else 200)


def _end(
    request: HttpRequest, person_id: str, pk: int, *, what: str, end: Ender[M], noun: str
) -> HttpResponse:
    """End one entry and go back to the record; 409 naming who ended it first, if anyone."""
    now = timezone.now()
    refuse_write_under_break_glass(request.user, person_id, entries.WHAT, now)
    if pk > MAX_ID:
        raise Http404("No such entry.")
    try:
        with opened_record(request.user, person_id, what=f"{what} end", now=now) as access:
            outcome = end(user=request.user, access=access, pk=pk, now=now)
            if outcome is None:
                raise Http404("No such entry on this record.")
            entry: Any = outcome.saved or outcome.latest
            label = entry.get_kind_display()
            context = {
                "banner": record_summary.banner(access.person, timezone.localdate(now)),
                "noun": noun,
                "label": label,
                "ended_by": name_of(entry.ended_by),
                "ended_at": entry.ended_at,
            }
    except RecordRefusedError:
        return refused(request, person_id)
    if outcome.conflict:
        return render(request, "people/entry_conflict.jinja", context, status=409)
    messages.success(request, f"{noun.capitalize()} ended: {label}.")
    return redirect("people:record", person_id=person_id)


# --- case notes --------------------------------------------------------------------------


def _write_note(
    request: HttpRequest, access: RecordAccess, values: NoteValues, now: dt.datetime
) -> str:
    entries.write_note(user=request.user, access=access, values=values, now=now)
    return "The case note is added to the record."


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def add_note(request: HttpRequest, person_id: str) -> HttpResponse:
    """Write a case note, labelled when it holds sensitive detail."""
    return _form_page(
        request,
        person_id,
        what="case note",
        template="people/note_form.jinja",
        blank=NoteValues(),
        read=read_note,
        write=_write_note,
        extra=lambda access: {
            "labels": label_choices(access.staff.profession),
            "note_max": NOTE_MAX,
        },
    )


# --- alerts ------------------------------------------------------------------------------


def _write_alert(
    request: HttpRequest, access: RecordAccess, values: AlertValues, now: dt.datetime
) -> str:
    alert = entries.write_alert(user=request.user, access=access, values=values, now=now)
    return f"Alert added: {alert.get_kind_display()}."


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def add_alert(request: HttpRequest, person_id: str) -> HttpResponse:
    """Add an alert everyone visiting or calling the person must know first."""
    return _form_page(
        request,
        person_id,
        what="alert",
        template="people/alert_form.jinja",
        blank=AlertValues(),
        read=read_alert,
        write=_write_alert,
        extra=lambda access: {"kinds": Alert.Kind.choices, "detail_max": DETAIL_MAX},
    )


@require_POST
@staff_member_required
def end_alert(request: HttpRequest, person_id: str, pk: int) -> HttpResponse:
    """End an alert that no longer applies."""
    return _end(request, person_id, pk, what="alert", end=entries.end_alert, noun="alert")


# --- consent decisions -------------------------------------------------------------------


def _write_consent(
    request: HttpRequest, access: RecordAccess, values: ConsentValues, now: dt.datetime
) -> str | FieldError:
    outcome = entries.write_consent(user=request.user, access=access, values=values, now=now)
    decision = outcome.saved or outcome.latest
    assert decision is not None
    label = decision.get_kind_display()
    if outcome.conflict:
        by = name_of(decision.recorded_by)
        return FieldError(
            "kind",
            f"{label} is already recorded, by {by} on {localtime_text(decision.recorded_at)}: "
            "withdraw that one first if the person has made a new decision",
        )
    return f"Consent decision recorded: {label}."


def _consent_extra(access: RecordAccess) -> dict[str, Any]:
    in_force = [c for c in record_summary.consents(access.person) if c.ended_at is None]
    return {"kinds": Consent.Kind.choices, "note_max": CONSENT_NOTE_MAX, "in_force": in_force}


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def add_consent(request: HttpRequest, person_id: str) -> HttpResponse:
    """Record a consent decision or objection the person made (in force from now)."""
    return _form_page(
        request,
        person_id,
        what="consent decision",
        template="people/consent_form.jinja",
        blank=ConsentValues(),
        read=read_consent,
        write=_write_consent,
        extra=_consent_extra,
    )


@require_POST
@staff_member_required
def end_consent(request: HttpRequest, person_id: str, pk: int) -> HttpResponse:
    """Withdraw a consent decision or objection: it ends now."""
    return _end(
        request, person_id, pk, what="consent decision", end=entries.end_consent, noun="decision"
    )
