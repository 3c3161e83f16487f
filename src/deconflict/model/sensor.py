"""Border surveillance: sensors and the borders they watch."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deconflict.model.measure import Position
from deconflict.model.shape import Shape

__all__ = ["Border", "Sensor", "SensorKind"]


class SensorKind(StrEnum):
    THERMAL = "thermal"
    CCTV = "cctv"
    BALLOON = "balloon"
    TOWER = "tower"
    RADAR = "radar"
    PATROL = "patrol"


@dataclass(frozen=True, slots=True)
class Sensor:
    """A sensor; without ``bearing_deg``/``fov_deg`` it sees all round."""

    id: str
    party: str
    kind: SensorKind
    position: Position
    range_m: float
    bearing_deg: float | None = None
    fov_deg: float | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.range_m < 0:
            raise ValueError("range_m must not be negative")
        if (self.bearing_deg is None) != (self.fov_deg is None):
            raise ValueError("bearing_deg and fov_deg go together")
        if self.fov_deg is not None and not 0 < self.fov_deg <= 360:
            raise ValueError("fov_deg must be in (0, 360]")


@dataclass(frozen=True, slots=True)
class Border:
    id: str
    shape: Shape
    name: str = ""
