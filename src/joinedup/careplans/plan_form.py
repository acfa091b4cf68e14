"""The care plan form: what staff typed, read back and checked before a version is saved.

The form is plain HTML with repeated rows (no JavaScript), so what comes back is a flat
POST: goal-<i>-text, goal-<i>-status, action-<i>-text, -owner, -who, -due. Rows left blank
are dropped and the rest renumbered, so an error names the row as the page shows it again
("Choose a status for goal 2") and its link lands on that row's field. Everything is kept
as typed, so a form shown again (with errors, or on a conflict) loses nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from joinedup.careplans.models import ActionOwner, CarePlanVersion, GoalStatus
from joinedup.forms.dates import ISO_OR_DAY_FIRST, parse_date
from joinedup.forms.errors import FieldError

WHAT_MATTERS_MAX = 4000
GOAL_MAX = 500
ACTION_MAX = 500
WHO_MAX = 200
MAX_ROWS = 50  # goals, and actions: a plan longer than this is no longer a plan
REVIEW_WITHIN_DAYS = 3 * 366  # a later review date is a typing slip (2062 for 2026)
BLANK_ROWS = 3  # empty rows offered under the filled ones

_ROW_FIELD = re.compile(r"^(goal|action)-(\d{1,4})-(text|status|owner|who|due)$")


@dataclass
class PlanForm:
    """A plan as typed: every value a string, rows without the blank ones."""

    what_matters: str = ""
    goals: list[dict[str, str]] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)
    review_date: str = ""
    errors: list[FieldError] = field(default_factory=list)

    def goal_rows(self) -> list[dict[str, str]]:
        """The filled goals and BLANK_ROWS empty ones, for the form."""
        return self.goals + [{"goal": "", "status": ""} for _ in range(BLANK_ROWS)]

    def action_rows(self) -> list[dict[str, str]]:
        blank = {"action": "", "owner": "", "who": "", "due": ""}
        return self.actions + [dict(blank) for _ in range(BLANK_ROWS)]

    def version_fields(self) -> dict[str, Any]:
        """The CarePlanVersion fields of a form without errors."""
        assert not self.errors, "only a valid form is saved"
        return {
            "what_matters": self.what_matters,
            "goals": [dict(goal) for goal in self.goals],
            "actions": [dict(action) for action in self.actions],
            "review_date": parse_date(self.review_date, ISO_OR_DAY_FIRST),
        }


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
        review_date=version.review_date.isoformat() if version.review_date else "",
    )


def _rows(post: Mapping[str, Any], kind: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of one kind in the order of their index, every value stripped."""
    indices = sorted(
        {int(m.group(2)) for key in post if (m := _ROW_FIELD.match(key)) and m.group(1) == kind}
    )
    return [
        {name: str(post.get(f"{kind}-{i}-{name}", "")).strip() for name in names} for i in indices
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


def _read_actions(post: Mapping[str, Any], errors: list[FieldError]) -> list[dict[str, str]]:
    actions: list[dict[str, str]] = []
    for row in _rows(post, "action", ("text", "owner", "who", "due")):
        if not (row["text"] or row["who"] or row["due"]):
            continue  # a blank row
        n = len(actions) + 1
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
        due = row["due"]
        if due:
            parsed = parse_date(due, ISO_OR_DAY_FIRST)
            if parsed is None:
                errors.append(
                    FieldError(
                        f"{prefix}-due",
                        f"The due date of action {n} must be a real date, for example 2026-12-31",
                    )
                )
            else:
                due = parsed.isoformat()
        actions.append(
            {"action": row["text"], "owner": row["owner"], "who": row["who"], "due": due}
        )
    if len(actions) > MAX_ROWS:
        errors.append(FieldError("action-0-text", f"A plan can have at most {MAX_ROWS} actions"))
    return actions


def _review_date_error(text: str, today: dt.date) -> str:
    if not text.strip():
        return "Enter the review date"
    review = parse_date(text, ISO_OR_DAY_FIRST)
    if review is None:
        return "The review date must be a real date, for example 2026-12-31"
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
    actions = _read_actions(post, errors)
    review_text = str(post.get("review_date", "")).strip()
    review_date = parse_date(review_text, ISO_OR_DAY_FIRST)
    if error := _review_date_error(review_text, today):
        errors.append(FieldError("review_date", error))
    return PlanForm(
        what_matters=what_matters,
        goals=goals,
        actions=actions,
        review_date=review_date.isoformat() if review_date else review_text,
        errors=errors,
    )


def read_base(post: Mapping[str, Any]) -> int | None:
    """The version the editor started from (hidden in the form); None when it is not a number."""
    text = str(post.get("base", "")).strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None
