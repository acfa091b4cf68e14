"""The validation report as one self-contained HTML file.

Everything is inside the file: the styles, and the charts as inline SVG (no script, no
font, nothing fetched from anywhere), so it can be mailed, archived, or opened on a
machine with no network. Each chart has a text alternative and its figures in a table;
series differ in dash pattern and marker as well as colour. Every piece of text from the
lake, the model file or the figures is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

from markupsafe import Markup, escape

from joinedup.charts import value_axis
from joinedup.output_files import staged_files, text_kind, write_file
from joinedup.risk.evaluation import CURVE_POINTS, MIN_EACH_OUTCOME
from joinedup.risk.report import (
    CEILING_KEY,
    FIGURES_FILE,
    GROUPINGS,
    MODEL_KEY,
    PR_RECALLS,
    ROC_RATES,
    Measures,
    Report,
    Scored,
    figures_json,
)
from joinedup.risk.report_charts import (
    STYLES,
    Series,
    diagonal_key,
    legend_key,
    unit_axis,
    xy_chart,
)

# The page's mark, in its head: how --overwrite knows a report page joinedup wrote.
PAGE_FILE = text_kind(
    "a risk report page", '<meta name="generator" content="joinedup risk report">'
)
CSS = """
body { font-family: Arial, sans-serif; color: #212b32; background: #ffffff; margin: 0;
  line-height: 1.5; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 1.9rem; line-height: 1.25; }
h2 { font-size: 1.45rem; margin-top: 2.2rem; border-top: 2px solid #d8dde0;
  padding-top: 1rem; }
h3 { font-size: 1.15rem; margin-top: 1.6rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.92rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.4rem; }
th, td { border-bottom: 1px solid #d8dde0; padding: 4px 8px; text-align: right;
  vertical-align: top; }
th[scope="row"], th[scope="rowgroup"], td.text, th.text { text-align: left; }
thead th { border-bottom: 2px solid #4c6272; }
.scroll { overflow-x: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 0; flex: 1 1 440px; max-width: 560px; }
.risk-chart { width: 100%; height: auto; }
.legend { list-style: none; padding: 0; margin: 0.4rem 0; }
.legend li { display: flex; align-items: center; gap: 8px; }
.status-met { font-weight: bold; color: #007f3b; }
.status-not-met { font-weight: bold; color: #d5281b; }
.status-not-measurable { font-weight: bold; color: #4c6272; }
.note { background: #f0f4f5; border-left: 6px solid #005eb8; padding: 8px 12px; }
dt { font-weight: bold; margin-top: 0.5rem; }
dd { margin-left: 1.2rem; }
summary { cursor: pointer; color: #005eb8; text-decoration: underline; }
"""

MEASURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("roc_auc", "ROC AUC"),
    ("average_precision", "Average precision"),
    ("brier", "Brier score"),
    ("calibration_slope", "Calibration slope (95% CI)"),
    ("calibration_intercept", "Calibration intercept"),
    ("mean_predicted", "Mean predicted"),
    ("observed", "Observed"),
    ("ppv_top_1", "PPV, top 1%"),
    ("sensitivity_top_1", "Sensitivity, top 1%"),
    ("ppv_top_5", "PPV, top 5%"),
    ("sensitivity_top_5", "Sensitivity, top 5%"),
)
PERCENT = {"mean_predicted", "observed", "ppv_top_1", "sensitivity_top_1", "ppv_top_5",
           "sensitivity_top_5"}  # fmt: skip


def _number(value: float | None, decimals: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:,.{decimals}f}"


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _cell(figures: Measures, key: str) -> str:
    value = getattr(figures, key)
    if key in PERCENT:
        return _percent(value)
    if key == "calibration_slope" and value is not None:
        low, high = figures.calibration_slope_low, figures.calibration_slope_high
        if low is not None and high is not None:
            return f"{value:.3f} ({low:.2f} to {high:.2f})"
    return _number(value)


def _measure_headers() -> str:
    return "".join(f'<th scope="col">{escape(label)}</th>' for _, label in MEASURE_COLUMNS)


def _measure_cells(figures: Measures) -> str:
    return "".join(f"<td>{escape(_cell(figures, key))}</td>" for key, _ in MEASURE_COLUMNS)


def _legend(report: Report, extra: str = "") -> Markup:
    items = [
        f"<li>{legend_key(STYLES[i])}<span>{escape(m.label)}</span></li>"
        for i, m in enumerate(report.models)
    ]
    if extra:
        items.append(f"<li>{diagonal_key()}<span>{escape(extra)}</span></li>")
    return Markup(f'<ul class="legend">{"".join(items)}</ul>')


def _series(report: Report, which: str) -> list[Series]:
    out = []
    for i, m in enumerate(report.models):
        if which == "roc":
            points = list(m.roc)
        elif which == "pr":
            points = list(m.precision_recall)
        else:
            points = [(b.mean_predicted, b.observed) for b in m.calibration_bins]
        out.append(Series(m.label, points, STYLES[i]))
    return out


def _auc_list(report: Report) -> str:
    return "; ".join(f"{m.label} {_number(m.overall.roc_auc)}" for m in report.models)


def _roc_section(report: Report) -> str:
    chart = xy_chart(
        chart_id="roc",
        title="ROC curves",
        description=(
            "True positive rate against false positive rate for each model, with the "
            f"diagonal of a score no better than chance. Areas under the curves: "
            f"{_auc_list(report)}."
        ),
        series=_series(report, "roc"),
        x_axis=unit_axis(),
        y_axis=unit_axis(),
        x_label="False positive rate (1 - specificity)",
        y_label="True positive rate (sensitivity)",
        diagonal="chance",
    )
    table = _curve_table(
        report,
        "ROC curves: the area under each and the true positive rate at chosen false positive rates",
        "ROC AUC",
        [f"FPR {r:g}" for r in ROC_RATES],
        lambda m: (m.overall.roc_auc, m.tpr_at),
    )
    return (
        '<h2 id="roc">ROC curves</h2><p>How many of the people admitted (true positive rate) '
        "a team would find for each share of the people not admitted it also picks (false "
        "positive rate), as the threshold moves down the scores. Higher and further left "
        "is better; the area under the curve is the ROC AUC.</p>"
        f'<div class="charts"><figure>{chart}<figcaption>'
        f"{_legend(report, 'Chance (the diagonal)')}</figcaption></figure></div>{table}"
    )


def _pr_section(report: Report) -> str:
    observed = report.admitted / report.evaluated if report.evaluated else 0.0
    highs = [y for m in report.models for _, y in m.precision_recall]
    chart = xy_chart(
        chart_id="pr",
        title="Precision-recall curves",
        description=(
            "Precision (the share admitted among the people picked) against recall (the share "
            "of the people admitted who are picked) for each model, from the highest scores "
            f"down. {_percent(observed)} of everyone was admitted. Average precision: "
            + "; ".join(f"{m.label} {_number(m.overall.average_precision)}" for m in report.models)
            + "."
        ),
        series=_series(report, "pr"),
        x_axis=unit_axis(),
        y_axis=value_axis(highs, ticks=5) if highs else unit_axis(),
        x_label="Recall (sensitivity)",
        y_label="Precision (positive predictive value)",
    )
    table = _curve_table(
        report,
        "Precision-recall curves: average precision and the precision at chosen recalls",
        "Average precision",
        [f"Recall {r:g}" for r in PR_RECALLS],
        lambda m: (m.overall.average_precision, m.precision_at),
    )
    return (
        '<h2 id="precision-recall">Precision-recall curves</h2><p>Of the people a team picks '
        "from the top of the list, the share who go on to be admitted (precision), as the "
        "list goes down far enough to find more of the people admitted (recall). Higher is "
        f"better; a score with no information sits at the share admitted, {_percent(observed)}."
        f'</p><div class="charts"><figure>{chart}<figcaption>{_legend(report)}</figcaption>'
        f"</figure></div>{table}"
    )


def _curve_table(
    report: Report,
    caption: str,
    summary: str,
    points: list[str],
    values: Callable[[Scored], tuple[float | None, Sequence[float | None]]],
) -> str:
    """Each model's summary of a curve (its area, say) and its values at chosen points."""
    head = "".join(f'<th scope="col">{point}</th>' for point in points)
    rows = "".join(
        f'<tr><th scope="row">{escape(m.label)}</th><td>{_number(values(m)[0])}</td>'
        + "".join(f"<td>{_number(v)}</td>" for v in values(m)[1])
        + "</tr>"
        for m in report.models
    )
    return (
        f'<div class="scroll"><table><caption>{caption}</caption><thead><tr>'
        f'<th scope="col" class="text">Model</th><th scope="col">{summary}</th>{head}</tr>'
        f"</thead><tbody>{rows}</tbody></table></div>"
    )


def _calibration_section(report: Report) -> str:
    values = [v for m in report.models for b in m.calibration_bins
              for v in (b.mean_predicted, b.observed)]  # fmt: skip
    axis = value_axis(values, ticks=5) if values else unit_axis()
    chart = xy_chart(
        chart_id="calibration",
        title="Calibration plot",
        description=(
            "The share of people admitted against the mean predicted risk, in tenths of the "
            "people by each model's predicted risk, with the diagonal where they are equal. "
            "Calibration slopes: "
            + "; ".join(f"{m.label} {_number(m.overall.calibration_slope)}" for m in report.models)
            + "."
        ),
        series=_series(report, "calibration"),
        x_axis=axis,
        y_axis=axis,
        x_label="Mean predicted risk",
        y_label="Share admitted",
        diagonal="perfect calibration",
        every_marker=True,
    )
    tables = []
    for m in report.models:
        rows = "".join(
            f'<tr><th scope="row">{i}</th><td>{b.people:,}</td><td>{b.admitted:,}</td>'
            f"<td>{_percent(b.mean_predicted)}</td><td>{_percent(b.observed)}</td></tr>"
            for i, b in enumerate(m.calibration_bins, start=1)
        )
        tables.append(
            f"<table><caption>{escape(m.label)}: tenths by predicted risk, lowest first"
            '</caption><thead><tr><th scope="col" class="text">Tenth</th>'
            '<th scope="col">People</th><th scope="col">Admitted</th>'
            '<th scope="col">Mean predicted</th><th scope="col">Observed</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return (
        '<h2 id="calibration">Calibration</h2><p>Whether the probabilities mean what they say: '
        "the people are put in ten groups by predicted risk (people with the same score stay "
        "together, so a score with few values has fewer groups), and each group's mean "
        "predicted risk is set against the share of it admitted. On the diagonal is right; "
        "below it the score is too high, above it too low.</p>"
        f'<div class="charts"><figure>{chart}<figcaption>'
        f"{_legend(report, 'Perfect calibration (the diagonal)')}</figcaption></figure></div>"
        "<details><summary>The figures behind the calibration plot</summary>"
        f'<div class="charts">{"".join(tables)}</div></details>'
    )


def _status(status: str) -> str:
    css = "status-" + status.replace(" ", "-")
    return f'<span class="{css}">{escape(status.capitalize())}</span>'


def _targets_section(report: Report) -> str:
    rows = "".join(
        f'<tr><th scope="row" class="text">{escape(t.name)}</th><td class="text">'
        f'{_status(t.status)}</td><td class="text">{escape(t.detail)}</td></tr>'
        for t in report.targets
    )
    return (
        '<h2 id="targets">Targets</h2><p>The accuracy targets of the risk model (issue 6): '
        "each met, not met, or not measurable on this lake.</p>"
        '<table><caption>Targets</caption><thead><tr><th scope="col" class="text">Target'
        '</th><th scope="col" class="text">Result</th><th scope="col" class="text">Figures'
        f"</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _comparison_section(report: Report) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(m.label)}</th>{_measure_cells(m.overall)}</tr>'
        for m in report.models
    )
    return (
        '<h2 id="comparison">The model against its baselines</h2>'
        f'<div class="scroll"><table><caption>Every model on the same {report.evaluated:,} '
        f"people ({report.admitted:,} admitted in the {report.outcome_days} days from "
        f"{escape(report.as_of)})</caption><thead><tr>"
        f'<th scope="col" class="text">Model</th>{_measure_headers()}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _groups_section(report: Report) -> str:
    parts = [
        '<h2 id="groups">By age band, sex and deprivation</h2><p>The same measures within '
        "each group, so a model that works well on average but badly for some people shows. "
        f"Where a group has fewer than {MIN_EACH_OUTCOME} people admitted (or not admitted) "
        "its calibration is not worked out (n/a). Deprivation quintiles pair the deciles: 1 "
        "is the most deprived fifth.</p>"
    ]
    for grouping, title in GROUPINGS.items():
        bodies = []
        for group in report.groups[grouping]["groups"]:
            rows = []
            for i, m in enumerate(report.models):
                figures = m.groups[grouping][group]
                head = (
                    f'<th scope="rowgroup" rowspan="{len(report.models)}" class="text">'
                    f"{escape(group)}<br>{figures.people:,} people, {figures.admitted:,} "
                    "admitted</th>"
                    if i == 0
                    else ""
                )
                rows.append(
                    f'<tr>{head}<th scope="row" class="text">{escape(m.label)}</th>'
                    f"{_measure_cells(figures)}</tr>"
                )
            bodies.append(f"<tbody>{''.join(rows)}</tbody>")
        parts.append(
            f'<h3 id="groups-{grouping}">{escape(title)}</h3><div class="scroll"><table>'
            f"<caption>{escape(title)}: every model within each group</caption><thead><tr>"
            f'<th scope="col" class="text">{escape(title)}</th>'
            f'<th scope="col" class="text">Model</th>{_measure_headers()}</tr></thead>'
            f"{''.join(bodies)}</table></div>"
        )
    return "".join(parts)


def _about_section(report: Report) -> str:
    model = report.model
    lake = report.lake
    trained_lake = model.get("trained_lake") or {}
    fitted = report.baselines_fitted
    truth = report.truth
    evaluated = (
        f"{report.evaluated:,} people: everyone registered and alive on {report.as_of}"
        + (
            f" whom the generator's truth also covers (of {report.population:,} in the "
            f"population and {truth['people']:,} in the truth)"
            if report.evaluated != report.population or truth["available"]
            else ""
        )
        + f"; {report.admitted:,} had an emergency admission in the {report.outcome_days} "
        "days from that date."
    )
    baselines = "".join(
        f"<li><strong>{escape(m.label)}</strong>: {escape(m.described)}</li>"
        for m in report.models
        if m.key not in (MODEL_KEY, CEILING_KEY)
    )
    ceiling = (
        "each person's true probability under the generator's own hazards "
        "(truth/risk.parquet): the best any model could do on average"
        if truth["available"]
        else f"not available: {truth['reason']}"
    )
    warning = (
        '<p class="note">The year judged overlaps the year the model learned from (it was '
        "trained less than a year from this date), so its figures flatter it and the "
        "targets are not judged. Judge it on a date a year or more after its training "
        "date.</p>"
        if report.in_sample
        else ""
    )
    features = ", ".join(model["features"])
    return (
        '<h2 id="about">What was compared</h2>'
        f"{warning}<dl>"
        f"<dt>The people evaluated</dt><dd>{escape(evaluated)}</dd>"
        f"<dt>The lake</dt><dd>{escape(lake['path'])} (source {escape(lake['source'])}, "
        f"{escape(lake['purpose'])}; window {escape(lake['observation_start'])} to "
        f"{escape(lake['observation_end'])}; contract version {lake['schema_version']}"
        f"{'; pseudonymised' if lake['pseudonymised'] else ''})</dd>"
        "<dt>The model</dt><dd>"
        f"LightGBM gradient-boosted trees ({escape(str(model.get('rounds')))} rounds, seed "
        f"{escape(str(model.get('seed')))}), calibrated by Platt scaling; trained on "
        f"{escape(_count(model.get('trained_people')))} people on "
        f"{escape(str(model.get('trained_as_of')))} "
        f"({escape(_count(model.get('trained_admitted')))} admitted in the year after), from "
        f"the lake {escape(str(trained_lake.get('path', 'unknown')))}. "
        f"{len(model['features'])} features: {escape(features)}.</dd>"
        f"<dt>Baselines (a) to (c)</dt><dd><ul>{baselines}</ul>Logistic regressions on "
        f"standardised inputs, {escape(fitted['explained'])}.</dd>"
        f"<dt>(d) The ceiling</dt><dd>{escape(ceiling)}</dd></dl>"
    )


MEANINGS = (
    ("ROC AUC", "the chance that a person who was admitted has a higher score than one who "
     "was not: 0.5 is guessing, 1 is perfect ranking."),
    ("Average precision", "the area under the precision-recall curve: how concentrated the "
     "people admitted are at the top of the list; compare it with the share admitted."),
    ("Brier score", "the mean squared difference between the predicted probability and what "
     "happened (1 or 0): lower is better; it rewards both ranking and calibration."),
    ("Calibration slope and intercept", "from a logistic regression of what happened on the "
     "predicted log-odds: slope 1 and intercept 0 when the probabilities are right; a slope "
     "below 1 means the predictions are too extreme, above 1 too timid. The interval is the "
     "slope's 95% confidence interval."),
    ("Mean predicted and observed", "the average predicted risk and the share actually "
     "admitted: close when the model is right on average."),
    ("PPV and sensitivity, top 1% and 5%", "take the 1% (or 5%) of people with the highest "
     "scores, as case finding does: PPV is the share of them admitted, sensitivity the share "
     "of everyone admitted who are among them. Exactly ceil(k x n) people are taken; where "
     "people with the same score straddle the cut, each counts as an equal fraction of the "
     "places left (what a random choice among them gives on average)."),
)  # fmt: skip


def _meanings_section() -> str:
    items = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(meaning)}</dd>" for term, meaning in MEANINGS
    )
    return (
        '<h2 id="meanings">What the measures mean</h2>'
        f"<dl>{items}</dl><p>The curves are drawn from about {CURVE_POINTS} points each; "
        "every figure in the tables comes from all the people.</p>"
    )


def render(report: Report) -> str:
    """The whole page."""
    title = f"Risk model validation: {Path(report.lake['path']).name} on {report.as_of}"
    model = report.scored(MODEL_KEY)
    summary = ""
    if model is not None:
        summary = (
            f"The joinedup model ranks the people with a ROC AUC of "
            f"{_number(model.overall.roc_auc)}"
        )
        others = [m for m in report.models if m.key != MODEL_KEY]
        if others:
            summary += (
                " (" + "; ".join(f"{m.label} {_number(m.overall.roc_auc)}" for m in others) + ")"
            )
        met = sum(t.status == "met" for t in report.targets)
        summary += f". Targets met: {met} of {len(report.targets)}."
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{PAGE_FILE.mark}"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>"
        "<h1>Risk of an emergency admission: validation report</h1>"
        f"<p>The risk model scored on {escape(report.as_of)} and judged on the "
        f"{report.outcome_days} days that followed, side by side with simpler scores on the "
        f"same people. Lake: {escape(report.lake['path'])}.</p>"
        f"<p>{escape(summary)}</p>"
        f"{_targets_section(report)}{_comparison_section(report)}{_roc_section(report)}"
        f"{_pr_section(report)}{_calibration_section(report)}{_groups_section(report)}"
        f"{_about_section(report)}{_meanings_section()}"
        "</main></body></html>\n"
    )


def write_html(report: Report, path: Path, *, overwrite: bool = False) -> None:
    """The page alone (written beside, then renamed: never half a file)."""
    page = render(report)
    write_file(
        path, PAGE_FILE, lambda stage: stage.write_text(page, encoding="utf-8"), overwrite=overwrite
    )


def write_report(report: Report, path: Path, *, overwrite: bool = False) -> Path:
    """The page at `path` and its figures beside it (REPORT.json), both or neither; an
    existing page or figures file is replaced only with `overwrite`, and only if joinedup
    wrote it as one. Returns the figures' path."""
    figures = path.with_suffix(".json")
    targets = [(figures, FIGURES_FILE), (path, PAGE_FILE)]
    with staged_files(targets, overwrite=overwrite) as (figures_stage, page_stage):
        figures_stage.write_text(figures_json(report), encoding="utf-8")
        page_stage.write_text(render(report), encoding="utf-8")
    return figures
