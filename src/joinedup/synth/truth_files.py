"""truth/: what an evaluation of the lake should find, written beside it.

effects.json names every planted effect with its value, how it acts and where, the seed
and the config; risk.parquet holds each person's true twelve-month emergency admission
risk on each 1 April (truth.py says how it is computed); teams.parquet the go-live days
(with the planned day of teams that go live after the window); capacity.parquet how full
each neighbourhood's home care and care homes were each month.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.synth.config import BASE_TWO_HOUR_SHARE
from joinedup.synth.identifiers import format_ids
from joinedup.synth.timeline import NEVER, Month, to_date

if TYPE_CHECKING:
    from joinedup.synth.city import City

RISK_DEFINITION = (
    "For every person registered and alive on each 1 April whose following 12 months lie inside"
    " the window: the probability, under the generator's own hazards, of at least one emergency"
    " admission (admission_date) in the 12 months from that day. Computed from the person's "
    "state that day: the monthly emergency hazard (age advancing, readmission uplift fading, "
    "caseload episodes already planned) competing with death (a death outside hospital preceded"
    " by a terminal emergency admission with the reference share), with new conditions and "
    "frailty steps entering through their expected effect. Future case finding, care home moves"
    " and moving away are not counted."
)


EFFECTS: dict[str, dict[str, object]] = {
    "caseload_admission_rate_ratio": {
        "acts_on": "hospital_spell (admission_method emergency)",
        "how": (
            "On every day a person is on a live integrated team's caseload (an episode that was "
            "not declined, start_date to end_date), their emergency admission hazard (the "
            "terminal admission before a death included) is multiplied by this ratio. Case "
            "finding picks high-risk people, so naive comparisons are confounded."
        ),
    },
    "golive_delay_change": {
        "acts_on": "hospital_spell (discharge_date - ready_for_discharge_date)",
        "how": (
            "For stays whose ready-for-discharge day is on or after the go-live day of the "
            "person's neighbourhood team, each delay's length (days, before rounding up to whole "
            "days) is multiplied by 1 + this change; which stays are delayed does not change."
        ),
    },
    "golive_two_hour_change": {
        "acts_on": "contact (service rapid_response, response_minutes)",
        "how": (
            "For two-hour referrals received on or after the go-live day of the person's "
            "neighbourhood team, the chance that the first visit arrives within 120 minutes "
            "rises by this much from the base share."
        ),
        "base_share": BASE_TWO_HOUR_SHARE,
    },
}


class TruthRecorder:
    """Collects the truth month by month and writes truth/ at the end."""

    def __init__(self, neighbourhoods: int):
        self.risk: list[tuple[npt.NDArray[np.int64], int, npt.NDArray[np.float64]]] = []
        self.capacity: list[dict[str, Any]] = []
        self.neighbourhoods = neighbourhoods

    def add_risk(
        self, who: npt.NDArray[np.int64], as_of: int, probability: npt.NDArray[np.float64]
    ) -> None:
        self.risk.append((who, as_of, probability))

    def add_capacity(
        self,
        month: Month,
        home_in_use: npt.NDArray[np.int64],
        home_capacity: npt.NDArray[np.float64],
        beds_in_use: npt.NDArray[np.int64],
        beds: npt.NDArray[np.float64],
        home_occupancy: npt.NDArray[np.float64],
        bed_occupancy: npt.NDArray[np.float64],
    ) -> None:
        self.capacity.append(
            {
                "month": month.start,
                "home_care_in_use": home_in_use.copy(),
                "home_care_capacity": home_in_use / np.maximum(home_occupancy, 1e-9),
                "home_care_occupancy": home_occupancy.copy(),
                "care_home_in_use": beds_in_use.copy(),
                "care_home_beds": beds_in_use / np.maximum(bed_occupancy, 1e-9),
                "care_home_occupancy": bed_occupancy.copy(),
            }
        )

    def write(self, city: City) -> dict[str, int]:
        folder = city.stage / "truth"
        folder.mkdir()
        rows: dict[str, int] = {}
        config = city.config

        if self.risk:
            who = np.concatenate([w for w, _, _ in self.risk])
            as_of = np.concatenate([np.full(len(w), d, dtype=np.int32) for w, d, _ in self.risk])
            probability = np.concatenate([p for _, _, p in self.risk])
        else:
            who, as_of, probability = np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0)
        risk = pa.table(
            {
                "person_id": format_ids("P", who, city.person_width),
                "as_of": pa.array(as_of, pa.int32()).cast(pa.date32()),
                "probability": pa.array(probability, pa.float64()),
            }
        )
        pq.write_table(risk, folder / "risk.parquet", compression="zstd")
        rows["risk"] = risk.num_rows

        golive = city.golive
        teams = pa.table(
            {
                "team_id": city.team_ids,
                "neighbourhood_id": city.neighbourhood_ids,
                "go_live_date": pa.array(
                    golive.astype(np.int32), pa.int32(), mask=golive == NEVER
                ).cast(pa.date32()),
                "planned_go_live_date": pa.array(city.planned.astype(np.int32), pa.int32()).cast(
                    pa.date32()
                ),
                "deprivation_centre": pa.array(city.places.deprivation_centre),
                "case_finding_offers": pa.array(city.teams.offers),
            }
        )
        pq.write_table(teams, folder / "teams.parquet", compression="zstd")
        rows["teams"] = teams.num_rows

        k = self.neighbourhoods
        months = len(self.capacity)
        capacity = pa.table(
            {
                "neighbourhood_id": city.neighbourhood_ids.take(
                    pa.array(np.tile(np.arange(k), months))
                ),
                "month": pa.array(
                    np.repeat([c["month"] for c in self.capacity], k).astype(np.int32), pa.int32()
                ).cast(pa.date32()),
                **{
                    name: pa.array(np.concatenate([c[name] for c in self.capacity]))
                    for name in (
                        "home_care_in_use",
                        "home_care_capacity",
                        "home_care_occupancy",
                        "care_home_in_use",
                        "care_home_beds",
                        "care_home_occupancy",
                    )
                },
            }
        )
        pq.write_table(capacity, folder / "capacity.parquet", compression="zstd")
        rows["capacity"] = capacity.num_rows

        effects = {
            "generator_version": 1,
            "seed": config.seed,
            "config": config.to_json(),
            "effects": {
                name: {"value": value, **EFFECTS[name]} for name, value in config.effects().items()
            },
            "teams": [
                {
                    "team_id": city.team_ids[i].as_py(),
                    "neighbourhood_id": city.neighbourhood_ids[i].as_py(),
                    "go_live_date": None
                    if golive[i] == NEVER
                    else to_date(int(golive[i])).isoformat(),
                    "planned_go_live_date": to_date(int(city.planned[i])).isoformat(),
                }
                for i in range(k)
            ],
            "risk": {
                "file": "risk.parquet",
                "as_of": "every 1 April with 12 months ahead inside the window",
                "definition": RISK_DEFINITION,
            },
            "calibration": {
                "expected_chronic_acsc_share": city.calib.expected_acsc_share,
                "expected_falls_65plus_per_person_year": city.calib.expected_falls_65plus,
            },
        }
        (folder / "effects.json").write_text(json.dumps(effects, indent=2) + "\n")
        return rows
