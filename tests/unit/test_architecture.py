"""The import rules of docs/architecture.md are checked by import-linter in `make lint`.

These tests show that the check can fail: each copies the package, breaks one rule in the
copy and runs the same contracts on it. They also keep the contracts' lists of apps equal
to the installed apps, so a new app cannot slip past the rules by not being named.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = {
    c["id"]: c
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
}
ANALYTICS = (
    "joinedup.lake",
    "joinedup.synth",
    "joinedup.metrics",
    "joinedup.risk",
    "joinedup.evaluation",
)


def django_apps() -> set[str]:
    names = {".".join(app.split(".")[:2]) for app in settings.INSTALLED_APPS}
    return {name for name in names if name.startswith("joinedup.")}


def test_the_contracts_name_every_app() -> None:
    apps = django_apps()
    assert set(CONTRACTS["analytics"]["source_modules"]) == set(ANALYTICS)
    assert set(CONTRACTS["analytics"]["forbidden_modules"]) == {"django", "joinedup.cli", *apps}
    assert set(CONTRACTS["web-on-top"]["source_modules"]) == apps - {"joinedup.web"}
    assert set(CONTRACTS["shared"]["forbidden_modules"]) == {"joinedup.cli", *apps}
    assert not apps & set(ANALYTICS), "an analytical package must not be a Django app"


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's package and import contracts, copied so a test may break a rule."""
    root = tmp_path_factory.mktemp("architecture")
    shutil.copytree(
        ROOT / "src" / "joinedup",
        root / "src" / "joinedup",
        ignore=shutil.ignore_patterns("__pycache__", "static", "jinja2", "migrations"),
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def lint_imports(root: Path, contract: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--contract", contract],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def add_line(path: Path, line: str) -> str:
    """Append `line` to a module of the copy; returns the old text to put back."""
    old = path.read_text()
    path.write_text(old + "\n" + line + "\n")
    return old


@pytest.mark.parametrize(
    ("contract", "module", "line", "named"),
    [
        (
            "analytics",
            "metrics/periods.py",
            "import django.db  # noqa",
            "joinedup.metrics.periods -> django (l.",
        ),
        (
            "analytics",
            "risk/model.py",
            "from joinedup.record import models  # noqa",
            "joinedup.risk.model -> joinedup.record",
        ),
        (
            "shared",
            "forms/dates.py",
            "from joinedup.access import policy  # noqa",
            "joinedup.forms.dates -> joinedup.access",
        ),
        (
            "web-on-top",
            "tasks/models.py",
            "from joinedup.web import views  # noqa",
            "joinedup.tasks.models -> joinedup.web",
        ),
        (
            "no-cycles",
            "lake/schema.py",
            "from joinedup.record import models  # noqa",
            ".lake -> .record",
        ),
    ],
)
def test_breaking_a_rule_fails_the_check(
    package_copy: Path, contract: str, module: str, line: str, named: str
) -> None:
    assert lint_imports(package_copy, contract).returncode == 0, "the rule holds before"
    path = package_copy / "src" / "joinedup" / module
    old = add_line(path, line)
    try:
        broken = lint_imports(package_copy, contract)
    finally:
        path.write_text(old)
    assert broken.returncode == 1, broken.stdout
    assert "BROKEN" in broken.stdout
    assert named in broken.stdout, broken.stdout
