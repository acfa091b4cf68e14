"""`joinedup risk report` end to end on a generated city: the page, its figures checked
against a recomputation from the lake itself, the ceiling with and without truth/, and the
refusals (one line, exit code 2, nothing written)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from command_line import one_error_line, run
from joinedup.risk.report import FIGURES_FILE
from joinedup.risk.report_html import PAGE_FILE

pytestmark = pytest.mark.engines  # no database: run once

AS_OF = "2024-04-01"
LABELS = (
    "joinedup model",
    "Prior emergency admissions alone",
    "QAdmissions-style model",
    "Frailty category alone",
    "Ceiling: the generator&#39;s true risk",
)


@pytest.fixture(scope="module")
def city(risk_city: Path) -> Path:
    return risk_city


@pytest.fixture(scope="module")
def model(risk_model: Path) -> Path:
    return risk_model


def _report(
    tmp_path: Path, city: Path, model: Path, as_of: str = AS_OF
) -> tuple[str, dict[str, Any], str]:
    out = tmp_path / "report.html"
    done = run("risk", "report", "--lake", str(city), "--model", str(model), "--as-of", as_of,
               "--out", str(out), var=tmp_path / "var")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "━" in done.stderr  # the progress bar
    assert not list(tmp_path.glob("*.partial"))
    return out.read_text(), json.loads((tmp_path / "report.json").read_text()), done.stdout


@pytest.fixture(scope="module")
def report(
    city: Path, model: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, Any], str]:
    return _report(tmp_path_factory.mktemp("report"), city, model)


def _models(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in figures["models"]}


def test_the_page_compares_every_model_in_three_charts(
    report: tuple[str, dict[str, Any], str],
) -> None:
    html, figures, stdout = report
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    comparison = html[html.index('id="comparison"') : html.index('id="roc"')]
    for label in LABELS:
        assert f'<th scope="row">{label}</th>' in comparison
    charts = re.findall(r'<svg class="risk-chart"[^>]*role="img"[^>]*>\s*<title id="(\w+)-title">',
                        html)  # fmt: skip
    assert charts == ["roc", "pr", "calibration"]
    for chart in charts:  # each drawn with every model: five lines
        svg = html[html.index(f'<title id="{chart}-title">') :].split("</svg>")[0]
        assert svg.count("<path d=") >= 5 or svg.count("stroke-dasharray") >= 5
    for grouping in ("Age band", "Sex", "Deprivation quintile"):
        assert f"<caption>{grouping}: every model within each group</caption>" in html
    assert "<caption>Targets</caption>" in html
    assert [t["status"] for t in figures["targets"]] == [
        t["status"] for t in figures["targets"] if t["status"] in ("met", "not met")
    ]  # generated city with truth: every target measurable
    assert "ROC AUC on" in stdout and "Targets met:" in stdout


def test_the_page_and_its_figures_carry_joinedup_s_mark(
    report: tuple[str, dict[str, Any], str],
) -> None:
    """How --overwrite knows them: the page's generator meta tag, the figures' "format"."""
    page, figures, _ = report
    head = page[: page.index("</head>")]
    assert head.count(PAGE_FILE.mark) == 1 and len(page[: page.index(PAGE_FILE.mark)]) < 4096
    assert next(iter(figures)) == "format" and figures["format"] == FIGURES_FILE.mark


def test_the_page_needs_nothing_from_anywhere(report: tuple[str, dict[str, Any], str]) -> None:
    html = report[0]
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(|@import|<script|<link|<img|<iframe", html, re.I)


def _outcome(city: Path, people: pa.Array, day: dt.date) -> np.ndarray:
    """Admitted in the 365 days from `day`, worked out from the spells directly."""
    spells = pq.read_table(city / "hospital_spell.parquet",
                           columns=["person_id", "admission_method", "admission_date"])  # fmt: skip
    later = spells.filter(
        pc.and_(
            pc.equal(spells.column("admission_method"), "emergency"),
            pc.and_(
                pc.greater_equal(spells.column("admission_date"), pa.scalar(day, pa.date32())),
                pc.less(
                    spells.column("admission_date"),
                    pa.scalar(day + dt.timedelta(days=365), pa.date32()),
                ),
            ),
        )
    )
    return pc.is_in(people, value_set=later.column("person_id").unique()).to_numpy(
        zero_copy_only=False
    )


def test_the_figures_match_a_recomputation(
    report: tuple[str, dict[str, Any], str], city: Path, model: Path, tmp_path: Path
) -> None:
    figures = report[1]
    scores_file = tmp_path / "scores.parquet"
    done = run("risk", "score", "--lake", str(city), "--model", str(model), "--as-of", AS_OF,
               "--out", str(scores_file), var=tmp_path / "var")  # fmt: skip
    assert done.returncode == 0, done.stderr
    scores = pq.read_table(scores_file)
    truth = pq.read_table(city / "truth" / "risk.parquet")
    truth = truth.filter(pc.equal(truth.column("as_of"), pa.scalar(dt.date(2024, 4, 1))))
    both = (
        scores.select(["person_id", "probability"])
        .join(truth.select(["person_id", "probability"]), "person_id", right_suffix="_truth")
        .sort_by("person_id")
    )
    y = _outcome(city, both.column("person_id").combine_chunks(), dt.date(2024, 4, 1))
    p = both.column("probability").to_numpy()
    assert figures["population"] == scores.num_rows
    assert figures["evaluated"] == both.num_rows and figures["admitted"] == int(y.sum())
    assert figures["truth"]["available"] and figures["truth"]["people"] == truth.num_rows
    models = _models(figures)
    assert list(models) == [
        "model", "prior_admissions", "qadmissions_style", "frailty", "ceiling"
    ]  # fmt: skip
    overall = models["model"]["overall"]
    assert overall["roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert overall["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert overall["people"] == len(y) and overall["observed"] == pytest.approx(y.mean())
    top = np.argsort(-p, kind="stable")[: int(np.ceil(0.05 * len(p)))]  # distinct scores
    assert overall["ppv_top_5"] == pytest.approx(y[top].mean())
    ceiling = models["ceiling"]["overall"]
    truth_p = both.column("probability_truth").to_numpy()
    assert ceiling["roc_auc"] == pytest.approx(roc_auc_score(y, truth_p), abs=1e-12)
    # one group worked out again: women, from the lake's person table
    person = pq.read_table(city / "person.parquet", columns=["person_id", "sex"])
    women = pc.is_in(both.column("person_id"), value_set=person.filter(
        pc.equal(person.column("sex"), "female")).column("person_id")).to_numpy(
        zero_copy_only=False)  # fmt: skip
    group = models["model"]["groups"]["sex"]["female"]
    assert group["people"] == int(women.sum())
    assert group["roc_auc"] == pytest.approx(roc_auc_score(y[women], p[women]), abs=1e-12)
    assert sum(g["people"] for g in models["model"]["groups"]["age_band"].values()) == len(y)
    # the baselines learned from the model's training date on this lake
    fitted = figures["baselines_fitted"]
    assert fitted["how"] == "training date" and fitted["as_of"] == "2023-04-01"
    assert figures["model"]["trained_as_of"] == "2023-04-01" and not figures["in_sample"]


def test_without_truth_there_is_no_ceiling_and_the_page_says_why(
    city: Path, model: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "city-without-truth"
    shutil.copytree(city, elsewhere, ignore=shutil.ignore_patterns("truth"))
    html, figures, stdout = _report(tmp_path, elsewhere, model)
    assert not figures["truth"]["available"]
    assert "truth/risk.parquet" in figures["truth"]["reason"]
    assert "ceiling" not in _models(figures) and len(figures["models"]) == 4
    assert figures["evaluated"] == figures["population"]
    first = figures["targets"][0]
    assert first["status"] == "not measurable" and "no ceiling" in first["detail"]
    assert "(d) The ceiling</dt><dd>not available: the lake has no truth/risk.parquet" in html
    assert "no ceiling (the lake has no truth/risk.parquet" in stdout


def test_baselines_are_cross_fitted_when_the_training_year_is_not_in_the_lake(
    city: Path, model: Path, tmp_path: Path
) -> None:
    document = json.loads(model.read_text())
    older = tmp_path / "older.json"
    older.write_text(json.dumps({**document, "trained": {**document["trained"],
                                                          "as_of": "2012-04-01"}}))  # fmt: skip
    html, figures, _ = _report(tmp_path, city, older)
    fitted = figures["baselines_fitted"]
    assert fitted["how"] == "cross-fitted" and fitted["people"] == figures["evaluated"]
    assert "cross-fitted on the" in html
    auc = {m["key"]: m["overall"]["roc_auc"] for m in figures["models"]}
    assert 0.5 < auc["prior_admissions"] < auc["qadmissions_style"] < auc["ceiling"]


def test_no_target_is_judged_on_a_year_the_model_learned_from(
    city: Path, model: Path, tmp_path: Path
) -> None:
    """Trained on 1 April 2023: judged on 1 October 2023, half the outcome year is one the
    model saw, which flatters it; the page says so and judges nothing."""
    html, figures, stdout = _report(tmp_path, city, model, as_of="2023-10-01")
    assert figures["in_sample"]
    assert [t["status"] for t in figures["targets"]] == ["not measurable"] * 3
    assert all("overlaps the year the model" in t["detail"] for t in figures["targets"])
    assert "so its figures flatter it" in html and "Targets met: 0 of 3" in stdout


def _refused(tmp_path: Path, *args: str) -> str:
    result = run(*args, var=tmp_path / "var")
    line = one_error_line(result)
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".html", ".json", ".partial")
                and p.name.startswith("out")], args  # fmt: skip
    return line


def test_refusals_name_what_is_wrong(city: Path, model: Path, tmp_path: Path) -> None:
    report = ("risk", "report", "--lake", str(city))
    out = str(tmp_path / "out.html")
    assert "the year after 2024-06-01 must lie within the lake's window" in _refused(
        tmp_path, *report, "--model", str(model), "--as-of", "2024-06-01", "--out", out
    )
    assert "--as-of: expected a date YYYY-MM-DD" in _refused(
        tmp_path, *report, "--model", str(model), "--as-of", "1 April", "--out", out
    )
    assert "--as-of: 2030-01-01 is outside the lake's window" in _refused(
        tmp_path, *report, "--model", str(model), "--as-of", "2030-01-01", "--out", out
    )
    for bad in (tmp_path / "out.htm", tmp_path / "missing" / "out.html"):
        assert "--out: expected REPORT.html in an existing folder" in _refused(
            tmp_path, *report, "--model", str(model), "--as-of", AS_OF, "--out", str(bad)
        )
    document = json.loads(model.read_text())
    other_features = tmp_path / "other-features.json"
    other_features.write_text(json.dumps({**document, "features": document["features"][:-1]}))
    assert "was trained on other features" in _refused(
        tmp_path, *report, "--model", str(other_features), "--as-of", AS_OF, "--out", out
    )
    other_format = tmp_path / "other-format.json"
    other_format.write_text(json.dumps({**document, "format_version": 99}))
    assert "is format version 99" in _refused(
        tmp_path, *report, "--model", str(other_format), "--as-of", AS_OF, "--out", out
    )
    other_lake = tmp_path / "other-lake.json"
    trained = {**document["trained"], "lake": {**document["trained"]["lake"], "schema_version": 99}}
    other_lake.write_text(json.dumps({**document, "trained": trained}))
    assert "the model was trained on version 99" in _refused(
        tmp_path, *report, "--model", str(other_lake), "--as-of", AS_OF, "--out", out
    )
    assert "--engine: expected one of duckdb, spark" in _refused(
        tmp_path, *report, "--model", str(model), "--as-of", AS_OF, "--out", out,
        "--engine", "excel",
    )  # fmt: skip
