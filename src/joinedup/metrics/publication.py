"""The small-number rule of docs/metrics.md for output marked for publication.

Counts of people or events of 1-7 are withheld and the rest rounded to the nearest 5; day
totals are rounded to the nearest 5; a value is worked out from the exact figures and
withheld when a count behind it is 1-7; money is shown as it is. A withheld figure is null
and its row `suppressed`.
"""

from __future__ import annotations

from typing import Any

from joinedup.metrics.catalogue import COUNT, DAYS, TOTAL, Metric


def nearest_five(number: float) -> float:
    """Whole numbers to the nearest 5 (no count ends in a half, so no tie to break)."""
    return float((int(number) + 2) // 5 * 5)


def withheld(number: float | None) -> bool:
    return number is not None and 1 <= number <= 7


def publish_row(metric: Metric, row: dict[str, Any]) -> dict[str, Any]:
    """One long-form row as it may be published (the value from the exact figures)."""
    row = dict(row)
    hidden = False
    for field, kind in (("numerator", metric.numerator), ("denominator", metric.denominator)):
        number = row[field]
        if number is None or kind not in (COUNT, DAYS):
            continue
        if kind == COUNT and withheld(number):
            row[field] = None
            hidden = True
        else:
            row[field] = nearest_five(number)
    if hidden:
        row["value"] = None
    elif metric.kind == TOTAL:
        row["value"] = row["numerator"]  # a day total is published rounded, like its numerator
    row["suppressed"] = hidden
    return row
