"""generate_city: a synthetic city's lake and truth/, simulated month by month over everyone.

Each month every step works on arrays over everyone registered that month (no loop over
people): the April risk truth, deaths and moves, case finding, hospital stays and their
discharges, the care that follows, new conditions, community social care, referrals and
contacts, then who arrives next month. Every step draws from its own random stream keyed
by (seed, month, step), so the same seed gives the same files and changing one step's
draws does not reshuffle another's. Everything is written inside a staging folder that
becomes `out` only when complete.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from rich.progress import Progress

from joinedup.lake.schema import TABLE_ORDER
from joinedup.lake.writer import staged_directory, write_table
from joinedup.synth import assumptions as assume
from joinedup.synth import conditions, population
from joinedup.synth.at_risk import AtRisk
from joinedup.synth.budget import BudgetLines
from joinedup.synth.calibration import calibrate, rebase, steady_emergency_rate
from joinedup.synth.city_tables import history_tables, manifest, money_tables, place_tables
from joinedup.synth.community import Community
from joinedup.synth.config import CityConfig
from joinedup.synth.contact_stream import ContactStream
from joinedup.synth.discharge import DischargeContext, Discharges
from joinedup.synth.hospital import Hospital
from joinedup.synth.identifiers import id_width, make_ids
from joinedup.synth.people import Index, People
from joinedup.synth.places import build_places
from joinedup.synth.referrals import Referrals
from joinedup.synth.social_care import SocialCare
from joinedup.synth.teams import Teams, golive_schedule
from joinedup.synth.timeline import NEVER, Month, day_number, financial_years, window_months
from joinedup.synth.truth import admission_risk
from joinedup.synth.truth_files import TruthRecorder

SETUP = 1_000_000  # the "month" number of the streams used before the first month


@dataclass(frozen=True)
class CitySummary:
    """What generate_city wrote: rows per table and truth file, the time it took, the window."""

    rows: dict[str, int]
    seconds: float
    start: dt.date
    end: dt.date
    people: int
    truth_rows: dict[str, int] = field(default_factory=dict)


class Exits(NamedTuple):
    """Each present person's death and move-away day this month (NEVER: none).

    Drawn together, narrowed together (nobody moves from a hospital bed) and read together:
    every later step runs up to the last day a person is both registered and alive.
    """

    death: npt.NDArray[np.int32]
    move: npt.NDArray[np.int32]

    def dying(self) -> npt.NDArray[np.bool_]:
        return self.death != NEVER

    def moved(self) -> npt.NDArray[np.bool_]:
        return self.move != NEVER

    def staying(self, present: AtRisk) -> AtRisk:
        """The same people at risk up to their last registered, alive day."""
        last = np.minimum(np.minimum(present.last, self.death), self.move)
        return present.until(last.astype(np.int32))


def generate_city(
    config: CityConfig, out: Path, progress: Progress | None = None, *, overwrite: bool = False
) -> CitySummary:
    """Simulate the city of `config` and write its lake and truth/ to `out`, all or nothing.

    With overwrite=False an existing non-empty `out` is refused (FileExistsError).
    """
    config.validate()
    started = time.perf_counter()
    with staged_directory(Path(out), overwrite=overwrite) as stage:
        city = City(config, stage, progress)
        rows, truth_rows = city.run()
    return CitySummary(
        rows=rows,
        seconds=time.perf_counter() - started,
        start=config.start,
        end=config.end,
        people=config.people,
        truth_rows=truth_rows,
    )


class City:
    """Every part of the simulation, and the month step that moves them all on together."""

    def __init__(self, config: CityConfig, stage: Path, progress: Progress | None):
        self.config = config
        self.stage = stage
        self.progress = progress
        self.calib = calibrate()
        self.params = params = self.calib.params
        self.months = window_months(config.start, config.end)
        self.start = day_number(config.start)
        self.end = day_number(config.end)
        self.places = build_places(config, self.rng(SETUP, 1))
        k = self.places.count
        self.golive, self.planned = golive_schedule(self.months, k, self.rng(SETUP, 2))
        self.budget = BudgetLines(financial_years(config.start, config.end), self.golive)
        self.person_width = id_width(config.people) - 1
        self.event_width = id_width(config.people)
        nb_width = max(2, len(str(k)))
        self.neighbourhood_ids = make_ids("N", k, nb_width)
        self.team_ids = make_ids("T", k, nb_width)
        practices = len(self.places.practice_neighbourhood)
        self.practice_ids = make_ids("GP", practices, max(3, len(str(practices))))
        self.people = People(int(config.people * 1.5), len(assume.LTCS))
        self.condition_log = conditions.new_condition_log()
        self.care = SocialCare(params, k)
        self.hospital = Hospital(self.calib)
        self.context = DischargeContext(
            np.full(k, 0.9), np.full(k, 0.9), self.golive, config.golive_delay_change
        )
        self.discharges = Discharges(params, self.context)
        self.referrals = Referrals(params, self.golive, config.golive_two_hour_change, self.end)
        self.teams = Teams(self.golive, params.costs)
        self.community = Community(params, self.golive)
        self.truth = TruthRecorder(k)
        self.rates = self.calib.rates
        self.onset_tables = conditions.OnsetTables.build(params, self.calib.onset_norm)
        self.births = np.empty(0, dtype=np.int16)
        self.movers = np.empty(0, dtype=np.int16)
        self.surplus = np.zeros(len(params.age_share))

    def rng(self, month: int, step: int) -> np.random.Generator:
        """The random stream of one step in one month."""
        return np.random.default_rng([self.config.seed, month, step])

    # -- the whole run -----------------------------------------------------------------

    def run(self) -> tuple[dict[str, int], dict[str, int]]:
        task = None
        if self.progress is not None:
            task = self.progress.add_task("Generating city", total=len(self.months) + 2)
        contacts = ContactStream(
            self.stage / "contact.parquet",
            self.person_width,
            self.event_width,
            self.team_ids,
            self.end,
            self.budget.starts,
        )
        self.contacts = contacts
        try:
            self._populate()
            for m, month in enumerate(self.months):
                self._month(m, month, contacts)
                if m + 1 < len(self.months):
                    self.births, self.movers, self.surplus = population.plan_entrants(
                        self.people,
                        self.params,
                        self.months[m + 1],
                        self.config.people,
                        self.rng(m, 15),
                    )
                if self.progress is not None and task is not None:
                    self.progress.advance(task)
            contact_rows = contacts.close()
        except BaseException:
            contacts.abort()
            raise
        rows = self._write_lake(contact_rows)
        if self.progress is not None and task is not None:
            self.progress.advance(task)
        truth_rows = self.truth.write(self)
        if self.progress is not None and task is not None:
            self.progress.advance(task)
        return rows, truth_rows

    def _populate(self) -> None:
        """The people registered on the window's first day, with the care they already receive."""
        rng = self.rng(SETUP, 3)
        people, params = self.people, self.params
        ages = population.initial_ages(params, self.config.people, rng)
        idx = population.enter(
            people,
            self.places,
            ages,
            self.start,
            self.start,
            "initial",
            params,
            rng,
            self.condition_log,
        )
        self.care.initial_stock(people, idx, ages, self.start, rng)
        self.care.placements.clear()
        self.care.set_capacity(people, idx, rng)
        conditions.log_hazards(people, idx, params)
        self.rates = rebase(self.calib, people, idx, ages)
        self.hospital.rates = self.rates
        # stays just before the window (not in the lake): readmission risk starts steady
        rate = steady_emergency_rate(
            self.rates.emergency_base[ages], people.adm_mult[idx].astype(np.float64)
        )
        recent = np.minimum(rate * 30 / 365.25, 1.0)
        year = np.minimum(rate * 335 / 365.25, 1.0) * (1 - recent)
        u = rng.random(len(idx))
        back = np.where(
            u < recent, 1 + rng.random(len(idx)) * 29, 31 + rng.random(len(idx)) * 334
        ).astype(np.int32)
        had = u < recent + year
        people.last_discharge[idx[had]] = self.start - back[had]
        people.busy_until[idx[had]] = self.start - back[had]

    # -- one month ---------------------------------------------------------------------

    def _month(self, m: int, month: Month, contacts: ContactStream) -> None:
        """Move everyone on by one month; each step draws from its own stream (m, step)."""
        contacts.horizon = month.end  # visits planned for later months wait until their month
        self._arrivals(m, month)
        self.teams.close_finished(self.people, month)
        present = self._present(month)
        self._april(m, month, present)
        self._capacity(month, present.idx)
        exits = self._deaths_and_moves(m, present)
        self._case_finding(m, month, exits.staying(present), contacts)
        exits = self._hospital(m, month, present, exits)
        dying, moved = exits.dying(), exits.moved()
        # the month's deaths and moves are now facts
        self.people.death[present.idx[dying]] = exits.death[dying]
        self.people.reg_to[present.idx[moved]] = exits.move[moved]
        self._after_discharges(m, month, contacts)
        self._community(m, month, exits.staying(present), ~dying & ~moved, contacts)
        self._leavers(month, present.idx, exits, contacts)

    def _arrivals(self, m: int, month: Month) -> None:
        """The births and movers planned at the end of last month register."""
        people, params = self.people, self.params
        if len(self.births):
            population.enter(
                people,
                self.places,
                self.births,
                month.start,
                month.end,
                "birth",
                params,
                self.rng(m, 0),
                self.condition_log,
            )
        if len(self.movers):
            population.enter(
                people,
                self.places,
                self.movers,
                month.start,
                month.end,
                "mover",
                params,
                self.rng(m, 0),
                self.condition_log,
            )
            new = np.arange(people.n - len(self.movers), people.n)
            conditions.log_hazards(people, new, params)
        if len(self.births):
            new = np.arange(
                people.n - len(self.movers) - len(self.births), people.n - len(self.movers)
            )
            conditions.log_hazards(people, new, params)

    def _present(self, month: Month) -> AtRisk:
        """Everyone registered this month, with their days at risk cut to the month."""
        people = self.people
        idx = people.present(month.start, month.end)
        ages = population.ages_for(people, idx, month)
        first = np.maximum(people.reg_from[idx], month.start).astype(np.int32)
        last = np.minimum(people.reg_to[idx], month.end).astype(np.int32)
        return AtRisk(people, idx, ages, first, last)

    def _april(self, m: int, month: Month, present: AtRisk) -> None:
        """Each 1 April: base rates for the year ahead, then the true 12-month risk."""
        if month.month != 4:
            return
        people, calib, idx = self.people, self.calib, present.idx
        if m > 0:
            registered = idx[
                (people.reg_from[idx] <= month.start) & (people.death[idx] > month.start)
            ]
            self.rates = rebase(
                calib, people, registered, population.ages_for(people, registered, month)
            )
            self.hospital.rates = self.rates
        if m + 11 < len(self.months) and self.months[m + 11].fraction == 1.0:
            on = (people.reg_from[idx] <= month.start) & (people.death[idx] > month.start)
            who = idx[on]
            _, ready, _ = self.hospital.latest_stay(people, who)
            risk = admission_risk(
                calib,
                self.onset_tables,
                self.rates,
                people,
                who,
                self.months[m : m + 12],
                self.config.caseload_admission_rate_ratio,
                ready,
            )
            self.truth.add_risk(who, month.start, risk)

    def _capacity(self, month: Month, idx: Index) -> None:
        """Capacity in use shapes this month's discharge delays (and is kept as truth)."""
        registered = idx[self.people.reg_from[idx] <= month.start]
        home, beds, home_n, beds_n = self.care.occupancy(self.people, registered, month, self.start)
        self.context.home_occupancy, self.context.care_occupancy = home, beds
        self.truth.add_capacity(
            month,
            home_n,
            self.care.home_care_capacity,
            beds_n,
            self.care.care_home_capacity,
            home,
            beds,
        )

    def _deaths_and_moves(self, m: int, present: AtRisk) -> Exits:
        """This month's death and move-away days (NEVER: none), not yet facts."""
        mu = population.mortality_rate(
            self.people, present.idx, present.ages, self.rates.mortality_base
        )
        death = population.draw_deaths(mu, present.first, present.last, self.rng(m, 2))
        move = population.draw_moves(present, death, self.params, self.surplus, self.rng(m, 3))
        return Exits(death, move)

    def _case_finding(self, m: int, month: Month, staying: AtRisk, contacts: ContactStream) -> None:
        """Case finding before admissions: a caseload changes this month's hazard."""
        people, idx, ages = staying.people, staying.idx, staying.ages
        base = self.rates.emergency_base[ages] * people.adm_mult[idx].astype(np.float64)
        since = month.start - people.last_discharge[idx].astype(np.int64)
        recent = np.where(
            since <= 30,
            assume.READMISSION_HR_30D,
            np.where(since <= 365, assume.READMISSION_HR_365D, 1.0),
        )
        self.teams.case_finding(staying, base * recent, month, contacts, self.rng(m, 1))

    def _hospital(self, m: int, month: Month, present: AtRisk, exits: Exits) -> Exits:
        """Deaths in open stays, discharges now due, admissions and A&E; returns the exits
        left once nobody moves from a hospital bed."""
        people, hospital, idx = self.people, self.hospital, present.idx
        death, move = exits
        dying = exits.dying()
        hospital.die_in_hospital(people, idx[dying], death[dying])
        due = hospital.pending[hospital.spells["ready"][hospital.pending] <= month.end]
        self.discharges.settle(hospital, people, due, month, self.rng(m, 4))
        hospital.die_in_hospital(people, idx[dying], death[dying])
        hospital_last = np.minimum(
            np.minimum(present.last, death), move.astype(np.int64) - 1
        ).astype(np.int32)
        at_risk = present.until(hospital_last)
        emergency = hospital.admit(
            at_risk,
            death,
            self.config.caseload_admission_rate_ratio,
            self.discharges.settle,
            month,
            self.rng(m, 5),
        )
        admitted = np.zeros(len(idx), dtype=bool)
        if len(emergency):
            admitted = np.isin(idx, hospital.spells["person"][emergency].astype(np.int64))
        hospital.electives(
            at_risk.only(~dying & ~admitted), self.discharges.settle, month, self.rng(m, 6)
        )
        move = np.where(people.busy_until[idx] >= move, NEVER, move).astype(np.int32)
        exits = Exits(death, move)
        hospital.attendances(exits.staying(present), emergency, self.rng(m, 7))
        return exits

    def _after_discharges(self, m: int, month: Month, contacts: ContactStream) -> None:
        """Care after this month's discharges: community nursing, caseloads, follow-on care."""
        people = self.people
        who, day, pathway, spells = self.discharges.after_care(
            self.hospital, people, self.care, month, self.rng(m, 8)
        )
        rng = self.rng(m, 9)
        ages_then = population.ages_for(people, who, month)
        reabled = (
            np.isin(spells, self.care.log["after_spell"][self.care.live])
            if len(spells)
            else np.zeros(0, bool)
        )
        nursing = (pathway == 1) & ~reabled & (rng.random(len(who)) < 0.6)
        self.referrals.post_discharge(people, who[nursing], day[nursing], contacts, rng)
        live = self.golive[people.neighbourhood[who].astype(np.int64)] <= day
        supported = (
            ((pathway == 1) | (pathway == 2)) & (ages_then >= 65) & live & (people.death[who] > day)
        )
        take = supported & (rng.random(len(who)) < assume.POST_DISCHARGE_EPISODE_SHARE)
        weeks = rng.exponential(assume.POST_DISCHARGE_EPISODE_WEEKS, len(who)) + 2
        declined = rng.random(len(who)) < 0.1
        self.teams.start(
            people,
            who[take],
            day[take],
            "post_discharge",
            weeks[take],
            declined[take],
            contacts,
            rng,
        )
        self.care.process_schedule(people, month, self.rng(m, 10))

    def _community(
        self,
        m: int,
        month: Month,
        alive: AtRisk,
        staying: npt.NDArray[np.bool_],
        contacts: ContactStream,
    ) -> None:
        """New conditions, community care, referrals and contacts, up to each last day."""
        changed = conditions.monthly_onsets(
            alive, self.onset_tables, self.condition_log, self.rng(m, 11)
        )
        conditions.log_hazards(self.people, changed, self.params)
        self.care.monthly(alive.only(staying), self.rng(m, 12))
        self.referrals.monthly(alive, contacts, self.rng(m, 13))
        self._referral_episodes(month, contacts, self.rng(m, 14))
        self.teams.caseload_contacts(alive, contacts, self.rng(m, 16))
        self.community.monthly(alive, self.hospital, contacts, self.rng(m, 17))

    def _leavers(self, month: Month, idx: Index, exits: Exits, contacts: ContactStream) -> None:
        """Those who died or moved away: their care and caseload episodes end."""
        people = self.people
        death, move = exits
        dying, moved = exits.dying(), exits.moved()
        leaving = dying | moved
        leave_day = np.where(dying, death, move).astype(np.int32)
        self.teams.end_early(people, idx[dying], death[dying], "died")
        self.teams.end_early(people, idx[moved], move[moved], "moved_away")
        for placed, on_day in self.care.placements:
            self.teams.end_early(people, placed, on_day, "care_home")
        self.care.placements.clear()
        self.care.close_for_leavers(people, idx[leaving], leave_day[leaving], month)
        missed, _ = contacts.release(people.column("death"), people.column("reg_to"))
        self.referrals.visits_missed(people, missed)

    def _referral_episodes(
        self, month: Month, contacts: ContactStream, rng: np.random.Generator
    ) -> None:
        """Some accepted urgent or routine referrals of adults with complex needs join caseloads."""
        people = self.people
        for who, day, _ in self.referrals.episode_candidates:
            live = self.golive[people.neighbourhood[who].astype(np.int64)] <= day
            adult = population.ages_for(people, who, month) >= 18
            complex_needs = (people.ltc_count[who] >= 2) | (people.frailty[who] >= 1)
            alive = people.death[who] > day
            take = (
                live
                & adult
                & complex_needs
                & alive
                & (rng.random(len(who)) < assume.REFERRAL_EPISODE_SHARE)
            )
            weeks = rng.exponential(assume.REFERRAL_EPISODE_WEEKS, len(who)) + 2
            declined = np.zeros(len(who), dtype=bool)
            self.teams.start(
                people, who[take], day[take], "referral", weeks[take], declined[take], contacts, rng
            )
        self.referrals.episode_candidates.clear()

    # -- writing -----------------------------------------------------------------------

    def _write_lake(self, contact_rows: int) -> dict[str, int]:
        """Every lake table but the contacts (streamed already), then the manifest."""
        rows: dict[str, int] = {"contact": contact_rows}
        for tables in (
            place_tables(self),
            history_tables(self),
            money_tables(self, self.rng(SETUP, 4)),
        ):
            for name, table in tables:
                write_table(self.stage, name, table)
                rows[name] = table.num_rows
        manifest(self).write(self.stage)
        return {name: rows[name] for name in TABLE_ORDER}
