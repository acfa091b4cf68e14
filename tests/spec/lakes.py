"""Small hand-written lakes for the metric spec tests, and readable checks of their rows.

Each spec module writes its people, spells, packages, contacts and budget lines with the
builders below, which fill every column no metric reads with a harmless default, so a case
shows only what matters to it. Expected rows are worked out by hand from docs/metrics.md and
compared here: counts exactly, rates, percentages, means and money to a relative 1e-9.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from joinedup.lake.manifest import Manifest
from joinedup.lake.schema import DATE, DELAY_REASONS, TABLES
from joinedup.lake.writer import write_table

Number = float | int | None
Expected = tuple[Any, ...]  # (metric, period_start, numerator, denominator, value[, suppressed])

COLUMNS = (
    "metric",
    "neighbourhood_id",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "suppressed",
)
TYPES = (
    pa.string(),
    pa.string(),
    pa.date32(),
    pa.date32(),
    pa.float64(),
    pa.float64(),
    pa.float64(),
    pa.bool_(),
)
# delayed_days is reported per reason of the contract and for spells with no reason.
DELAY_REASON_ROWS = (*DELAY_REASONS, "unrecorded")
REL = 1e-9


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- builders: one tuple per row, in the contract's column order -------------------------


def person(
    person_id: str,
    neighbourhood: str,
    born: str,
    *,
    registered_from: str = "2000-01-01",
    registered_to: str | None = None,
    died: str | None = None,
) -> tuple[Any, ...]:
    return (
        person_id,
        born,
        "female",
        5,
        neighbourhood,
        f"gp-{neighbourhood}",
        False,
        False,
        registered_from,
        registered_to,
        died,
    )


def spell(
    spell_id: str,
    person_id: str,
    admitted: str,
    *,
    method: str | None = "emergency",
    acsc: bool = False,
    fall: bool = False,
    ready: str | None = None,
    discharged: str | None = None,
    destination: str | None = None,
    reason: str | None = None,
) -> tuple[Any, ...]:
    return (
        spell_id,
        person_id,
        admitted,
        method,
        None,
        acsc,
        fall,
        ready,
        discharged,
        None,
        destination,
        reason,
        None,
        None,
    )


def package(
    package_id: str,
    person_id: str,
    service: str,
    start: str,
    end: str | None = None,
    *,
    funder: str = "council",
    permanent: bool = False,
    after: str | None = None,
) -> tuple[Any, ...]:
    return (
        package_id,
        person_id,
        service,
        start,
        end,
        None,
        None,
        funder,
        False,
        None,
        permanent,
        after,
        None,
    )


def contact(
    contact_id: str, person_id: str, date: str, service: str, minutes: int | None
) -> tuple[Any, ...]:
    return (contact_id, person_id, date, service, None, None, None, False, minutes, None)


def condition(
    person_id: str, name: str, onset: str, *, recorded: str | None = None,
    resolved: str | None = None,
) -> tuple[Any, ...]:  # fmt: skip
    return (person_id, name, None, onset, recorded, resolved)


def attendance(attendance_id: str, person_id: str, arrival: str) -> tuple[Any, ...]:
    """An A&E attendance arriving at noon UTC on the given day."""
    return (attendance_id, person_id, dt.datetime.fromisoformat(f"{arrival}T12:00:00+00:00"),
            False, None)  # fmt: skip


def episode(
    episode_id: str, person_id: str, neighbourhood: str, start: str, end: str | None = None
) -> tuple[Any, ...]:
    return (episode_id, person_id, f"t-{neighbourhood}", start, end, None, None)


def budget_line(
    line_id: str,
    funder: str,
    start: str,
    end: str,
    planned: float,
    spent: float | None,
    *,
    neighbourhood: str | None = None,
) -> tuple[Any, ...]:
    return (line_id, None, None, funder, neighbourhood, start, end, planned, spent)


def _dicts(name: str, rows: Iterable[tuple[Any, ...]]) -> list[dict[str, Any]]:
    table = TABLES[name]
    result = []
    for row in rows:
        item = dict(zip(table.column_names, row, strict=True))
        for column in table.columns:
            if column.type == DATE and isinstance(item[column.name], str):
                item[column.name] = day(item[column.name])
        result.append(item)
    return result


@dataclass(frozen=True)
class Lake:
    """A whole lake in a few lines: every table written, the unused ones empty."""

    name: str
    window: tuple[str, str]
    neighbourhoods: tuple[str, ...]
    people: tuple[tuple[Any, ...], ...] = ()
    spells: tuple[tuple[Any, ...], ...] = ()
    packages: tuple[tuple[Any, ...], ...] = ()
    contacts: tuple[tuple[Any, ...], ...] = ()
    budget_lines: tuple[tuple[Any, ...], ...] = ()
    conditions: tuple[tuple[Any, ...], ...] = ()
    attendances: tuple[tuple[Any, ...], ...] = ()
    episodes: tuple[tuple[Any, ...], ...] = ()

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        rows: dict[str, Iterable[tuple[Any, ...]]] = {
            "neighbourhood": [(n, n, None) for n in self.neighbourhoods],
            "team": [(f"t-{n}", n, n, None) for n in self.neighbourhoods],
            "gp_practice": [(f"gp-{n}", n, None) for n in self.neighbourhoods],
            "person": self.people,
            "condition": self.conditions,
            "hospital_spell": self.spells,
            "ae_attendance": self.attendances,
            "care_package": self.packages,
            "contact": self.contacts,
            "budget_line": self.budget_lines,
            "episode": self.episodes,
        }
        return {name: _dicts(name, rows.get(name, ())) for name in TABLES}

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in self.tables().items():
            write_table(folder, name, pa.Table.from_pylist(rows, schema=TABLES[name].arrow_schema))
        Manifest(
            observation_start=day(self.window[0]),
            observation_end=day(self.window[1]),
            pseudonymised=False,
            purpose="synthetic",
            source="tests",
        ).write(folder)
        return folder


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    period_end: dt.date
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool


Key = tuple[str, str, dt.date]  # metric, neighbourhood_id, period_start


class Result:
    """compute_metrics' table as rows keyed by (metric, neighbourhood_id, period_start)."""

    def __init__(self, table: pa.Table) -> None:
        assert tuple(table.column_names) == COLUMNS, table.column_names
        found = tuple(table.schema.field(name).type for name in COLUMNS)
        assert found == TYPES, f"column types {found}, expected {TYPES}"
        self.table = table
        self.keys: list[Key] = []
        self.rows: dict[Key, Row] = {}
        for item in table.to_pylist():
            key = (item["metric"], item["neighbourhood_id"], item["period_start"])
            assert key not in self.rows, f"duplicate row {key}"
            self.keys.append(key)
            self.rows[key] = Row(
                item["period_end"],
                item["numerator"],
                item["denominator"],
                item["value"],
                item["suppressed"],
            )

    def row(self, metric: str, group: str, start: dt.date) -> Row:
        try:
            return self.rows[(metric, group, start)]
        except KeyError:
            raise AssertionError(f"no row for {metric} / {group} / {start}") from None

    def metric_names(self) -> set[str]:
        return {key[0] for key in self.keys}

    def groups(self, metric: str) -> set[str]:
        return {key[1] for key in self.keys if key[0] == metric}

    def starts(self, metric: str) -> list[dt.date]:
        return sorted({key[2] for key in self.keys if key[0] == metric})


def _same_count(found: float | None, expected: Number) -> bool:
    if expected is None or found is None:
        return expected is None and found is None
    return found == expected


def _same_float(found: float | None, expected: Number) -> bool:
    if expected is None or found is None:
        return expected is None and found is None
    if expected == 0:
        return found == 0
    return math.isclose(found, expected, rel_tol=REL, abs_tol=0.0)


def assert_rows(
    result: Result, group: str, expected: Sequence[Expected], *, money: bool = False
) -> None:
    """Each expected (metric, period_start, numerator, denominator, value[, suppressed]) row
    of `group`; every mismatch is listed, not just the first."""
    problems = []
    same_total = _same_float if money else _same_count
    for metric, start, numerator, denominator, value, *flag in expected:
        suppressed = flag[0] if flag else False
        key = (metric, group, start)
        found = result.rows.get(key)
        want = (numerator, denominator, value, suppressed)
        if found is None:
            problems.append(f"{metric} {group} {start}: no row (expected {want})")
            continue
        got = (found.numerator, found.denominator, found.value, found.suppressed)
        if not (
            same_total(found.numerator, numerator)
            and same_total(found.denominator, denominator)
            and _same_float(found.value, value)
            and found.suppressed == suppressed
        ):
            problems.append(f"{metric} {group} {start}: expected {want}, got {got}")
    assert not problems, "\n".join(problems)


def assert_all_is_sum(
    result: Result, metrics: Iterable[str], neighbourhoods: Sequence[str]
) -> None:
    """'ALL' counts equal the sums over the neighbourhoods (every person has one)."""
    problems = []
    for metric in metrics:
        for start in result.starts(metric):
            whole = result.row(metric, "ALL", start)
            parts = [result.row(metric, n, start) for n in neighbourhoods]
            for field_name in ("numerator", "denominator"):
                values = [getattr(p, field_name) for p in parts]
                total = getattr(whole, field_name)
                if total is None or None in values:
                    if not (total is None and all(v is None for v in values)):
                        problems.append(f"{metric} {start} {field_name}: {total} vs {values}")
                elif total != sum(values):
                    problems.append(f"{metric} {start} {field_name}: ALL {total}, parts {values}")
    assert not problems, "\n".join(problems)


def assert_row_set(
    result: Result,
    metrics: Iterable[str],
    groups: Iterable[str],
    periods: Sequence[tuple[dt.date, dt.date]],
) -> None:
    """Exactly one row per metric x group x period, with the period's end, sorted."""
    expected = {(m, g, start) for m in metrics for g in groups for start, _ in periods}
    found = set(result.keys)
    assert found == expected, (
        f"missing {sorted(expected - found)[:10]}, unexpected {sorted(found - expected)[:10]}"
    )
    ends = dict(periods)
    wrong = [k for k in result.keys if result.rows[k].period_end != ends[k[2]]]
    assert not wrong, f"wrong period_end on {wrong[:10]}"
    assert result.keys == sorted(result.keys), "rows not sorted by metric, group, period_start"
