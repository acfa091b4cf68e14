"""The care plan form: what staff typed, read back and checked before a version is saved.

The form is plain HTML with repeated rows (no JavaScript), so what comes back is a flat
POST: goal-<i>-text, goal-<i>-status, action-<i>-text, -owner, -who, and the due date's
NHS.UK date input action-<i>-due_day, _month, _year (the review date's is review_date_day
...). Rows left blank are dropped and the rest renumbered, so an error names the row as the
page shows it again ("Choose a status for goal 2") and its link lands on that row's field.
Everything is kept as typed, so a form shown again (with errors, or on a conflict) loses
nothing. A version stores its dates as before: the review date a date, a due date ISO text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from joinedup.careplans.models import ActionOwner, CarePlanVersion, GoalStatus
from joinedup.forms.dates import (
    ISO_OR_DAY_FIRST,
    DateEntry,
    parse_date,
    read_date,
    read_optional_date,
    with_error,
)
from joinedup.forms.errors import FieldError

WHAT_MATTERS_MAX = 4000
GOAL_MAX = 500
ACTION_MAX = 500
WHO_MAX = 200
MAX_ROWS = 50  # goals, and actions: a plan longer than this is no longer a plan
REVIEW_WITHIN_DAYS = 3 * 366  # a later review date is a typing slip (2062 for 2026)
BLANK_ROWS = 3  # empty rows offered under the filled ones

_ROW_FIELD = re.compile(
    r"^(goal|action)-(\d{1,4})-(text|status|owner|who|due_day|due_month|due_year)$"
)
REVIEW = "review_date"  # the review date's boxes: review_date_day, _month, _year


@dataclass
class PlanForm:
    """A plan as typed: every value a string, rows without the blank ones."""

    what_matters: str = ""
    goals: list[dict[str, str]] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)
    dues: list[DateEntry] = field(default_factory=list)  # each action's due date, as typed
    review: DateEntry = field(default_factory=DateEntry.blank)
    errors: list[FieldError] = field(default_factory=list)

    def goal_rows(self) -> list[dict[str, str]]:
        """The filled goals and BLANK_ROWS empty ones, for the form."""
        return self.goals + [{"goal": "", "status": ""} for _ in range(BLANK_ROWS)]

    def action_rows(self) -> list[tuple[dict[str, str], DateEntry]]:
        """The filled actions with their due dates as typed, and BLANK_ROWS empty ones."""
        blank = {"action": "", "owner": "", "who": "", "due": ""}
        filled = list(zip(self.actions, self.dues, strict=True))
        return filled + [(dict(blank), DateEntry.blank()) for _ in range(BLANK_ROWS)]

    def version_fields(self) -> dict[str, Any]:
        """The CarePlanVersion fields of a form without errors."""
        assert not self.errors, "only a valid form is saved"
        return {
            "what_matters": self.what_matters,
            "goals": [dict(goal) for goal in self.goals],
            "actions": [dict(action) for action in self.actions],
            "review_date": self.review.date,
        }


def _entry(value: dt.date | str | None) -> DateEntry:
    """A saved date in the boxes (a due date is ISO text in the version's JSON)."""
    if isinstance(value, str):
        value = parse_date(value, ISO_OR_DAY_FIRST) if value else None
    return DateEntry.of_optional(value)


def form_from_version(version: CarePlanVersion | None) -> PlanForm:
    """The form pre-filled from a saved version (empty for a person with no plan yet)."""
    if version is None:
        return PlanForm()
    return PlanForm(
        what_matters=version.what_matters,
        goals=[
            {"goal": str(g.get("goal", "")), "status": str(g.get("status", ""))}
            for g in version.goals
        ],
        actions=[
            {
                "action": str(a.get("action", "")),
                "owner": str(a.get("owner", "")),
                "who": str(a.get("who", "")),
                "due": str(a.get("due", "")),
            }
            for a in version.actions
        ],
        dues=[_entry(str(a.get("due", ""))) for a in version.actions],
        review=_entry(version.review_date),
    )


def _rows(post: Mapping[str, Any], kind: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of one kind in the order of their index, every value stripped ("index" is
    the row's number on the page that sent it, before blank rows are dropped)."""
    indices = sorted(
        {int(m.group(2)) for key in post if (m := _ROW_FIELD.match(key)) and m.group(1) == kind}
    )
    return [
        {"index": str(i)}
        | {name: str(post.get(f"{kind}-{i}-{name}", "")).strip() for name in names}
        for i in indices
    ]


def _too_long(text: str, limit: int) -> bool:
    return len(text) > limit


def _read_goals(post: Mapping[str, Any], errors: list[FieldError]) -> list[dict[str, str]]:
    goals: list[dict[str, str]] = []
    for row in _rows(post, "goal", ("text", "status")):
        if not row["text"]:
            continue  # a blank row (a status chosen on its own says nothing)
        n = len(goals) + 1
        if _too_long(row["text"], GOAL_MAX):
            errors.append(
                FieldError(f"goal-{n - 1}-text", f"Goal {n} must be {GOAL_MAX} characters or fewer")
            )
        if row["status"] not in GoalStatus.values:
            errors.append(FieldError(f"goal-{n - 1}-status", f"Choose a status for goal {n}"))
        goals.append({"goal": row["text"], "status": row["status"]})
    if len(goals) > MAX_ROWS:
        errors.append(FieldError("goal-0-text", f"A plan can have at most {MAX_ROWS} goals"))
    return goals


def _read_actions(
    post: Mapping[str, Any], errors: list[FieldError]
) -> tuple[list[dict[str, str]], list[DateEntry]]:
    """The filled actions (due dates as ISO text, as a version keeps them) and each one's
    due date as typed; a due date is optional, so blank boxes are no date."""
    actions: list[dict[str, str]] = []
    dues: list[DateEntry] = []
    for row in _rows(post, "action", ("text", "owner", "who")):
        typed_at = f"action-{row['index']}-due"
        n = len(actions) + 1
        due = read_optional_date(post, typed_at, f"due date of action {n}")
        if not (row["text"] or row["who"] or due.typed):
            continue  # a blank row
        prefix = f"action-{n - 1}"
        if not row["text"]:
            errors.append(
                FieldError(
                    f"{prefix}-text", f"Enter what will be done for action {n}, or clear its row"
                )
            )
        elif _too_long(row["text"], ACTION_MAX):
            errors.append(
                FieldError(f"{prefix}-text", f"Action {n} must be {ACTION_MAX} characters or fewer")
            )
        if row["owner"] not in ActionOwner.values:
            errors.append(
                FieldError(f"{prefix}-owner", f"Choose who is responsible for action {n}")
            )
        if _too_long(row["who"], WHO_MAX):
            errors.append(
                FieldError(
                    f"{prefix}-who",
                    f"The name or role for action {n} must be {WHO_MAX} characters or fewer",
                )
            )
        if due.error:
            errors.append(FieldError(f"{prefix}-due-day", due.error))
        actions.append(
            {
                "action": row["text"],
                "owner": row["owner"],
                "who": row["who"],
                "due": due.date.isoformat() if due.date else "",
            }
        )
        dues.append(due)
    if len(actions) > MAX_ROWS:
        errors.append(FieldError("action-0-text", f"A plan can have at most {MAX_ROWS} actions"))
    return actions, dues


def _review_date_error(review: dt.date, today: dt.date) -> str:
    if review < today:
        return "The review date must be today or later"
    if (review - today).days > REVIEW_WITHIN_DAYS:
        return "The review date must be within 3 years"
    return ""


def read_form(post: Mapping[str, Any], today: dt.date) -> PlanForm:
    """The submitted plan with every problem found, each naming its field."""
    errors: list[FieldError] = []
    what_matters = str(post.get("what_matters", "")).strip()
    if not what_matters:
        errors.append(FieldError("what_matters", "Enter what matters to the person"))
    elif _too_long(what_matters, WHAT_MATTERS_MAX):
        errors.append(
            FieldError(
                "what_matters",
                f"What matters to me must be {WHAT_MATTERS_MAX:,} characters or fewer",
            )
        )
    goals = _read_goals(post, errors)
    actions, dues = _read_actions(post, errors)
    review = read_date(post, REVIEW, "review date")
    if review.date is not None and (later := _review_date_error(review.date, today)):
        review = with_error(review, later)
    if review.error:
        errors.append(FieldError(f"{REVIEW}-day", review.error))
    return PlanForm(
        what_matters=what_matters,
        goals=goals,
        actions=actions,
        dues=dues,
        review=review,
        errors=errors,
    )


def read_base(post: Mapping[str, Any]) -> int | None:
    """The version the editor started from (hidden in the form); None when it is not a number."""
    text = str(post.get("base", "")).strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None
