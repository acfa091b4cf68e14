"""Writing the long form to CSV or Parquet, whole or not at all.

The file appears only once complete (written beside it, then renamed), so a failed run
never leaves a partial file that looks like a result. In CSV a withheld figure is "*", as
docs/metrics.md publishes it; in Parquet it is null, with `suppressed` true on its row.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.metrics.catalogue import BY_NAME
from joinedup.metrics.errors import MetricsError

FORMATS = (".csv", ".parquet")
WITHHELD = "*"


def check_output_path(path: Path) -> None:
    """Refuse, before any work, a file type we cannot write or a folder that is not there."""
    if path.suffix.lower() not in FORMATS:
        raise MetricsError(f"expected a .csv or .parquet file, found {path.name!r}", field="out")
    if not path.parent.is_dir():
        raise MetricsError(f"the folder {path.parent} does not exist", field="out")
    if path.is_dir():
        raise MetricsError(f"{path} is a folder", field="out")


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


def write_long_form(table: pa.Table, path: Path) -> None:
    check_output_path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        if path.suffix.lower() == ".parquet":
            pq.write_table(table, temporary)
        else:
            with open(temporary, "w", newline="", encoding="utf-8") as file:
                writer = csv.writer(file)
                writer.writerow(table.column_names)
                for row in table.to_pylist():
                    writer.writerow(_csv_cells(row))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
