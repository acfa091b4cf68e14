"""A team's current caseload, sorted and paginated in the database, 50 people a page.

The caseload is the team's episodes open on a day (started, not ended). Sorting by next
review date, key worker, name or start is an ORDER BY over subqueries (no query per row);
sorting by interim risk needs joinedup.casefinding.interim_risk's counts, which are read in one
grouped query for the whole caseload (bounded by its size, a few thousand at most) and
sorted here (or, when risk scores are loaded, joinedup.casefinding's probabilities, read
the same way; people the scores do not cover come last). Either way only the page's 50
episodes are then read in full, so the page costs a handful of queries whatever the
caseload's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from joinedup.access.models import CareTeamMember, StaffMember
from joinedup.access.policy import current_on
from joinedup.access.staff_names import staff_name
from joinedup.careplans.models import CarePlan
from joinedup.casefinding.interim_risk import emergency_admissions
from joinedup.casefinding.models import PersonScore, ScoreRun
from joinedup.casefinding.worklist import percent
from joinedup.record.models import Episode, Person, Team
from joinedup.record.person_line import PersonLine

PAGE_SIZE = 50

# ?sort= value -> what the sort does, in words for the page.
SORTS: dict[str, str] = {
    "risk": "Interim risk (most emergency admissions first)",
    "review": "Next review date (soonest first, no care plan last)",
    "key_worker": "Key worker (unallocated first)",
    "name": "Name (family name, A to Z)",
    "start": "Start on caseload (newest first)",
}
DEFAULT_SORT = "risk"
SCORED_RISK = "Risk score (highest first, people not scored last)"

_NAME_ORDER = ("person__family_name", "person__given_name", "person_id", "id")


def current_episodes(team: Team, today: dt.date) -> QuerySet[Episode]:
    """The team's episodes open on `today`: its caseload."""
    return Episode.objects.filter(current_on(today, "start_date", "end_date"), team=team)


def current_key_workers(today: dt.date) -> QuerySet[CareTeamMember]:
    """Current key worker rows (at most one a person: the database's constraint)."""
    return CareTeamMember.objects.filter(current_on(today, "started", "ended"), key_worker=True)


def _key_worker_of(today: dt.date) -> QuerySet[CareTeamMember]:
    return current_key_workers(today).filter(person_id=OuterRef("person_id")).order_by("-started")


def _review_date() -> Subquery:
    return Subquery(CarePlan.objects.filter(person_id=OuterRef("person_id")).values("review_date"))


def _ordered_ids(episodes: QuerySet[Episode], sort: str, today: dt.date) -> QuerySet[Any]:
    """Episode ids in the chosen order, sorted by the database (every sort but risk)."""
    if sort == "review":
        return episodes.annotate(next_review=_review_date()).order_by(
            F("next_review").asc(nulls_last=True), *_NAME_ORDER
        )
    if sort == "key_worker":
        worker = _key_worker_of(today)
        return episodes.annotate(
            worker_family=Subquery(worker.values("staff__user__last_name")[:1]),
            worker_given=Subquery(worker.values("staff__user__first_name")[:1]),
        ).order_by(
            F("worker_family").asc(nulls_first=True),
            F("worker_given").asc(nulls_first=True),
            *_NAME_ORDER,
        )
    if sort == "start":
        return episodes.order_by("-start_date", *_NAME_ORDER)
    return episodes.order_by(*_NAME_ORDER)


def sorts(run: ScoreRun | None) -> dict[str, str]:
    """The sorts in words: the risk sort by score when scores are loaded."""
    return SORTS if run is None else {**SORTS, "risk": SCORED_RISK}


def risk_scores(run: ScoreRun | None, person_ids: set[str]) -> dict[str, PersonScore]:
    """{person_id: score} in `run` (nothing without a run)."""
    if run is None or not person_ids:
        return {}
    found = PersonScore.objects.filter(run=run, person_id__in=list(person_ids))
    return {s.person_id: s for s in found.only("person_id", "probability", "band")}


def _by_risk(episodes: QuerySet[Episode], today: dt.date, run: ScoreRun | None) -> list[str]:
    """Episode ids, highest risk first (bounded: one row per caseload episode): by score
    when scores are loaded, else by the interim rule's emergency admissions."""
    rows = list(
        episodes.values_list("id", "person_id", "person__family_name", "person__given_name")
    )
    people = {row[1] for row in rows}
    if run is not None:
        probability = {pid: s.probability for pid, s in risk_scores(run, people).items()}
        risk = {pid: -probability.get(pid, -1.0) for pid in people}
    else:
        counts = emergency_admissions(people, today)
        risk = {pid: -float(counts.get(pid, 0)) for pid in people}
    rows.sort(key=lambda r: (risk[r[1]], r[2], r[3], r[1], r[0]))
    return [row[0] for row in rows]


@dataclass(frozen=True)
class CaseloadRow(PersonLine):
    episode: Episode
    admissions: int
    has_plan: bool
    review_date: dt.date | None
    key_worker: StaffMember | None
    today: dt.date
    score: PersonScore | None = None  # when risk scores are loaded and cover the person

    @property
    def person(self) -> Person:
        return self.episode.person

    @property
    def key_worker_name(self) -> str:
        return staff_name(self.key_worker) if self.key_worker is not None else ""

    @property
    def risk_percent(self) -> str:
        return percent(self.score.probability) if self.score is not None else ""

    @property
    def review_overdue(self) -> bool:
        return self.review_date is not None and self.review_date < self.today


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]
    number: int
    pages: int
    total: int
    first: int  # 1-based position of the first row shown (0: none)
    last: int

    @property
    def person_ids(self) -> list[str]:
        """Each person shown, once (the audit's list)."""
        return list(dict.fromkeys(row.person_id for row in self.rows))


def _rows(episode_ids: list[str], today: dt.date, run: ScoreRun | None) -> list[CaseloadRow]:
    """The page's episodes read in full, in the given order."""
    worker = _key_worker_of(today)
    found = {
        e.id: e
        for e in Episode.objects.filter(id__in=episode_ids)
        .select_related("person")
        .annotate(
            next_review=_review_date(),
            has_plan=Exists(CarePlan.objects.filter(person_id=OuterRef("person_id"))),
            worker_id=Subquery(worker.values("staff_id")[:1]),
        )
    }
    episodes = [found[i] for i in episode_ids if i in found]
    counts = emergency_admissions({e.person_id for e in episodes}, today)
    scores = risk_scores(run, {e.person_id for e in episodes})
    workers = StaffMember.objects.select_related("user", "organisation").in_bulk(
        {e.worker_id for e in episodes if e.worker_id is not None}
    )
    return [
        CaseloadRow(
            episode=e,
            admissions=counts.get(e.person_id, 0),
            has_plan=e.has_plan,
            review_date=e.next_review,
            key_worker=workers.get(e.worker_id),
            today=today,
            score=scores.get(e.person_id),
        )
        for e in episodes
    ]


def caseload_page(
    team: Team,
    today: dt.date,
    *,
    sort: str,
    unallocated_only: bool,
    page: str | int | None,
    run: ScoreRun | None = None,
) -> CaseloadPage:
    """One page of the team's caseload on `today`, sorted by `sort` (a key of SORTS); risk
    by `run`'s scores when given."""
    episodes = current_episodes(team, today)
    if unallocated_only:
        episodes = episodes.exclude(
            Exists(current_key_workers(today).filter(person_id=OuterRef("person_id")))
        )
    ordered: Any = (
        _by_risk(episodes, today, run)
        if sort == "risk"
        else _ordered_ids(episodes, sort, today).values_list("id", flat=True)
    )
    paginator = Paginator(ordered, PAGE_SIZE)
    chosen = paginator.get_page(page)
    rows = _rows(list(chosen.object_list), today, run)
    total = paginator.count
    return CaseloadPage(
        rows=rows,
        number=chosen.number,
        pages=paginator.num_pages,
        total=total,
        first=chosen.start_index() if total else 0,
        last=chosen.end_index() if total else 0,
    )


def unallocated_count(team: Team, today: dt.date) -> int:
    """People on the caseload with no current key worker (for the filter's label)."""
    return (
        current_episodes(team, today)
        .exclude(Exists(current_key_workers(today).filter(person_id=OuterRef("person_id"))))
        .count()
    )


def on_caseload(team: Team, person_id: str, today: dt.date) -> bool:
    return current_episodes(team, today).filter(person_id=person_id).exists()
