"""Places no test may write: for the refusals of joinedup.output_files, tested where they can
fail rather than skipped.

chmod does not stop root, and the suite may run as root (a container, CI), so root gets
/sys, where even root may create nothing (permission denied); anyone else gets a folder of
their own made read-only. /proc takes no new files from anyone.
"""

from __future__ import annotations

import os
from pathlib import Path

NO_NEW_FILES = Path("/proc")


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder in which creating a file or folder is refused with permission denied."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


def staging_left(*folders: Path) -> list[Path]:
    """Any staging (a .partial file or folder, or a replaced lake set aside) in `folders`."""
    return [
        entry
        for folder in folders
        if folder.is_dir()
        for entry in folder.iterdir()
        if entry.name.endswith((".partial", ".old"))
    ]
