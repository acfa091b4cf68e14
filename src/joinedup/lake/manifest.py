"""The lake's manifest.json: what it covers, why it was made, whether it is pseudonymised."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from joinedup.errors import UserError
from joinedup.lake.schema import PURPOSES, SCHEMA_VERSION

MANIFEST_FILE = "manifest.json"


class ManifestError(UserError):
    """The manifest is missing or says something the contract does not allow."""


@dataclass(frozen=True)
class Manifest:
    observation_start: dt.date
    observation_end: dt.date
    pseudonymised: bool
    purpose: str
    source: str
    schema_version: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        data["observation_start"] = self.observation_start.isoformat()
        data["observation_end"] = self.observation_end.isoformat()
        return {**extra, **data}

    def write(self, lake: Path) -> None:
        (lake / MANIFEST_FILE).write_text(json.dumps(self.to_json(), indent=2) + "\n")


def _date(data: dict[str, Any], key: str) -> dt.date:
    value = data.get(key)
    if not isinstance(value, str):
        raise ManifestError(f"manifest.json: {key} is missing (expected a date YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ManifestError(
            f"manifest.json: {key} expected a date YYYY-MM-DD, found {value!r}"
        ) from None


def read_manifest(lake: Path) -> Manifest:
    path = lake / MANIFEST_FILE
    if not path.is_file():
        raise ManifestError(f"manifest.json: missing from {lake}")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"manifest.json: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ManifestError("manifest.json: expected a JSON object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ManifestError(
            f"manifest.json: schema_version expected {SCHEMA_VERSION}, found {version!r}"
        )
    start = _date(data, "observation_start")
    end = _date(data, "observation_end")
    if end < start:
        raise ManifestError(
            f"manifest.json: observation_end {end} is before observation_start {start}"
        )
    pseudonymised = data.get("pseudonymised")
    if not isinstance(pseudonymised, bool):
        raise ManifestError(
            f"manifest.json: pseudonymised expected true or false, found {pseudonymised!r}"
        )
    purpose = data.get("purpose")
    if purpose not in PURPOSES:
        raise ManifestError(
            f"manifest.json: purpose expected one of {', '.join(PURPOSES)}, found {purpose!r}"
        )
    source = data.get("source")
    if not isinstance(source, str) or not source:
        raise ManifestError(f"manifest.json: source expected a non-empty string, found {source!r}")
    known = {
        "schema_version",
        "observation_start",
        "observation_end",
        "pseudonymised",
        "purpose",
        "source",
    }
    extra = {k: v for k, v in data.items() if k not in known}
    return Manifest(start, end, pseudonymised, purpose, source, version, extra)
