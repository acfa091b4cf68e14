"""docs/metrics.md is the project's reference for the metrics; it must say what the code does.

Regenerate its generated sections with `make docs` (JOINEDUP_WRITE_DOCS=1 runs these tests).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from joinedup.metrics import reference
from joinedup.metrics.catalogue import METRICS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "metrics.md"
SPEC = ROOT / "tests" / "spec"


def test_the_generated_sections_match_the_catalogue_and_the_spec_tests() -> None:
    text = DOC.read_text()
    documented = reference.generated_part(text)
    expected = reference.render(reference.spec_modules(SPEC))
    if os.environ.get("JOINEDUP_WRITE_DOCS"):
        DOC.write_text(text.replace(documented, expected))
        documented = expected
    assert documented == expected, "docs/metrics.md has drifted: run `make docs`"


def test_every_metric_has_a_definition_and_spec_tests() -> None:
    modules = reference.spec_modules(SPEC)
    for metric in METRICS:
        assert len(metric.definition) > 40, metric.name
        spec_tests = [
            m.name for m in modules if metric.name in m.tests and m.name != "test_publication.py"
        ]
        assert spec_tests, f"{metric.name}: no spec test of its own"


def test_a_changed_definition_shows_as_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    first = dataclasses.replace(METRICS[0], definition="Something else, counted differently.")
    monkeypatch.setattr(reference, "METRICS", (first, *METRICS[1:]))
    drifted = reference.render(reference.spec_modules(SPEC))
    assert drifted != reference.generated_part(DOC.read_text())


def test_a_test_reading_a_metric_through_a_fixture_is_found(tmp_path: Path) -> None:
    (tmp_path / "test_made_up.py").write_text(
        '"""A worked example."""\n'
        'M = "two_hour_response_pct:within"\n'
        "EXPECTED = [(M, 1)]\n"
        "def result():\n    return EXPECTED\n"
        "def test_reads_it(result):\n    assert result\n"
        "def test_reads_nothing():\n    assert True\n"
    )
    (module,) = reference.spec_modules(tmp_path)
    assert module.tests == {"two_hour_response_pct": ("test_reads_it",)}
    assert module.summary == "A worked example."
