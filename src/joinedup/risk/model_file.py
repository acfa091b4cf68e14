"""A risk model file's declared shape, checked in full before LightGBM reads any of it.

`risk train` writes the file, but a person may copy, edit or damage it, and LightGBM trusts
its own text format: a tree size pointing past the end, a split on a feature it does not
have or a child that loops back can abort or hang the process, and a NaN leaf or an inverted
calibration silently scores everyone wrongly. So the JSON document is read against the
schema below (every key, type and bound; every number finite), the trees line by line
against LightGBM's text format with the bounds `risk train` keeps to (one class, these
features, at most MAX_TREES trees of at most MAX_LEAVES leaves, each a true binary tree,
finite thresholds and leaf values), and LightGBM is then given only what was checked: the
header and the trees, never the rest of the string. A refusal is one ModelError naming the
file and the first thing wrong. A small module of its own rather than pydantic, which is in
the lock only as another package's dependency.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joinedup.errors import UserError

FORMAT = "joinedup-risk-model"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024  # a model of 1,000 trees of 31 leaves is about 4 MB
MAX_TREES = 10_000  # ten times the rounds `risk train` grows at most
MAX_LEAVES = 1_024  # `risk train` grows 31
MAX_LEAF_VALUE = 100.0  # log-odds one tree may add: a probability from e^-100 to 1 - e^-100
SLOPE = (0.01, 100.0)  # the calibration's slope on the trees' log-odds: positive, not absurd
MAX_INTERCEPT = 100.0
_INT32 = 2**31 - 1
_FLOAT32 = 3.4e38


class ModelError(UserError):
    """A model that cannot be used as asked; the message names what is wrong."""


class _DamageError(ModelError):
    """What is wrong with a model file, said once, then given the file's name (_refusal)."""


@dataclass(frozen=True)
class ModelFile:
    """A model file that passed: its parts, the trees as LightGBM may now read them."""

    features: tuple[str, ...]
    calibration: tuple[float, float]  # (intercept, slope)
    trained: dict[str, Any]
    evaluation: dict[str, Any]
    trees: str


# The document: each key, its type and whether it must be there.
DOCUMENT: dict[str, tuple[type, bool]] = {
    "format": (str, True),
    "format_version": (int, True),
    "features": (list, True),
    "calibration": (dict, True),
    "trained": (dict, True),
    "evaluation": (dict, False),
    "lightgbm_version": (str, True),
    "booster": (str, True),
}
CALIBRATION = ("intercept", "slope")


def read_model_file(path: Path, features: tuple[str, ...]) -> ModelFile:
    """The model file at `path`, checked against the declared schema; ModelError (field
    `model`, naming the file) when it is not a model, is of another format version or feature
    list, or is damaged in any way."""
    document = _document(path)
    try:
        for key, (kind, required) in DOCUMENT.items():
            if key in document:
                _expect(document[key], kind, key)
            elif required:
                raise _DamageError(f"no {key!r}")
        unknown = sorted(set(document) - set(DOCUMENT))
        if unknown:
            raise _DamageError(f"an unknown key {unknown[0]!r}")
        found = tuple(_expect(name, str, "features[]") for name in document["features"])
    except _DamageError as exc:
        raise _refusal(path, str(exc)) from None
    if found != features:
        added = sorted(set(features) - set(found))
        dropped = sorted(set(found) - set(features))
        raise ModelError(
            f"{path} was trained on other features (now also: "
            f"{', '.join(added) or 'none'}; no longer: {', '.join(dropped) or 'none'}): "
            "train it again",
            field="model",
        )
    try:
        calibration = _calibration(document["calibration"])
        trained = _trained(document["trained"])
        trees, count = checked_trees(document["booster"], features)
        rounds = trained.get("rounds")
        if rounds is not None and rounds != count:
            raise _DamageError(f"{count} trees where training grew {rounds}")
    except _DamageError as exc:
        raise _refusal(path, str(exc)) from None
    return ModelFile(found, calibration, trained, document.get("evaluation", {}), trees)


def _refusal(path: Path, what: str) -> ModelError:
    return ModelError(f"{path} is a damaged joinedup risk model: {what}", field="model")


def _no_constant(name: str) -> float:
    raise _DamageError(f"{name} where a number belongs (every number in a model is finite)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _DamageError(f"{text} where a number belongs (every number in a model is finite)")
    return value


def _document(path: Path) -> dict[str, Any]:
    """The file as JSON, refused when it is not a joinedup risk model of this version."""
    path = Path(path)
    try:
        size = path.stat().st_size
        document = None  # a file too big to be a model is refused below, unread
        if size <= MAX_FILE_BYTES:
            text = path.read_bytes().decode("utf-8")
            document = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except _DamageError as exc:
        raise _refusal(path, str(exc)) from None
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: JSON's, UTF-8's
        shown = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise ModelError(f"{path} is not a joinedup risk model ({shown})", field="model") from None
    if size > MAX_FILE_BYTES:
        raise ModelError(
            f"{path} is not a joinedup risk model ({size:,} bytes; a model is at most "
            f"{MAX_FILE_BYTES:,})",
            field="model",
        )
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelError(f"{path} is not a joinedup risk model", field="model")
    if document.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{path} is format version {document.get('format_version')!r}; this "
            f"joinedup reads version {FORMAT_VERSION}: train it again",
            field="model",
        )
    return document


def _expect(value: Any, kind: type, where: str) -> Any:
    """`value` if it is of `kind` (a bool is no number here), else _DamageError naming `where`."""
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok:
        found = "nothing" if value is None else type(value).__name__
        raise _DamageError(f"{where} should be {kind.__name__}, found {found}")
    return value


def _calibration(value: dict[str, Any]) -> tuple[float, float]:
    if sorted(value) != sorted(CALIBRATION):
        raise _DamageError(f"calibration should hold intercept and slope, found {sorted(value)}")
    intercept = float(_expect(value["intercept"], float, "calibration.intercept"))
    slope = float(_expect(value["slope"], float, "calibration.slope"))
    if not SLOPE[0] <= slope <= SLOPE[1]:
        why = " (at or below zero it would rank the least likely first)" if slope <= 0 else ""
        raise _DamageError(f"calibration.slope {slope} is outside {SLOPE[0]}..{SLOPE[1]}{why}")
    if abs(intercept) > MAX_INTERCEPT:
        raise _DamageError(f"calibration.intercept {intercept} is outside ±{MAX_INTERCEPT:g}")
    return intercept, slope


def _trained(value: dict[str, Any]) -> dict[str, Any]:
    """What the model keeps of its training, in the types the report and scoring read."""
    as_of = _expect(value.get("as_of"), str, "trained.as_of")
    try:
        dt.date.fromisoformat(as_of)
    except ValueError:
        raise _DamageError(f"trained.as_of should be a date YYYY-MM-DD, found {as_of!r}") from None
    people = _expect(value.get("people"), int, "trained.people")
    admitted = _expect(value.get("admitted"), int, "trained.admitted")
    if not 0 <= admitted <= people:
        raise _DamageError(f"trained.admitted {admitted} is not between 0 and {people} people")
    lake = _expect(value.get("lake"), dict, "trained.lake")
    if "schema_version" in lake:
        _expect(lake["schema_version"], int, "trained.lake.schema_version")
    if "rounds" in value:
        _expect(value["rounds"], int, "trained.rounds")
    return dict(value)


# LightGBM's text format: the header's keys with the one value each may hold here (None: see
# _header), and a tree's keys with how many values each holds (per leaf or per split).
HEADER = {
    "version": "v4",
    "num_class": "1",
    "num_tree_per_iteration": "1",
    "label_index": "0",
    "objective": "binary sigmoid:1",
    "max_feature_idx": None,
    "feature_names": None,
    "feature_infos": None,
    "tree_sizes": None,
}
PER_SPLIT = (
    "split_feature",
    "split_gain",
    "threshold",
    "decision_type",
    "left_child",
    "right_child",
    "internal_value",
    "internal_weight",
    "internal_count",
)
PER_LEAF = ("leaf_value", "leaf_weight", "leaf_count")
TREE_KEYS = ("num_leaves", "num_cat", *PER_SPLIT, *PER_LEAF, "is_linear", "shrinkage")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_INTEGER = re.compile(r"-?\d{1,10}")
_TREE = re.compile(r"^Tree=(\d+)\n", re.MULTILINE)
_INFO = re.compile(r"\[([^:\]]+):([^:\]]+)\]")
_END = "end of trees\n"


def checked_trees(text: str, features: tuple[str, ...]) -> tuple[str, int]:
    """The model string's header and trees, as LightGBM will be given them, and how many trees;
    _DamageError on anything outside LightGBM's text format or the bounds above."""
    if not text.startswith("tree\n") or not all(c == "\n" or " " <= c <= "~" for c in text):
        raise _DamageError("the trees are not in LightGBM's text format")
    end = text.find("\n" + _END)
    if end < 0:
        raise _DamageError("the trees are cut short (no 'end of trees')")
    starts = [m.start() for m in _TREE.finditer(text, 0, end + 1)]
    if not starts:
        raise _DamageError("the model holds no trees")
    if len(starts) > MAX_TREES:
        raise _DamageError(f"{len(starts)} trees, more than the {MAX_TREES:,} a model may hold")
    sizes = _header(text[: starts[0]], features)
    if len(sizes) != len(starts):
        raise _DamageError(f"tree_sizes lists {len(sizes)} trees, the model holds {len(starts)}")
    bounds = [*starts, end + 1]
    for index in range(len(starts)):
        block = text[bounds[index] : bounds[index + 1]]
        if len(block) != sizes[index]:
            raise _DamageError(
                f"tree {index} is {len(block)} characters, tree_sizes says {sizes[index]}"
            )
        _tree(index, block, len(features))
    return text[: end + 1] + _END, len(starts)


def _pairs(lines: list[str], where: str, allowed: Any) -> dict[str, str]:
    """key=value lines, each key allowed and given once."""
    pairs: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if not sep or key not in allowed or "=" in value:
            raise _DamageError(f"{where}: a line LightGBM's format does not have ({line[:40]!r})")
        if key in pairs:
            raise _DamageError(f"{where}: {key} given twice")
        pairs[key] = value
    missing = [key for key in allowed if key not in pairs]
    if missing:
        raise _DamageError(f"{where}: no {missing[0]}")
    return pairs


def _header(text: str, features: tuple[str, ...]) -> list[int]:
    """Check the header (one binary class, these features); the sizes of the trees."""
    lines = text.split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    pairs = _pairs(lines[1:], "the trees' header", HEADER)
    for key, wanted in HEADER.items():
        if wanted is not None and pairs[key] != wanted:
            raise _DamageError(f"the trees' header: {key} should be {wanted}, found {pairs[key]!r}")
    if pairs["max_feature_idx"] != str(len(features) - 1):
        raise _DamageError(f"the trees' header: max_feature_idx should be {len(features) - 1}")
    if pairs["feature_names"] != " ".join(features):
        raise _DamageError("the trees' header: feature_names are not the model's features")
    infos = pairs["feature_infos"].split(" ")
    if len(infos) != len(features):
        raise _DamageError(f"the trees' header: {len(infos)} feature_infos for {len(features)}")
    for info in infos:
        match = _INFO.fullmatch(info)
        if info != "none" and not (
            match and _number(match[1], "feature_infos") <= _number(match[2], "feature_infos")
        ):
            raise _DamageError(f"the trees' header: feature_infos holds {info[:40]!r}")
    return [
        _integer(size, "tree_sizes", 1, MAX_FILE_BYTES) for size in pairs["tree_sizes"].split(" ")
    ]


def _number(text: str, where: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise _DamageError(f"{where} holds {text[:40]!r} where a number belongs")
    value = float(text)
    if not math.isfinite(value):
        raise _DamageError(f"{where} holds {text[:40]!r}, not a finite number")
    return value


def _integer(text: str, where: str, low: int, high: int) -> int:
    if not _INTEGER.fullmatch(text) or not low <= int(text) <= high:
        shown = f"{text[:40]!r} where a whole number {low}..{high} belongs"
        raise _DamageError(f"{where} holds {shown}")
    return int(text)


def _values(pairs: dict[str, str], key: str, count: int, where: str) -> list[str]:
    values = pairs[key].split(" ") if pairs[key] else []
    if len(values) != count:
        raise _DamageError(f"{where}: {key} holds {len(values)} values, expected {count}")
    return values


def _tree(index: int, block: str, features: int) -> None:
    """One tree block (from its Tree= line to the next): LightGBM's format and our bounds."""
    where = f"tree {index}"
    lines = block.split("\n")
    if lines[0] != f"Tree={index}":
        raise _DamageError(f"{where}: out of order ({lines[0][:20]!r})")
    body = lines[1 : lines.index("") if "" in lines else len(lines)]
    if any(line for line in lines[1 + len(body) :]):
        raise _DamageError(f"{where}: lines after its blank line")
    pairs = _pairs(body, where, TREE_KEYS)
    leaves = _integer(pairs["num_leaves"], f"{where} num_leaves", 1, MAX_LEAVES)
    if pairs["num_cat"] != "0" or pairs["is_linear"] != "0":
        raise _DamageError(f"{where}: categorical or linear trees, which `risk train` never grows")
    shrinkage = _number(pairs["shrinkage"], f"{where} shrinkage")
    if not 0 < shrinkage <= 1:
        raise _DamageError(f"{where}: shrinkage {shrinkage} is outside (0, 1]")
    values = {key: _values(pairs, key, leaves - 1, where) for key in PER_SPLIT}
    values |= {key: _values(pairs, key, leaves, where) for key in PER_LEAF}
    for key in ("split_gain", "threshold", "internal_value", "leaf_weight", "internal_weight"):
        numbers = [_number(v, f"{where} {key}") for v in values[key]]
        if key == "split_gain" and any(abs(n) > _FLOAT32 for n in numbers):
            raise _DamageError(f"{where}: split_gain beyond a 32-bit float")
        if key.endswith("weight") and any(n < 0 for n in numbers):
            raise _DamageError(f"{where}: a negative {key}")
    for value in values["leaf_value"]:
        if abs(_number(value, f"{where} leaf_value")) > MAX_LEAF_VALUE:
            raise _DamageError(f"{where}: leaf_value {value} is outside ±{MAX_LEAF_VALUE:g}")
    for key in ("leaf_count", "internal_count"):
        for value in values[key]:
            _integer(value, f"{where} {key}", 0, _INT32)
    for value in values["split_feature"]:
        _integer(value, f"{where} split_feature", 0, features - 1)
    for value in values["decision_type"]:  # numerical splits: bit 0 clear, missing type 0..2
        kind = _integer(value, f"{where} decision_type", 0, 15)
        if kind & 1 or kind >> 2 > 2:
            raise _DamageError(f"{where}: decision_type {kind} is not a numerical split")
    left = [_integer(v, f"{where} left_child", -leaves, leaves - 2) for v in values["left_child"]]
    right = [
        _integer(v, f"{where} right_child", -leaves, leaves - 2) for v in values["right_child"]
    ]
    _binary_tree(left, right, leaves, where)


def _binary_tree(left: list[int], right: list[int], leaves: int, where: str) -> None:
    """From the root (split 0) every split and every leaf is reached exactly once: no loop,
    no leaf shared, none left out (a child n >= 0 is split n, a child -k-1 is leaf k)."""
    splits_seen = [False] * (leaves - 1)
    leaves_seen = [False] * leaves
    pending = [0] if leaves > 1 else []
    if pending:
        splits_seen[0] = True
    while pending:
        node = pending.pop()
        for child in (left[node], right[node]):
            if child >= 0:
                if splits_seen[child]:
                    raise _DamageError(f"{where}: split {child} is reached twice (a loop)")
                splits_seen[child] = True
                pending.append(child)
            else:
                if leaves_seen[~child]:
                    raise _DamageError(f"{where}: leaf {~child} is reached twice")
                leaves_seen[~child] = True
    if not all(splits_seen) or (leaves > 1 and not all(leaves_seen)):
        raise _DamageError(f"{where}: a split or leaf that no path reaches")
