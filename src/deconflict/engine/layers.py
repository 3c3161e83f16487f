"""Indexed, read-only views of a scenario's objects at one moment, built once per screening run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Generic, Protocol, TypeVar

import numpy as np
import shapely
from numpy.typing import NDArray

from deconflict.engine.index import SpatialIndex
from deconflict.model import Fix, Shape, Unit
from deconflict.model.measure import DEFAULT_STALE_AFTER

__all__ = ["ShapeLayer", "UnitLayer"]


class _Shaped(Protocol):
    @property
    def shape(self) -> Shape: ...


T = TypeVar("T", bound=_Shaped)


@dataclass(frozen=True)
class UnitLayer:
    """Units' positions at one moment as parallel arrays (latest fix at or before the moment)."""

    ids: tuple[str, ...]
    parties: NDArray[np.str_]
    lons: NDArray[np.float64]
    lats: NDArray[np.float64]
    alts: NDArray[np.float64]  # NaN where unknown
    radii: NDArray[np.float64]
    stale: NDArray[np.float64]  # POSIX seconds

    @classmethod
    def at(cls, units: Sequence[Unit], moment: datetime) -> UnitLayer:
        rows = [(u, f) for u in units if (f := _fix_at(u, moment)) is not None]
        fixes = [f for _, f in rows]
        n = len(fixes)
        return cls(
            ids=tuple(u.id for u, _ in rows),
            parties=np.array([u.party for u, _ in rows], dtype=np.str_),
            lons=np.fromiter((f.position.lon for f in fixes), np.float64, n),
            lats=np.fromiter((f.position.lat for f in fixes), np.float64, n),
            alts=np.fromiter((np.nan if f.position.alt_m is None else f.position.alt_m
                              for f in fixes), np.float64, n),
            radii=np.fromiter((f.radius_m for f in fixes), np.float64, n),
            stale=_stale_seconds(fixes),
        )

    def where(self, keep: NDArray[np.bool_]) -> UnitLayer:
        """The units for which ``keep`` is true."""
        idx = np.flatnonzero(keep)
        return UnitLayer(tuple(self.ids[i] for i in idx), self.parties[idx], self.lons[idx],
                         self.lats[idx], self.alts[idx], self.radii[idx], self.stale[idx])

    @cached_property
    def index(self) -> SpatialIndex:
        """Built on first use: the separation sweep never needs it."""
        return SpatialIndex(shapely.points(self.lons, self.lats) if len(self.ids) else [])

    @property
    def max_radius(self) -> float:
        return float(self.radii.max()) if len(self.radii) else 0.0


def _fix_at(unit: Unit, moment: datetime) -> Fix | None:
    last = unit.track[-1]
    return last if last.time <= moment else unit.fix_at(moment)  # most tracks end before now


def _stale_seconds(fixes: Sequence[Fix]) -> NDArray[np.float64]:
    """When each fix goes stale, as POSIX seconds (the default is observed + 6 h)."""
    out = np.empty(len(fixes), dtype=np.float64)
    for k, f in enumerate(fixes):
        out[k] = (f.stale.timestamp() if f.stale is not None
                  else f.time.timestamp() + DEFAULT_STALE_AFTER)
    return out


class ShapeLayer(Generic[T]):
    """Objects with a shape (sites, notices, zones), indexed by their lon/lat boxes."""

    def __init__(self, items: Sequence[T]) -> None:
        self.items = tuple(items)
        self.index = SpatialIndex([i.shape.geometry for i in self.items])
        self.max_radius = max((i.shape.radius_m for i in self.items), default=0.0)

    def near(self, shape: Shape, distance_m: float) -> list[T]:
        reach = distance_m + shape.radius_m + self.max_radius
        return [self.items[i] for i in self.index.candidates(shape.geometry, reach)]
