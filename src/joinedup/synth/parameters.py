"""The reference figures and modelling assumptions turned into tables by single year of age.

Every hazard the generator draws from is looked up by a person's age in completed years
(0..MAX_AGE-1), so each published figure by age band is spread over single years here,
once, together with the onset and transition rates that keep the published prevalences
steady as the population ages (derived from the prevalence curves, see `_onset_rates`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from joinedup.lake.schema import DELAY_REASONS, DELAY_RESPONSIBILITIES
from joinedup.reference import load_reference
from joinedup.synth import assumptions as assume
from joinedup.synth.timeline import MAX_AGE

AGES = np.arange(MAX_AGE)
Table = npt.NDArray[np.float64]

# People with a condition also tend to carry other risks (frailty, more conditions, a care
# home), so they die faster than the condition's own hazard ratio says; the onset needed to
# hold prevalence steady is correspondingly higher (tuned so prevalence holds over six years).
SELECTION_BOOST = 1.8

# The reference's emergency-admission age bands, as [low, high] inclusive.
EMERGENCY_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-14", 0, 14),
    ("15-44", 15, 44),
    ("45-64", 45, 64),
    ("65-74", 65, 74),
    ("75-84", 75, 84),
    ("85+", 85, MAX_AGE - 1),
)


def anchors(points: Mapping[int, float], log: bool = False) -> Table:
    """A value per single year of age, linear (or log-linear) between anchor ages."""
    ages = np.array(sorted(points), dtype=np.float64)
    values = np.array([points[int(a)] for a in ages], dtype=np.float64)
    if log:
        return np.exp(np.interp(AGES, ages, np.log(values)))
    return np.interp(AGES, ages, values)


def numbers(section: dict[str, Any], scale: float = 1.0) -> dict[str, float]:
    """The numeric entries of a reference section (source, status and notes left out), scaled."""
    return {k: float(v) * scale for k, v in section.items() if isinstance(v, int | float)}


def band_table(bands: dict[str, float]) -> Table:
    """A value per single year from reference bands named "a-b" or "a+"."""
    out = np.zeros(MAX_AGE)
    for _, low, high, value in _bands(bands):
        out[low : high + 1] = value
    return out


def _bands(bands: Mapping[str, Any]) -> Iterator[tuple[str, int, int, float]]:
    """Each numeric band's name, first and last age (inclusive) and value."""
    for name, value in bands.items():
        if not isinstance(value, int | float):
            continue
        if name.endswith("+"):
            yield name, int(name[:-1]), MAX_AGE - 1, value
        else:
            low, high = name.split("-")
            yield name, int(low), int(high), value


@dataclass(frozen=True)
class Parameters:
    """Everything the monthly simulation looks up, by single year of age where it varies."""

    reference: dict[str, Any]
    age_share: Table
    female_share: Table
    mortality: Table  # (2, MAX_AGE) yearly hazard, female and male, the population average
    move_rate: Table
    lives_alone: Table
    has_carer: Table
    prevalence: Table  # (n LTCs, MAX_AGE) fraction
    prevalence_target: dict[str, float]
    prevalence_min_age: dict[str, int]
    onset: Table  # (n LTCs, MAX_AGE) yearly onset hazard among people without the condition
    resolution: Table  # (n LTCs, MAX_AGE) yearly resolution hazard among people with it
    deprivation_rr: Table  # (n LTCs, 10) relative risk by decile (mean 1)
    admission_log_hr: Table  # (n LTCs,)
    mortality_log_hr: Table
    frailty_cumulative: Table  # (3, MAX_AGE): share at least mild / moderate / severe
    frailty_up: Table  # (3, MAX_AGE): yearly hazards fit->mild, mild->moderate, moderate->severe
    frailty_admission_log_hr: Table  # (4,) fit, mild, moderate, severe
    frailty_mortality_log_hr: Table
    emergency_shape: Table
    emergency_target: Table  # per person-year, by single year (from bands)
    elective_rate: Table
    ae_rate: Table
    clinical_los_mean: Table
    zero_day_share: Table
    fall_share: Table
    injury_share: Table
    reablement_share: Table
    pathway_share: Table  # (4,)
    delay_reason_share: Table  # (11,) share of delayed days
    reason_given_pathway: Table  # (4, 11) probability of each reason for a delayed spell
    responsibility_given_reason: Table  # (11, 3)
    delay_mean: Table  # (11,) days
    care_home_stock: Table
    home_care_stock: Table
    telecare_stock: Table
    day_care_stock: Table
    referral_shape: Table
    gp_rate: Table
    costs: dict[str, float]


def build_parameters() -> Parameters:
    ref = load_reference()
    population = _population_tables(ref["population"])
    mortality = population["mortality"]
    conditions = _condition_tables(ref["conditions"], population["age_share"], mortality)
    frailty = _frailty_tables(ref["conditions"]["frailty"], population["age_share"], mortality)
    return Parameters(
        reference=ref,
        **population,
        **conditions,
        **frailty,
        **_hospital_tables(ref["hospital"]),
        **_discharge_tables(ref["discharge"]),
        care_home_stock=anchors(assume.CARE_HOME_STOCK),
        home_care_stock=anchors(assume.HOME_CARE_STOCK),
        telecare_stock=anchors(assume.TELECARE_STOCK),
        day_care_stock=anchors(assume.DAY_CARE_STOCK),
        referral_shape=anchors(assume.REFERRAL_RATE_SHAPE) / 1000,
        gp_rate=anchors(assume.GP_RATE_SHAPE),
        costs=_costs(ref["costs_gbp"]),
    )


def _population_tables(pop: dict[str, Any]) -> dict[str, Any]:
    """Age structure, sex, deaths, moves and households by single year of age."""
    return {
        "age_share": _age_share(pop["age_band_share_pct"]),
        "female_share": band_table(numbers(pop["female_share_pct"], 0.01)),
        "mortality": _mortality(pop["mortality"]),
        "move_rate": band_table(pop["registration"]["move_away_per_year"]),
        "lives_alone": band_table(numbers(pop["households"]["lives_alone_pct"], 0.01)),
        "has_carer": band_table(numbers(pop["households"]["has_unpaid_carer_pct"], 0.01)),
    }


def _condition_tables(cond: dict[str, Any], age_share: Table, mortality: Table) -> dict[str, Any]:
    """Prevalence, the onsets and resolutions that hold it, and each condition's hazards."""
    targets = numbers(cond["prevalence_pct"]) | numbers(cond["prevalence_pct_other"])
    min_age = {k: int(v) for k, v in numbers(cond["prevalence_denominator_min_age"]).items()}
    prevalence = np.stack(
        [_scaled_prevalence(c, targets[c], min_age.get(c, 0), age_share) for c in assume.LTCS]
    )
    adm_hr = np.log([assume.ADMISSION_HR[c] for c in assume.LTCS])
    mort_hr = np.log([assume.MORTALITY_HR[c] for c in assume.LTCS])
    onset, resolution = _onset_rates(prevalence, np.exp(mort_hr), mortality.mean(axis=0))
    dep_rr = np.ones((len(assume.LTCS), 10))
    for i, c in enumerate(assume.LTCS):
        gradient = assume.DEPRIVATION_GRADIENT.get(c, 1.0)
        rr = gradient ** ((10 - np.arange(1, 11)) / 9)
        dep_rr[i] = rr / rr.mean()
    return {
        "prevalence": prevalence,
        "prevalence_target": targets,
        "prevalence_min_age": min_age,
        "onset": onset,
        "resolution": resolution,
        "deprivation_rr": dep_rr,
        "admission_log_hr": adm_hr,
        "mortality_log_hr": mort_hr,
    }


def _frailty_tables(frailty: dict[str, Any], age_share: Table, mortality: Table) -> dict[str, Any]:
    """Frailty levels by age, the moves up between them, and each level's hazards."""
    frail_cum = _frailty_cumulative(frailty, age_share)
    levels = ("mild", "moderate", "severe")
    frail_adm = np.log([1.0, *(frailty["hospitalisation_hazard_ratio"][k] for k in levels)])
    frail_mort = np.log([1.0, *(frailty["mortality_hazard_ratio"][k] for k in levels)])
    return {
        "frailty_cumulative": frail_cum,
        "frailty_up": _frailty_transitions(frail_cum, np.exp(frail_mort), mortality.mean(axis=0)),
        "frailty_admission_log_hr": frail_adm,
        "frailty_mortality_log_hr": frail_mort,
    }


def _hospital_tables(hosp: dict[str, Any]) -> dict[str, Any]:
    """Admission and A&E rates, and what decides a stay's diagnosis and length."""
    elective = numbers(hosp["elective_admissions_per_1000"], 0.001)
    return {
        "emergency_shape": anchors(assume.EMERGENCY_AGE_SHAPE, log=True),
        "emergency_target": band_table(numbers(hosp["emergency_admissions_per_1000"], 0.001)),
        "elective_rate": band_table({k: v for k, v in elective.items() if "-" in k or "+" in k}),
        "ae_rate": band_table(numbers(hosp["ae_attendances_not_admitted_per_1000"], 0.001)),
        "clinical_los_mean": anchors(assume.CLINICAL_LOS_MEAN),
        "zero_day_share": anchors(assume.ZERO_DAY_SHARE),
        "fall_share": anchors(assume.FALL_SHARE),
        "injury_share": anchors(assume.NON_FALL_INJURY_SHARE),
    }


def _discharge_tables(dis: dict[str, Any]) -> dict[str, Any]:
    """Pathway shares, and the delay reasons and responsibilities given the pathway."""
    pathway = np.array(
        [dis["pathway_share_pct"][f"pathway_{k}"] for k in range(4)], dtype=np.float64
    )
    pathway /= pathway.sum()
    reason_share = np.array([dis["delay_reason_share_pct_2018_19"][r] for r in DELAY_REASONS])
    reason_share /= reason_share.sum()
    resp_share = np.array(
        [
            dis["delayed_days_per_month_england"]["responsibility_share_pct_2018_19"][r]
            for r in DELAY_RESPONSIBILITIES
        ]
    )
    resp_share /= resp_share.sum()
    delay_mean = np.array([assume.DELAY_MEAN_DAYS[r] for r in DELAY_REASONS])
    return {
        "reablement_share": anchors(assume.REABLEMENT_SHARE_OF_PATHWAY_1),
        "pathway_share": pathway,
        "delay_reason_share": reason_share,
        "reason_given_pathway": _reason_given_pathway(pathway, reason_share, delay_mean),
        "responsibility_given_reason": _responsibility_given_reason(reason_share, resp_share),
        "delay_mean": delay_mean,
    }


def _costs(section: dict[str, Any]) -> dict[str, float]:
    """Unit costs; a range's midpoint stands for it."""
    costs: dict[str, float] = {}
    for key, value in section.items():
        if key == "source":
            continue
        number = value["value"] if isinstance(value, dict) else value
        costs[key] = float(np.mean(number))
    return costs


def _age_share(bands: dict[str, Any]) -> Table:
    """Single-year shares: a fifth of each five-year band; 90+ spread with a yearly decline."""
    share = np.zeros(MAX_AGE)
    for name, low, high, value in _bands(bands):
        if name.endswith("+"):
            weights = 0.78 ** np.arange(MAX_AGE - low)
            weights[high - low - 4 :] *= np.linspace(1, 0.2, 5)[: len(weights[high - low - 4 :])]
            share[low:] = value * weights / weights.sum()
        else:
            share[low : high + 1] = value / (high - low + 1)
    return share / share.sum()


def _mortality(m: dict[str, Any]) -> Table:
    base = m["makeham"] + m["gompertz_scale"] * np.exp(m["gompertz_rate"] * AGES)
    base[0] += m["infant"]
    base = np.minimum(base, 0.9)
    return np.stack([base, np.minimum(base * m["male_ratio"], 0.95)])


def _scaled_prevalence(condition: str, target_pct: float, min_age: int, age_share: Table) -> Table:
    """The condition's age shape scaled so its prevalence over the QOF denominator is the target."""
    shape = anchors(assume.PREVALENCE_SHAPE[condition]) / 100
    weights = age_share * (min_age <= AGES)
    level = (shape * weights).sum() / weights.sum()
    return np.clip(shape * (target_pct / 100) / level, 0.0, 0.95)


def _onset_rates(prevalence: Table, mortality_hr: Table, mortality: Table) -> tuple[Table, Table]:
    """Yearly onset (and, for remitting conditions, resolution) hazards that hold prevalence steady.

    In a population whose age structure is steady, the share p(a) with a condition changes
    with age through onset h (among those without), resolution r (among those with) and the
    extra deaths of those with it: p' = h (1 - p) - r p - p (1 - p) dmu. Solving for h (or r
    where p falls with age) gives rates that keep each age's prevalence where it starts.
    """
    onset = np.zeros_like(prevalence)
    resolution = np.zeros_like(prevalence)
    for i, c in enumerate(assume.LTCS):
        p = prevalence[i]
        hr = mortality_hr[i]
        excess = SELECTION_BOOST * mortality * (hr - 1) / (1 + p * (hr - 1))
        slope = np.append(np.diff(p), 0.0)
        need = slope + p * (1 - p) * excess
        onset[i] = np.where(need > 0, need / np.maximum(1 - p, 0.05), 0.0)
        if c in assume.RESOLVING:
            resolution[i] = np.where(need < 0, -need / np.maximum(p, 1e-6), 0.0)
    return onset, resolution


def _frailty_cumulative(frailty: dict[str, Any], age_share: Table) -> Table:
    """Shares at least mild / moderate / severe by age, scaled to the 65+ reference.

    The any-frailty level is the published 43.7% (not the estimated split's 50%); the split
    only sets the proportions mild : moderate : severe among the frail (35 : 12 : 3).
    """
    any_target = frailty["any_frailty_65plus_pct"]["value"] / 100
    split = frailty["split_65plus_pct"]
    frail_total = split["mild"] + split["moderate"] + split["severe"]
    moderate_plus = (split["moderate"] + split["severe"]) / frail_total
    severe = split["severe"] / frail_total
    old = age_share * (AGES >= 65)
    any_shape = anchors(assume.FRAILTY_SHAPE) / 100
    any_level = np.clip(any_shape * any_target / ((any_shape * old).sum() / old.sum()), 0, 0.97)
    frail_weights = any_level * old
    mod_shape = anchors(assume.FRAILTY_MODERATE_PLUS_SHAPE)
    mod = np.clip(
        mod_shape * moderate_plus / ((mod_shape * frail_weights).sum() / frail_weights.sum()),
        0,
        0.9,
    )
    sev_shape = anchors(assume.FRAILTY_SEVERE_SHAPE)
    sev = np.clip(
        sev_shape * severe / ((sev_shape * frail_weights).sum() / frail_weights.sum()), 0, 0.9
    )
    at_least_moderate = any_level * mod
    at_least_severe = any_level * np.minimum(sev, mod)
    return np.stack([any_level, at_least_moderate, at_least_severe])


def _frailty_transitions(cumulative: Table, mortality_hr: Table, mortality: Table) -> Table:
    """Yearly hazards up each frailty level that hold the cumulative shares steady with age."""
    c1, c2, c3 = cumulative
    states = np.stack([1 - c1, c1 - c2, c2 - c3, c3])
    mean_hr = (states * mortality_hr[:, None]).sum(axis=0)
    up = np.zeros_like(cumulative)
    for k, ck in enumerate((c1, c2, c3)):
        below = states[: k + 1]
        above = states[k + 1 :]
        hr_above = (above * mortality_hr[k + 1 :, None]).sum(axis=0) / np.maximum(
            above.sum(axis=0), 1e-9
        )
        hr_below = (below * mortality_hr[: k + 1, None]).sum(axis=0) / np.maximum(
            below.sum(axis=0), 1e-9
        )
        excess = SELECTION_BOOST * mortality * (hr_above - hr_below) / mean_hr
        slope = np.append(np.diff(ck), 0.0)
        need = slope + ck * (1 - ck) * excess
        source = states[k]
        up[k] = np.where(source > 1e-6, np.maximum(need, 0) / np.maximum(source, 1e-6), 0.0)
    return np.minimum(up, 3.0)


def _ipf(prior: Table, rows: Table, cols: Table, rounds: int = 500) -> Table:
    """Iterative proportional fitting: the table nearest `prior` with these row and column sums."""
    table = prior.copy()
    for _ in range(rounds):
        table *= (rows / np.maximum(table.sum(axis=1), 1e-12))[:, None]
        table *= (cols / np.maximum(table.sum(axis=0), 1e-12))[None, :]
    return table


def _reason_given_pathway(pathway: Table, reason_days: Table, mean_days: Table) -> Table:
    """P(reason | delayed, pathway) so that delayed days by reason match the published shares.

    Delayed spells per pathway are its share times its delay probability; spells per
    reason are the day share divided by the reason's mean delay. Fitting the pathway x
    reason table to both margins, starting from which reasons can follow which pathway,
    gives the reason mix of each pathway.
    """
    delayed = pathway * np.array(assume.DELAY_PROBABILITY_BY_PATHWAY)
    spells = reason_days / mean_days
    spells = spells / spells.sum() * delayed.sum()
    prior = np.array([assume.REASON_PATHWAY_PRIOR[r] for r in DELAY_REASONS]).T + 1e-9
    joint = _ipf(prior, delayed, spells)
    return joint / joint.sum(axis=1, keepdims=True)


def _responsibility_given_reason(reason_days: Table, responsibility_days: Table) -> Table:
    """P(responsible body | reason), fitted so delayed days by body match the published split."""
    prior = np.array([assume.RESPONSIBILITY_PRIOR[r] for r in DELAY_REASONS]) + 1e-9
    joint = _ipf(prior, reason_days, responsibility_days)
    return joint / joint.sum(axis=1, keepdims=True)
