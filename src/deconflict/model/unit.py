"""Units and their position history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from deconflict.model.measure import DEFAULT_STALE_AFTER, Position

__all__ = ["Fix", "Unit", "UnitKind", "default_stale"]


class UnitKind(StrEnum):
    GROUND = "ground"
    AIR = "air"
    SEA = "sea"


def default_stale(observed: datetime) -> datetime:
    return observed + timedelta(seconds=DEFAULT_STALE_AFTER)


@dataclass(frozen=True, slots=True)
class Fix:
    """One observed position: where, when, how uncertain, and until when it is trusted."""

    position: Position
    time: datetime
    radius_m: float = 0.0
    stale: datetime | None = None

    def __post_init__(self) -> None:
        if self.radius_m < 0:
            raise ValueError("radius_m must not be negative")
        if self.stale is not None and self.stale < self.time:
            raise ValueError("stale is before the observation time")

    @property
    def stale_at(self) -> datetime:
        return self.stale if self.stale is not None else default_stale(self.time)

    def live_at(self, moment: datetime) -> bool:
        """A fix counts from its observation until it goes stale."""
        return self.time <= moment < self.stale_at


@dataclass(frozen=True, slots=True)
class Unit:
    """A party's unit with its track: fixes in time order, oldest first."""

    id: str
    party: str
    kind: UnitKind
    track: tuple[Fix, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if not self.track:
            raise ValueError("a unit needs at least one position")
        times = [f.time for f in self.track]
        if times != sorted(times):
            raise ValueError("a unit's track must be in time order")

    def fix_at(self, moment: datetime) -> Fix | None:
        """The latest fix observed at or before ``moment`` (stale or not)."""
        found = None
        for fix in self.track:
            if fix.time > moment:
                break
            found = fix
        return found

    @property
    def latest(self) -> Fix:
        return self.track[-1]

    def with_fix(self, fix: Fix) -> Unit:
        """A copy with ``fix`` added to the track in time order."""
        track = tuple(sorted((*self.track, fix), key=lambda f: f.time))
        return Unit(self.id, self.party, self.kind, track, self.name)
