"""What changed between two versions of a care plan, field by field, in words.

Goals and actions are matched by their text: a goal whose words stayed the same but whose
status moved is a change of status; a goal reworded is one removed and one added. Simple,
and enough for a reader to see what the last person to save did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from joinedup.careplans.models import CarePlanVersion
from joinedup.careplans.plan_view import OWNER_LABELS, STATUS_LABELS
from joinedup.formatting import long_date
from joinedup.forms.dates import parse_date


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


def _date_text(value: dt.date | str | None) -> str:
    if isinstance(value, str):
        value = parse_date(value) if value else None
    return long_date(value) if value else "None"


def goal_text(goal: dict[str, Any]) -> str:
    return f"{goal.get('goal', '')} ({STATUS_LABELS.get(goal.get('status', ''), 'no status')})"


def action_text(action: dict[str, Any]) -> str:
    owner = OWNER_LABELS.get(action.get("owner", ""), "no one")
    who = f", {action['who']}" if action.get("who") else ""
    due = f", due {_date_text(action.get('due'))}" if action.get("due") else ""
    return f"{action.get('action', '')}: {owner}{who}{due}"


def _by_text(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(row.get(key, "")): row for row in rows}


def changes(before: CarePlanVersion | None, after: CarePlanVersion) -> list[Change]:
    """Every difference from `before` to `after`; nothing for a first version."""
    if before is None:
        return []
    found: list[Change] = []
    if before.what_matters != after.what_matters:
        found.append(Change("What matters to me", before.what_matters, after.what_matters))
    old_goals, new_goals = _by_text(before.goals, "goal"), _by_text(after.goals, "goal")
    for text, goal in new_goals.items():
        if text not in old_goals:
            found.append(Change("Goal added", "", goal_text(goal)))
        elif old_goals[text].get("status") != goal.get("status"):
            found.append(
                Change(f"Status of goal: {text}", goal_text(old_goals[text]), goal_text(goal))
            )
    for text, goal in old_goals.items():
        if text not in new_goals:
            found.append(Change("Goal removed", goal_text(goal), ""))
    old_actions, new_actions = _by_text(before.actions, "action"), _by_text(after.actions, "action")
    for text, action in new_actions.items():
        if text not in old_actions:
            found.append(Change("Action added", "", action_text(action)))
        elif action_text(old_actions[text]) != action_text(action):
            found.append(
                Change(
                    f"Action changed: {text}", action_text(old_actions[text]), action_text(action)
                )
            )
    for text, action in old_actions.items():
        if text not in new_actions:
            found.append(Change("Action removed", action_text(action), ""))
    if before.review_date != after.review_date:
        found.append(
            Change("Review date", _date_text(before.review_date), _date_text(after.review_date))
        )
    return found
