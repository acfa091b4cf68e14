"""The engines that execute the metric definitions: DuckDB in process, Spark for scale.

Both read the lake's Parquet directly. Spark runs in local mode unless given a master URL;
its session is made once per process (starting one costs seconds) and set to UTC so dates
never shift with the machine's time zone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

from joinedup.lake.reader import parquet_files
from joinedup.metrics.errors import MetricsError

ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[2]"


class EngineError(MetricsError):
    """The engine asked for is unknown or cannot start."""


def check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise EngineError(f"expected one of {', '.join(ENGINES)}, found {engine!r}", field="engine")


def connect(engine: str, spark_master: str | None = None) -> BaseBackend:
    """A fresh ibis connection for `engine`."""
    check_engine(engine)
    if engine == "duckdb":
        return ibis.duckdb.connect()
    return ibis.pyspark.connect(spark_session(spark_master or DEFAULT_SPARK_MASTER))


def spark_session(master: str) -> Any:
    """The process's Spark session, made on first use; UTC, quiet, scratch space in /tmp."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(
            "`engine` spark needs PySpark: pip install 'joinedup[spark]'", field="engine"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    scratch = Path(tempfile.mkdtemp(prefix="joinedup-spark-"))
    utc = "-Duser.timezone=UTC"
    builder = (
        SparkSession.builder.master(master)
        .appName("joinedup-metrics")
        .config("spark.driver.memory", os.environ.get("JOINEDUP_SPARK_DRIVER_MEMORY", "8g"))
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", utc)
        .config("spark.executor.extraJavaOptions", utc)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.local.dir", str(scratch / "local"))
    )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java missing, master unreachable: one clear line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EngineError(
            f"`engine` spark: Spark did not start ({first})", field="engine"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def read_parquet(con: BaseBackend, path: Path, columns: tuple[str, ...]) -> ibis.Table:
    """One lake table (a file or a folder of Parquet files), only the contract's columns."""
    table = con.read_parquet(parquet_files(path) if con.name == "duckdb" else str(path))
    return table.select(*columns)
