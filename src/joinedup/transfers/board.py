"""The transfer of care hub's board: everyone from the partnership's area now in hospital.

Rows are the spells under way on the board's day (joinedup.transfers.inpatients), with
the person, their neighbourhood, the hub's stay (ward, expected date of discharge,
proposed pathway) and the spell's discharge ready date, delay reason and responsibility.
They are filtered by neighbourhood, proposed pathway and delay reason, and sorted by the
database: days delayed (most first; a ready date still to come, or none, counts as not
delayed), then length of stay (longest first). A page of 50 costs the same few queries
whatever the number in hospital: the counts (one grouped query), the page's rows (one
query, joined), and their open actions (one grouped query). Nothing is read per row. (The
board's page also shows the capacity picture, which reads every delay in the area:
joinedup.transfers.capacity.)

A stay the hub has not touched has no Stay row: its ward and expected date are blank and
its proposed pathway is the one the hospital's records hold (the spell's discharge_pathway,
which on a spell still in hospital is the pathway planned on the ready date). Once the
hub saves a plan, the Stay's pathway is the one shown, "not set" included.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, DateField, F, Min, Q, QuerySet, When

from joinedup.forms.errors import FieldError
from joinedup.record.models import HospitalSpell, Neighbourhood
from joinedup.record.nhs_number import format_nhs_number, is_valid
from joinedup.tasks.models import Task
from joinedup.transfers.inpatients import days_delayed, in_hospital
from joinedup.transfers.models import PATHWAYS, Action
from joinedup.transfers.plan_words import (
    DELAY_REASON_WORDS,
    pathway_words,
    reason_words,
    responsibility_words,
)

PAGE_SIZE = 50
NOT_SET = "none"  # the filters' value for "no pathway proposed" and "no delay reason"


@dataclass(frozen=True)
class Escalation:
    """A delay long enough to take further: from `days` days delayed, to `to` whom."""

    days: int
    label: str
    to: str
    tag: str  # the NHS.UK tag's colour class


# Longest first: a delay takes the first it reaches. Stated on the board as they are here.
ESCALATIONS: tuple[Escalation, ...] = (
    Escalation(
        21,
        "Long delay",
        "the partnership's directors, who review every long delay each week",
        "nhsuk-tag--red",
    ),
    Escalation(14, "Escalate to the directors", "the partnership's directors", "nhsuk-tag--orange"),
    Escalation(7, "Escalate to the hub manager", "the hub manager", "nhsuk-tag--yellow"),
)


def escalation(days: int | None) -> Escalation | None:
    """The escalation a delay of `days` days has reached, or None."""
    if days is None:
        return None
    return next((e for e in ESCALATIONS if days >= e.days), None)


# --- filters --------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    """What the board is narrowed to: "" is everyone; NOT_SET is "none recorded"."""

    neighbourhood: str = ""
    pathway: str = ""
    reason: str = ""

    def query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


PATHWAY_CHOICES: tuple[tuple[str, str], ...] = (
    *((str(p), words) for p, words in PATHWAYS.items()),
    (NOT_SET, "Not set"),
)
REASON_CHOICES: tuple[tuple[str, str], ...] = (
    *DELAY_REASON_WORDS.items(),
    (NOT_SET, "No delay reason recorded"),
)


def read_filters(data: Mapping[str, Any]) -> tuple[BoardFilters, list[FieldError]]:
    """The filters in a query string, or the problems with them (each naming its field).

    An unknown value is a problem, never silently everyone: a board that quietly ignored
    a mistyped filter would show more people than the coordinator asked for.
    """
    problems: list[FieldError] = []
    neighbourhood = str(data.get("neighbourhood", "")).strip()
    pathway = str(data.get("pathway", "")).strip()
    reason = str(data.get("reason", "")).strip()
    if neighbourhood and (
        "\x00" in neighbourhood  # PostgreSQL refuses NUL in text: no neighbourhood has one
        or not Neighbourhood.objects.filter(pk=neighbourhood).exists()
    ):
        problems.append(
            FieldError(
                "neighbourhood", "Neighbourhood: choose one of the partnership's from the list"
            )
        )
    if pathway and pathway not in dict(PATHWAY_CHOICES):
        problems.append(FieldError("pathway", "Pathway: choose pathway 0, 1, 2 or 3, or not set"))
    if reason and reason not in dict(REASON_CHOICES):
        problems.append(FieldError("reason", "Delay reason: choose a reason from the list"))
    if problems:
        return BoardFilters(), problems
    return BoardFilters(neighbourhood, pathway, reason), []


def _pathway_q(pathway: str) -> Q:
    """Spells whose proposed pathway (the Stay's, else the hospital's) is `pathway`."""
    has_stay = Q(stay__isnull=False)
    if pathway == NOT_SET:
        return (has_stay & Q(stay__proposed_pathway__isnull=True)) | (
            Q(stay__isnull=True) & Q(discharge_pathway__isnull=True)
        )
    value = int(pathway)
    return (has_stay & Q(stay__proposed_pathway=value)) | (
        Q(stay__isnull=True) & Q(discharge_pathway=value)
    )


def board_spells(day: dt.date, filters: BoardFilters) -> QuerySet[HospitalSpell]:
    """The spells the board lists on `day`, filtered, unordered."""
    spells = in_hospital(day)
    if filters.neighbourhood:
        spells = spells.filter(person__neighbourhood_id=filters.neighbourhood)
    if filters.pathway:
        spells = spells.filter(_pathway_q(filters.pathway))
    if filters.reason == NOT_SET:
        spells = spells.filter(delay_reason__isnull=True)
    elif filters.reason:
        spells = spells.filter(delay_reason=filters.reason)
    return spells


def delayed_from(day: dt.date) -> Case:
    """The ready date when it has come (the sort key: earliest is the longest delayed)."""
    return Case(
        When(ready_for_discharge_date__lte=day, then=F("ready_for_discharge_date")),
        default=None,
        output_field=DateField(),
    )


# --- the summary ----------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Counts over the filtered board. Delayed: no longer meets the criteria to reside (a
    ready date on or before the day), as the situation report counts (0 days on the day)."""

    in_hospital: int
    delayed: int
    delayed_days: int
    escalated: dict[Escalation, int]  # each escalation and how many reached it


def summary(spells: QuerySet[HospitalSpell], day: dt.date) -> Summary:
    """One query grouped by ready date, summed here."""
    groups = (
        spells.order_by()
        .annotate(ready=delayed_from(day))
        .values("ready")
        .annotate(n=Count("pk"))
        .values_list("ready", "n")
    )
    total = delayed = days_total = 0
    reached = dict.fromkeys(ESCALATIONS, 0)
    for ready_date, n in groups:
        total += n
        if ready_date is None:
            continue
        days = (day - ready_date).days
        delayed += n
        days_total += n * days
        flag = escalation(days)
        if flag is not None:
            reached[flag] += n
    return Summary(total, delayed, days_total, reached)


# --- the rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    spell_id: str
    person_id: str
    diagnosis: str | None  # never shown: it decides whether the ward may be
    name: str
    nhs_number: str
    neighbourhood: str
    ward: str
    admitted: dt.date
    length_of_stay: int
    expected_discharge: dt.date | None
    ready: dt.date | None
    pathway: int | None
    pathway_text: str
    reason: str
    reason_text: str
    responsibility_text: str
    days_delayed: int | None
    escalation: Escalation | None
    open_actions: int
    next_due: dt.date | None


@dataclass(frozen=True)
class BoardPage:
    day: dt.date
    rows: list[BoardRow]
    summary: Summary
    number: int
    pages: int
    first: int  # the first and last row's position on the board (1-based)
    last: int
    person_ids: list[str] = field(default_factory=list)


def _nhs_number(value: str | None) -> str:
    return format_nhs_number(value) if value and is_valid(value) else (value or "")


def _open_actions(spell_ids: list[str]) -> dict[str, tuple[int, dt.date | None]]:
    """{spell id: (open actions, earliest due)} for these spells, one grouped query."""
    rows = (
        Action.objects.filter(spell_id__in=spell_ids, task__status=Task.Status.OPEN)
        .order_by()
        .values("spell_id")
        .annotate(n=Count("pk"), next_due=Min("task__due"))
        .values_list("spell_id", "n", "next_due")
    )
    return {spell_id: (n, due) for spell_id, n, due in rows}


def page_number(value: Any, pages: int) -> int:
    """The page asked for, within 1..pages (anything else: the first page)."""
    text = str(value or "").strip()
    number = int(text) if text.isdecimal() and len(text) < 9 else 1
    return min(max(number, 1), max(pages, 1))


def board_page(day: dt.date, filters: BoardFilters, page: Any = None) -> BoardPage:
    """One page of the board on `day` (see the module's docstring for the order)."""
    spells = board_spells(day, filters)
    counts = summary(spells, day)
    pages = max(1, math.ceil(counts.in_hospital / PAGE_SIZE))
    number = page_number(page, pages)
    start = (number - 1) * PAGE_SIZE
    found = list(
        spells.select_related("person__neighbourhood", "stay")
        .annotate(ready_key=delayed_from(day))
        .order_by(F("ready_key").asc(nulls_last=True), "admission_date", "pk")[
            start : start + PAGE_SIZE
        ]
    )
    actions = _open_actions([s.pk for s in found])
    rows = [_row(spell, day, actions.get(spell.pk, (0, None))) for spell in found]
    return BoardPage(
        day=day,
        rows=rows,
        summary=counts,
        number=number,
        pages=pages,
        first=start + 1 if rows else 0,
        last=start + len(rows),
        person_ids=list(dict.fromkeys(r.person_id for r in rows)),
    )


def _row(spell: HospitalSpell, day: dt.date, actions: tuple[int, dt.date | None]) -> BoardRow:
    person = spell.person
    stay = getattr(spell, "stay", None)  # None: the hub has not touched this stay yet
    pathway = stay.proposed_pathway if stay is not None else spell.discharge_pathway
    ready = spell.ready_for_discharge_date
    days = days_delayed(spell, day)
    return BoardRow(
        spell_id=spell.pk,
        person_id=person.pk,
        diagnosis=spell.primary_diagnosis,
        name=f"{person.given_name} {person.family_name}".strip() or "Name not recorded",
        nhs_number=_nhs_number(person.nhs_number),
        neighbourhood=str(person.neighbourhood),
        ward=stay.ward if stay is not None else "",
        admitted=spell.admission_date,
        length_of_stay=(day - spell.admission_date).days,
        expected_discharge=stay.expected_discharge_date if stay is not None else None,
        ready=ready,
        pathway=pathway,
        pathway_text=pathway_words(pathway),
        reason=spell.delay_reason or "",
        reason_text=reason_words(spell.delay_reason),
        responsibility_text=responsibility_words(spell.delay_responsibility),
        days_delayed=days,
        escalation=escalation(days),
        open_actions=actions[0],
        next_due=actions[1],
    )
