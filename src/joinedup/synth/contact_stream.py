"""Contacts written to Parquet as they are made, because they are the lake's biggest table.

At realistic rates (several GP contacts a person a year) a city of a million people makes
tens of millions of contacts. Holding them all before writing would cost gigabytes, so
rows are buffered as compact numpy columns and written in row groups of about a million
by a single background thread (in the order they were made, so the file is the same for
the same seed) while the simulation goes on. `joinedup.lake.writer.write_table` takes a
whole table at once, so this uses the writer's `conform` and the same Parquet settings.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.lake.schema import SECTORS, SERVICES, TABLES
from joinedup.lake.writer import conform
from joinedup.synth.identifiers import format_ids

SERVICE = {name: np.int8(i) for i, name in enumerate(SERVICES)}
SECTOR = {name: np.int8(i) for i, name in enumerate(SECTORS)}
ROW_GROUP = 1_000_000
COLUMNS: dict[str, Any] = {
    "person": np.int32,
    "day": np.int32,
    "service": np.int8,
    "sector": np.int8,
    "team": np.int16,
    "referral": np.int64,
    "urgent": np.bool_,
    "response": np.int32,
    "cost": np.float64,
}


class ContactStream:
    """Buffer contacts and write them to <lake>/contact.parquet in order."""

    def __init__(
        self,
        path: Path,
        person_width: int,
        event_width: int,
        team_ids: pa.Array,
        last_day: int,
        year_starts: npt.NDArray[np.int64],
    ):
        self.path = path
        self.person_width = person_width
        self.event_width = event_width
        self.team_ids = team_ids
        self.last_day = last_day
        self.rows = 0
        self._chunks: list[dict[str, npt.NDArray[Any]]] = []
        self._future: list[dict[str, npt.NDArray[Any]]] = []  # planned after the current month
        self.horizon = last_day  # the last day of the month being simulated
        self._buffered = 0
        self._writer: pq.ParquetWriter | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="contact-writer")
        self._pending: list[Future[None]] = []
        self.year_starts = year_starts
        self.rapid_response_cost = np.zeros(len(year_starts))  # per financial year
        self.team_cost = np.zeros((len(year_starts), len(team_ids)))  # per year and team

    def add(
        self,
        person: npt.NDArray[np.integer],
        day: npt.NDArray[np.integer],
        service: str | npt.NDArray[np.int8],
        sector: str | npt.NDArray[np.int8],
        cost: float | npt.NDArray[np.floating],
        *,
        team: npt.NDArray[np.integer] | int = -1,
        referral: npt.NDArray[np.integer] | int = -1,
        urgent: npt.NDArray[np.bool_] | bool = False,
        response: npt.NDArray[np.integer] | int = -1,
    ) -> None:
        """Add contacts (days after the window's end are dropped: the lake cannot know them)."""
        n = len(person)
        if n == 0:
            return
        columns = {
            "person": person,
            "day": day,
            "service": SERVICE[service] if isinstance(service, str) else service,
            "sector": SECTOR[sector] if isinstance(sector, str) else sector,
            "team": team,
            "referral": referral,
            "urgent": urgent,
            "response": response,
            "cost": cost,
        }
        chunk = {
            k: np.broadcast_to(np.asarray(v, dtype=COLUMNS[k]), (n,)).copy()
            for k, v in columns.items()
        }
        keep = chunk["day"] <= self.last_day
        if not keep.all():
            chunk = {k: v[keep] for k, v in chunk.items()}
        later = chunk["day"] > self.horizon
        if later.any():
            self._future.append({k: v[later] for k, v in chunk.items()})
            chunk = {k: v[~later] for k, v in chunk.items()}
        self._accept(chunk)

    def release(
        self, death: npt.NDArray[np.int32], registered_to: npt.NDArray[np.int32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Contacts planned for this month (up to `horizon`) by earlier months: keep those of people
        still alive and registered that day, drop the rest.

        Returns the dropped visits' referral rows and days, so their referrals can be closed.
        """
        if not self._future:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        data = {k: np.concatenate([c[k] for c in self._future]) for k in COLUMNS}
        due = data["day"] <= self.horizon
        self._future = [{k: v[~due] for k, v in data.items()}] if (~due).any() else []
        chunk = {k: v[due] for k, v in data.items()}
        person = chunk["person"].astype(np.int64)
        alive = (death[person] >= chunk["day"]) & (registered_to[person] >= chunk["day"])
        self._accept({k: v[alive] for k, v in chunk.items()})
        return chunk["referral"][~alive], chunk["day"][~alive].astype(np.int64)

    def _accept(self, chunk: dict[str, npt.NDArray[Any]]) -> None:
        if len(chunk["day"]) == 0:
            return
        self._chunks.append(chunk)
        self._buffered += len(chunk["day"])
        year = np.searchsorted(self.year_starts, chunk["day"], side="right") - 1
        counted = year >= 0
        rapid = counted & (chunk["service"] == SERVICE["rapid_response"])
        self.rapid_response_cost += np.bincount(
            year[rapid], weights=chunk["cost"][rapid], minlength=len(self.year_starts)
        )
        by_team = counted & (chunk["team"] >= 0)
        if by_team.any():
            np.add.at(
                self.team_cost,
                (year[by_team], chunk["team"][by_team].astype(np.int64)),
                chunk["cost"][by_team],
            )
        if self._buffered >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._chunks:
            return
        data = {k: np.concatenate([c[k] for c in self._chunks]) for k in COLUMNS}
        self._chunks = []
        self._buffered = 0
        start = self.rows
        self.rows += len(data["day"])
        # keep at most two batches in flight so memory stays bounded
        while len(self._pending) >= 2:
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(self._write, data, start))

    def _write(self, data: dict[str, npt.NDArray[Any]], start: int) -> None:
        n = len(data["day"])
        team = data["team"].astype(np.int64)
        response = data["response"]
        table = pa.table(
            {
                "contact_id": format_ids("C", np.arange(start, start + n), self.event_width),
                "person_id": format_ids("P", data["person"], self.person_width),
                "contact_date": pa.array(data["day"], pa.int32()).cast(pa.date32()),
                "service": pa.DictionaryArray.from_arrays(
                    pa.array(data["service"], pa.int8()), pa.array(SERVICES)
                ).cast(pa.string()),
                "sector": pa.DictionaryArray.from_arrays(
                    pa.array(data["sector"], pa.int8()), pa.array(SECTORS)
                ).cast(pa.string()),
                "team_id": self.team_ids.take(pa.array(team, mask=team < 0)),
                "referral_id": format_ids("R", data["referral"], self.event_width),
                "urgent": pa.array(data["urgent"]),
                "response_minutes": pa.array(response, pa.int32(), mask=response < 0),
                "cost": pa.array(data["cost"]),
            }
        )
        table = conform(TABLES["contact"], table)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=ROW_GROUP)

    def close(self) -> int:
        """Write what is left and finish the file; returns the number of rows."""
        self._flush()
        for future in self._pending:
            future.result()
        self._pending = []
        if self._writer is None:
            empty = TABLES["contact"].arrow_schema.empty_table()
            self._writer = pq.ParquetWriter(self.path, empty.schema, compression="zstd")
            self._writer.write_table(empty)
        self._writer.close()
        self._pool.shutdown()
        return self.rows

    def abort(self) -> None:
        for future in self._pending:
            future.cancel()
        self._pool.shutdown(wait=True)
        if self._writer is not None:
            self._writer.close()
