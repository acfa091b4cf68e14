"""The files and folders joinedup writes: staged beside their place, renamed in whole, and
never put over anything joinedup did not write.

Every writer (a lake, an extract, a metrics file, a risk model, scores, a report) goes
through here, so each keeps the same promises. A reader never sees half an output: it is
written beside its place and renamed in at the end. A failed or interrupted run (Ctrl+C
too) leaves no staging behind. An existing output is replaced only when asked
(`overwrite`), and only when joinedup wrote it as the same kind of output (a Kind says how
to tell: a lake's manifest, a JSON file's "format", a Parquet file's `joinedup.kind`
metadata, a text file's first line or marker), so `--overwrite` never deletes someone's
folder or file. A place that cannot be written (permission denied, a read-only or full
disk, a folder where a file should be, a missing folder) is an OutputError naming the
field, which the command line says in one line. Django-free: the analytical packages
write through it too.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from joinedup.errors import UserError

if TYPE_CHECKING:
    import pyarrow as pa

PARQUET_KIND = "joinedup.kind"  # a Parquet file's key-value metadata: which output it is
SNIFF_BYTES = 4096  # how much of a text file is read to recognise it

REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than this system allows",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long",
}
# Errors only writing raises: one of these from a writer, naming no file, is a failed write.
WRITING = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


class OutputError(UserError):
    """An output that cannot be written where asked, or would replace one joinedup did not write."""

    def __init__(
        self, path: Path, detail: str, *, field: str = "out", mentions: Iterable[str] = ()
    ) -> None:
        self.path = Path(path)
        self.detail = detail
        self.mentions = tuple(mentions)
        super().__init__(detail, field=field, mentions=self.mentions)

    def for_field(self, field: str) -> OutputError:
        """The same refusal naming `field`, for a caller whose option is not the writer's."""
        return OutputError(self.path, self.detail, field=field, mentions=self.mentions)


@dataclass(frozen=True)
class Kind:
    """One kind of output: what it is called, and how to tell one joinedup wrote."""

    name: str  # as a refusal says it: "a lake", "a metrics CSV"
    recognise: Callable[[Path], bool]  # True only for one joinedup wrote; never raises
    folder: bool = False
    mark: str = ""  # what its writer puts in for `recognise` to find


def json_kind(name: str, format_name: str) -> Kind:
    """A JSON object whose "format" is `format_name` (its writer puts that key first)."""

    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as file:
                document = json.load(file)
        except (OSError, ValueError):
            return False
        return isinstance(document, dict) and document.get("format") == format_name

    return Kind(name, recognise, mark=format_name)


def parquet_kind(name: str, kind: str) -> Kind:
    """A Parquet file whose key-value metadata has PARQUET_KIND `kind` (see `marked`)."""

    def recognise(path: Path) -> bool:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            metadata = pq.read_schema(path).metadata or {}
        except (OSError, ValueError, pa.ArrowException):
            return False
        return metadata.get(PARQUET_KIND.encode()) == kind.encode()

    return Kind(name, recognise, mark=kind)


def text_kind(name: str, mark: str, *, first_line: bool = False) -> Kind:
    """A UTF-8 text file whose first line is `mark` (first_line), or whose start holds it."""

    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as file:
                start = file.read(SNIFF_BYTES).decode("utf-8", errors="replace")
        except OSError:
            return False
        return start.splitlines()[:1] == [mark] if first_line else mark in start

    return Kind(name, recognise, mark=mark)


def marked(table: pa.Table, kind: Kind) -> pa.Table:
    """`table` carrying the metadata by which a parquet_kind recognises it."""
    metadata = {**(table.schema.metadata or {}), PARQUET_KIND.encode(): kind.mark.encode()}
    return table.replace_schema_metadata(metadata)


def check_target(path: Path, kind: Kind, *, overwrite: bool = False, field: str = "out") -> None:
    """Refuse, before any work, a place `kind` cannot be written, or an existing output there
    that is not to be replaced: one not asked to be (`overwrite`), or one joinedup did not
    write as `kind`. An empty folder or file is replaced without asking: nothing is lost."""
    path = Path(path)
    folder = _folder_for(path, kind, field)
    if os.path.lexists(path):
        _check_existing(path, kind, overwrite=overwrite, field=field)
    try:  # can we make the staging there? (permission, read-only, /proc)
        if kind.folder:
            os.rmdir(tempfile.mkdtemp(prefix=f".{_place(path).name}.", dir=folder))
        else:
            os.unlink(_new_file(folder / _place(path).name))
    except OSError as exc:
        if exc.errno == errno.ENOENT:  # the folder is there, but takes no new entries
            raise OutputError(
                path,
                f"cannot write {path}: {folder} takes no new files; nothing was written",
                field=field,
            ) from None
        raise cannot_write(path, exc, field) from None


@contextmanager
def staged_folder(
    out: Path, kind: Kind, *, overwrite: bool = False, field: str = "out"
) -> Iterator[Path]:
    """Yield an empty folder beside `out`: it becomes `out` when the block ends, and is
    removed on any failure. Missing parent folders are made. check_target's refusals."""
    check_target(out, kind, overwrite=overwrite, field=field)
    place = _place(out)
    try:
        place.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(
            tempfile.mkdtemp(prefix=f".{place.name}.", suffix=".partial", dir=place.parent)
        )
    except OSError as exc:
        raise cannot_write(out, exc, field) from None
    try:
        yield stage
        _recheck(out, kind, overwrite=overwrite, field=field)
        _put_folder(stage, place)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        if _writing(exc, [stage, place]):
            raise cannot_write(out, exc, field) from exc
        raise
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


@contextmanager
def staged_files(
    targets: Sequence[tuple[Path, Kind]], *, overwrite: bool = False, field: str = "out"
) -> Iterator[list[Path]]:
    """Yield an empty file beside each target, in order: each becomes its target when the
    block ends (one rename each), and all are removed on any failure. check_target's
    refusals, for every target before any file is made."""
    for path, kind in targets:
        check_target(path, kind, overwrite=overwrite, field=field)
    places = [_place(path) for path, _ in targets]
    stages: list[Path] = []
    for (path, _), place in zip(targets, places, strict=True):
        try:
            stages.append(_new_file(place))
        except OSError as exc:
            _discard(stages)
            raise cannot_write(path, exc, field) from None
    try:
        yield list(stages)
        for path, kind in targets:
            _recheck(path, kind, overwrite=overwrite, field=field)
        for stage, place in zip(stages, places, strict=True):
            os.replace(stage, place)
    except OSError as exc:
        _discard(stages)
        if _writing(exc, [*stages, *places]):
            raise cannot_write(_which(exc, targets, stages), exc, field) from exc
        raise
    except BaseException:
        _discard(stages)
        raise


def write_file(
    path: Path,
    kind: Kind,
    write: Callable[[Path], object],
    *,
    overwrite: bool = False,
    field: str = "out",
) -> None:
    """Write one output of `kind` at `path`: `write(stage)` fills a file beside it, which is
    then renamed into place (staged_files)."""
    with staged_files([(Path(path), kind)], overwrite=overwrite, field=field) as (stage,):
        write(stage)


def cannot_write(path: Path, exc: OSError, field: str = "out") -> OutputError:
    """The refusal for an OSError met writing `path`, its errno said in words."""
    return OutputError(
        path, f"cannot write {path}: {_reason(exc)}; nothing was written", field=field
    )


def _reason(exc: OSError) -> str:
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    said = exc.strerror or str(exc) or type(exc).__name__
    return said[:1].lower() + said[1:]


def _place(path: Path) -> Path:
    """The absolute place of `path` (so "." and "out/.." have a name and a parent)."""
    return Path(os.path.abspath(path))


def _folder_for(path: Path, kind: Kind, field: str) -> Path:
    """The existing folder the staging goes in: the parent for a file (which must exist);
    for a folder, its nearest existing ancestor (the rest is made)."""
    parent = _place(path).parent
    if kind.folder:
        while not os.path.lexists(parent) and parent != parent.parent:
            parent = parent.parent
    elif not os.path.lexists(parent):
        raise OutputError(path, f"the folder {Path(path).parent} does not exist", field=field)
    if not os.path.isdir(parent):
        raise OutputError(path, f"{parent} is not a folder", field=field)
    return parent


def _check_existing(path: Path, kind: Kind, *, overwrite: bool, field: str) -> None:
    if kind.folder and not os.path.isdir(path):
        raise OutputError(path, f"{path} is a file, not a folder for {kind.name}", field=field)
    if not kind.folder and os.path.isdir(path):
        raise OutputError(path, f"{path} is a folder, not a file for {kind.name}", field=field)
    if not kind.folder and not os.path.isfile(path):
        raise OutputError(path, f"{path} is not an ordinary file", field=field)
    try:
        empty = _is_empty(path, folder=kind.folder)
    except OSError as exc:
        raise OutputError(path, f"cannot look at {path}: {_reason(exc)}", field=field) from None
    if empty:
        return
    if not overwrite:
        held = " and is not empty" if kind.folder else ""
        raise OutputError(
            path,
            f"{path} already exists{held} (use `overwrite` to replace it)",
            field=field,
            mentions=["overwrite"],
        )
    if not kind.recognise(path):
        raise OutputError(
            path,
            f"{path} is not {kind.name} joinedup wrote, and `overwrite` replaces only that: "
            "nothing was deleted",
            field=field,
            mentions=["overwrite"],
        )


def _is_empty(path: Path, *, folder: bool) -> bool:
    if not folder:
        return os.path.getsize(path) == 0
    with os.scandir(path) as entries:
        return not any(entries)


def _recheck(path: Path, kind: Kind, *, overwrite: bool, field: str) -> None:
    """check_target's rule again just before the rename: something may have appeared at
    `path` while the output was being made, and it must not be replaced either."""
    if os.path.lexists(path):
        _check_existing(path, kind, overwrite=overwrite, field=field)


def _new_file(place: Path) -> Path:
    """An empty staging file beside `place` (permissions as the umask allows, as any file)."""
    while True:
        stage = place.with_name(f".{place.name}.{secrets.token_hex(4)}.partial")
        try:
            os.close(os.open(stage, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return stage


def _put_folder(stage: Path, place: Path) -> None:
    """`stage` renamed to `place`; what was there is moved aside first, then removed."""
    if not os.path.lexists(place):
        os.rename(stage, place)
        return
    aside = place.with_name(f".{place.name}.{secrets.token_hex(4)}.old")
    os.rename(place, aside)
    try:
        os.rename(stage, place)
    except BaseException:
        os.rename(aside, place)
        raise
    if os.path.isdir(aside) and not os.path.islink(aside):
        shutil.rmtree(aside, ignore_errors=True)
    else:
        aside.unlink(missing_ok=True)


def _discard(stages: Iterable[Path]) -> None:
    for stage in stages:
        stage.unlink(missing_ok=True)


def _names(exc: OSError) -> list[Path]:
    return [_place(Path(os.fsdecode(n))) for n in (exc.filename, exc.filename2) if n is not None]


def _writing(exc: OSError, ours: Sequence[Path]) -> bool:
    """Whether `exc` came from writing `ours` (a staging, a target) rather than reading an
    input: it names one of them or a file inside, or names none and only writing raises it."""
    names = _names(exc)
    if not names:
        return exc.errno in WRITING
    return any(name == place or place in name.parents for name in names for place in ours)


def _which(exc: OSError, targets: Sequence[tuple[Path, Kind]], stages: Sequence[Path]) -> Path:
    """The target whose writing raised `exc` (the first when it names none)."""
    names = _names(exc)
    for (path, _), stage in zip(targets, stages, strict=False):
        if stage in names or _place(path) in names:
            return path
    return targets[0][0]
