"""The validation report's figures: the model against its baselines on the same people.

`build_report` scores everyone in the lake's population on the as-of date with the model
and each baseline (baselines.py), takes the outcome of the year after, and measures each
(evaluation.py) overall and by age band, sex and deprivation quintile, then judges the
targets of issue 6 item 5. The result is plain data (dataclasses, written as JSON beside
the HTML page that report_html.py draws from it), so benchmarks and docs can quote the
same figures the page shows.

When the lake carries the generator's truth for the date, everyone is evaluated on the
people both the population and the truth cover, so every row of the comparison is about
the same people; the counts are stated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from joinedup.lake.manifest import Manifest
from joinedup.output_files import json_kind
from joinedup.risk import evaluation
from joinedup.risk.baselines import BASELINES, Truth, fit_baselines, read_truth
from joinedup.risk.compute import check_as_of, compute_features
from joinedup.risk.model import RiskModel, lake_description, matrix

Floats = npt.NDArray[np.float64]

FIGURES_FILE = json_kind("a risk report's figures", "joinedup-risk-report")
OUTCOME_DAYS = 365
AGE_BANDS = ((0, 17), (18, 44), (45, 64), (65, 74), (75, 84), (85, None))
SEXES = ("female", "male", "unknown")
QUINTILES = ("1 (most deprived)", "2", "3", "4", "5 (least deprived)", "unknown")
GROUPINGS = {"age_band": "Age band", "sex": "Sex", "deprivation_quintile": "Deprivation quintile"}
MODEL_KEY = "model"
CEILING_KEY = "ceiling"
AUC_OF_CEILING = 0.02  # the model's AUC within this of the ceiling's
AUC_OVER_QADMISSIONS = 0.03  # and at least this above the QAdmissions-style model's
SLOPE_RANGE = (0.9, 1.1)
CEILING_TARGET = f"ROC AUC within {AUC_OF_CEILING} of the ceiling (the generator's true risk)"
QADMISSIONS_TARGET = f"ROC AUC at least {AUC_OVER_QADMISSIONS} above the QAdmissions-style model"
SLOPE_TARGET = (
    f"Calibration slope between {SLOPE_RANGE[0]} and {SLOPE_RANGE[1]} overall and in every "
    "age, sex and deprivation group"
)
TARGET_NAMES = (CEILING_TARGET, QADMISSIONS_TARGET, SLOPE_TARGET)
ROC_RATES = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5)  # false positive rates read off the ROC curves
PR_RECALLS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9)  # recalls read off the precision-recall curves


@dataclass(frozen=True)
class Measures:
    """One model's figures for one group of people (None: cannot be worked out there)."""

    people: int
    admitted: int
    roc_auc: float | None
    average_precision: float | None
    brier: float | None
    calibration_slope: float | None
    calibration_slope_low: float | None
    calibration_slope_high: float | None
    calibration_intercept: float | None
    mean_predicted: float | None
    observed: float | None
    ppv_top_1: float | None
    sensitivity_top_1: float | None
    ppv_top_5: float | None
    sensitivity_top_5: float | None


def measure(y: Floats, p: Floats) -> Measures:
    fit = evaluation.calibration(y, p)
    tops = {share: evaluation.top(y, p, share) for share in evaluation.TOPS}
    one, five = tops[0.01], tops[0.05]
    return Measures(
        people=len(y),
        admitted=int(y.sum()),
        roc_auc=evaluation.roc_auc(y, p),
        average_precision=evaluation.average_precision(y, p),
        brier=evaluation.brier(y, p),
        calibration_slope=fit.slope if fit else None,
        calibration_slope_low=fit.slope_low if fit else None,
        calibration_slope_high=fit.slope_high if fit else None,
        calibration_intercept=fit.intercept if fit else None,
        mean_predicted=float(p.mean()) if len(p) else None,
        observed=float(y.mean()) if len(y) else None,
        ppv_top_1=one.ppv if one else None,
        sensitivity_top_1=one.sensitivity if one else None,
        ppv_top_5=five.ppv if five else None,
        sensitivity_top_5=five.sensitivity if five else None,
    )


@dataclass(frozen=True)
class Scored:
    """One model (or baseline) evaluated: overall, by group, and its curves."""

    key: str
    label: str
    described: str
    overall: Measures
    groups: dict[str, dict[str, Measures]]  # grouping -> group -> measures
    roc: list[tuple[float, float]]  # (false positive rate, true positive rate)
    precision_recall: list[tuple[float, float]]  # (recall, precision)
    calibration_bins: list[evaluation.Bin]
    tpr_at: list[float | None]  # the true positive rate at each of ROC_RATES
    precision_at: list[float | None]  # the precision at each of PR_RECALLS


@dataclass(frozen=True)
class Target:
    name: str
    status: str  # "met", "not met" or "not measurable"
    detail: str


@dataclass
class Report:
    as_of: str
    outcome_days: int
    lake: dict[str, Any]
    model: dict[str, Any]
    population: int  # registered and alive on the as-of date
    evaluated: int  # of them, the people evaluated (all, or those the truth covers too)
    admitted: int
    truth: dict[str, Any]  # available, reason, people (the truth's count on the date)
    baselines_fitted: dict[str, Any]
    in_sample: bool  # the year judged overlaps the year the model learned from
    groups: dict[str, dict[str, Any]]  # grouping -> {"label":..., "groups": [...]}
    models: list[Scored] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def scored(self, key: str) -> Scored | None:
        return next((m for m in self.models if m.key == key), None)


def age_band(age: Floats) -> list[str]:
    labels = []
    for value in age:
        for low, high in AGE_BANDS:
            if high is None or value <= high:
                labels.append(f"{low}+" if high is None else f"{low}-{high}")
                break
    return labels


def _age_labels() -> list[str]:
    return [f"{low}+" if high is None else f"{low}-{high}" for low, high in AGE_BANDS]


def deprivation_quintile(decile: Floats) -> list[str]:
    return [QUINTILES[-1] if np.isnan(d) else QUINTILES[int((d - 1) // 2)] for d in decile]


def _sexes(person_table: Path, person_id: pa.Array) -> list[str]:
    """Each person's recorded sex from the lake's person table (female, male or unknown:
    the features hold only a female flag)."""
    person = pq.read_table(person_table, columns=["person_id", "sex"])
    where = pc.index_in(person_id, value_set=person.column("person_id").combine_chunks())
    sex = pc.take(person.column("sex"), where).to_pylist()
    return [s if s in SEXES else "unknown" for s in sex]


def _score_all(
    key: str,
    label: str,
    described: str,
    y: Floats,
    p: Floats,
    groups: dict[str, list[str]],
    order: dict[str, list[str]],
) -> Scored:
    by_group: dict[str, dict[str, Measures]] = {}
    for grouping, labels in groups.items():
        members = np.array(labels)
        by_group[grouping] = {
            name: measure(y[members == name], p[members == name]) for name in order[grouping]
        }
    return Scored(
        key=key,
        label=label,
        described=described,
        overall=measure(y, p),
        groups=by_group,
        roc=evaluation.roc_points(y, p),
        precision_recall=evaluation.pr_points(y, p),
        calibration_bins=evaluation.calibration_bins(y, p),
        tpr_at=evaluation.tpr_at(y, p, ROC_RATES),
        precision_at=evaluation.precision_at(y, p, PR_RECALLS),
    )


def judge(report: Report) -> list[Target]:
    """Issue 6 item 5's accuracy targets, each met, not met or not measurable, with figures.
    None is judged when the year judged overlaps the year the model (and the baselines)
    learned from: its figures would flatter it, even above the ceiling."""
    model = report.scored(MODEL_KEY)
    assert model is not None
    if report.in_sample:
        why = (
            f"the year judged overlaps the year the model learned from (trained on "
            f"{report.model.get('trained_as_of')}): judge it on a date a year or more later"
        )
        return [Target(name, "not measurable", why) for name in TARGET_NAMES]
    auc = model.overall.roc_auc
    targets = []
    ceiling = report.scored(CEILING_KEY)
    name = CEILING_TARGET
    if ceiling is None:
        targets.append(Target(name, "not measurable", f"no ceiling: {report.truth['reason']}"))
    elif auc is None or ceiling.overall.roc_auc is None:
        targets.append(Target(name, "not measurable", "an AUC needs people of both outcomes"))
    else:
        gap = ceiling.overall.roc_auc - auc
        targets.append(
            Target(
                name,
                "met" if gap <= AUC_OF_CEILING else "not met",
                f"model {auc:.3f}, ceiling {ceiling.overall.roc_auc:.3f}: "
                + (f"{gap:.3f} below" if gap >= 0 else f"{-gap:.3f} above"),
            )
        )
    qadmissions = report.scored("qadmissions_style")
    name = QADMISSIONS_TARGET
    if qadmissions is None or auc is None or qadmissions.overall.roc_auc is None:
        targets.append(Target(name, "not measurable", "an AUC needs people of both outcomes"))
    else:
        lift = auc - qadmissions.overall.roc_auc
        detail = f"model {auc:.3f}, QAdmissions-style {qadmissions.overall.roc_auc:.3f}: " + (
            f"{lift:.3f} above" if lift >= 0 else f"{-lift:.3f} below"
        )
        if ceiling is not None and ceiling.overall.roc_auc is not None:
            # what any model could gain over it here: the target may be out of reach
            room = ceiling.overall.roc_auc - qadmissions.overall.roc_auc
            detail += f" (the ceiling itself is {room:.3f} above it)"
        targets.append(Target(name, "met" if lift >= AUC_OVER_QADMISSIONS else "not met", detail))
    low, high = SLOPE_RANGE
    name = SLOPE_TARGET
    slope = model.overall.calibration_slope
    if slope is None:
        targets.append(Target(name, "not measurable", "too few people of one outcome"))
    else:
        outside, unassessed = [], []
        for grouping, groups in model.groups.items():
            title = GROUPINGS[grouping].lower()
            for group, figures in groups.items():
                value = figures.calibration_slope
                if figures.people == 0:
                    continue
                if value is None:
                    unassessed.append(f"{title} {group} ({figures.people:,} people)")
                elif not low <= value <= high:
                    interval = (
                        f"95% CI {figures.calibration_slope_low:.2f} to "
                        f"{figures.calibration_slope_high:.2f}; "
                        if figures.calibration_slope_low is not None
                        and figures.calibration_slope_high is not None
                        else ""
                    )
                    outside.append(
                        f"{title} {group} {value:.3f} ({interval}{figures.people:,} people, "
                        f"{figures.admitted:,} admitted)"
                    )
        met = low <= slope <= high and not outside
        detail = f"overall {slope:.3f}; " + (
            f"outside the range: {', '.join(outside)}" if outside else "every group in range"
        )
        if unassessed:
            detail += (
                f"; not assessed (fewer than {evaluation.MIN_EACH_OUTCOME} people of one "
                f"outcome): {', '.join(unassessed)}"
            )
        targets.append(Target(name, "met" if met else "not met", detail))
    return targets


def _model_description(model: RiskModel) -> dict[str, Any]:
    trained = model.trained
    return {
        "trained_as_of": trained.get("as_of"),
        "trained_people": trained.get("people"),
        "trained_admitted": trained.get("admitted"),
        "trained_lake": trained.get("lake", {}),
        "seed": trained.get("seed"),
        "rounds": trained.get("rounds"),
        "features": list(model.features),
        "calibration": {"intercept": model.calibration[0], "slope": model.calibration[1]},
    }


def _learnable(manifest_start: dt.date, manifest_end: dt.date, day: dt.date) -> bool:
    """Whether the lake holds `day`'s history and the year after it."""
    return manifest_start < day and day + dt.timedelta(days=OUTCOME_DAYS) <= (
        manifest_end + dt.timedelta(days=1)
    )


def build_report(
    lake: Path,
    model: RiskModel,
    as_of: dt.date,
    *,
    engine: str = "duckdb",
    seed: int = 1,
    step: Callable[[str], None] = lambda _: None,
    checked: tuple[Manifest, dict[str, Path]] | None = None,
) -> Report:
    """The model and every baseline on the same people on `as_of`, measured; `step` is
    called with the next step's name as each one ends (for a progress bar); `checked` is
    check_as_of's answer when the caller has it (the lake is checked once)."""
    checked = checked or check_as_of(lake, as_of)
    manifest = checked[0]
    table = compute_features(lake, as_of, engine=engine, with_outcome=True, checked=checked)
    population = table.num_rows
    truth = read_truth(lake, as_of)
    table, truth_probability, reason = _with_truth(table, truth, as_of)
    y = matrix(table, ("admitted",))[:, 0]
    model_p = model.predict(matrix(table, model.features))
    groups = {
        "age_band": age_band(matrix(table, ("age",))[:, 0]),
        "sex": _sexes(checked[1]["person"], table.column("person_id").combine_chunks()),
        "deprivation_quintile": deprivation_quintile(matrix(table, ("deprivation_decile",))[:, 0]),
    }
    step("Baselines")

    trained_as_of = dt.date.fromisoformat(str(model.trained["as_of"]))
    learn = None
    if trained_as_of == as_of:
        learn = table
    elif _learnable(manifest.observation_start, manifest.observation_end, trained_as_of):
        learn = compute_features(
            lake, trained_as_of, engine=engine, with_outcome=True, checked=checked
        )
    baseline_p, fitting = fit_baselines(
        table, learn, learn_as_of=trained_as_of if learn is not None else None, seed=seed
    )
    step("Measures")

    order = {
        "age_band": _age_labels(),
        "sex": list(SEXES),
        "deprivation_quintile": list(QUINTILES),
    }
    predictions = [
        (
            MODEL_KEY,
            "joinedup model",
            f"gradient-boosted trees on {len(model.features)} features, trained on "
            f"{model.trained.get('as_of')}",
            model_p,
        ),
        *((b.key, b.label, b.described, baseline_p[b.key]) for b in BASELINES),
    ]
    if truth_probability is not None:
        predictions.append(
            (
                CEILING_KEY,
                "Ceiling: the generator's true risk",
                "each person's probability under the generator's own hazards",
                truth_probability,
            )
        )
    report = Report(
        as_of=as_of.isoformat(),
        outcome_days=OUTCOME_DAYS,
        lake={**lake_description(lake, manifest), "pseudonymised": manifest.pseudonymised},
        model=_model_description(model),
        population=population,
        evaluated=table.num_rows,
        admitted=int(y.sum()),
        truth={
            "available": truth_probability is not None,
            "reason": reason,
            "people": 0 if truth.person_id is None else len(truth.person_id),
        },
        baselines_fitted=dataclasses.asdict(fitting),
        in_sample=abs((as_of - trained_as_of).days) < OUTCOME_DAYS,
        groups={
            grouping: {"label": GROUPINGS[grouping], "groups": order[grouping]}
            for grouping in GROUPINGS
        },
        models=[
            _score_all(key, label, described, y, p, groups, order)
            for key, label, described, p in predictions
        ],
    )
    report.targets = judge(report)
    return report


def _with_truth(
    table: pa.Table, truth: Truth, as_of: dt.date
) -> tuple[pa.Table, Floats | None, str]:
    """The population cut to the people the true risk covers (when it covers anyone), their
    true probabilities, and why there are none."""
    if truth.person_id is None or truth.probability is None:
        return table, None, truth.reason
    where = pc.index_in(table.column("person_id"), value_set=truth.person_id)
    covered = pc.is_valid(where)
    if not (pc.sum(covered).as_py() or 0):
        return table, None, f"truth/risk.parquet covers nobody in the population on {as_of}"
    positions = pc.drop_null(where).to_numpy(zero_copy_only=False)
    return table.filter(covered), truth.probability[positions], truth.reason


def figures_json(report: Report) -> str:
    """The figures as JSON, "format" first (how --overwrite knows a report's figures)."""
    return json.dumps({"format": FIGURES_FILE.mark, **report.to_json()}, indent=1) + "\n"
