"""The NHS.UK front end (npm nhsuk-frontend) as static files the app serves itself (nhsuk/...).

The published CSS is made for www.nhs.uk: it loads the Frutiger web font from
assets.nhs.uk (licensed to the NHS website only) and points at icons under /assets/.
joinedup never fetches anything from another host, so this finder serves a prepared copy:
the remote @font-face rules dropped (the design system's own fallback, Arial, is used, as
in other services outside nhs.uk), icon URLs made relative so collectstatic hashes them,
and source map comments removed (the maps are not shipped). Only the compiled CSS, JS and
assets/ are exposed, not the package's sources.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Warning
from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_join

PREFIX = "nhsuk"
CSS = "nhsuk-frontend.min.css"
JS = "nhsuk-frontend.min.js"

_REMOTE_FONT_FACE = re.compile(r"@font-face\{[^}]*https?://[^}]*\}")
_ROOT_ASSET_URL = re.compile(r"url\((['\"]?)/assets/")
_SOURCE_MAP = re.compile(r"\n?(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")


def frontend_dist() -> Path:
    return Path(settings.NHSUK_FRONTEND_DIR)


def _versioned(dist: Path, suffix: str) -> Path | None:
    found = sorted(p for p in dist.glob(f"nhsuk-frontend-[0-9]*{suffix}") if p.is_file())
    return found[-1] if found else None


def local_css(text: str) -> str:
    """The published CSS without remote fonts, with icon URLs relative to the CSS file."""
    text = _REMOTE_FONT_FACE.sub("", text)
    text = _ROOT_ASSET_URL.sub(r"url(\1assets/", text)
    return _SOURCE_MAP.sub("", text) + "\n"


def without_source_map(text: str) -> str:
    return _SOURCE_MAP.sub("", text) + "\n"


def prepare(dist: Path, build_root: Path) -> Path:
    """Write (once per version) the prepared copy under build_root and return its folder."""
    css = _versioned(dist, ".min.css")
    js = _versioned(dist, ".min.js")
    if css is None or js is None or not (dist / "assets").is_dir():
        raise FileNotFoundError(f"no NHS.UK front end at {dist} (run `make`, which runs `npm ci`)")
    version = css.name.removeprefix("nhsuk-frontend-").removesuffix(".min.css")
    target = build_root / f"nhsuk-frontend-{version}"
    if (target / CSS).is_file():
        return target
    build_root.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".nhsuk-frontend-", dir=build_root))
    stage.chmod(0o755)  # mkdtemp makes it private; these are public assets
    try:
        shutil.copytree(dist / "assets", stage / "assets")
        (stage / CSS).write_text(local_css(css.read_text(encoding="utf-8")), encoding="utf-8")
        (stage / JS).write_text(
            without_source_map(js.read_text(encoding="utf-8")), encoding="utf-8"
        )
        try:
            stage.rename(target)
        except OSError:  # another process prepared it first
            shutil.rmtree(stage, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return target


class NhsukFrontendFinder(BaseFinder):
    """Finds nhsuk/nhsuk-frontend.min.css, nhsuk/nhsuk-frontend.min.js and nhsuk/assets/**."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._root: Path | None = None

    def root(self) -> Path:
        if self._root is None:
            self._root = prepare(frontend_dist(), Path(settings.VAR_DIR) / "build")
        return self._root

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        dist = frontend_dist()
        if _versioned(dist, ".min.css") is None:
            return [
                Warning(
                    f"The NHS.UK front end is missing from {dist}",
                    hint="Run `make` (it runs `npm ci`), then `joinedup manage collectstatic`.",
                    id="joinedup.W001",
                )
            ]
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        prefix = PREFIX + "/"
        found: list[str] = []
        if path.startswith(prefix):
            try:
                candidate = safe_join(str(self.root()), path.removeprefix(prefix))
            except FileNotFoundError:
                candidate = ""
            if candidate and os.path.isfile(candidate):
                found.append(candidate)
        if find_all:
            return found
        return found[0] if found else None

    def list(
        self, ignore_patterns: Iterable[str] | None
    ) -> Iterator[tuple[str, FileSystemStorage]]:
        storage = FileSystemStorage(location=str(self.root()))
        storage.prefix = PREFIX  # type: ignore[attr-defined]
        for path in utils.get_files(storage, ignore_patterns):
            yield path, storage
