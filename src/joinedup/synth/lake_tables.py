"""The generator's event logs turned into the contract's tables (docs/lake.md).

Everything here is what the lake can know on the window's last day: a stay not yet ended
has no discharge date, a package or episode still running has no end date, a condition
recorded after the window (or after its person left) is not there yet, a referral still
being worked on is in-progress. Ids are prefix + row number, zero-padded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from joinedup.lake.schema import (
    ADMISSION_METHODS,
    BUDGET_MODES,
    CONDITIONS,
    DELAY_REASONS,
    DELAY_RESPONSIBILITIES,
    DISCHARGE_DESTINATIONS,
    EPISODE_END_REASONS,
    EPISODE_REASONS,
    PACKAGE_FUNDERS,
    REFERRAL_SOURCES,
    SERVICE_TYPES,
    SEX,
    TASK_STATUSES,
    URGENCIES,
)
from joinedup.synth import diagnoses
from joinedup.synth.assumptions import SNOMED
from joinedup.synth.eventlog import EventLog
from joinedup.synth.hospital import DIED, ELECTIVE
from joinedup.synth.identifiers import format_ids, make_ids
from joinedup.synth.people import People
from joinedup.synth.referrals import REASONS
from joinedup.synth.timeline import NEVER

Array = npt.NDArray[Any]


def dates(days: Array, null: Array | None = None) -> pa.Array:
    """date32 from day numbers, null where `null` is true."""
    return pa.array(days.astype(np.int32), pa.int32(), mask=null).cast(pa.date32())


def instants(us: Array, null: Array | None = None) -> pa.Array:
    return pa.array(us.astype(np.int64), pa.int64(), mask=null).cast(pa.timestamp("us", tz="UTC"))


def labels(codes: Array, names: tuple[str, ...]) -> pa.Array:
    """Strings from small integer codes (negative: null)."""
    codes = codes.astype(np.int32)
    return pa.DictionaryArray.from_arrays(
        pa.array(codes, pa.int32(), mask=codes < 0), pa.array(names)
    ).cast(pa.string())


def optional(values: Array, null: Array) -> pa.Array:
    return pa.array(values, mask=null)


def neighbourhood_table(ids: pa.Array, names: tuple[str, ...], population: Array) -> pa.Table:
    return pa.table(
        {
            "neighbourhood_id": ids,
            "name": pa.array(names),
            "population": pa.array(population.astype(np.int32)),
        }
    )


def team_table(
    ids: pa.Array, neighbourhood_ids: pa.Array, names: tuple[str, ...], golive: Array
) -> pa.Table:
    return pa.table(
        {
            "team_id": ids,
            "neighbourhood_id": neighbourhood_ids,
            "name": pa.array([f"{n} integrated neighbourhood team" for n in names]),
            "go_live_date": dates(golive, golive == NEVER),
        }
    )


def practice_table(
    ids: pa.Array, neighbourhood: Array, neighbourhood_ids: pa.Array, names: tuple[str, ...]
) -> pa.Table:
    counts: dict[int, int] = {}
    practice_names = []
    for nb in neighbourhood.tolist():
        counts[nb] = counts.get(nb, 0) + 1
        practice_names.append(f"{names[nb]} Medical Practice {counts[nb]}")
    return pa.table(
        {
            "practice_id": ids,
            "neighbourhood_id": neighbourhood_ids.take(pa.array(neighbourhood)),
            "name": pa.array(practice_names),
        }
    )


def person_table(
    people: People, width: int, neighbourhood_ids: pa.Array, practice_ids: pa.Array, end: int
) -> pa.Table:
    n = people.n
    reg_to = people.column("reg_to")
    death = people.column("death")
    return pa.table(
        {
            "person_id": make_ids("P", n, width),
            "birth_date": dates(people.column("birth")),
            "sex": labels(people.column("sex"), SEX),
            "deprivation_decile": pa.array(people.column("decile")),
            "neighbourhood_id": neighbourhood_ids.take(
                pa.array(people.column("neighbourhood").astype(np.int32))
            ),
            "practice_id": practice_ids.take(pa.array(people.column("practice"))),
            "lives_alone": pa.array(people.column("alone")),
            "has_unpaid_carer": pa.array(people.column("carer")),
            "registered_from": dates(people.column("reg_from")),
            "registered_to": dates(reg_to, (reg_to == NEVER) | (reg_to > end)),
            "death_date": dates(death, (death == NEVER) | (death > end)),
        }
    )


def condition_table(log: EventLog, people: People, width: int, end: int) -> pa.Table:
    person = log["person"].astype(np.int64)
    recorded = log["recorded"]
    known = np.where(recorded == NEVER, log["onset"], recorded)
    last = np.minimum(np.minimum(people.death[person], people.reg_to[person]), end)
    keep = (known <= last) & (log["onset"] <= last)
    person = person[keep]
    code = log["condition"][keep]
    snomed = pa.array([SNOMED[c] for c in CONDITIONS])
    resolved = log["resolved"][keep]
    rec = recorded[keep]
    return pa.table(
        {
            "person_id": format_ids("P", person, width),
            "condition": labels(code, CONDITIONS),
            "snomed_code": snomed.take(pa.array(code.astype(np.int32))),
            "onset_date": dates(log["onset"][keep]),
            "recorded_date": dates(rec, rec == NEVER),
            "resolved_date": dates(resolved, (resolved == NEVER) | (resolved > end)),
        }
    )


def spell_cost(
    method: Array, admission: Array, discharge: Array, costs: dict[str, float]
) -> npt.NDArray[np.float64]:
    """National Cost Collection prices: short (under two days) and long stays, plus excess days."""
    los = discharge.astype(np.int64) - admission
    emergency = np.where(
        los < 2,
        costs["emergency_admission_short_stay"],
        costs["emergency_admission_long_stay"] + costs["excess_bed_day"] * np.maximum(los - 14, 0),
    )
    elective = np.where(
        los == 0,
        costs["elective_day_case"],
        costs["elective_ordinary"] + costs["excess_bed_day"] * np.maximum(los - 10, 0),
    )
    return np.where(method == ELECTIVE, elective, emergency).astype(np.float64)


def spell_table(
    log: EventLog, width: int, person_width: int, end: int, costs: dict[str, float]
) -> pa.Table:
    discharge = log["discharge"]
    ready = log["ready"]
    out = (discharge == NEVER) | (discharge > end)
    not_ready = (ready == NEVER) | (ready > end)
    pathway = np.where(not_ready, -1, log["pathway"])
    destination = np.where(out, -1, log["destination"])
    reason = np.where(not_ready, -1, log["reason"])
    responsibility = np.where(not_ready, -1, log["responsibility"])
    died = log["destination"] == DIED
    pathway = np.where(died, -1, pathway)
    codes = pa.array(diagnoses.CODES)
    cost = spell_cost(log["method"], log["admission"], discharge, costs)
    return pa.table(
        {
            "spell_id": make_ids("S", len(log), width),
            "person_id": format_ids("P", log["person"], person_width),
            "admission_date": dates(log["admission"]),
            "admission_method": labels(log["method"], ADMISSION_METHODS),
            "primary_diagnosis": codes.take(pa.array(log["diagnosis"].astype(np.int32))),
            "acsc": pa.array(log["acsc"]),
            "fall": pa.array(log["fall"]),
            "ready_for_discharge_date": dates(ready, not_ready | died),
            "discharge_date": dates(discharge, out),
            "discharge_pathway": pa.array(pathway.astype(np.int8), mask=pathway < 0),
            "discharge_destination": labels(destination, DISCHARGE_DESTINATIONS),
            "delay_reason": labels(reason, DELAY_REASONS),
            "delay_responsibility": labels(responsibility, DELAY_RESPONSIBILITIES),
            "cost": pa.array(cost, mask=out),
        }
    )


def ae_table(log: EventLog, width: int, person_width: int, cost: float) -> pa.Table:
    order = np.argsort(log["arrival"], kind="stable")
    return pa.table(
        {
            "attendance_id": make_ids("A", len(log), width),
            "person_id": format_ids("P", log["person"][order], person_width),
            "arrival": instants(log["arrival"][order]),
            "admitted": pa.array(log["admitted"][order]),
            "cost": pa.array(np.full(len(log), cost)),
        }
    )


def referral_table(log: EventLog, width: int, person_width: int, team_ids: pa.Array) -> pa.Table:
    team = log["team"].astype(np.int64)
    accepted = log["accepted"]
    closed = log["closed"]
    return pa.table(
        {
            "referral_id": make_ids("R", len(log), width),
            "person_id": format_ids("P", log["person"], person_width),
            "received_at": instants(log["received"]),
            "source": labels(log["source"], REFERRAL_SOURCES),
            "urgency": labels(log["urgency"], URGENCIES),
            "reason": labels(log["reason"], REASONS),
            "team_id": team_ids.take(pa.array(team, mask=team < 0)),
            "status": labels(log["status"], TASK_STATUSES),
            "accepted_at": instants(accepted, accepted < 0),
            "closed_at": instants(closed, closed < 0),
        }
    )


def episode_table(
    log: EventLog, width: int, person_width: int, team_ids: pa.Array, end: int
) -> pa.Table:
    finish = log["end"]
    ongoing = finish > end
    end_reason = np.where(ongoing, -1, log["end_reason"])
    return pa.table(
        {
            "episode_id": make_ids("E", len(log), width),
            "person_id": format_ids("P", log["person"], person_width),
            "team_id": team_ids.take(pa.array(log["team"].astype(np.int32))),
            "start_date": dates(log["start"]),
            "end_date": dates(finish, ongoing),
            "reason": labels(log["reason"], EPISODE_REASONS),
            "end_reason": labels(end_reason, EPISODE_END_REASONS),
        }
    )


def package_table(
    log: EventLog,
    width: int,
    person_width: int,
    spell_width: int,
    line: Array,
    line_ids: pa.Array,
    end: int,
) -> pa.Table:
    finish = log["end"]
    hours = log["hours"].astype(np.float64)
    weekly = log["weekly_cost"].astype(np.float64)
    after = log["after_spell"]
    return pa.table(
        {
            "package_id": make_ids("K", len(log), width),
            "person_id": format_ids("P", log["person"], person_width),
            "service_type": labels(log["service"], SERVICE_TYPES),
            "start_date": dates(log["start"]),
            "end_date": dates(finish, finish > end),
            "hours_per_week": pa.array(hours, mask=np.isnan(hours)),
            "weekly_cost": pa.array(np.round(weekly, 2), mask=np.isnan(weekly)),
            "funder": labels(log["funder"], PACKAGE_FUNDERS),
            "personal_budget": pa.array(log["personal_budget"]),
            "budget_mode": labels(log["budget_mode"], BUDGET_MODES),
            "permanent": pa.array(log["permanent"]),
            "after_spell_id": format_ids("S", after, spell_width),
            "budget_line_id": line_ids.take(pa.array(line, mask=line < 0)),
        }
    )
