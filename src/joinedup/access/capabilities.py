"""Who may do what: the one table of roles x capabilities, and its rendering for the docs.

Every page and list that lets a role do something asks a capability here
(`FIND_PEOPLE.allows(staff)`), so no module keeps its own set of professions to decide what
a role may do (the hub's fields per role, joinedup.transfers.hub_access.EDITABLE, are
checked against WORK_THE_HUB). What a role may do with one person's record (a
relationship, break-glass, an objection to sharing) is decided in joinedup.access.policy,
which takes its role sets from this table. docs/security.md's role tables are rendered by
`role_tables` and tests/unit/test_capability_docs.py keeps them equal, so the table, the
code and the docs cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from joinedup.access.professions import Profession

PROFESSIONS = frozenset(Profession.values)


class HasProfession(Protocol):
    @property
    def profession(self) -> str: ...


@dataclass(frozen=True)
class Capability:
    """One thing a role may do: its name in the docs, the roles that have it, and why."""

    name: str
    roles: frozenset[str]
    why: str

    def __post_init__(self) -> None:
        assert self.roles <= PROFESSIONS, self.roles - PROFESSIONS

    def allows(self, staff: HasProfession | None) -> bool:
        """Whether this member of staff's role has the capability (None: never)."""
        return staff is not None and staff.profession in self.roles

    @property
    def lacking(self) -> frozenset[str]:
        """The professions without it (for a query that leaves them out)."""
        return PROFESSIONS - self.roles


# Commissioners and analysts work with aggregates and the pseudonymised lake, system
# administrators with accounts: none of them with a person (docs/security.md).
_CARING = PROFESSIONS - {
    Profession.COMMISSIONER,
    Profession.ANALYST,
    Profession.SYSTEM_ADMINISTRATOR,
}
_HUB_WORKERS = frozenset({Profession.DISCHARGE_COORDINATOR, Profession.SOCIAL_CARE_BROKER})
_HUB_READERS = _HUB_WORKERS | {Profession.TEAM_MANAGER}

FIND_PEOPLE = Capability(
    "find people and open their records",
    _CARING,
    "Search, and a record opened through a care relationship, are for direct care; "
    "identity is person data too.",
)
BREAK_GLASS = Capability(
    "break the glass",
    _CARING,
    "A professional may need a record before a relationship exists; each use is audited "
    "and reviewed by team managers.",
)
REFER = Capability(
    "make referrals",
    _CARING,
    "Anyone who cares for people may ask another team to; matching at referral is a search.",
)
WORK_IN_TEAMS = Capability(
    "work in their teams (caseload, tasks, MDT meetings; be a key worker, own a task)",
    _CARING,
    "A team's pages name its people, so they are for its members who care for them.",
)
READ_SAFEGUARDING = Capability(
    "read safeguarding detail",
    frozenset(
        {
            Profession.SOCIAL_WORKER,
            Profession.GP,
            Profession.DISTRICT_NURSE,
            Profession.COMMUNITY_NURSE,
            Profession.MENTAL_HEALTH_PRACTITIONER,
            Profession.TEAM_MANAGER,
        }
    ),
    "The professions who act on a concern: social workers lead statutory enquiries; GPs and "
    "community and district nurses are the person's named partners in it; the team manager "
    "coordinates the response.",
)
READ_SEXUAL_HEALTH = Capability(
    "read sexual health detail",
    frozenset({Profession.GP}),
    "Held under the strictest confidentiality rules: the GP only.",
)
READ_MENTAL_HEALTH = Capability(
    "read mental health detail",
    frozenset({Profession.MENTAL_HEALTH_PRACTITIONER, Profession.GP, Profession.SOCIAL_WORKER}),
    "Mental health practitioners, the GP, and social workers (approved mental health "
    "professionals are social workers).",
)
TRIAGE = Capability(
    "triage referrals (the triage queue, every referral, matching intakes, the urgent board)",
    frozenset({Profession.SPA_TRIAGE_CLINICIAN}),
    "The single point of access decides where each referral goes.",
)
WORK_THE_HUB = Capability(
    "change plans and actions on the transfer of care hub",
    _HUB_WORKERS,
    "Getting people home is the acute trust's and the council's work; which fields each "
    "changes is joinedup.transfers.hub_access's.",
)
READ_THE_HUB = Capability(
    "read the transfer of care hub, own its actions",
    _HUB_READERS,
    "The board lists everyone in hospital without a relationship person by person, so only "
    "the roles that work it, and the managers who act on escalations, read it.",
)
RECORD_DISCHARGES = Capability(
    "record discharges",
    frozenset({Profession.DISCHARGE_COORDINATOR}),
    "A discharge is the hospital's clinical decision.",
)
RECORD_CAPACITY = Capability(
    "record capacity",
    frozenset({Profession.SOCIAL_CARE_BROKER}),
    "Brokers buy the council's care, so they know what is available.",
)
READ_CAPACITY_PAGES = Capability(
    "read capacity and the situation report",
    _HUB_READERS | {Profession.COMMISSIONER},
    "Counts only, no person: the hub works from them and commissioners plan services from them.",
)
SEE_OUTCOMES = Capability(
    "see the outcome dashboards",
    frozenset({Profession.COMMISSIONER, Profession.TEAM_MANAGER, Profession.ANALYST}),
    "Aggregates by neighbourhood, no person: for those who plan and manage services, and "
    "the analysts who report on them.",
)
DOWNLOAD_EXACT_OUTCOMES = Capability(
    "download the exact outcome figures (small numbers not withheld)",
    frozenset({Profession.ANALYST}),
    "docs/metrics.md's publication rule: exact figures are internal outputs for the "
    "partnership's analysts; everyone else downloads the published ones.",
)
REVIEW_BREAK_GLASS = Capability(
    "review break-glass uses",
    frozenset({Profession.TEAM_MANAGER}),
    "Uses by their teams, and on people their teams hold, are reported to team managers "
    "(docs/security.md).",
)
ADD_FOUND_TO_MDT = Capability(
    "put a person found by case finding on the team's MDT agenda",
    frozenset({Profession.TEAM_MANAGER}),
    "The manager decides what the team's meeting discusses.",
)
ADMINISTER_ACCOUNTS = Capability(
    "administer accounts",
    frozenset({Profession.SYSTEM_ADMINISTRATOR}),
    "Staff accounts decide who may open records (the accounts pages; Django's admin, which "
    "bypasses the record's rules): only those who never see a person manage them.",
)

CAPABILITIES: tuple[Capability, ...] = (
    FIND_PEOPLE,
    BREAK_GLASS,
    REFER,
    WORK_IN_TEAMS,
    READ_SAFEGUARDING,
    READ_SEXUAL_HEALTH,
    READ_MENTAL_HEALTH,
    TRIAGE,
    WORK_THE_HUB,
    READ_THE_HUB,
    RECORD_DISCHARGES,
    RECORD_CAPACITY,
    READ_CAPACITY_PAGES,
    SEE_OUTCOMES,
    DOWNLOAD_EXACT_OUTCOMES,
    REVIEW_BREAK_GLASS,
    ADD_FOUND_TO_MDT,
    ADMINISTER_ACCOUNTS,
)


# --- docs/security.md's role tables ----------------------------------------------------


def _listed(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _in_text(label: str) -> str:
    """A profession's label inside a sentence: "social worker", but "GP"."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _labels(roles: Iterable[str]) -> list[str]:
    """The professions' labels, in the order Profession declares them."""
    chosen = set(roles)
    return [_in_text(p.label) for p in Profession if p in chosen]


def _who(roles: frozenset[str]) -> str:
    others = PROFESSIONS - roles
    if len(others) < len(roles):
        return _sentence("every profession but " + _listed(_labels(others)))
    return _sentence(_listed(_labels(roles)))


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def role_tables() -> str:
    """Two markdown tables: each capability with who has it and why; each profession (those
    with the same capabilities together) with what it may do. The capabilities of everyone
    who cares for people make one column, so that the rest stands out."""
    caring = [c for c in CAPABILITIES if c.roles == _CARING]
    lines = ["| capability | who | why |", "|---|---|---|"]
    lines += [f"| {_sentence(c.name)} | {_who(c.roles)} | {c.why} |" for c in CAPABILITIES]
    lines += ["", f"| profession | works with people (the first {len(caring)} rows) | also may |"]
    lines.append("|---|---|---|")
    groups: dict[tuple[Capability, ...], list[str]] = {}
    for profession in Profession:
        held = tuple(c for c in CAPABILITIES if profession in c.roles)
        groups.setdefault(held, []).append(profession)
    for held, members in groups.items():
        count = sum(c in held for c in caring)
        cares = "yes" if count == len(caring) else "partly" if count else "never"
        also = "; ".join(c.name for c in held if c not in caring or cares == "partly")
        lines.append(f"| {_sentence(', '.join(_labels(members)))} | {cares} | {also or 'none'} |")
    return "\n".join(lines) + "\n"
