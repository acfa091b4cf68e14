"""Outcome metrics of docs/metrics.md, defined once in Ibis and run on DuckDB or Spark.

Never imports Django: a partnership's analysts run it on a lake alone.
"""

from joinedup.metrics.catalogue import METRICS, Metric
from joinedup.metrics.compute import compute_metrics
from joinedup.metrics.engines import ENGINES
from joinedup.metrics.errors import MetricsError
from joinedup.metrics.periods import PERIOD_KINDS, Period, periods

__all__ = [
    "ENGINES",
    "METRICS",
    "PERIOD_KINDS",
    "Metric",
    "MetricsError",
    "Period",
    "compute_metrics",
    "periods",
]
