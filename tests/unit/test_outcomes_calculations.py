"""The dashboards' arithmetic with hand-worked numbers: the Audit Commission calculation, the
confidence intervals of the league tables, and comparisons against the area."""

from __future__ import annotations

import pytest

from joinedup.outcomes.audit_commission import (
    NeighbourhoodCount,
    best_quartile_saving,
    measures,
    percentile,
    unit_costs,
)
from joinedup.outcomes.catalogue import METRIC_CATALOGUE, compare
from joinedup.outcomes.confidence import (
    poisson_count_interval,
    proportion_interval,
    rate_interval,
)
from joinedup.reference import figure


def admissions() -> object:
    return next(m for m in measures() if m.key == "emergency_admissions")


def test_percentile_interpolates_between_sorted_values() -> None:
    # Sorted 300, 400, 500, 600: position (4 - 1) x 0.25 = 0.75, so 300 + 0.75 x 100.
    assert percentile([600, 300, 500, 400], 0.25) == pytest.approx(375.0)
    assert percentile([600, 300, 500, 400], 0.5) == pytest.approx(450.0)
    assert percentile([600, 300, 500, 400], 0.0) == 300
    assert percentile([600, 300, 500, 400], 1.0) == 600
    assert percentile([42.0], 0.25) == 42.0
    # Five values: position 1 exactly, the second lowest.
    assert percentile([10, 20, 30, 40, 50], 0.25) == 20
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.25)
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0], 1.5)


def test_best_quartile_saving_hand_worked() -> None:
    """Four neighbourhoods; rates 300, 500, 400 and 600 per 100,000; best quartile 375.

    fewer: A 0 (better than 375); B (500 - 375) x 10,000 / 100,000 = 12.5;
    C (400 - 375) x 5,000 / 100,000 = 1.25; D (600 - 375) x 20,000 / 100,000 = 45.
    Total 58.75 admissions, x £2,595 = £152,456.25.
    """
    measure = admissions()
    counts = [
        NeighbourhoodCount("A", 30, 10_000),
        NeighbourhoodCount("B", 50, 10_000),
        NeighbourhoodCount("C", 20, 5_000),
        NeighbourhoodCount("D", 120, 20_000),
    ]
    saving = best_quartile_saving(measure, counts)  # type: ignore[arg-type]
    assert saving is not None
    assert saving.best_quartile_rate == pytest.approx(375.0)
    assert [g.neighbourhood_id for g in saving.gaps] == ["A", "B", "C", "D"]
    assert [g.rate for g in saving.gaps] == pytest.approx([300.0, 500.0, 400.0, 600.0])
    assert [g.fewer for g in saving.gaps] == pytest.approx([0.0, 12.5, 1.25, 45.0])
    assert saving.fewer == pytest.approx(58.75)
    assert saving.neighbourhoods_above == 3
    assert saving.measure.cost.gbp == 2595
    assert saving.gbp == pytest.approx(152_456.25)
    assert [g.gbp for g in saving.gaps] == pytest.approx([0.0, 32_437.5, 3_243.75, 116_775.0])


def test_a_neighbourhood_without_population_is_left_out_of_the_quartile() -> None:
    measure = admissions()
    counts = [
        NeighbourhoodCount("A", 1, 1_000),  # 100 per 100,000
        NeighbourhoodCount("B", 3, 1_000),  # 300
        NeighbourhoodCount("empty", 0, 0),  # no rate
    ]
    saving = best_quartile_saving(measure, counts)  # type: ignore[arg-type]
    assert saving is not None
    assert saving.best_quartile_rate == pytest.approx(150.0)  # 100 + 0.25 x 200
    assert saving.gaps[2].rate is None and saving.gaps[2].fewer == 0
    assert saving.fewer == pytest.approx((300 - 150) * 1_000 / 100_000)
    assert best_quartile_saving(measure, [NeighbourhoodCount("x", 0, 0)]) is None  # type: ignore[arg-type]


def test_unit_costs_come_from_england_toml() -> None:
    costs = unit_costs()
    assert costs["emergency_admission"].gbp == figure("costs_gbp.emergency_admission_average")
    assert costs["delayed_day"].gbp == figure("costs_gbp.excess_bed_day")
    # A permanent care home admission: a year of residential care, £1,200 x 52 weeks.
    assert costs["care_home_admission"].gbp == 1200 * 52 == 62_400
    assert "52" in costs["care_home_admission"].basis
    assert "PSSRU" in costs["delayed_day"].source
    assert [m.metric for m in measures()] == [
        "emergency_admissions_per_100k",
        "delayed_days",
        "care_home_admissions_65plus_per_100k",
    ]


def test_poisson_interval_is_close_to_the_exact_one() -> None:
    # Byar's approximation against the exact (Garwood) 95% limits for 10 events: 4.795-18.390.
    low, high = poisson_count_interval(10)
    assert low == pytest.approx(4.795, rel=0.005)
    assert high == pytest.approx(18.390, rel=0.001)
    # No events: the lower limit is 0, the upper the exact 3.689 (Byar: 3.70).
    low, high = poisson_count_interval(0)
    assert low == 0 and high == pytest.approx(3.689, rel=0.01)
    # As a rate: 10 events in 20,000 people is 50 per 100,000, 23.97 to 91.95.
    interval = rate_interval(10, 20_000)
    assert interval is not None
    assert interval[0] == pytest.approx(4.795 * 5, rel=0.005)
    assert interval[1] == pytest.approx(18.390 * 5, rel=0.001)
    assert rate_interval(3, 0) is None


def test_wilson_interval_matches_newcombe() -> None:
    # Newcombe (1998), table I: 81 of 263 gives 0.2553 to 0.3662; 15 of 148, 0.0624 to 0.1605.
    low, high = proportion_interval(81, 263, per=1) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    low, high = proportion_interval(15, 148, per=1) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.0624, 0.1605)
    # 0 of 10 and 10 of 10 stay inside 0-100%.
    low, high = proportion_interval(0, 10) or (1, 1)
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(27.75, abs=0.01)
    low, high = proportion_interval(10, 10) or (0, 0)
    assert high == pytest.approx(100.0) and low == pytest.approx(72.25, abs=0.01)
    assert proportion_interval(1, 0) is None
    with pytest.raises(ValueError, match="not a proportion"):
        proportion_interval(11, 10)


def test_compare_knows_each_direction_and_chance() -> None:
    assert compare(90, 100, "lower") == "better"
    assert compare(110, 100, "lower") == "worse"
    assert compare(90, 100, "higher") == "worse"
    assert compare(110, 100, "higher") == "better"
    assert compare(100, 100, "lower") == "same"
    assert compare(90, 100, None) == ""
    assert compare(None, 100, "lower") == ""
    # An interval containing the area's value: the difference may be chance.
    assert compare(90, 100, "lower", (80, 101)) == "similar"
    assert compare(90, 100, "lower", (80, 99)) == "better"


def test_every_metric_of_metrics_md_has_a_direction_as_the_brief_says() -> None:
    directions = {m.name: m.direction for m in METRIC_CATALOGUE}
    assert [m.number for m in METRIC_CATALOGUE] == list(range(1, 14))
    assert directions["pooled_budget_spent_pct"] is None
    higher = {n for n, d in directions.items() if d == "higher"}
    assert higher == {
        "discharge_to_usual_residence_pct",
        "discharged_on_ready_date_pct",
        "reablement_at_home_91d_pct",
        "two_hour_response_pct",
    }
    assert all(d == "lower" for n, d in directions.items() if n not in higher and "budget" not in n)


def test_the_catalogue_names_every_metric_the_metrics_package_computes() -> None:
    from joinedup.metrics import METRICS

    assert [(m.number, m.name, m.area_only) for m in METRIC_CATALOGUE] == [
        (m.number, m.name, m.area_only) for m in METRICS
    ]
