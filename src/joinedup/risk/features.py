"""Each person's features at an as-of date, defined once in Ibis for every engine.

Only what was known before the as-of date is used, so a model trained on the past is
scored on the present as it was then (no leakage): events dated before it (admissions,
attendances, contacts), conditions recorded before it (`recorded_date`, else the onset
date) and not resolved before it, services and caseload episodes open on it, and hospital
bed days counted only up to it. The population is docs/lake.md's: registered and alive on
the as-of date. Every count is of 0/1 flags or whole days, so an engine cannot round
differently; a person without events has zeros, never nulls, except the deprivation decile
and the days since the last emergency admission, which are null when unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from joinedup.lake.schema import CONDITIONS
from joinedup.lake.vocabulary import CARE_HOME_SERVICES, REABLEMENT_SERVICES
from joinedup.metrics.definitions import age_on, flag

FRAILTY = {"frailty_mild": 1, "frailty_moderate": 2, "frailty_severe": 3}
LONG_TERM = tuple(c for c in CONDITIONS if c not in FRAILTY)
SERVICES_OPEN = {  # feature -> care package service types open on the as-of date
    "home_care": ("home_care",),
    "reablement": REABLEMENT_SERVICES,
    "care_home": CARE_HOME_SERVICES,
    "telecare": ("telecare",),
    "day_care": ("day_care",),
}
CONTACT_SERVICES = ("gp", "community_nursing", "social_work", "mental_health")
LOOKBACK = {"6m": 182, "12m": 365}
DAYS_SINCE_CAP = 730  # "days since the last emergency admission" looks back two years

# The feature columns, in the order models see them.
FEATURES: tuple[str, ...] = (
    "age",
    "female",
    "deprivation_decile",
    "lives_alone",
    "has_unpaid_carer",
    *(f"condition_{c}" for c in LONG_TERM),
    "condition_count",
    "frailty",
    "emergency_6m",
    "emergency_12m",
    "elective_12m",
    "acsc_emergency_12m",
    "fall_emergency_12m",
    "ae_6m",
    "ae_12m",
    "bed_days_12m",
    "delayed_discharge_12m",
    "days_since_emergency",
    *(f"service_{s}" for s in SERVICES_OPEN),
    *(f"contacts_{s}_6m" for s in CONTACT_SERVICES),
    "on_caseload",
)


@dataclass(frozen=True)
class FeatureSources:
    """The lake tables the features read, as Ibis expressions of one engine."""

    person: ir.Table
    condition: ir.Table
    spell: ir.Table
    ae: ir.Table
    contact: ir.Table
    package: ir.Table
    episode: ir.Table


def population(person: ir.Table, as_of: ir.DateValue) -> ir.Table:
    """Registered and alive on the as-of date."""
    registered = (person.registered_from <= as_of) & (
        person.registered_to.isnull() | (person.registered_to >= as_of)
    )
    alive = person.death_date.isnull() | (person.death_date > as_of)
    return person.filter(registered & alive)


def _per_person(table: ir.Table, **values: ir.Value) -> ir.Table:
    return table.group_by("person_id").aggregate(**values)


def _within(day: ir.DateValue, as_of: ir.DateValue, days: int) -> ir.BooleanValue:
    """`day` in the `days` days before the as-of date (the as-of date itself excluded)."""
    return (day < as_of) & (day >= as_of - ibis.interval(days=days))


def _conditions(src: FeatureSources, as_of: ir.DateValue) -> ir.Table:
    c = src.condition
    known = c.recorded_date.fill_null(c.onset_date) < as_of
    current = c.resolved_date.isnull() | (c.resolved_date >= as_of)
    c = c.filter(known & current)
    values: dict[str, ir.Value] = {
        f"condition_{name}": flag(c.condition == name).max() for name in LONG_TERM
    }
    values["frailty"] = c.condition.substitute(FRAILTY, else_=0).max()
    return _per_person(c, **values)


def _spells(src: FeatureSources, as_of: ir.DateValue) -> ir.Table:
    s = src.spell.filter(src.spell.admission_date < as_of)
    emergency = s.admission_method == "emergency"
    # bed days: the part of each stay inside the last 12 months, up to the as-of date
    start = ibis.greatest(s.admission_date, as_of - ibis.interval(days=LOOKBACK["12m"]))
    end = ibis.least(s.discharge_date.fill_null(as_of), as_of)
    nights = ibis.greatest(end.delta(start, unit="day"), 0)
    discharged_12m = s.discharge_date.notnull() & _within(s.discharge_date, as_of, LOOKBACK["12m"])
    delayed = discharged_12m & (s.discharge_date > s.ready_for_discharge_date)
    return _per_person(
        s,
        emergency_6m=flag(emergency & _within(s.admission_date, as_of, LOOKBACK["6m"])).sum(),
        emergency_12m=flag(emergency & _within(s.admission_date, as_of, LOOKBACK["12m"])).sum(),
        elective_12m=flag(
            (s.admission_method == "elective") & _within(s.admission_date, as_of, LOOKBACK["12m"])
        ).sum(),
        acsc_emergency_12m=flag(
            emergency & s.acsc & _within(s.admission_date, as_of, LOOKBACK["12m"])
        ).sum(),
        fall_emergency_12m=flag(
            emergency & s.fall & _within(s.admission_date, as_of, LOOKBACK["12m"])
        ).sum(),
        bed_days_12m=nights.sum(),
        delayed_discharge_12m=flag(delayed).max(),
        last_emergency=ibis.ifelse(
            emergency & _within(s.admission_date, as_of, DAYS_SINCE_CAP), s.admission_date, None
        ).max(),
    )


def _attendances(src: FeatureSources, as_of: ir.DateValue) -> ir.Table:
    a = src.ae
    day = a.arrival.date()
    a = a.filter(day < as_of)
    return _per_person(
        a,
        ae_6m=flag(_within(day, as_of, LOOKBACK["6m"])).sum(),
        ae_12m=flag(_within(day, as_of, LOOKBACK["12m"])).sum(),
    )


def _contacts(src: FeatureSources, as_of: ir.DateValue) -> ir.Table:
    c = src.contact
    c = c.filter(_within(c.contact_date, as_of, LOOKBACK["6m"]))
    return _per_person(
        c, **{f"contacts_{s}_6m": flag(c.service == s).sum() for s in CONTACT_SERVICES}
    )


def _services(src: FeatureSources, as_of: ir.DateValue) -> ir.Table:
    p = src.package
    p = p.filter((p.start_date < as_of) & (p.end_date.isnull() | (p.end_date >= as_of)))
    return _per_person(
        p,
        **{
            f"service_{name}": flag(p.service_type.isin(types)).max()
            for name, types in SERVICES_OPEN.items()
        },
    )


def _caseload(src: FeatureSources, as_of: ir.DateValue) -> ir.Table:
    e = src.episode
    e = e.filter((e.start_date < as_of) & (e.end_date.isnull() | (e.end_date >= as_of)))
    return _per_person(e, on_caseload=flag(e.start_date.notnull()).max())


def features(src: FeatureSources, as_of: dt.date) -> ir.Table:
    """One row per person in the population on `as_of`: person_id, as_of, then FEATURES."""
    day = ibis.literal(as_of, "date")
    people = population(src.person, day)
    base = people.select(
        "person_id",
        age=age_on(people.birth_date, day),
        female=flag(people.sex == "female"),
        deprivation_decile=people.deprivation_decile.cast("int32"),
        lives_alone=flag(people.lives_alone),
        has_unpaid_carer=flag(people.has_unpaid_carer),
    )
    joined = base
    for part in (
        _conditions(src, day),
        _spells(src, day),
        _attendances(src, day),
        _contacts(src, day),
        _services(src, day),
        _caseload(src, day),
    ):
        joined = joined.left_join(part, "person_id").drop("person_id_right")
    counted = [f"condition_{c}" for c in LONG_TERM]
    zeros = {
        name: joined[name].fill_null(0).cast("int32")
        for name in FEATURES
        if name not in ("age", "deprivation_decile", "days_since_emergency")
        and name in joined.columns
    }
    filled = joined.mutate(**zeros)
    return filled.mutate(
        as_of=day,
        age=filled.age.cast("int32"),
        condition_count=sum((filled[c] for c in counted), ibis.literal(0)).cast("int32"),
        days_since_emergency=day.delta(filled.last_emergency, unit="day").cast("int32"),
    ).select("person_id", "as_of", *FEATURES)


def outcome(src: FeatureSources, as_of: dt.date, days: int = 365) -> ir.Table:
    """person_id and `admitted`: 1 if an emergency admission began in the `days` days from
    the as-of date (the as-of date included), for everyone in the population on it."""
    day = ibis.literal(as_of, "date")
    people = population(src.person, day).select("person_id")
    s = src.spell
    later = s.filter(
        (s.admission_method == "emergency")
        & (s.admission_date >= day)
        & (s.admission_date < day + ibis.interval(days=days))
    )
    admitted = _per_person(later, admitted=flag(later.admission_date.notnull()).max())
    joined = people.left_join(admitted, "person_id").drop("person_id_right")
    return joined.mutate(admitted=joined.admitted.fill_null(0).cast("int32"))
