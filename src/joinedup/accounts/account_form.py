"""The account forms: what a system administrator typed, read back and checked.

Read the way every page takes input (docs/forms.md): values kept as typed (stripped) so a
form drawn again loses nothing, and each problem a FieldError naming the input's id. A
password is checked by Django's AUTH_PASSWORD_VALIDATORS against the account it is for
(its username and name included), is never stripped, and is never drawn back on a page.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from joinedup.access.models import Profession, StaffMember
from joinedup.forms.errors import FieldError
from joinedup.record.models import Organisation, Team
from joinedup.untrusted_json import UNSTORABLE

USERNAME_MAX = 150  # Django's User.username
NAME_MAX = 150  # User.first_name and User.last_name
USERNAME_TAKEN = "An account with this username already exists: choose another"
# How the audit log and the confirmation name each part of the details, in the form's order.
PARTS = ("name", "profession", "organisation", "teams")


class QueryData(Protocol):
    """A request's POST or GET (Django's QueryDict): one value, or every value of a name."""

    def get(self, key: str, default: Any = ...) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


@dataclass(frozen=True)
class TeamChoice:
    id: str
    name: str
    about: str  # "Integrated neighbourhood team, Northgate"


@dataclass(frozen=True)
class AccountChoices:
    """What the form offers, as it is in the database now."""

    organisations: tuple[tuple[str, str], ...]  # (id, name)
    teams: tuple[TeamChoice, ...]

    @property
    def professions(self) -> list[tuple[str, str]]:
        return list(Profession.choices)

    def organisation_name(self, organisation_id: str) -> str:
        return dict(self.organisations).get(organisation_id, organisation_id)

    def team_names(self, team_ids: tuple[str, ...]) -> str:
        """'Northgate INT, Urgent Community Response', or 'none'."""
        names = {team.id: team.name for team in self.teams}
        return ", ".join(names.get(t, t) for t in team_ids) or "none"


def account_choices() -> AccountChoices:
    """Every organisation, and every team (neighbourhood teams, then urgent response teams)."""
    organisations = tuple(
        (str(pk), str(name))
        for pk, name in Organisation.objects.order_by("name", "id").values_list("id", "name")
    )
    teams = tuple(
        TeamChoice(
            team.id,
            team.name or team.id,
            team.get_kind_display()
            + (
                f", {team.neighbourhood.name or team.neighbourhood.id}"
                if team.neighbourhood
                else ""
            ),
        )
        for team in Team.objects.select_related("neighbourhood").order_by("kind", "name", "id")
    )
    return AccountChoices(organisations, teams)


@dataclass(frozen=True)
class AccountValues:
    """The details of an account that an administrator changes, as text (teams by id)."""

    first_name: str = ""
    last_name: str = ""
    profession: str = ""
    organisation: str = ""
    teams: tuple[str, ...] = ()  # sorted, each once

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def parts_changed_from(self, before: AccountValues) -> list[str]:
        """The parts (PARTS) whose values differ from `before`, in the form's order."""
        differs = {
            "name": (self.first_name, self.last_name) != (before.first_name, before.last_name),
            "profession": self.profession != before.profession,
            "organisation": self.organisation != before.organisation,
            "teams": self.teams != before.teams,
        }
        return [part for part in PARTS if differs[part]]

    def fingerprint(self) -> str:
        """A digest of these values: the form carries the one it was drawn from, and a save
        goes through only while the account still has it (joinedup.accounts.account_saving)."""
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def values_of(staff: StaffMember) -> AccountValues:
    """The account's details as saved now."""
    return AccountValues(
        first_name=staff.user.first_name,
        last_name=staff.user.last_name,
        profession=staff.profession,
        organisation=str(staff.organisation_id),
        teams=tuple(sorted(str(pk) for pk in staff.teams.values_list("id", flat=True))),
    )


def _text(data: QueryData, name: str) -> str:
    return str(data.get(name, "")).strip()


def _check_name(name: str, words: str, text: str, problems: list[FieldError]) -> None:
    if not text:
        problems.append(FieldError(name, f"Enter the {words}"))
    elif UNSTORABLE.search(text):
        problems.append(FieldError(name, f"The {words} has a character that cannot be stored"))
    elif len(text) > NAME_MAX:
        problems.append(FieldError(name, f"The {words} must be {NAME_MAX} characters or fewer"))


def read_account(
    data: QueryData, choices: AccountChoices
) -> tuple[AccountValues, list[FieldError]]:
    """The details typed (name, profession, organisation, teams) and every problem found."""
    problems: list[FieldError] = []
    first_name, last_name = _text(data, "first_name"), _text(data, "last_name")
    _check_name("first_name", "first name", first_name, problems)
    _check_name("last_name", "last name", last_name, problems)
    profession = _text(data, "profession")
    if profession not in Profession.values:
        problems.append(FieldError("profession", "Choose a profession"))
    organisation = _text(data, "organisation")
    if organisation not in dict(choices.organisations):
        problems.append(FieldError("organisation", "Choose an organisation"))
    teams = tuple(sorted({str(t).strip() for t in data.getlist("teams") if str(t).strip()}))
    known = {team.id for team in choices.teams}
    if any(team not in known for team in teams):
        problems.append(FieldError("teams", "Choose teams from the list"))
        teams = tuple(team for team in teams if team in known)
    values = AccountValues(first_name, last_name, profession, organisation, teams)
    return values, problems


def read_username(data: QueryData) -> tuple[str, list[FieldError]]:
    """The username typed for a new account, and what is wrong with its shape (whether it is
    taken is asked of the database when the account is added)."""
    username = _text(data, "username")
    if not username:
        return username, [FieldError("username", "Enter a username")]
    if len(username) > USERNAME_MAX:
        text = f"The username must be {USERNAME_MAX} characters or fewer"
        return username, [FieldError("username", text)]
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        text = "The username must contain only letters, numbers and the characters @ . + - _"
        return username, [FieldError("username", text)]
    return username, []


def read_password(data: QueryData, user: Any) -> tuple[str, list[FieldError]]:
    """The password typed twice, checked by the validators against `user` (the account it is
    for, saved or not)."""
    password = str(data.get("password", ""))
    again = str(data.get("password_again", ""))
    if not password:
        return password, [FieldError("password", "Enter a password")]
    problems: list[FieldError] = []
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        problems += [FieldError("password", message) for message in error.messages]
    if not again:
        problems.append(FieldError("password_again", "Type the password again"))
    elif again != password:
        problems.append(
            FieldError("password_again", "The passwords do not match: type the same one twice")
        )
    return password, problems


def _rule(validator: Any) -> str:
    """What one validator asks, said of someone else's password (Django's own help texts
    say "your password", which reads wrongly to the administrator setting it)."""
    if isinstance(validator, password_validation.MinimumLengthValidator):
        return f"At least {validator.min_length} characters"
    if isinstance(validator, password_validation.UserAttributeSimilarityValidator):
        return "Not like their name or username"
    if isinstance(validator, password_validation.CommonPasswordValidator):
        return "Not a commonly used password"
    if isinstance(validator, password_validation.NumericPasswordValidator):
        return "Not only numbers"
    return str(validator.get_help_text())


def password_rules() -> list[str]:
    """What AUTH_PASSWORD_VALIDATORS ask of a password, for the field's hint."""
    return [_rule(v) for v in password_validation.get_default_password_validators()]
