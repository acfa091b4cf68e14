"""A damaged or hand-edited model file is refused in one line before LightGBM reads it.

LightGBM trusts its own text format: a hand-edited model once aborted the process (SIGABRT
inside LightGBM), gave tracebacks, or was accepted with an inverted calibration and scored
everyone. Each damage below is written into a copy of a model `risk train` made, and
`joinedup risk score` runs on it in a subprocess, so an abort would show as a signal, not
pass unseen: every one must exit with code 2 and one line naming the model file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from command_line import one_error_line, run_installed
from joinedup.risk.features import FEATURES
from joinedup.risk.model import MAX_ROUNDS, PARAMS, ModelError, load
from joinedup.risk.model_file import MAX_LEAVES, MAX_TREES, read_model_file

pytestmark = pytest.mark.engines  # no database: run once

Document = dict[str, Any]


def retree(document: Document, edit: Callable[[list[str]], list[str]]) -> Document:
    """The document with its tree blocks edited and tree_sizes made to fit them again, as a
    careful hand-editor would (so the deeper checks, not the sizes, must find the damage)."""
    text = document["booster"]
    start = text.index("\nTree=0\n") + 1
    end = text.index("\nend of trees\n") + 1
    blocks = edit(re.split(r"(?m)^(?=Tree=\d+\n)", text[start:end])[1:])
    sizes = " ".join(str(len(block)) for block in blocks)
    head = re.sub(r"(?m)^tree_sizes=.*$", f"tree_sizes={sizes}", text[:start])
    return {**document, "booster": head + "".join(blocks) + text[end:]}


def in_tree(key: str, change: Callable[[list[str]], list[str]], tree: int = 0) -> Any:
    """An edit of one tree's `key` line: its values, changed."""

    def edit(blocks: list[str]) -> list[str]:
        def replace(match: re.Match[str]) -> str:
            return f"{key}=" + " ".join(change(match[1].split(" ")))

        blocks[tree] = re.sub(rf"(?m)^{key}=(.*)$", replace, blocks[tree], count=1)
        return blocks

    return edit


def first(value: str) -> Callable[[list[str]], list[str]]:
    return lambda values: [value, *values[1:]]


def booster(change: Callable[[str], str]) -> Callable[[Document], Document]:
    return lambda d: {**d, "booster": change(d["booster"])}


def calibration(**values: Any) -> Callable[[Document], Document]:
    return lambda d: {**d, "calibration": {**d["calibration"], **values}}


def without(key: str) -> Callable[[Document], Document]:
    return lambda d: {k: v for k, v in d.items() if k != key}


# Each damage: the document changed (or the file's text, for what is not JSON at all).
DAMAGE: dict[str, Callable[[Document], Document | str]] = {
    "not JSON": lambda d: "{not json",
    "empty file": lambda d: "",
    "model string truncated": booster(lambda b: b[: len(b) // 2]),
    "tree count changed": booster(lambda b: re.sub(r"tree_sizes=(\d+) ", "tree_sizes=", b)),
    "a tree removed": lambda d: retree(d, lambda blocks: blocks[:-1]),
    "tree size past the end": booster(lambda b: re.sub(r"tree_sizes=(\d+)", "tree_sizes=9\\1", b)),
    "negative leaf values": lambda d: retree(d, in_tree("leaf_value", lambda v: ["-1e6"] * len(v))),
    "NaN leaf value": lambda d: retree(d, in_tree("leaf_value", first("nan"))),
    "negative leaf count": lambda d: retree(d, in_tree("leaf_count", first("-5"))),
    "split_feature out of range": lambda d: retree(d, in_tree("split_feature", first("99"))),
    "split_feature negative": lambda d: retree(d, in_tree("split_feature", first("-1"))),
    "huge num_leaves": lambda d: retree(d, in_tree("num_leaves", first("1000000000"))),
    "num_leaves one short": lambda d: retree(d, in_tree("num_leaves", first("30"))),
    "a child loops back": lambda d: retree(d, in_tree("left_child", first("0"))),
    "infinite threshold": lambda d: retree(d, in_tree("threshold", first("inf"))),
    "categorical split": lambda d: retree(d, in_tree("decision_type", first("1"))),
    "features of the trees changed": booster(
        lambda b: b.replace("feature_names=age ", "feature_names=agE ")
    ),
    "two classes": booster(lambda b: b.replace("num_class=1\n", "num_class=2\n")),
    "a NUL in the trees": booster(lambda b: b.replace("Tree=1\n", "Tree=1\x00\n")),
    "no end of trees": booster(lambda b: b.replace("end of trees", "end of tree")),
    "slope negative": calibration(slope=-0.98),
    "slope zero": calibration(slope=0.0),
    "slope NaN": calibration(slope=float("nan")),
    "slope huge": calibration(slope=1e6),
    "intercept infinite": calibration(intercept=float("inf")),
    "intercept a string": calibration(intercept="x"),
    "calibration a list": lambda d: {**d, "calibration": [0.0, 1.0]},
    "no trees": without("booster"),
    "no calibration": without("calibration"),
    "no trained": without("trained"),
    "features a string": lambda d: {**d, "features": " ".join(d["features"])},
    "trees a list": lambda d: {**d, "booster": d["booster"].split("\n")},
    "format_version a string": lambda d: {**d, "format_version": "1"},
    "an unknown key": lambda d: {**d, "extra": 1},
    "trained as_of not a date": lambda d: {**d, "trained": {**d["trained"], "as_of": "April"}},
    "rounds not the trees'": lambda d: {**d, "trained": {**d["trained"], "rounds": 7}},
    "deeply nested": lambda d: "[" * 100_000 + "]" * 100_000,
    "a huge integer": lambda d: json.dumps(d)[:-1] + ', "x": 1' + "0" * 5000 + "}",
}
# The damages the issue found, run through the installed command in subprocesses.
IN_SUBPROCESS = (
    "not JSON",
    "empty file",
    "model string truncated",
    "tree count changed",
    "a tree removed",
    "tree size past the end",
    "negative leaf values",
    "NaN leaf value",
    "split_feature out of range",
    "huge num_leaves",
    "a child loops back",
    "slope negative",
    "slope NaN",
    "no calibration",
    "calibration a list",
)


def damaged(model: Path, folder: Path, name: str) -> Path:
    document = json.loads(model.read_text())
    changed = DAMAGE[name](document)
    path = folder / (re.sub(r"\W+", "-", name) + ".json")
    path.write_text(changed if isinstance(changed, str) else json.dumps(changed))
    return path


def test_the_bounds_hold_what_training_grows() -> None:
    assert MAX_ROUNDS <= MAX_TREES and PARAMS["num_leaves"] <= MAX_LEAVES


def test_a_model_risk_train_wrote_passes_and_predicts_as_before(risk_model: Path) -> None:
    import lightgbm as lgb
    import numpy as np

    model = load(risk_model)
    original = lgb.Booster(model_str=json.loads(risk_model.read_text())["booster"])
    x = np.random.default_rng(1).uniform(0, 10, (500, len(FEATURES)))
    assert np.array_equal(model.raw(x), original.predict(x, raw_score=True))


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_each_damage_is_refused_before_lightgbm(
    risk_model: Path, tmp_path: Path, name: str
) -> None:
    path = damaged(risk_model, tmp_path, name)
    with pytest.raises(ModelError) as refused:
        read_model_file(path, FEATURES)
    assert refused.value.field == "model"
    assert str(path) in str(refused.value) and "\n" not in str(refused.value)


def test_a_file_too_big_to_be_a_model_is_not_read(
    risk_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("joinedup.risk.model_file.MAX_FILE_BYTES", 1_000)
    with pytest.raises(ModelError, match=r"is not a joinedup risk model .* at most 1,000"):
        read_model_file(risk_model, FEATURES)


def test_risk_score_refuses_each_damage_in_one_line(
    risk_city: Path, risk_model: Path, tmp_path: Path
) -> None:
    def score(name: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        model = damaged(risk_model, tmp_path, name)
        out = tmp_path / f"{model.stem}.parquet"
        return name, run_installed(
            "risk", "score", "--lake", str(risk_city), "--model", str(model),
            "--as-of", "2024-04-01", "--out", str(out), var=tmp_path / "var",
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=3) as pool:
        for name, done in pool.map(score, IN_SUBPROCESS):
            assert done.returncode == 2, (name, done.returncode, done.stderr[-2000:])
            line = one_error_line(done)
            model = tmp_path / (re.sub(r"\W+", "-", name) + ".json")
            assert line.startswith(f"error: --model: {model} is "), (name, line)
    assert not list(tmp_path.glob("*.parquet"))


FUZZ = """
import json, random, sys
import numpy as np
from joinedup.risk.model import ModelError, load
from joinedup.risk.features import FEATURES
source, scratch = sys.argv[1], sys.argv[2]
document = json.loads(open(source).read())
trees = document["booster"]
rng = random.Random(7)
x = np.random.default_rng(7).uniform(0, 10, (200, len(FEATURES)))
refused = accepted = 0
for _ in range(int(sys.argv[3])):
    text = list(trees)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text))
        text[at] = rng.choice("0123456789-.e \\n=")
    with open(scratch, "w") as f:
        json.dump({**document, "booster": "".join(text)}, f)
    try:
        model = load(scratch)
    except ModelError:
        refused += 1
        continue
    p = model.predict(x)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    accepted += 1
print(refused, accepted)
"""


def test_random_damage_to_the_trees_never_crashes(risk_model: Path, tmp_path: Path) -> None:
    """Characters of the trees changed at random, 300 times, in one child process: each
    model is refused, or (a digit of a leaf value changed) scores within 0..1."""
    done = subprocess.run(
        [sys.executable, "-c", FUZZ, str(risk_model), str(tmp_path / "m.json"), "300"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    refused, accepted = map(int, done.stdout.split())
    assert refused + accepted == 300 and refused > 0
