"""CityConfig: defaults, the planted-effect fields the CLI exposes, one-line validation errors."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from joinedup.synth.config import CityConfig, add_months


def test_defaults_are_the_documented_city() -> None:
    config = CityConfig()
    assert (config.people, config.neighbourhoods, config.seed) == (100_000, 12, 1)
    assert (config.start, config.end) == (dt.date(2019, 4, 1), dt.date(2025, 3, 31))
    assert config.caseload_admission_rate_ratio == 0.85
    assert config.golive_delay_change == -0.20
    assert config.months == 72
    assert config.validate() is config


def test_effect_fields_name_every_planted_effect_with_a_flag_and_help() -> None:
    flags = {f.name: f for f in CityConfig.effect_fields()}
    assert {
        "caseload_admission_rate_ratio",
        "golive_delay_change",
        "golive_two_hour_change",
    } <= set(flags)
    assert flags["golive_delay_change"].flag == "--golive-delay-change"
    assert flags["caseload_admission_rate_ratio"].default == 0.85
    assert all(f.help for f in flags.values())
    plain = {"people", "neighbourhoods", "start", "end", "seed"}
    assert not plain & set(flags)
    assert (
        CityConfig(caseload_admission_rate_ratio=0.5).effects()["caseload_admission_rate_ratio"]
        == 0.5
    )


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CityConfig().people = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "argument", "why"),
    [
        ({"people": 500}, "people", "at least 1,000"),
        ({"people": 10.5}, "people", "whole number"),
        ({"people": True}, "people", "whole number"),
        ({"neighbourhoods": 1}, "neighbourhoods", "at least 2"),
        ({"people": 5_000, "neighbourhoods": 6}, "neighbourhoods", "at most people/1,000 = 5"),
        ({"seed": -1}, "seed", "zero or more"),
        ({"start": dt.date(2019, 4, 15)}, "start", "first day of a month"),
        ({"end": dt.date(2019, 4, 1)}, "end", "after start"),
        ({"end": dt.date(2018, 1, 1)}, "end", "after start"),
        ({"end": dt.date(2020, 2, 29)}, "end", "at least 12 months"),
        ({"caseload_admission_rate_ratio": 0}, "caseload_admission_rate_ratio", "greater than 0"),
        (
            {"caseload_admission_rate_ratio": -0.5},
            "caseload_admission_rate_ratio",
            "greater than 0",
        ),
        (
            {"caseload_admission_rate_ratio": float("nan")},
            "caseload_admission_rate_ratio",
            "finite",
        ),
        ({"golive_delay_change": -1.0}, "golive_delay_change", "greater than -1"),
        ({"golive_two_hour_change": 0.5}, "golive_two_hour_change", "between"),
        ({"start": dt.datetime(2019, 4, 1)}, "start", "expected a date"),
    ],
)
def test_validate_names_the_bad_argument_and_why(
    changes: dict[str, object], argument: str, why: str
) -> None:
    config = dataclasses.replace(CityConfig(), **changes)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as error:
        config.validate()
    message = str(error.value)
    assert message.startswith(f"{argument}: ")
    assert why in message
    assert "\n" not in message


def test_a_twelve_month_window_is_the_shortest_allowed() -> None:
    CityConfig(people=2_000, neighbourhoods=2, end=dt.date(2020, 3, 31)).validate()


def test_add_months_clips_to_the_month_end() -> None:
    assert add_months(dt.date(2019, 1, 31), 1) == dt.date(2019, 2, 28)
    assert add_months(dt.date(2019, 4, 1), 12) == dt.date(2020, 4, 1)
    assert add_months(dt.date(2019, 12, 15), 1) == dt.date(2020, 1, 15)
