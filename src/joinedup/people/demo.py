"""The demo city's shared records: care teams, alerts, consents and case notes to look at.

The lake brings a person's history but not what an integrated team adds to it, so without
this the demo logins would open records with no care team, no key worker and nothing
sensitive, and could not show what a related viewer sees that an unrelated one does not.
seed_demo_record gives people on the demo team's caseload the team's demo staff as their
care team (one key worker each), alerts, consent decisions and case notes, some labelled
sensitive, and names one "showcase" person for `joinedup demo` to point at.

Everything is made up, and like the demo logins it is refused unless every loaded lake is
synthetic. It is deterministic (random.Random seeded by the city's identity seed and the
person's id), idempotent (a row whose natural key exists is never added again), written
in one transaction, and every row it creates is audited as created by "joinedup demo".
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.db import models, transaction
from django.db.models import Min, Q
from django.utils import timezone

from joinedup.access.audit import DEMO_AUTHOR, record_event
from joinedup.access.demo import (
    DemoLoginError,
    demo_team,
    demo_username,
    refuse_unless_synthetic,
)
from joinedup.access.models import (
    AuditAction,
    CareTeamMember,
    Consent,
    Profession,
    Sensitivity,
    StaffMember,
)
from joinedup.access.policy import staff_sector
from joinedup.people.demo_text import ALERT_DETAILS, NOTES, ROLES, SENSITIVE_NOTES
from joinedup.people.models import Alert, CaseNote
from joinedup.record.age import age_on
from joinedup.record.models import (
    Condition,
    Contact,
    Episode,
    GpPractice,
    HospitalSpell,
    LoadedLake,
    Person,
    Team,
)
from joinedup.record.nhs_number import format_nhs_number

MAX_PEOPLE = 300  # "a few hundred": the demo team's caseload is usually smaller than this

# The audit event's `what` for each kind of row created.
WHAT: dict[type[models.Model], str] = {
    CareTeamMember: "care team member",
    Alert: "alert",
    Consent: "consent",
    CaseNote: "case note",
}

P = Profession
# Who may be a person's key worker, and how often each is chosen.
KEY_WORKER_WEIGHTS: dict[str, int] = {
    P.DISTRICT_NURSE: 4,
    P.COMMUNITY_NURSE: 3,
    P.SOCIAL_WORKER: 3,
    P.CARE_NAVIGATOR: 3,
    P.OCCUPATIONAL_THERAPIST: 1,
}
# Work numbers from Ofcom's range reserved for drama (07700 900000 to 900999): never real.
PHONES: dict[str, str] = {
    profession: f"07700 900{100 + 11 * index:03d}" for index, profession in enumerate(ROLES)
}

OBJECTION_SHARE = 0.02  # objects to sharing between health and social care
CONSENT_SHARE = 0.9  # of those without an objection, consent recorded to share
OPT_OUT_SHARE = 0.03  # National Data Opt-out (England's published rate is around 5%)
SAFEGUARDING_SHARE = 0.06  # of people with a social worker
SEXUAL_HEALTH_SHARE = 0.03  # of people with the demo GP
MENTAL_HEALTH_SHARE = 0.6  # of people with the mental health practitioner


@dataclass(frozen=True)
class Showcase:
    """The person `joinedup demo` suggests opening as a related and an unrelated viewer."""

    person_id: str
    name: str
    nhs_number: str  # 3-3-4, as staff read it
    key_worker: str  # username


@dataclass(frozen=True)
class DemoRecordSummary:
    team: str
    people: int  # people on the demo team's caseload given a demo care team
    created: dict[str, int]  # audit `what` -> rows created by this call (0s on a re-run)
    showcase: Showcase | None


@dataclass(frozen=True)
class _Facts:
    """What the lake says about a person that makes their demo record plausible."""

    person_id: str
    since: dt.date  # on the demo team's caseload since
    lives_alone: bool
    practice_id: str
    age: int
    mental_health_contact: bool
    fall: bool
    copd: bool


@dataclass
class _Plan:
    care_team: list[CareTeamMember] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)


def _demo_staff() -> dict[str, StaffMember]:
    usernames = {demo_username(p): p for p in ROLES}
    found = {
        usernames[s.user.get_username()]: s
        for s in StaffMember.objects.select_related("user", "organisation").filter(
            user__username__in=usernames
        )
    }
    missing = sorted(set(usernames) - {demo_username(p) for p in found})
    if missing:
        raise DemoLoginError(
            "create the demo logins first (`joinedup demo`): missing " + ", ".join(missing)
        )
    return found


def _caseload_facts(team: Team, today: dt.date, anchor: dt.date, seed: int) -> list[_Facts]:
    """Up to MAX_PEOPLE living people with an open episode with the team, by id."""
    open_episodes = (
        Episode.objects.filter(team=team, start_date__lte=today, person__death_date__isnull=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .values("person_id")
        .annotate(since=Min("start_date"))
    )
    since = {row["person_id"]: row["since"] for row in open_episodes}
    ids = sorted(since)
    if len(ids) > MAX_PEOPLE:
        ids = sorted(random.Random(seed).sample(ids, MAX_PEOPLE))
    people = Person.objects.filter(pk__in=ids).values_list(
        "id", "lives_alone", "practice_id", "birth_date"
    )
    mental_health = set(
        Contact.objects.filter(person_id__in=ids, service="mental_health").values_list(
            "person_id", flat=True
        )
    )
    falls = set(
        HospitalSpell.objects.filter(person_id__in=ids, fall=True).values_list(
            "person_id", flat=True
        )
    )
    copd = set(
        Condition.objects.filter(person_id__in=ids, condition="copd").values_list(
            "person_id", flat=True
        )
    )
    return sorted(
        (
            _Facts(
                person_id=pid,
                since=min(since[pid], anchor),
                lives_alone=alone,
                practice_id=practice,
                age=age_on(birth, anchor),
                mental_health_contact=pid in mental_health,
                fall=pid in falls,
                copd=pid in copd,
            )
            for pid, alone, practice, birth in people
        ),
        key=lambda f: f.person_id,
    )


def _choose_showcase(facts: Sequence[_Facts]) -> str | None:
    """Someone with a mental health contact in the lake when there is one (shows more)."""
    if not facts:
        return None
    return min(facts, key=lambda f: (not f.mental_health_contact, f.person_id)).person_id


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    start = min(start, end)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    time = dt.time(rng.randint(8, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))
    return dt.datetime.combine(day, time, tzinfo=timezone.get_default_timezone())


def _members(rng: random.Random, facts: _Facts, gp_practice_id: str | None) -> list[str]:
    members: list[str] = [P.DISTRICT_NURSE if rng.random() < 0.6 else P.COMMUNITY_NURSE]
    for profession, share in (
        (P.SOCIAL_WORKER, 0.5),
        (P.OCCUPATIONAL_THERAPIST, 0.3),
        (P.PHYSIOTHERAPIST, 0.5 if facts.fall else 0.2),
        (P.CARE_NAVIGATOR, 0.5 if facts.lives_alone else 0.25),
        (P.MENTAL_HEALTH_PRACTITIONER, 0.4 if facts.mental_health_contact else 0.05),
    ):
        if rng.random() < share:
            members.append(profession)
    if facts.practice_id == gp_practice_id:  # the demo GP and pharmacist work at one practice
        members.append(P.GP)
        if rng.random() < 0.3:
            members.append(P.PHARMACIST)
    return members


def _alert_kinds(rng: random.Random, facts: _Facts) -> list[str]:
    shares = {
        Alert.Kind.KEY_SAFE: 0.45 if facts.lives_alone else 0.1,
        Alert.Kind.FALLS_RISK: 0.6 if facts.fall else 0.2,
        Alert.Kind.DO_NOT_VISIT_ALONE: 0.04,
        Alert.Kind.COMMUNICATION: 0.1,
        Alert.Kind.DNACPR: 0.08 if facts.age >= 80 else 0.01,
        Alert.Kind.ANIMALS: 0.1,
        Alert.Kind.OXYGEN: 0.5 if facts.copd else 0.01,
    }
    return [kind for kind, share in shares.items() if rng.random() < share]


def _plan_person(
    facts: _Facts,
    staff: dict[str, StaffMember],
    gp_practice_id: str | None,
    seed: int,
    anchor: dt.date,
    showcase: bool = False,
    sexual_health: bool = False,
) -> _Plan:
    """One person's demo rows; their own random stream, so others never change them.

    The showcase person gets a full record; `sexual_health` forces that label's note (on
    one person with the demo GP, so even a small caseload shows every label).
    """
    rng = random.Random(f"joinedup-demo-record:{seed}:{facts.person_id}")
    if showcase:
        members, key_worker, alert_kinds, sensitive = _showcase_care(facts, gp_practice_id)
    else:
        members, key_worker, alert_kinds, sensitive = _drawn_care(
            rng, facts, gp_practice_id, sexual_health
        )
    plan = _Plan()
    pid = facts.person_id
    started: dict[str, dt.date] = {key_worker: facts.since}
    for member in members:
        started.setdefault(member, _day_between(rng, facts.since, anchor))
        plan.care_team.append(
            CareTeamMember(
                person_id=pid,
                staff=staff[member],
                role=ROLES[member],
                key_worker=member == key_worker,
                started=started[member],
            )
        )
    recorder = staff[key_worker].user.get_username()
    for kind in alert_kinds:
        plan.alerts.append(
            Alert(
                person_id=pid,
                kind=kind,
                detail=rng.choice(ALERT_DETAILS[kind]),
                recorded_at=_working_time(rng, _day_between(rng, facts.since, anchor)),
                recorded_by=recorder,
            )
        )
    plan.consents = _consents(rng, pid, _working_time(rng, facts.since), recorder, showcase)
    authors = [key_worker, *(m for m in members if m != key_worker and rng.random() < 0.5)]
    writings: list[tuple[str, str | None, str]] = [(m, None, rng.choice(NOTES[m])) for m in authors]
    writings += [(SENSITIVE_NOTES[s][0], s, SENSITIVE_NOTES[s][1]) for s in sensitive]
    for author, label, text in writings:
        plan.notes.append(
            CaseNote(
                person_id=pid,
                written_at=_working_time(rng, _day_between(rng, started[author], anchor)),
                author=staff[author],
                organisation=staff[author].organisation,
                sector=staff_sector(staff[author]),
                sensitivity=label,
                text=text,
            )
        )
    return plan


_Care = tuple[list[str], str, list[str], list[str]]  # members, key worker, alerts, labels


def _showcase_care(facts: _Facts, gp_practice_id: str | None) -> _Care:
    """The showcase person's care: every profession, two alerts, two sensitive notes."""
    members: list[str] = [
        P.DISTRICT_NURSE,
        P.SOCIAL_WORKER,
        P.OCCUPATIONAL_THERAPIST,
        P.MENTAL_HEALTH_PRACTITIONER,
        P.CARE_NAVIGATOR,
    ]
    if facts.practice_id == gp_practice_id:
        members.append(P.GP)
    alert_kinds: list[str] = [Alert.Kind.KEY_SAFE, Alert.Kind.FALLS_RISK]
    sensitive: list[str] = [Sensitivity.SAFEGUARDING, Sensitivity.MENTAL_HEALTH]
    return members, P.DISTRICT_NURSE, alert_kinds, sensitive


def _drawn_care(
    rng: random.Random, facts: _Facts, gp_practice_id: str | None, sexual_health: bool
) -> _Care:
    """Who cares for the person, their key worker, alerts and sensitive labels, drawn."""
    members = _members(rng, facts, gp_practice_id)
    eligible = [m for m in members if m in KEY_WORKER_WEIGHTS]
    key_worker = rng.choices(eligible, [KEY_WORKER_WEIGHTS[m] for m in eligible])[0]
    alert_kinds = _alert_kinds(rng, facts)
    sensitive: list[str] = [
        label
        for label, held in (
            (
                Sensitivity.SAFEGUARDING,
                P.SOCIAL_WORKER in members and rng.random() < SAFEGUARDING_SHARE,
            ),
            (
                Sensitivity.SEXUAL_HEALTH,
                P.GP in members and (sexual_health or rng.random() < SEXUAL_HEALTH_SHARE),
            ),
            (
                Sensitivity.MENTAL_HEALTH,
                P.MENTAL_HEALTH_PRACTITIONER in members and rng.random() < MENTAL_HEALTH_SHARE,
            ),
        )
        if held
    ]
    return members, key_worker, alert_kinds, sensitive


def _consents(
    rng: random.Random, pid: str, first_visit: dt.datetime, recorder: str, showcase: bool
) -> list[Consent]:
    """Consent decisions and objections, recorded at the first visit."""
    objection = not showcase and rng.random() < OBJECTION_SHARE
    consents = [
        (
            Consent.Kind.SHARING_OBJECTION,
            objection,
            "Asked that the NHS and the council do not share their records",
        ),
        (
            Consent.Kind.CONSENT_TO_SHARE,
            not objection and (showcase or rng.random() < CONSENT_SHARE),
            "Agreed at the first visit to share with the integrated team",
        ),
        (
            Consent.Kind.NATIONAL_DATA_OPT_OUT,
            not showcase and rng.random() < OPT_OUT_SHARE,
            "Registered with the National Data Opt-out: no use beyond their care",
        ),
    ]
    return [
        Consent(person_id=pid, kind=kind, recorded_at=first_visit, recorded_by=recorder, note=note)
        for kind, held, note in consents
        if held
    ]


def _new_rows(rows: Iterable[Any], key: Any, existing: set[Any]) -> list[Any]:
    """The rows whose natural key is not in the database yet (nor earlier in `rows`)."""
    new = []
    for row in rows:
        if key(row) not in existing:
            existing.add(key(row))
            new.append(row)
    return new


def _write(plans: list[_Plan], ids: list[str]) -> dict[str, int]:
    """Create the planned rows the database lacks, auditing each; in the caller's transaction."""
    in_people = CareTeamMember.objects.filter(person_id__in=ids)
    care_team = _new_rows(
        (m for p in plans for m in p.care_team),
        attrgetter("person_id", "staff_id"),
        set(in_people.values_list("person_id", "staff_id")),
    )
    with_key_worker = set(
        in_people.filter(key_worker=True, ended__isnull=True).values_list("person_id", flat=True)
    )
    for member in care_team:  # someone already has a key worker: join, but not as key worker
        if member.key_worker and member.person_id in with_key_worker:
            member.key_worker = False
    alerts = _new_rows(
        (a for p in plans for a in p.alerts),
        attrgetter("person_id", "kind"),
        set(Alert.objects.filter(person_id__in=ids).values_list("person_id", "kind")),
    )
    consents = _new_rows(
        (c for p in plans for c in p.consents),
        attrgetter("person_id", "kind"),
        set(Consent.objects.filter(person_id__in=ids).values_list("person_id", "kind")),
    )
    notes = _new_rows(
        (n for p in plans for n in p.notes),
        attrgetter("person_id", "author_id", "written_at"),
        set(
            CaseNote.objects.filter(person_id__in=ids).values_list(
                "person_id", "author_id", "written_at"
            )
        ),
    )
    created: dict[str, int] = {}
    batches: list[tuple[type[models.Model], list[Any]]] = [
        (CareTeamMember, care_team),
        (Alert, alerts),
        (Consent, consents),
        (CaseNote, notes),
    ]
    for model, rows in batches:
        model._default_manager.bulk_create(rows)
        for row in rows:
            record_event(
                AuditAction.CREATE,
                user=None,
                username=DEMO_AUTHOR,
                person_id=row.person_id,
                what=WHAT[model],
            )
        created[WHAT[model]] = len(rows)
    return created


def _set_phones(staff: Iterable[StaffMember]) -> None:
    """A drama number for each demo care team member with none (never overwrites one)."""
    for member in staff:
        if not member.phone:
            member.phone = PHONES[member.profession]
            member.save(update_fields=["phone"])


def _showcase(person_id: str, today: dt.date) -> Showcase:
    person = Person.objects.get(pk=person_id)
    key_worker = (
        CareTeamMember.objects.filter(person_id=person_id, key_worker=True, started__lte=today)
        .filter(Q(ended__isnull=True) | Q(ended__gt=today))
        .values_list("staff__user__username", flat=True)
        .first()
    )
    return Showcase(
        person_id=person.id,
        name=f"{person.given_name} {person.family_name}".strip() or person.id,
        nhs_number=format_nhs_number(person.nhs_number) if person.nhs_number else "",
        key_worker=key_worker or "",
    )


def seed_demo_record(*, today: dt.date | None = None) -> DemoRecordSummary:
    """Give the demo team's caseload care teams, alerts, consents and notes; idempotent.

    Call after create_demo_logins. Refused (DemoLoginError) unless every loaded lake is
    synthetic. A second call creates nothing and returns the same showcase.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        refuse_unless_synthetic()
        team = demo_team()
        staff = _demo_staff()
        lakes = LoadedLake.objects.order_by("id")
        seed = lakes.values_list("seed", flat=True).first() or 0
        last_observed = max(lakes.values_list("observation_end", flat=True))
        anchor = min(last_observed, today)  # the demo's entries end where the lake's history does
        gp = GpPractice.objects.filter(organisation_id=staff[P.GP].organisation_id).first()
        gp_practice_id = gp.id if gp is not None else None
        facts = _caseload_facts(team, today, anchor, seed)
        showcase_id = _choose_showcase(facts)
        with_gp = [f.person_id for f in facts if f.practice_id == gp_practice_id]
        sexual_health_id = next((p for p in with_gp if p != showcase_id), None)
        plans = [
            _plan_person(
                f,
                staff,
                gp_practice_id,
                seed,
                anchor,
                showcase=f.person_id == showcase_id,
                sexual_health=f.person_id == sexual_health_id,
            )
            for f in facts
        ]
        created = _write(plans, [f.person_id for f in facts])
        _set_phones(staff.values())
        showcase = _showcase(showcase_id, today) if showcase_id is not None else None
    return DemoRecordSummary(
        team=team.name or team.id, people=len(facts), created=created, showcase=showcase
    )
