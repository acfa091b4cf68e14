"""Every metric of docs/metrics.md, written once as Ibis expressions that every engine executes.

Each query returns counts per neighbourhood and period (`neighbourhood_id`, `period_start`,
`part`, `numerator`, `denominator`); the long form, the whole-area rows, the zero rows and
the rates are made from those counts once, in `long_form.py`, so no engine can round or
divide differently. Ages follow docs/lake.md (completed years, not year boundaries), day
differences are whole days, and every sum is of 0/1 flags so an empty group is 0, never null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
from ibis import _

from joinedup.lake.vocabulary import (
    CARE_HOME_SERVICES,
    COUNCIL_SUPPORTED_FUNDERS,
    REABLEMENT_SERVICES,
)
from joinedup.metrics.periods import Period

UNRECORDED = "unrecorded"


@dataclass(frozen=True)
class Sources:
    """The lake's tables as Ibis expressions, and the periods being reported."""

    person: ir.Table
    spell: ir.Table
    package: ir.Table
    contact: ir.Table
    budget_line: ir.Table
    periods: ir.Table  # period_start, period_end, midpoint
    kind: str
    observation_end: dt.date


def periods_table(periods: list[Period]) -> ir.Table:
    return ibis.memtable(
        {
            "period_start": [p.start for p in periods],
            "period_end": [p.end for p in periods],
            "midpoint": [p.midpoint for p in periods],
        },
        schema={"period_start": "date", "period_end": "date", "midpoint": "date"},
    )


def age_on(birth: ir.DateValue, day: ir.DateValue) -> ir.IntegerValue:
    """Completed years: the difference of the years, less one before the birthday."""
    before_birthday = (day.month() * 100 + day.day()) < (birth.month() * 100 + birth.day())
    return day.year() - birth.year() - before_birthday.cast("int32")


def period_key(day: ir.DateValue, kind: str) -> ir.DateValue:
    """The first day of the month, quarter or financial year (from 1 April) holding `day`."""
    if kind == "month":
        return ibis.date(day.year(), day.month(), 1)
    if kind == "quarter":
        return ibis.date(day.year(), (day.month() - 1) // 3 * 3 + 1, 1)
    year = ibis.ifelse(day.month() >= 4, day.year(), day.year() - 1)
    return ibis.date(year, 4, 1)


def flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    """1 where the condition holds, 0 where it fails or is unknown (a null is not a yes)."""
    return ibis.ifelse(condition.fill_null(False), 1, 0)


def in_periods(src: Sources, table: ir.Table, day: ir.DateValue) -> ir.Table:
    """Rows whose `day` falls in a reported period, with that period's start."""
    keyed = table.mutate(period_start=period_key(day, src.kind))
    return keyed.semi_join(src.periods, "period_start")


def with_person(src: Sources, table: ir.Table) -> ir.Table:
    """Each row with its person's neighbourhood, birth date and death date."""
    person = src.person.select("person_id", "neighbourhood_id", "birth_date", "death_date")
    return table.join(person, "person_id")


def counts(
    table: ir.Table,
    numerator: ir.IntegerValue | ir.FloatingValue,
    denominator: ir.IntegerValue | ir.FloatingValue | None = None,
    part: ir.StringValue | None = None,
    group: ir.StringValue | None = None,
) -> ir.Table:
    """The shape every query returns: one row per (group, period, part)."""
    keys = {
        "neighbourhood_id": group if group is not None else table.neighbourhood_id,
        "period_start": table.period_start,
        "part": part if part is not None else ibis.literal("", "string"),
    }
    den = _total(table, denominator) if denominator is not None else ibis.null("float64")
    return table.group_by(**keys).aggregate(
        numerator=_total(table, numerator).cast("float64"), denominator=den.cast("float64")
    )


def _total(table: ir.Table, value: ir.Value) -> ir.Value:
    """The sum of a column, or of a constant (1: the number of rows) over the group."""
    return table.count() * value if isinstance(value, ir.Scalar) else value.sum()


# --- people in the population (denominators) --------------------------------------------


def sixty_fifth_birthday(birth: ir.DateValue) -> ir.DateValue:
    """The day someone turns 65. Born on 29 February, they turn 65 on 1 March, as the age
    rule says: 65 years after a leap year is never one."""
    leap_day = (birth.month() == 2) & (birth.day() == 29)
    return ibis.ifelse(
        leap_day,
        ibis.date(birth.year() + 65, 3, 1),
        ibis.date(birth.year() + 65, birth.month(), birth.day()),
    )


def population(src: Sources) -> ir.Table:
    """Registered and alive on each period's midpoint, all ages and aged 65 or over.

    Each person is present over one span of days (registered, alive; and from their 65th
    birthday for the older count), so the people present on a day are those whose span began
    on or before it less those whose span ended before it. Counting span starts and ends per
    day, rather than pairing every person with every period, keeps this small at any size.
    """
    person = src.person
    last_day = ibis.least(
        person.registered_to.fill_null(ibis.date(9999, 12, 31)),
        (person.death_date - ibis.interval(days=1)).fill_null(ibis.date(9999, 12, 31)),
    )
    spans = person.select(
        "neighbourhood_id",
        first_day=person.registered_from,
        first_day_65=ibis.greatest(person.registered_from, sixty_fifth_birthday(person.birth_date)),
        last_day=last_day,
    )
    counted = [
        ("population", spans.filter(spans.first_day <= spans.last_day), "first_day"),
        ("population_65", spans.filter(spans.first_day_65 <= spans.last_day), "first_day_65"),
    ]
    changes = []
    for measure, present, start in counted:
        for day, sign, on_or_before in ((start, 1, True), ("last_day", -1, False)):
            per_day = present.group_by("neighbourhood_id", day=present[day]).aggregate(
                people=present.count()
            )
            periods = src.periods
            reached = (
                per_day.day <= periods.midpoint
                if on_or_before
                else (per_day.day < periods.midpoint)
            )
            joined = per_day.join(periods, reached)
            changes.append(
                joined.select(
                    "neighbourhood_id",
                    "period_start",
                    measure=ibis.literal(measure),
                    people=joined.people * sign,
                )
            )
    return (
        ibis.union(*changes)
        .group_by("neighbourhood_id", "period_start", "measure")
        .aggregate(people=_.people.sum())
    )


# --- hospital admissions (1-4) ----------------------------------------------------------


def emergency_admissions(src: Sources) -> ir.Table:
    spells = src.spell.filter(src.spell.admission_method == "emergency")
    return in_periods(src, with_person(src, spells), spells.admission_date)


def _admissions(older: bool, where: Callable[[ir.Table], ir.BooleanValue] | None) -> Callable:
    def query(src: Sources) -> ir.Table:
        rows = emergency_admissions(src)
        keep = flag(where(rows)) if where else ibis.literal(1)
        if older:
            keep = keep * flag(age_on(rows.birth_date, rows.admission_date) >= 65)
        return counts(rows, keep)

    return query


emergency_admissions_65plus = _admissions(older=True, where=None)
emergency_admissions_all = _admissions(older=False, where=None)
avoidable_admissions = _admissions(older=False, where=lambda rows: rows.acsc)
falls_admissions_65plus = _admissions(older=True, where=lambda rows: rows.fall)


# --- discharges (5-8, 13) ---------------------------------------------------------------


def discharges(src: Sources) -> ir.Table:
    spells = src.spell.filter(src.spell.discharge_date.notnull())
    return in_periods(src, with_person(src, spells), spells.discharge_date)


def discharge_to_usual_residence(src: Sources) -> ir.Table:
    rows = discharges(src)
    where = rows.discharge_destination
    return counts(
        rows,
        flag(where == "usual_residence"),
        flag(where.notnull() & (where != "died")),
    )


def adult_delay_spells(src: Sources) -> ir.Table:
    """Discharged in the period, 18 or over at discharge, ready date recorded; delay in days."""
    rows = discharges(src)
    rows = rows.filter(
        rows.ready_for_discharge_date.notnull()
        & (age_on(rows.birth_date, rows.discharge_date) >= 18)
    )
    days = rows.discharge_date.delta(rows.ready_for_discharge_date, unit="day")
    return rows.mutate(delay=ibis.greatest(days, 0))


def discharged_on_ready_date(src: Sources) -> ir.Table:
    rows = adult_delay_spells(src)
    return counts(rows, flag(rows.delay == 0), ibis.literal(1))


def mean_delay_of_delayed(src: Sources) -> ir.Table:
    rows = adult_delay_spells(src)
    return counts(rows, rows.delay, flag(rows.delay > 0))


def delayed_days(src: Sources) -> ir.Table:
    """The total, and the total per delay reason (`unrecorded` where none was given)."""
    rows = adult_delay_spells(src)
    total = counts(rows, rows.delay)
    reason = rows.delay_reason.fill_null(UNRECORDED)
    return total.union(counts(rows, rows.delay, part=reason))


def mean_delay_of_all(src: Sources) -> ir.Table:
    rows = adult_delay_spells(src)
    return counts(rows, rows.delay, ibis.literal(1))


# --- care homes and reablement (9, 10) --------------------------------------------------


def _in_place(other: ir.Table, day: ir.DateValue) -> ir.BooleanValue:
    return (other.start_date <= day) & (other.end_date.isnull() | (other.end_date >= day))


def care_home_admissions_65plus(src: Sources) -> ir.Table:
    """People 65+ starting a council-supported permanent placement, not a move between homes."""
    package = src.package
    placements = package.filter(
        package.service_type.isin(CARE_HOME_SERVICES)
        & package.permanent
        & package.funder.isin(COUNCIL_SUPPORTED_FUNDERS)
    )
    rows = in_periods(src, with_person(src, placements), placements.start_date)
    rows = rows.filter(age_on(rows.birth_date, rows.start_date) >= 65)
    other = package.filter(
        package.service_type.isin(CARE_HOME_SERVICES) & package.permanent
    ).select(
        other_person=package.person_id,
        other_package=package.package_id,
        start_date=package.start_date,
        end_date=package.end_date,
    )
    day_before = rows.start_date - ibis.interval(days=1)
    moves = rows.anti_join(
        other,
        [
            rows.person_id == other.other_person,
            rows.package_id != other.other_package,
            _in_place(other, rows.start_date) | _in_place(other, day_before),
        ],
    )
    people = moves.select("neighbourhood_id", "period_start", "person_id").distinct()
    return counts(people, ibis.literal(1))


def reablement_at_home_91d(src: Sources) -> ir.Table:
    """Discharges of people 65+ followed by reablement: at home, alive, 91 days later."""
    package = src.package
    followed = package.filter(package.service_type.isin(REABLEMENT_SERVICES)).select(
        spell_id=package.after_spell_id
    )
    rows = discharges(src)
    where = rows.discharge_destination
    rows = rows.filter(
        (where.isnull() | (where != "died")) & (age_on(rows.birth_date, rows.discharge_date) >= 65)
    )
    rows = rows.semi_join(followed, "spell_id")
    rows = rows.mutate(day91=rows.discharge_date + ibis.interval(days=91))
    rows = rows.filter(rows.day91 <= src.observation_end)

    spell = src.spell.select(
        in_person=src.spell.person_id,
        admitted=src.spell.admission_date,
        left=src.spell.discharge_date,
    )
    in_hospital = (spell.admitted <= rows.day91) & (spell.left.isnull() | (spell.left > rows.day91))
    homes = package.filter(package.service_type.isin(CARE_HOME_SERVICES)).select(
        home_person=package.person_id, start_date=package.start_date, end_date=package.end_date
    )
    at_home = (
        rows.filter(rows.death_date.isnull() | (rows.death_date > rows.day91))
        .anti_join(spell, [rows.person_id == spell.in_person, in_hospital])
        .anti_join(homes, [rows.person_id == homes.home_person, _in_place(homes, rows.day91)])
        .select("spell_id", home=ibis.literal(1))
    )
    rows = rows.left_join(at_home, "spell_id")
    return counts(rows, flag(rows.home.notnull()), ibis.literal(1))


# --- urgent community response and pooled budgets (11, 12) ------------------------------


def two_hour_response(src: Sources) -> ir.Table:
    contact = src.contact
    visits = contact.filter(
        (contact.service == "rapid_response") & contact.response_minutes.notnull()
    )
    rows = in_periods(src, with_person(src, visits), visits.contact_date)
    return counts(rows, flag(rows.response_minutes <= 120), ibis.literal(1))


def pooled_budget_spent(src: Sources) -> ir.Table:
    """Whole budget lines overlapping the period, area-wide, in total and per funder."""
    lines = _overlapping(src)
    area = ibis.literal("ALL", "string")
    spent = lines.spent.fill_null(0.0)
    planned = lines.planned.fill_null(0.0)
    total = counts(lines, spent, planned, group=area)
    return total.union(counts(lines, spent, planned, part=lines.funder, group=area))


def _overlapping(src: Sources) -> ir.Table:
    line = src.budget_line.select(
        "funder", "spent", "planned", line_start="period_start", line_end="period_end"
    )
    rows = line.cross_join(src.periods)
    return rows.filter((rows.line_start <= rows.period_end) & (rows.line_end >= rows.period_start))
