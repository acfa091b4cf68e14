"""docs/metrics.md's metric sections, made from the catalogue and the spec tests.

The definitions live once, in the catalogue beside each metric's query; the spec tests
hold the worked examples that pin them. The reference a partnership reads is generated from
both, so it cannot say one thing while the code does another (tests/unit/test_metrics_docs.py
fails when they drift; `make docs` regenerates them).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from joinedup.metrics.catalogue import METRICS, POPULATION_65, Metric

BEGIN = "<!-- generated from the metric catalogue and tests/spec: do not edit by hand -->"
END = "<!-- end of generated sections -->"


@dataclass(frozen=True)
class SpecModule:
    """One spec test module: what it explains and which tests of which metrics it holds."""

    name: str  # file name, e.g. test_reablement.py
    summary: str  # the module docstring: the worked example
    tests: Mapping[str, tuple[str, ...]]  # metric name -> names of tests that read it


def spec_modules(folder: Path) -> list[SpecModule]:
    """Read every spec module under `folder` (parsed, never imported)."""
    names = {metric.name for metric in METRICS}
    modules = (_spec_module(path, names) for path in sorted(folder.glob("test_*.py")))
    return [module for module in modules if module.tests]


def _spec_module(path: Path, names: set[str]) -> SpecModule:
    tree = ast.parse(path.read_text(), filename=str(path))
    reads = _module_reads(tree, names)
    tests: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            for metric in sorted(reads[node.name]):
                tests.setdefault(metric, []).append(node.name)
    return SpecModule(
        name=path.name,
        summary=ast.get_docstring(tree) or "",
        tests={metric: tuple(found) for metric, found in tests.items()},
    )


def _module_reads(tree: ast.Module, names: set[str]) -> dict[str, set[str]]:
    """The metrics each module-level name reads, through the constants, helpers and fixtures
    it uses (a test reads `M10` or a table of expected rows naming it, or a fixture that
    computes it), followed until nothing more is found."""
    direct: dict[str, set[str]] = {}
    uses: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            defined = [node.name]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined = [t.id for t in targets if isinstance(t, ast.Name)]
        else:
            continue
        found, used = _reads(node, names)
        for name in defined:
            direct[name], uses[name] = found, used
    reads = {name: set(found) for name, found in direct.items()}
    changed = True
    while changed:
        changed = False
        for name, used in uses.items():
            more = set().union(*(reads.get(other, set()) for other in used)) - reads[name]
            if more:
                reads[name] |= more
                changed = True
    return reads


def _reads(node: ast.AST, names: set[str]) -> tuple[set[str], set[str]]:
    """The metrics a definition names itself, and the other names it uses (fixtures too)."""
    found: set[str] = set()
    used: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            used.add(child.id)
        elif isinstance(child, ast.arg):
            used.add(child.arg)
        elif isinstance(child, ast.Constant) and (metric := _metric_of(child.value, names)):
            found.add(metric)
    return found, used


def _metric_of(value: object, names: set[str]) -> str | None:
    """The metric a string names, itself or one of its parts (`delayed_days:unrecorded`)."""
    if not isinstance(value, str):
        return None
    metric = value.split(":", 1)[0]
    return metric if metric in names else None


def _shape(metric: Metric) -> str:
    words = {"count": "a count", "days": "days", "money": "money"}
    parts = [f"**{metric.kind}**", f"numerator: {words[metric.numerator]}"]
    if metric.denominator:
        denominator = words[metric.denominator]
        if metric.population:
            aged = " aged 65 or over" if metric.population == POPULATION_65 else ""
            denominator = f"the population{aged} on the period's midpoint"
        parts.append(f"denominator: {denominator}")
    else:
        parts.append("no denominator")
    if metric.parts:
        parts.append("parts: " + ", ".join(f"`{part}`" for part in metric.parts))
    if metric.area_only:
        parts.append("whole area only")
    return "; ".join(parts)


def _metric_section(metric: Metric, modules: Iterable[SpecModule]) -> list[str]:
    lines = [f"### {metric.number}. `{metric.name}`", "", metric.definition, "", _shape(metric)]
    checks = [
        f"- `tests/spec/{module.name}`: "
        + "; ".join(
            name.removeprefix("test_").replace("_", " ") for name in module.tests[metric.name]
        )
        for module in modules
        if metric.name in module.tests
    ]
    if checks:
        lines += ["", "Pinned by:", "", *checks]
    return [*lines, ""]


def render(modules: list[SpecModule]) -> str:
    """The generated part of docs/metrics.md, markers included."""
    lines = [BEGIN, "", "## The metrics", ""]
    for metric in METRICS:
        lines += _metric_section(metric, modules)
    lines += ["## The worked examples", ""]
    lines += [
        "The spec tests compute each metric on a small lake built by hand; each module says "
        "what its lake holds and how the expected figures were counted.",
        "",
    ]
    for module in modules:
        quoted = [f"> {line}".rstrip() for line in module.summary.splitlines()]
        lines += [f"### `tests/spec/{module.name}`", "", *quoted, ""]
    return "\n".join([*lines, END])


def generated_part(document: str) -> str:
    """The part of a document between the markers (markers included), or '' if absent."""
    start, end = document.find(BEGIN), document.find(END)
    return document[start : end + len(END)] if start >= 0 and end > start else ""
