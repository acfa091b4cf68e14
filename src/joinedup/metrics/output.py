"""Writing the long form to CSV or Parquet, whole or not at all.

The file appears only once complete (joinedup.output_files: written beside it, then
renamed), so a failed run never leaves a partial file that looks like a result. In CSV a
withheld figure is "*", as docs/metrics.md publishes it; in Parquet it is null, with
`suppressed` true on its row. An existing file is replaced only when asked, and only if it
is joinedup's: a CSV whose first line is exactly the long form's header, or a Parquet file
whose metadata says `joinedup.kind` "metrics".
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.metrics.catalogue import BY_NAME
from joinedup.metrics.errors import MetricsError
from joinedup.metrics.long_form import SCHEMA
from joinedup.output_files import Kind, check_target, marked, parquet_kind, text_kind, write_file

KINDS = {
    ".csv": text_kind("a metrics CSV", ",".join(SCHEMA.names), first_line=True),
    ".parquet": parquet_kind("a metrics Parquet file", "metrics"),
}
WITHHELD = "*"


def output_kind(path: Path) -> Kind:
    """The kind of file `path` asks for, by its suffix; any but .csv and .parquet refused."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise MetricsError(f"expected a .csv or .parquet file, found {path.name!r}", field="out")
    return kind


def check_output_path(path: Path, *, overwrite: bool = False) -> None:
    """Refuse, before any work, a file type we cannot write or a place we cannot write it
    (joinedup.output_files.check_target)."""
    check_target(path, output_kind(path), overwrite=overwrite)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def _csv_cells(row: dict[str, object]) -> list[str]:
    """A row's cells; on a suppressed row a null that stands for a withheld figure is "*"."""
    metric = BY_NAME[str(row["metric"]).split(":")[0]]
    numerator, denominator, value = (row["numerator"], row["denominator"], row["value"])
    cells = [_number(x) for x in (numerator, denominator, value)]  # type: ignore[arg-type]
    if row["suppressed"]:
        if numerator is None:
            cells[0] = WITHHELD
        if denominator is None and metric.denominator is not None:
            cells[1] = WITHHELD
        if value is None and denominator != 0:
            cells[2] = WITHHELD
    return [
        str(row["metric"]),
        str(row["neighbourhood_id"]),
        str(row["period_start"]),
        str(row["period_end"]),
        *cells,
        "true" if row["suppressed"] else "false",
    ]


def write_long_form(table: pa.Table, path: Path, *, overwrite: bool = False) -> None:
    """The long form at `path` (.csv or .parquet), whole or not at all."""
    kind = output_kind(path)

    def write(stage: Path) -> None:
        if kind is KINDS[".parquet"]:
            pq.write_table(marked(table, kind), stage)
            return
        with open(stage, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(table.column_names)
            for row in table.to_pylist():
                writer.writerow(_csv_cells(row))

    write_file(path, kind, write, overwrite=overwrite)
