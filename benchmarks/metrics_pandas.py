"""Every metric of docs/metrics.md in plain pandas: the baseline of the metrics benchmark.

Written from the docs/metrics.md text alone, the way an analyst would in pandas (read the
columns needed, merge events onto people, group and count), without looking at
src/joinedup/metrics. Being independent, it is also a second opinion: the benchmark fails
when it and compute_metrics disagree. Same output as compute_metrics: long form, one row
per metric x group x period, sorted by metric, neighbourhood_id, period_start.

    .venv/bin/python benchmarks/metrics_pandas.py var/bench/city-100000 --out metrics.parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.lake import read_manifest
from joinedup.lake.schema import BUDGET_FUNDERS, DELAY_REASONS

ALL = "ALL"
FREQ = {"month": "M", "quarter": "Q", "year": "Y-MAR"}  # Y-MAR: years ending in March
RESULT_SCHEMA = pa.schema(
    [
        ("metric", pa.string()),
        ("neighbourhood_id", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),
        ("suppressed", pa.bool_()),
    ]
)
RATE, PERCENTAGE, MEAN, TOTAL = 100_000.0, 100.0, 1.0, 0.0
# How publication treats each metric's figures: (numerator is a count, denominator is a
# count); figures that are not counts are day totals (rounded) or money (shown as is).
COUNTS = {
    "emergency_admissions_65plus_per_100k": (True, True),
    "emergency_admissions_per_100k": (True, True),
    "avoidable_admissions_per_100k": (True, True),
    "falls_admissions_65plus_per_100k": (True, True),
    "discharge_to_usual_residence_pct": (True, True),
    "discharged_on_ready_date_pct": (True, True),
    "mean_discharge_delay_days": (False, True),
    "delayed_days": (False, False),
    "care_home_admissions_65plus_per_100k": (True, True),
    "reablement_at_home_91d_pct": (True, True),
    "two_hour_response_pct": (True, True),
    "pooled_budget_spent_pct": (False, False),
    "mean_discharge_delay_all_days": (False, True),
}
METRICS = tuple(COUNTS)


def read(lake: Path, table: str, columns: list[str]) -> pd.DataFrame:
    """One lake table (file or folder of Parquet), dates as datetime64."""
    path = lake / f"{table}.parquet"
    if not path.exists():
        path = lake / table
    return pd.read_parquet(path, columns=columns, to_pandas_kwargs={"date_as_object": False})


def reported_periods(
    window: tuple[pd.Timestamp, pd.Timestamp],
    period: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """The periods wholly inside the window (or from `start`'s to `end`'s), with midpoints."""
    first, last = window
    freq = FREQ[period]
    spans = pd.period_range(first, last, freq=freq)
    periods = pd.DataFrame(
        {
            "period_start": spans.start_time.normalize(),
            "period_end": spans.end_time.normalize(),
        }
    )
    periods = periods[(periods.period_start >= first) & (periods.period_end <= last)]
    for day, side in ((start, "start"), (end, "end")):
        if day is None:
            continue
        wanted = pd.Period(day, freq=freq).start_time
        if wanted not in set(periods.period_start):
            raise ValueError(f"the {period} containing {day} ({side}) is not wholly observed")
        keep = periods.period_start >= wanted if side == "start" else periods.period_start <= wanted
        periods = periods[keep]
    periods = periods.reset_index(drop=True)
    half = (periods.period_end - periods.period_start).dt.days // 2
    periods["midpoint"] = periods.period_start + pd.to_timedelta(half, unit="D")
    return periods


def age_on(birth: pd.Series, day: pd.Series | pd.Timestamp) -> pd.Series:
    """Completed years on `day` (docs/lake.md): year difference, less one before the birthday."""
    if isinstance(day, pd.Timestamp):
        year, month, dom = day.year, day.month, day.day
    else:
        year, month, dom = day.dt.year, day.dt.month, day.dt.day
    before = (month < birth.dt.month) | ((month == birth.dt.month) & (dom < birth.dt.day))
    return year - birth.dt.year - before.astype(int)


def period_of(dates: pd.Series, period: str, periods: pd.DataFrame) -> pd.Series:
    """The reported period_start each date falls in (NaT for dates outside them)."""
    starts = dates.dt.to_period(FREQ[period]).dt.start_time
    return starts.where(starts.isin(periods.period_start))


def tally(
    events: pd.DataFrame, columns: list[str], groups: list[str], periods: pd.DataFrame
) -> pd.DataFrame:
    """Sums of `columns` per (neighbourhood_id, period_start) and for ALL, zeros included."""
    events = events[events.period_start.notna()]
    by_group = events.groupby(["neighbourhood_id", "period_start"])[columns].sum()
    area = events.groupby("period_start")[columns].sum()
    area.index = pd.MultiIndex.from_product([[ALL], area.index])
    grid = pd.MultiIndex.from_product(
        [[*groups, ALL], periods.period_start], names=["neighbourhood_id", "period_start"]
    )
    return pd.concat([by_group, area]).reindex(grid, fill_value=0).astype(float)


def population(people: pd.DataFrame, groups: list[str], periods: pd.DataFrame) -> pd.DataFrame:
    """People registered and alive on each period's midpoint, all ages and aged 65 or over."""
    counts = []
    for period_start, midpoint in zip(periods.period_start, periods.midpoint, strict=True):
        present = people[
            (people.registered_from <= midpoint)
            & (people.registered_to.isna() | (people.registered_to >= midpoint))
            & (people.death_date.isna() | (people.death_date > midpoint))
        ]
        counted = pd.DataFrame(
            {
                "neighbourhood_id": present.neighbourhood_id,
                "period_start": period_start,
                "everyone": 1,
                "aged_65": age_on(present.birth_date, midpoint) >= 65,
            }
        )
        counts.append(counted)
    return tally(pd.concat(counts), ["everyone", "aged_65"], groups, periods)


def rows(
    metric: str, numerator: pd.Series, denominator: pd.Series | None, scale: float
) -> pd.DataFrame:
    """Long-form rows of one metric; value null where the denominator is zero."""
    frame = numerator.rename("numerator").reset_index()
    frame.insert(0, "metric", metric)
    if denominator is None:
        frame["denominator"] = np.nan
        frame["value"] = frame.numerator
    else:
        frame["denominator"] = denominator.to_numpy()
        ratio = frame.numerator * scale / frame.denominator
        frame["value"] = ratio.where(frame.denominator != 0)
    return frame


def admissions(
    spells: pd.DataFrame, pop: pd.DataFrame, groups: list[str], periods: pd.DataFrame, period: str
) -> list[pd.DataFrame]:
    """Metrics 1-4: emergency spells by admission date, per 100,000 population."""
    emergency = spells[spells.admission_method == "emergency"]
    events = pd.DataFrame(
        {
            "neighbourhood_id": emergency.neighbourhood_id,
            "period_start": period_of(emergency.admission_date, period, periods),
            "all_ages": 1,
            "aged_65": age_on(emergency.birth_date, emergency.admission_date) >= 65,
            "acsc": emergency.acsc,
        }
    )
    events["falls_65"] = events.aged_65 & emergency.fall
    counts = tally(events, ["all_ages", "aged_65", "acsc", "falls_65"], groups, periods)
    return [
        rows("emergency_admissions_65plus_per_100k", counts.aged_65, pop.aged_65, RATE),
        rows("emergency_admissions_per_100k", counts.all_ages, pop.everyone, RATE),
        rows("avoidable_admissions_per_100k", counts.acsc, pop.everyone, RATE),
        rows("falls_admissions_65plus_per_100k", counts.falls_65, pop.aged_65, RATE),
    ]


def discharges(
    spells: pd.DataFrame, groups: list[str], periods: pd.DataFrame, period: str
) -> list[pd.DataFrame]:
    """Metrics 5-8 and 13: destinations and delays of spells by discharge date."""
    spells = spells.assign(period_start=period_of(spells.discharge_date, period, periods))
    spells = spells[spells.period_start.notna()]
    destination = spells.discharge_destination
    spells = spells.assign(
        usual_residence=destination == "usual_residence",
        known_alive=destination.notna() & (destination != "died"),
    )
    home = tally(spells, ["usual_residence", "known_alive"], groups, periods)

    adult = spells[
        (age_on(spells.birth_date, spells.discharge_date) >= 18)
        & spells.ready_for_discharge_date.notna()
    ]
    delay = (adult.discharge_date - adult.ready_for_discharge_date).dt.days.clip(lower=0)
    adult = adult.assign(
        spells=1, delay=delay, on_time=delay == 0, delayed=delay > 0, reason=adult.delay_reason
    )
    adult.loc[adult.reason.isna(), "reason"] = "unrecorded"
    delays = tally(adult, ["spells", "delay", "on_time", "delayed"], groups, periods)
    by_reason = pd.get_dummies(adult.reason).reindex(
        columns=[*DELAY_REASONS, "unrecorded"], fill_value=False
    )
    reason_days = by_reason.mul(adult.delay, axis=0)
    reason_days[["neighbourhood_id", "period_start"]] = adult[["neighbourhood_id", "period_start"]]
    per_reason = tally(reason_days, [*DELAY_REASONS, "unrecorded"], groups, periods)
    return [
        rows(
            "discharge_to_usual_residence_pct", home.usual_residence, home.known_alive, PERCENTAGE
        ),
        rows("discharged_on_ready_date_pct", delays.on_time, delays.spells, PERCENTAGE),
        rows("mean_discharge_delay_days", delays.delay, delays.delayed, MEAN),
        rows("delayed_days", delays.delay, None, TOTAL),
        *(rows(f"delayed_days:{r}", per_reason[r], None, TOTAL) for r in per_reason.columns),
        rows("mean_discharge_delay_all_days", delays.delay, delays.spells, MEAN),
    ]


def covers(frame: pd.DataFrame, day: pd.Series, start: str, end: str) -> pd.Series:
    """Whether [start, end] covers `day`, a null end meaning continuing."""
    return (frame[start] <= day) & (frame[end].isna() | (frame[end] >= day))


def care_home_admissions(
    packages: pd.DataFrame,
    pop: pd.DataFrame,
    groups: list[str],
    periods: pd.DataFrame,
    period: str,
) -> list[pd.DataFrame]:
    """Metric 9: people aged 65+ starting a council-supported permanent care home placement."""
    placements = packages[
        packages.permanent & packages.service_type.isin(["residential_care", "nursing_care"])
    ]
    new = placements[placements.funder.isin(["council", "pooled"])]
    new = new.assign(period_start=period_of(new.start_date, period, periods))
    new = new[new.period_start.notna() & (age_on(new.birth_date, new.start_date) >= 65)]
    others = placements[["package_id", "person_id", "start_date", "end_date"]].rename(
        columns={"package_id": "other", "start_date": "other_start", "end_date": "other_end"}
    )
    pairs = new[["package_id", "person_id", "start_date"]].merge(others, on="person_id")
    pairs = pairs[pairs.package_id != pairs.other]
    day_before = pairs.start_date - pd.Timedelta(days=1)
    in_place = covers(pairs, pairs.start_date, "other_start", "other_end") | covers(
        pairs, day_before, "other_start", "other_end"
    )
    moves = set(pairs.package_id[in_place])
    admitted = new[~new.package_id.isin(moves)]
    people = admitted.drop_duplicates(["person_id", "period_start"]).assign(people=1)
    counts = tally(people, ["people"], groups, periods)
    return [rows("care_home_admissions_65plus_per_100k", counts.people, pop.aged_65, RATE)]


def reablement(
    spells: pd.DataFrame,
    packages: pd.DataFrame,
    observation_end: pd.Timestamp,
    groups: list[str],
    periods: pd.DataFrame,
    period: str,
) -> list[pd.DataFrame]:
    """Metric 10: older people at home 91 days after a discharge into reablement."""
    followed = packages.after_spell_id[
        packages.service_type.isin(["reablement", "intermediate_care"])
    ]
    cohort = spells.assign(period_start=period_of(spells.discharge_date, period, periods))
    cohort = cohort[
        cohort.period_start.notna()
        & (cohort.discharge_destination.isna() | (cohort.discharge_destination != "died"))
        & (age_on(cohort.birth_date, cohort.discharge_date) >= 65)
        & cohort.spell_id.isin(followed)
    ]
    cohort = cohort.assign(day=cohort.discharge_date + pd.Timedelta(days=91))
    cohort = cohort[cohort.day <= observation_end]
    key = ["spell_id", "person_id", "day"]

    stays = cohort[key].merge(
        spells[["person_id", "admission_date", "discharge_date"]], on="person_id"
    )
    in_hospital = (stays.admission_date <= stays.day) & (
        stays.discharge_date.isna() | (stays.discharge_date > stays.day)
    )
    homes = packages[packages.service_type.isin(["residential_care", "nursing_care"])]
    placed = cohort[key].merge(homes[["person_id", "start_date", "end_date"]], on="person_id")
    in_home = covers(placed, placed.day, "start_date", "end_date")

    alive = cohort.death_date.isna() | (cohort.death_date > cohort.day)
    away = cohort.spell_id.isin(stays.spell_id[in_hospital]) | cohort.spell_id.isin(
        placed.spell_id[in_home]
    )
    cohort = cohort.assign(discharged=1, at_home=alive & ~away)
    counts = tally(cohort, ["at_home", "discharged"], groups, periods)
    return [rows("reablement_at_home_91d_pct", counts.at_home, counts.discharged, PERCENTAGE)]


def two_hour_response(
    contacts: pd.DataFrame,
    people: pd.DataFrame,
    groups: list[str],
    periods: pd.DataFrame,
    period: str,
) -> list[pd.DataFrame]:
    """Metric 11: urgent community responses within two hours."""
    rapid = contacts[(contacts.service == "rapid_response") & contacts.response_minutes.notna()]
    rapid = rapid.merge(people[["person_id", "neighbourhood_id"]], on="person_id")
    rapid = rapid.assign(
        period_start=period_of(rapid.contact_date, period, periods),
        responses=1,
        within=rapid.response_minutes <= 120,
    )
    counts = tally(rapid, ["within", "responses"], groups, periods)
    return [rows("two_hour_response_pct", counts.within, counts.responses, PERCENTAGE)]


def pooled_budget(lines: pd.DataFrame, periods: pd.DataFrame) -> list[pd.DataFrame]:
    """Metric 12: spent / planned of the budget lines overlapping each period, area-wide."""
    overlap = periods[["period_start", "period_end"]].merge(
        lines, how="cross", suffixes=("", "_line")
    )
    overlap = overlap[
        (overlap.period_start_line <= overlap.period_end)
        & (overlap.period_end_line >= overlap.period_start)
    ]
    overlap = overlap.assign(spent=overlap.spent.fillna(0))
    grid = pd.MultiIndex.from_product(
        [[ALL], periods.period_start], names=["neighbourhood_id", "period_start"]
    )
    out = []
    for name, subset in [("", overlap)] + [
        (f":{funder}", overlap[overlap.funder == funder]) for funder in BUDGET_FUNDERS
    ]:
        sums = subset.groupby("period_start")[["spent", "planned"]].sum()
        sums = sums.reindex(periods.period_start, fill_value=0).set_index(grid)
        out.append(rows(f"pooled_budget_spent_pct{name}", sums.spent, sums.planned, PERCENTAGE))
    return out


def publish(result: pd.DataFrame) -> pd.DataFrame:
    """docs/metrics.md's small-number rule: counts of 1-7 withheld, counts and days to nearest 5."""
    base = result.metric.str.split(":").str[0]
    small = pd.Series(False, index=result.index)
    for side, position in (("numerator", 0), ("denominator", 1)):
        exact = result[side]
        counted = base.map(lambda m, p=position: COUNTS[m][p])
        withheld = counted & exact.between(1, 7)
        small |= withheld
        rounded = (np.floor(exact / 5 + 0.5) * 5).where(~withheld)
        result[side] = exact.where(base == "pooled_budget_spent_pct", rounded)
    result["value"] = result.value.where(~small)
    days = base == "delayed_days"
    result.loc[days, "value"] = result.numerator[days]
    result["suppressed"] = small
    return result


def compute_metrics_pandas(
    lake: Path,
    period: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    metrics: Sequence[str] | None = None,
    publish_rule: bool = False,
) -> pa.Table:
    """Every metric (or those named) of the lake at `lake`, as compute_metrics gives them."""
    lake = Path(lake)
    if period not in FREQ:
        raise ValueError(f"period: expected one of {', '.join(FREQ)}, found {period!r}")
    unknown = sorted(set(metrics or ()) - set(METRICS))
    if unknown:
        raise ValueError(f"metrics: unknown {', '.join(unknown)}")
    wanted = set(metrics or METRICS)
    manifest = read_manifest(lake)
    observation_end = pd.Timestamp(manifest.observation_end)
    periods = reported_periods(
        (pd.Timestamp(manifest.observation_start), observation_end), period, start, end
    )
    groups = sorted(read(lake, "neighbourhood", ["neighbourhood_id"]).neighbourhood_id)
    people = read(
        lake,
        "person",
        [
            "person_id",
            "birth_date",
            "neighbourhood_id",
            "registered_from",
            "registered_to",
            "death_date",
        ],
    )
    who = people[["person_id", "neighbourhood_id", "birth_date", "death_date"]]
    pop = population(people, groups, periods)
    spells = read(
        lake,
        "hospital_spell",
        [
            "spell_id",
            "person_id",
            "admission_date",
            "admission_method",
            "acsc",
            "fall",
            "ready_for_discharge_date",
            "discharge_date",
            "discharge_destination",
            "delay_reason",
        ],
    ).merge(who, on="person_id")
    packages = read(
        lake,
        "care_package",
        [
            "package_id",
            "person_id",
            "service_type",
            "start_date",
            "end_date",
            "funder",
            "permanent",
            "after_spell_id",
        ],
    ).merge(who, on="person_id")
    parts = admissions(spells, pop, groups, periods, period)
    parts += discharges(spells, groups, periods, period)
    parts += care_home_admissions(packages, pop, groups, periods, period)
    parts += reablement(spells, packages, observation_end, groups, periods, period)
    if "two_hour_response_pct" in wanted:
        contacts = read(
            lake, "contact", ["person_id", "contact_date", "service", "response_minutes"]
        )
        parts += two_hour_response(contacts, people, groups, periods, period)
    lines = read(lake, "budget_line", ["funder", "period_start", "period_end", "planned", "spent"])
    parts += pooled_budget(lines, periods)

    result = pd.concat(parts, ignore_index=True)
    result = result[result.metric.str.split(":").str[0].isin(wanted)]
    result = result.merge(periods[["period_start", "period_end"]], on="period_start")
    result["suppressed"] = False
    if publish_rule:
        result = publish(result)
    result = result.sort_values(["metric", "neighbourhood_id", "period_start"])
    columns = RESULT_SCHEMA.names
    return pa.Table.from_pandas(result[columns], schema=RESULT_SCHEMA, preserve_index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lake", type=Path)
    parser.add_argument("--period", default="month", choices=list(FREQ))
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)
    parser.add_argument("--publish", action="store_true")
    parser.add_argument("--out", type=Path, help="write the result as Parquet here")
    args = parser.parse_args()
    started = time.perf_counter()
    table = compute_metrics_pandas(
        args.lake, args.period, args.start, args.end, publish_rule=args.publish
    )
    seconds = time.perf_counter() - started
    if args.out:
        pq.write_table(table, args.out)
    print(f"{table.num_rows:,} rows in {seconds:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
