"""The hub's clock, injected at the edge: the core never reads the time itself."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ExerciseClock", "FixedClock", "WallClock"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    """Real time, UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ExerciseClock:
    """Starts at ``start`` and runs in real time from there (replaying 2017 in exercises)."""

    start: datetime
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._origin)


@dataclass
class FixedClock:
    """Stands still until moved: for replays that step through a timeline."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)
