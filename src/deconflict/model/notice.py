"""Notices of planned operations: 4-D volumes (footprint + buffer + altitude band + window)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deconflict.model.measure import AltitudeBand, Window
from deconflict.model.shape import Shape

__all__ = ["DEFAULT_STANDOFF_M", "Notice", "NoticeKind"]


class NoticeKind(StrEnum):
    AIR_STRIKE = "air_strike"
    ARTILLERY = "artillery"
    GROUND_MOVE = "ground_move"
    FLIGHT = "flight"
    CONVOY = "convoy"


#: Safety margin around a notice's effects, by kind, when the notice gives none.
DEFAULT_STANDOFF_M: dict[NoticeKind, float] = {
    NoticeKind.AIR_STRIKE: 5000.0,
    NoticeKind.ARTILLERY: 3000.0,
    NoticeKind.GROUND_MOVE: 1000.0,
    NoticeKind.FLIGHT: 0.0,
    NoticeKind.CONVOY: 0.0,
}


@dataclass(frozen=True, slots=True)
class Notice:
    """A planned operation. ``standoff_m`` of ``None`` means the default for its kind."""

    id: str
    party: str
    kind: NoticeKind
    shape: Shape
    window: Window
    buffer_m: float = 0.0
    standoff_m: float | None = None
    altitude: AltitudeBand | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.buffer_m < 0:
            raise ValueError("buffer_m must not be negative")
        if self.standoff_m is not None and self.standoff_m < 0:
            raise ValueError("standoff_m must not be negative")

    @property
    def effective_standoff_m(self) -> float:
        if self.standoff_m is not None:
            return self.standoff_m
        return DEFAULT_STANDOFF_M[self.kind]
