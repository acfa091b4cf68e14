"""The project's own reference figures: loadable, and every figure says where it comes from."""

from __future__ import annotations

from typing import Any

import pytest

from joinedup.reference import figure, load_reference

STATUSES = {"published", "derived", "planning assumption", "estimate"}


def statuses(node: dict[str, Any], inherited: str | None = None) -> list[tuple[str, str | None]]:
    """(figure path, status in force) for every numeric figure in a section."""
    status = node.get("status", inherited)
    out: list[tuple[str, str | None]] = []
    for key, value in node.items():
        if isinstance(value, dict):
            if "value" in value:
                out.append((key, value.get("status", status)))
            else:
                out.extend((f"{key}.{k}", s) for k, s in statuses(value, status))
        elif isinstance(value, int | float | list) and key not in ("status", "source", "note"):
            out.append((key, status))
    return out


def test_every_figure_has_a_known_status() -> None:
    reference = load_reference()
    missing = [
        (section, path, status)
        for section, body in reference.items()
        for path, status in statuses(body)
        if status not in STATUSES and not path.endswith("source")
    ]
    assert not missing, missing


def test_figures_by_path() -> None:
    assert figure("hospital.zero_day_share_of_emergency") == 0.33
    assert figure("population.age_band_share_pct.90+") == 0.9
    with pytest.raises(KeyError, match=r"no figure 'hospital\.nothing'"):
        figure("hospital.nothing")


def test_load_reference_returns_a_copy() -> None:
    first = load_reference()
    first["hospital"]["zero_day_share_of_emergency"]["value"] = 1.0
    assert figure("hospital.zero_day_share_of_emergency") == 0.33
