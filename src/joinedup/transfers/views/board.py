"""The board and a stay's page: the hub's daily work (joinedup.transfers.hub_access says who).

The board lists a page of everyone in hospital on the board's day (joinedup.transfers.board)
and audits each person shown as viewed, in the transaction that read them. A stay's page
shows the person's banner, the discharge plan and a form to change it, the plan's history
and the stay's actions; viewing it is audited, and so is every change, each in the same
transaction as the change (joinedup.transfers.stay_plan, joinedup.transfers.hub_actions).
A plan form drawn from an older version gets a 409 page naming who changed the plan since,
with both plans and the form holding what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from joinedup.access.audit import record_view, record_views
from joinedup.access.capabilities import RECORD_DISCHARGES, WORK_THE_HUB
from joinedup.access.decorators import staff_member_required
from joinedup.access.models import StaffMember
from joinedup.access.policy import NOT_RELATED, has_objection, objecting, openable_person_ids
from joinedup.formatting import long_date
from joinedup.forms.dates import DateEntry
from joinedup.forms.errors import FieldError
from joinedup.people import record_summary
from joinedup.record.models import CarePackage, HospitalSpell, Neighbourhood
from joinedup.tasks.entry import due_entry, read_action
from joinedup.tasks.owners import UNRELATED_OWNER, owner_options
from joinedup.transfers import board as board_rows
from joinedup.transfers.capacity import EXPLAINED, FLOW, capacity_picture
from joinedup.transfers.discharge import SERVICE_WORDS
from joinedup.transfers.hub_access import (
    PLAN_FIELDS,
    Author,
    authors,
    editable_fields,
    hub_staff,
    shows_note,
    shows_package,
    shows_sensitive,
    shows_ward,
)
from joinedup.transfers.hub_actions import (
    CLOSE_OUTCOMES,
    add_action,
    close_action,
    may_own_action,
    neighbourhood_team,
    stay_actions,
)
from joinedup.transfers.inpatients import board_day
from joinedup.transfers.models import PATHWAYS, Capacity, PlanChange
from joinedup.transfers.plan_words import (
    DELAY_REASON_WORDS,
    DESTINATION_WORDS,
    RESPONSIBILITY_WORDS,
    pathway_words,
    reason_words,
    responsibility_words,
)
from joinedup.transfers.stay_plan import (
    NUL,
    Plan,
    PlanForm,
    StayEndedError,
    current_plan,
    current_version,
    form_dates,
    form_values,
    read_plan_form,
    save_plan,
)

# A stay stays open to the hub for this long after its discharge (to see its actions through).
RECENTLY_DISCHARGED_DAYS = 28
SAVED_NOTICES = {
    "plan": "The discharge plan is saved.",
    "unchanged": "Nothing to save: the plan is as it was.",
    "action": "The action is added.",
    "closed": "The action is closed.",
}


@require_safe
@staff_member_required
def board(request: HttpRequest) -> HttpResponse:
    """A page of the board, filtered; an unknown filter is shown as a problem (400)."""
    staff = hub_staff(request.user)
    today = timezone.localdate()
    day = board_day(today)
    filters, problems = board_rows.read_filters(request.GET)
    page = None
    hidden_wards: set[str] = set()
    if not problems:
        with transaction.atomic():
            page = board_rows.board_page(day, filters, request.GET.get("page"))
            objectors = objecting(page.person_ids)
            hidden_wards = {
                row.spell_id
                for row in page.rows
                if not shows_ward(staff, row.person_id in objectors, row.diagnosis)
            }
            record_views(request.user, page.person_ids, "transfer of care board")
    picture = capacity_picture(day)
    query = filters.query()

    def page_href(number: int) -> str:
        return "?" + urlencode({**query, "page": number} if number > 1 else query)

    context = {
        "page": page,
        "day": day,
        "today": today,
        "filters": filters,
        "values": {k: str(request.GET.get(k, "")) for k in ("neighbourhood", "pathway", "reason")},
        "problems": problems,
        "neighbourhood_choices": [
            (place.pk, str(place)) for place in Neighbourhood.objects.order_by("name", "id")
        ],
        "pathway_choices": board_rows.PATHWAY_CHOICES,
        "reason_choices": board_rows.REASON_CHOICES,
        "escalations": board_rows.ESCALATIONS,
        "hidden_wards": hidden_wards,
        "filtered": bool(query),
        "previous": page_href(page.number - 1) if page and page.number > 1 else "",
        "next": page_href(page.number + 1) if page and page.number < page.pages else "",
        "may_work": WORK_THE_HUB.allows(staff),
        "capacity_status": picture.status,
        "capacity_gaps": [row for row in picture.rows if row.neighbourhood_id is None],
        "service_words": dict(Capacity.Service.choices),
        "explained": EXPLAINED,
        "flow": FLOW,
    }
    return render(request, "transfers/board.jinja", context, status=400 if problems else 200)


def _editable(staff: StaffMember, spell: HospitalSpell, objection: bool) -> frozenset[str]:
    """The plan's fields this viewer changes: never a ward they may not see (a form would
    show it, and a save would write over it unseen)."""
    fields = editable_fields(staff)
    if not shows_ward(staff, objection, spell.primary_diagnosis):
        fields -= {"ward"}
    return fields


def _spell(spell_id: str, day: dt.date) -> HospitalSpell:
    """The spell, if the hub may open it: in hospital on the board's day, or discharged
    in the last RECENTLY_DISCHARGED_DAYS days; else 404 (said the same for no such spell)."""
    spell = (
        HospitalSpell.objects.select_related("person__neighbourhood", "person__practice", "stay")
        .filter(pk=spell_id)
        .first()
        if NUL not in spell_id  # PostgreSQL refuses NUL in text: no spell has one
        else None
    )
    if spell is None or spell.admission_date > day:
        raise Http404("No such stay on the board.")
    ended = spell.discharge_date
    if ended is not None and ended < day - dt.timedelta(days=RECENTLY_DISCHARGED_DAYS):
        raise Http404("No such stay on the board.")
    return spell


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def stay(request: HttpRequest, spell_id: str) -> HttpResponse:
    """GET: the stay. POST form=plan saves the plan; form=action adds an action; form=close
    closes one. Team managers read only (403 on any POST)."""
    staff = hub_staff(request.user)
    if request.method == "POST" and not WORK_THE_HUB.allows(staff):
        raise PermissionDenied(
            "Team managers read the hub's plans; coordinators and brokers change them."
        )
    now = timezone.now()
    today = timezone.localdate(now)
    day = board_day(today)
    spell = _spell(spell_id, day)
    form: PlanForm | None = None
    action_values: dict[str, str] = {}
    action_problems: list[FieldError] = []
    status = 200
    if request.method == "POST":
        kind = request.POST.get("form", "")
        if kind == "plan":
            if spell.discharge_date is not None:
                return _ended(request, staff, spell, day, spell.discharge_date)
            editable = _editable(staff, spell, has_objection(spell.person_id))
            form = read_plan_form(
                request.POST,
                current=current_plan(spell),
                admitted=spell.admission_date,
                board_day=day,
                editable=editable,
            )
            if form.base is None:
                form.problems.insert(
                    0,
                    FieldError(
                        "plan", "This form is out of date: open the stay again and change it"
                    ),
                )
            if form.problems:
                status = 400
            else:
                response = _save(request, staff, spell, form, editable, day, now)
                if response is not None:
                    return response
        elif kind == "action":
            action_values = {
                k: str(request.POST.get(k, "")).strip() for k in ("action_title", "action_owner")
            }
            if _add_action(request, spell, action_problems):
                return _saved(request, spell, "action")
            status = 400
        elif kind == "close":
            return _close(request, spell)
        else:
            return render(
                request,
                "tasks/problem.jinja",
                {
                    "heading": "That form is not one of this page's",
                    "back": reverse("transfers:stay", args=[spell.pk]),
                },
                status=400,
            )
    context = _stay_context(request, staff, spell, day, today, form)
    context.update(
        {
            "action_values": action_values,
            "action_problems": action_problems,
            "action_due": due_entry(request.POST, action_problems, "action_")
            if action_problems
            else DateEntry.blank(),
        }
    )
    return render(request, "transfers/stay.jinja", context, status=status)


def _saved(request: HttpRequest, spell: HospitalSpell, what: str) -> HttpResponse:
    """Back to the stay, which confirms what was done."""
    messages.success(request, SAVED_NOTICES[what])
    return HttpResponseRedirect(reverse("transfers:stay", args=[spell.pk]))


def _save(
    request: HttpRequest,
    staff: StaffMember,
    spell: HospitalSpell,
    form: PlanForm,
    editable: frozenset[str],
    day: dt.date,
    now: dt.datetime,
) -> HttpResponse | None:
    """Save a checked plan: a redirect when saved or unchanged, the 409 page on a conflict."""
    assert form.plan is not None and form.base is not None
    if form.plan == current_plan(spell) and not form.note and form.base == current_version(spell):
        return _saved(request, spell, "unchanged")
    try:
        outcome = save_plan(
            user=request.user,
            staff=staff,
            spell_id=spell.pk,
            base=form.base,
            plan=form.plan,
            editable=editable,
            note=form.note,
            now=now,
        )
    except StayEndedError as ended:
        return _ended(request, staff, spell, day, ended.discharged)
    if not outcome.conflict:
        return _saved(request, spell, "plan")
    fresh = _spell(spell.pk, day)
    theirs = outcome.latest
    who = authors([theirs.updated_by])[theirs.updated_by] if theirs else Author("", "")
    context = _stay_context(request, staff, fresh, day, timezone.localdate(now), form)
    context.update(
        {
            "conflict": True,
            "started_from": form.base,
            "theirs_by": who.name,
            "theirs_at": theirs.updated_at if theirs else None,
            "theirs_version": theirs.version if theirs else 0,
            "mine": _plan_lines(form.plan, form.note, ward_shown=context["ward_shown"]),
        }
    )
    return render(request, "transfers/stay_conflict.jinja", context, status=409)


def _ended(
    request: HttpRequest, staff: StaffMember, spell: HospitalSpell, day: dt.date, ended: dt.date
) -> HttpResponse:
    fresh = _spell(spell.pk, day)
    context = _stay_context(request, staff, fresh, day, timezone.localdate(), None)
    context["ended_notice"] = ended
    return render(request, "transfers/stay.jinja", context, status=409)


def _add_action(request: HttpRequest, spell: HospitalSpell, problems: list[FieldError]) -> bool:
    typed = {k: str(request.POST.get(k, "")) for k in ("action_title", "action_owner")}
    if any(NUL in value for value in typed.values()):  # PostgreSQL refuses NUL in text
        field = "action_title" if NUL in typed["action_title"] else "action_owner"
        problems.append(FieldError(field, f"{field[7:].capitalize()}: remove the NUL character"))
        return False
    action, found = read_action(request.POST, today=timezone.localdate(), prefix="action_")
    problems.extend(found)
    if action is None:
        return False
    if not may_own_action(action.owner, neighbourhood_team(spell), spell.person_id):
        problems.append(FieldError("action_owner", UNRELATED_OWNER))
        return False
    add_action(request.user, spell, action)
    return True


def _close(request: HttpRequest, spell: HospitalSpell) -> HttpResponse:
    status = CLOSE_OUTCOMES.get(request.POST.get("outcome", ""))
    task = str(request.POST.get("task", "")).strip()
    back = reverse("transfers:stay", args=[spell.pk])
    if status is None or not task.isdecimal() or len(task) > 18:
        return render(
            request,
            "tasks/problem.jinja",
            {
                "heading": "Outcome: choose done or cancelled for one of the stay's actions",
                "back": back,
            },
            status=400,
        )
    if not close_action(request.user, spell, int(task), status):
        return render(
            request,
            "tasks/problem.jinja",
            {"heading": "This action is already closed, or is not this stay's", "back": back},
            status=409,
        )
    return _saved(request, spell, "closed")


# --- what the stay's pages show -------------------------------------------------------


def _plan_lines(plan: Plan, note: str = "", *, ward_shown: bool = True) -> list[tuple[str, str]]:
    """The plan as (label, words) pairs, for the summary list and the conflict's two sides."""

    def when(value: dt.date | None) -> str:
        return long_date(value) if value else "Not recorded"

    lines = [
        ("Ward", (plan.ward or "Not recorded") if ward_shown else "Not shown to you"),
        ("Expected date of discharge", when(plan.expected_discharge_date)),
        ("Discharge ready date", when(plan.ready_for_discharge_date)),
        ("Proposed pathway", pathway_words(plan.proposed_pathway)),
        ("Delay reason", reason_words(plan.delay_reason) or "None recorded"),
        (
            "Responsible for the delay",
            responsibility_words(plan.delay_responsibility) or "None recorded",
        ),
    ]
    if note:
        lines.append(("Note", note))
    return lines


def _followed(
    staff: StaffMember, spell: HospitalSpell, objection: bool
) -> list[tuple[str, dt.date | None]]:
    """What started after a discharge: each package's service and start, unless the person's
    objection hides it from this viewer."""
    return [
        (SERVICE_WORDS.get(p.service_type, p.service_type), p.start_date)
        if shows_package(staff, p.funder, objection)
        else ("a package not shown to you (objects to sharing)", None)
        for p in CarePackage.objects.filter(after_spell=spell).order_by("start_date", "pk")
    ]


def _history(
    changes: list[PlanChange],
    who: dict[str, Author],
    staff: StaffMember,
    spell: HospitalSpell,
    objection: bool,
    username: str,
) -> list[dict[str, Any]]:
    """The plan's changes, newest first, each note only where this viewer may read it."""
    return [
        {
            "when": change.changed_at,
            "who": who[change.changed_by].name,
            "ready": change.ready_for_discharge_date,
            "pathway": pathway_words(change.proposed_pathway),
            "reason": reason_words(change.delay_reason) or "None",
            "responsibility": responsibility_words(change.delay_responsibility) or "None",
            "note": change.note
            if shows_note(
                staff,
                who[change.changed_by].sector,
                objection,
                spell.primary_diagnosis,
                own=change.changed_by == username,
            )
            else None,
        }
        for change in changes
    ]


def _stay_context(
    request: HttpRequest,
    staff: StaffMember,
    spell: HospitalSpell,
    day: dt.date,
    today: dt.date,
    form: PlanForm | None,
) -> dict[str, Any]:
    """Everything a stay's page shows, read (and its view audited) in one transaction."""
    person = spell.person
    with transaction.atomic():
        objection = has_objection(person.pk)
        ward_shown = shows_ward(staff, objection, spell.primary_diagnosis)
        plan = current_plan(spell)
        changes = list(PlanChange.objects.filter(spell=spell).order_by("-changed_at", "-id"))
        stay = getattr(spell, "stay", None)
        who = authors({c.changed_by for c in changes} | ({stay.updated_by} if stay else set()))
        actions = stay_actions(spell.pk, today)
        team = neighbourhood_team(spell)
        alerts = record_summary.visit_alerts([person.pk], timezone.now()).get(person.pk, "")
        record_view(request.user, person.pk, f"transfer of care stay (hospital spell {spell.pk})")
        openable = openable_person_ids(staff, [person.pk])
    ready = plan.ready_for_discharge_date
    in_hospital = spell.discharge_date is None
    end = day if in_hospital else spell.discharge_date
    assert end is not None
    delayed = (end - ready).days if ready is not None and ready <= end else None
    values = form.values if form is not None else form_values(plan)
    dates = form.dates if form is not None else form_dates(plan)
    problems = form.problems if form is not None else []
    editable = _editable(staff, spell, objection) if in_hospital else frozenset()
    return {
        "banner": record_summary.banner(person, today),
        "openable": openable,
        "not_related": NOT_RELATED,
        "visit_alerts": alerts,  # key safe, do not visit alone, falls risk: for going home
        "spell": spell,
        "day": day,
        "today": today,
        "in_hospital": in_hospital,
        "length_of_stay": (end - spell.admission_date).days,
        "days_delayed": delayed,
        "escalation": board_rows.escalation(delayed) if in_hospital else None,
        "plan_lines": _plan_lines(plan, ward_shown=ward_shown),
        "objection": objection,
        "ward_shown": ward_shown,
        "sensitive_hidden": not shows_sensitive(staff, spell.primary_diagnosis),
        "destination": DESTINATION_WORDS.get(spell.discharge_destination or "", ""),
        "followed": [] if in_hospital else _followed(staff, spell, objection),
        "stay": stay,
        "updated_by": who[stay.updated_by].name if stay else "",
        "version": form.base
        if form is not None and form.base is not None
        else current_version(spell),
        "values": values,
        "dates": dates,
        "problems": problems,
        "editable": editable,
        "plan_fields": PLAN_FIELDS,
        "pathways": PATHWAYS,
        "reasons": DELAY_REASON_WORDS,
        "responsibilities": RESPONSIBILITY_WORDS,
        "history": _history(changes, who, staff, spell, objection, request.user.get_username()),
        "actions": actions,
        "open_actions": [a for a in actions if a.status == "open"],
        "closed_actions": [a for a in actions if a.status != "open"],
        "may_work": WORK_THE_HUB.allows(staff) and in_hospital,
        "may_discharge": in_hospital and RECORD_DISCHARGES.allows(staff),
        "may_act": WORK_THE_HUB.allows(staff),
        "options": owner_options(team),
        "team": team,
        "ended_notice": None,
        "conflict": False,
        "action_values": {},
        "action_problems": [],
        "action_due": DateEntry.blank(),
    }


urlpatterns: list[URLPattern] = [
    path("", board, name="board"),
    path("stay/<spell:spell_id>/", stay, name="stay"),
]
