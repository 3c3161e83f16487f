"""Indexed, read-only views of a scenario's objects at one moment, built once per screening run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

import numpy as np
import shapely
from numpy.typing import NDArray

from deconflict.engine.index import SpatialIndex
from deconflict.model import Shape, Unit

__all__ = ["ShapeLayer", "UnitLayer"]


class _Shaped(Protocol):
    @property
    def shape(self) -> Shape: ...


T = TypeVar("T", bound=_Shaped)


@dataclass(frozen=True, slots=True)
class UnitLayer:
    """Units' positions at one moment as parallel arrays (latest fix at or before the moment)."""

    ids: tuple[str, ...]
    parties: NDArray[np.str_]
    lons: NDArray[np.float64]
    lats: NDArray[np.float64]
    alts: NDArray[np.float64]  # NaN where unknown
    radii: NDArray[np.float64]
    stale: NDArray[np.float64]  # POSIX seconds
    index: SpatialIndex

    @classmethod
    def at(cls, units: Sequence[Unit], moment: datetime) -> UnitLayer:
        rows = [(u, f) for u in units if (f := u.fix_at(moment)) is not None]
        lons = np.array([f.position.lon for _, f in rows], dtype=np.float64)
        lats = np.array([f.position.lat for _, f in rows], dtype=np.float64)
        alts = [np.nan if f.position.alt_m is None else f.position.alt_m for _, f in rows]
        return cls(
            ids=tuple(u.id for u, _ in rows),
            parties=np.array([u.party for u, _ in rows], dtype=np.str_),
            lons=lons,
            lats=lats,
            alts=np.array(alts, dtype=np.float64),
            radii=np.array([f.radius_m for _, f in rows], dtype=np.float64),
            stale=np.array([f.stale_at.timestamp() for _, f in rows], dtype=np.float64),
            index=SpatialIndex(shapely.points(lons, lats) if rows else []),
        )

    @property
    def max_radius(self) -> float:
        return float(self.radii.max()) if len(self.radii) else 0.0


class ShapeLayer(Generic[T]):
    """Objects with a shape (sites, notices, zones), indexed by their lon/lat boxes."""

    def __init__(self, items: Sequence[T]) -> None:
        self.items = tuple(items)
        self.index = SpatialIndex([i.shape.geometry for i in self.items])
        self.max_radius = max((i.shape.radius_m for i in self.items), default=0.0)

    def near(self, shape: Shape, distance_m: float) -> list[T]:
        reach = distance_m + shape.radius_m + self.max_radius
        return [self.items[i] for i in self.index.candidates(shape.geometry, reach)]
