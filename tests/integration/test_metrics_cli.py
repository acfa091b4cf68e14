"""`joinedup metrics` as a user runs it: the long form written whole, bad input refused.

Every refusal is one line on stderr, exit code 2, and leaves no output file behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from command_line import Done, one_error_line
from command_line import run as joinedup

pytestmark = pytest.mark.engines


def run(*args: str, var: Path) -> Done:
    return joinedup("metrics", *args, var=var)


def test_writes_the_long_form_as_csv_and_parquet_with_the_same_figures(
    tiny_lake: Path, tmp_path: Path
) -> None:
    for name in ("m.csv", "m.parquet"):
        result = run(
            "--lake", str(tiny_lake), "--period", "year", "--out", str(tmp_path / name),
            var=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    with open(tmp_path / "m.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    table = pq.read_table(tmp_path / "m.parquet").to_pylist()
    assert len(rows) == len(table)
    assert list(rows[0]) == [
        "metric", "neighbourhood_id", "period_start", "period_end",
        "numerator", "denominator", "value", "suppressed",
    ]  # fmt: skip
    by_key = {(r["metric"], r["neighbourhood_id"], r["period_start"]): r for r in rows}
    # Northgate's heart failure admission (s1, 10 Jan 2020, aged 81) in 2019-20: 1 of the 2
    # people registered there on 30 Sep 2019.
    row = by_key[("emergency_admissions_65plus_per_100k", "n-north", "2019-04-01")]
    assert (row["numerator"], row["denominator"], row["value"]) == ("1", "2", "50000")
    for parquet_row in table:
        key = (parquet_row["metric"], parquet_row["neighbourhood_id"])
        text = by_key[(*key, parquet_row["period_start"].isoformat())]
        assert text["numerator"] == f"{parquet_row['numerator']:g}"


def test_publish_withholds_small_numbers_as_a_star_in_csv(tiny_lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "published.csv"
    result = run(
        "--lake", str(tiny_lake), "--period", "year", "--publish", "--out", str(out),
        var=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with open(out, newline="") as file:
        rows = {
            (r["metric"], r["neighbourhood_id"], r["period_start"]): r for r in csv.DictReader(file)
        }
    row = rows[("emergency_admissions_65plus_per_100k", "n-north", "2019-04-01")]
    assert (row["numerator"], row["denominator"], row["value"], row["suppressed"]) == (
        "*", "*", "*", "true",
    )  # fmt: skip
    # No admissions and no population: 0 is not a small number, and a zero denominator
    # leaves the value empty rather than withheld.
    empty = rows[("emergency_admissions_65plus_per_100k", "n-south", "2019-04-01")]
    assert empty["numerator"] == "0"
    # Money is shown as it is: 231,000 spent of 650,000 planned in 2021-22.
    money = rows[("pooled_budget_spent_pct", "ALL", "2021-04-01")]
    assert (money["numerator"], money["denominator"], money["suppressed"]) == (
        "231000", "650000", "false",
    )  # fmt: skip


def _break_person_sex(tables: dict[str, list[dict[str, object]]]) -> None:
    tables["person"][0]["sex"] = "F"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "week"], "--period: expected one of month, quarter, year, found 'week'"),
        (["--engine", "pandas"], "--engine: expected one of duckdb, spark, found 'pandas'"),
        (["--metric", "happiness"], "--metric: unknown metric 'happiness'"),
        (["--from", "2019-01-01"], "--from 2019-01-01 is outside the lake's observation window"),
        (["--to", "2025-04-30"], "--to 2025-04-30 is outside the lake's observation window"),
        (["--from", "2024-05-01", "--to", "2024-04-01"], "--to 2024-04-01 is before --from"),
        (["--from", "2024-13-01"], "--from: expected a date YYYY-MM-DD, found '2024-13-01'"),
    ],
)
def test_bad_requests_are_one_line_and_write_nothing(
    tiny_lake: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "metrics.csv"
    base = ["--lake", str(tiny_lake), "--out", str(out)]
    if "--period" not in args:
        base += ["--period", "month"]
    line = one_error_line(run(*base, *args, var=tmp_path))
    assert message in line
    assert list(tmp_path.glob("*metrics*")) == []


def test_no_whole_period_in_a_short_window_is_refused(
    make_lake: Callable[..., Path], tmp_path: Path
) -> None:
    lake = make_lake("short", observation_start=dt.date(2024, 4, 15))
    line = one_error_line(
        run("--lake", str(lake), "--period", "year", "--out", str(tmp_path / "m.csv"), var=tmp_path)
    )
    assert "no whole year lies inside" in line
    assert not (tmp_path / "m.csv").exists()


@pytest.mark.parametrize(
    ("out", "message"),
    [("m.txt", "--out: expected a .csv or .parquet file, found 'm.txt'"),
     ("missing/m.csv", "does not exist")],
)  # fmt: skip
def test_an_output_we_cannot_write_is_refused_before_any_work(
    tiny_lake: Path, tmp_path: Path, out: str, message: str
) -> None:
    line = one_error_line(
        run("--lake", str(tiny_lake), "--period", "month", "--out", str(tmp_path / out),
            var=tmp_path)
    )  # fmt: skip
    assert message in line


def test_a_lake_that_breaks_the_contract_is_one_line_naming_table_and_column(
    make_lake: Callable[..., Path], tmp_path: Path
) -> None:
    lake = make_lake("broken", edit=_break_person_sex)
    out = tmp_path / "m.parquet"
    line = one_error_line(
        run("--lake", str(lake), "--period", "month", "--out", str(out), var=tmp_path)
    )
    assert "person.sex" in line and "'F'" in line
    assert not out.exists()
    manifest = json.loads((lake / "manifest.json").read_text())
    assert manifest["observation_start"] == "2019-04-01"  # the lake itself is untouched
