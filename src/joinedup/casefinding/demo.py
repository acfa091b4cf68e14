"""The demo's risk scores: a model trained on the demo city and its people scored and loaded.

Without them the demo's case-finding pages are empty and the MDT agenda falls back to the
interim rule. The model learns from the features a year before the day after the lake's
window ends and the admissions of the 365 days that followed (the latest such year inside
the window); everyone is then scored on the day after the window ends, as a team would be
scored on "today" (the demo city's data end the day before it is built, so the scores are
dated the day the demo is built, never stale then), and the scores loaded as `joinedup risk
load` loads them (re-identified, audited). Nothing is written to disk.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.progress import Progress

from joinedup.casefinding.loading import LoadSummary, check_scores, match_people, store_scores
from joinedup.lake.manifest import Manifest
from joinedup.lake.reader import open_lake
from joinedup.risk.compute import compute_features
from joinedup.risk.model import lake_description, train
from joinedup.risk.scoring import score

DEMO_LOADER = "joinedup demo"


def demo_dates(manifest: Manifest) -> tuple[dt.date, dt.date]:
    """(training as-of date, scoring as-of date) for a lake's window."""
    scored = manifest.observation_end + dt.timedelta(days=1)
    return scored - dt.timedelta(days=365), scored


def load_demo_scores(lake: Path, *, progress: Progress | None = None) -> LoadSummary:
    """Train on `lake` (checked once), score it and load the scores. RiskError/ModelError/
    ScoresError when the lake cannot give a model or the scores match no one."""
    checked = open_lake(lake)
    trained_on, scored_on = demo_dates(checked[0])
    task = progress.add_task("Risk model: features", total=3) if progress is not None else None

    def step(description: str) -> None:
        if progress is not None and task is not None:
            progress.update(task, advance=1, description=description)

    table = compute_features(lake, trained_on, with_outcome=True, checked=checked)
    step("Risk model: training")
    model = train(table, as_of=trained_on, lake=lake_description(lake, checked[0]))
    step("Risk model: scoring")
    scored = score(model, lake, scored_on, checked=checked)
    scores = check_scores(scored, f"{lake.name} scored {scored_on}")
    step("Risk model: scored")
    return store_scores(scores, match_people(scores), DEMO_LOADER, progress=progress)
