"""A care plan version (or a plan as typed) as plain data for the templates.

Read inside the view's transaction, so the templates run no queries; labels are in words
(staff pages) and, for the printable view, in the person's words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from joinedup.access.models import Profession
from joinedup.access.policy import AUTHOR_WITHHELD, RecordAccess
from joinedup.careplans.models import ActionOwner, CarePlanVersion, GoalStatus
from joinedup.careplans.plan_form import PlanForm
from joinedup.forms.dates import ISO_OR_DAY_FIRST, parse_date

STATUS_LABELS = dict(GoalStatus.choices)
OWNER_LABELS = dict(ActionOwner.choices)
PROFESSION_LABELS = dict(Profession.choices)
STATUS_COLOURS: dict[str, str] = {
    GoalStatus.NOT_STARTED: "grey",
    GoalStatus.IN_PROGRESS: "blue",
    GoalStatus.ACHIEVED: "green",
    GoalStatus.NO_LONGER_WANTED: "white",
}
# Who does what, said to the person the plan is for.
OWNER_FOR_THE_PERSON: dict[str, str] = {
    ActionOwner.NHS: "The NHS",
    ActionOwner.COUNCIL: "The council",
    ActionOwner.VOLUNTARY: "A voluntary group",
    ActionOwner.PERSON: "You",
    ActionOwner.CARER: "Your carer",
}


@dataclass(frozen=True)
class GoalLine:
    goal: str
    status: str
    status_label: str
    colour: str


@dataclass(frozen=True)
class ActionLine:
    action: str
    owner: str
    owner_label: str
    owner_for_person: str
    who: str
    due: dt.date | None


@dataclass(frozen=True)
class PlanView:
    what_matters: str
    goals: list[GoalLine]
    actions: list[ActionLine]
    review_date: dt.date | None
    review_overdue: bool
    number: int | None = None
    saved_at: dt.datetime | None = None
    saved_by: str = ""
    profession: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class VersionLine:
    number: int
    saved_at: dt.datetime
    saved_by: str
    profession: str
    organisation: str


def _text(row: dict[str, str], key: str) -> str:
    """A row's value as text (a saved plan's JSON may hold anything; a blank is "")."""
    return str(row.get(key, ""))


def _goal(row: dict[str, str]) -> GoalLine:
    status = _text(row, "status")
    return GoalLine(
        goal=_text(row, "goal"),
        status=status,
        status_label=STATUS_LABELS.get(status, "No status"),
        colour=STATUS_COLOURS.get(status, "grey"),
    )


def _action(row: dict[str, str]) -> ActionLine:
    owner = _text(row, "owner")
    return ActionLine(
        action=_text(row, "action"),
        owner=owner,
        owner_label=OWNER_LABELS.get(owner, "Not chosen"),
        owner_for_person=OWNER_FOR_THE_PERSON.get(owner, "Someone in your care team"),
        who=_text(row, "who"),
        due=parse_date(_text(row, "due"), ISO_OR_DAY_FIRST) if row.get("due") else None,
    )


def saved_by_text(version: CarePlanVersion) -> str:
    return version.saved_by_name or version.saved_by


def _laid_out(
    what_matters: str,
    goals: list[dict[str, str]],
    actions: list[dict[str, str]],
    review: dt.date | None,
    today: dt.date,
    saved: VersionLine | None = None,
) -> PlanView:
    """A saved version and a plan as typed are shown alike; only a saved one says who saved it."""
    return PlanView(
        what_matters=what_matters,
        goals=[_goal(g) for g in goals],
        actions=[_action(a) for a in actions],
        review_date=review,
        review_overdue=review is not None and review < today,
        **(asdict(saved) if saved is not None else {}),
    )


def plan_view(version: CarePlanVersion, today: dt.date, access: RecordAccess) -> PlanView:
    return _laid_out(
        version.what_matters,
        version.goals,
        version.actions,
        version.review_date,
        today,
        version_line(version, access),
    )


def plan_view_of_form(form: PlanForm, today: dt.date) -> PlanView:
    """The editor's submitted plan, laid out as a saved one is (for the conflict page)."""
    return _laid_out(form.what_matters, form.goals, form.actions, form.review.date, today)


def version_line(version: CarePlanVersion, access: RecordAccess) -> VersionLine:
    """Who saved a version, withheld where their profession is detail the viewer may not
    know (a mental health practitioner's involvement: joinedup.access.policy)."""
    if not access.may_see_author(version.profession):
        return VersionLine(version.number, version.saved_at, AUTHOR_WITHHELD, "", "")
    return VersionLine(
        number=version.number,
        saved_at=version.saved_at,
        saved_by=saved_by_text(version),
        profession=PROFESSION_LABELS.get(version.profession, version.profession),
        organisation=version.organisation,
    )
