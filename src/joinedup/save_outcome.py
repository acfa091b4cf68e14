"""What saving a versioned record returns: the new version, or a conflict.

Care plans (joinedup.careplans.saving) and discharge plans (joinedup.transfers.stay_plan)
save version base+1 only if nobody saved since the editor's base version; otherwise the
editor is shown what was saved meanwhile. Both answer with this one outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

New = TypeVar("New")
Latest = TypeVar("Latest")


@dataclass(frozen=True)
class SaveOutcome(Generic[New, Latest]):
    """The new version, or (on a conflict) None and what was saved meanwhile, if anything."""

    saved: New | None
    latest: Latest | None = None

    @property
    def conflict(self) -> bool:
        return self.saved is None
