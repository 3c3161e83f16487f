"""Detections by border sensors, the tracks they are associated into, and line crossings.

A detection is one sighting: where and when a sensor saw something, and how uncertain the
position is. Its ``party`` is always the sensor's party: detections belong to whoever owns the
sensor and are released like that party's units. A track is one party's detections believed to
be the same moving object, oldest first. A crossing is a track passing over a border line.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from deconflict.model.measure import Position
from deconflict.model.zone import Side

__all__ = ["Crossing", "CrossingKind", "Detection", "Track", "TrackState"]

#: Anything farther than this is a typing error (and breaks the geodesy's arithmetic).
_MAX_METRES = 1e8


def _finite_non_negative(value: float, name: str, limit: float = _MAX_METRES) -> None:
    if not (math.isfinite(value) and 0.0 <= value <= limit):
        raise ValueError(f"{name} must be a number from 0 to {limit:g}, got {value!r}")


@dataclass(frozen=True, slots=True)
class Detection:
    """One sighting by one sensor; ``uncertainty_m`` is the radius the object lies within.

    >>> from datetime import UTC
    >>> d = Detection("isf-det-1", "iq-thermal-qaim", "isf",
    ...               datetime(2017, 9, 18, 11, 0, tzinfo=UTC), Position(40.96, 34.41), 150.0)
    >>> d.classification is None
    True
    """

    id: str
    sensor: str
    party: str
    time: datetime
    position: Position
    uncertainty_m: float = 0.0
    classification: str | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise ValueError("time must carry a timezone (UTC)")
        _finite_non_negative(self.uncertainty_m, "uncertainty_m")
        if self.heading_deg is not None and not (
                math.isfinite(self.heading_deg) and 0.0 <= self.heading_deg < 360.0):
            raise ValueError(f"heading_deg must be in [0, 360), got {self.heading_deg!r}")
        if self.speed_mps is not None:
            _finite_non_negative(self.speed_mps, "speed_mps", 1e5)


class TrackState(StrEnum):
    """``tentative``: one detection; ``confirmed``: two or more; ``closed``: nothing joined it
    within the gate's maximum gap, so nothing ever will."""

    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Track:
    """One party's detections of one moving object, oldest first (ties keep arrival order)."""

    id: str
    party: str
    detections: tuple[Detection, ...]
    state: TrackState = TrackState.TENTATIVE

    def __post_init__(self) -> None:
        if not self.detections:
            raise ValueError("a track needs at least one detection")
        if any(d.party != self.party for d in self.detections):
            raise ValueError("a track holds only its own party's detections")
        if any(b.time < a.time for a, b in itertools.pairwise(self.detections)):
            raise ValueError("a track's detections must be in time order")

    @property
    def head(self) -> Detection:
        """The latest detection: where the track was last seen."""
        return self.detections[-1]

    def extended(self, detection: Detection) -> Track:
        """A copy with ``detection`` appended (it must not be older than the head)."""
        return Track(self.id, self.party, (*self.detections, detection), TrackState.CONFIRMED)


class CrossingKind(StrEnum):
    """``crossing``: from one side of the line to the other; ``touch``: onto the line and back
    to the side it came from (running along the line and leaving to the same side included)."""

    CROSSING = "crossing"
    TOUCH = "touch"


@dataclass(frozen=True, slots=True)
class Crossing:
    """A track meeting a border line, between detections ``before`` and ``after`` (ids).

    ``time`` and ``position`` are the last point on the line before the track leaves for the
    other side (a crossing) or the first point on the line (a touch), interpolated along the
    geodesic between the two detections at constant speed. ``heading_deg`` is the azimuth of
    travel there.
    """

    track: str
    border: str
    kind: CrossingKind
    time: datetime
    position: Position
    from_side: Side
    to_side: Side
    before: str
    after: str
    heading_deg: float = 0.0
