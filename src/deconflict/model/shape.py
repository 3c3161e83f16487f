"""Geometries of the model: GeoJSON geometry objects (lon/lat) plus an optional circle radius."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["Shape"]


@dataclass(frozen=True, slots=True)
class Shape:
    """A geometry in WGS84 lon/lat; a ``Point`` with ``radius_m > 0`` is a circle.

    Edges between vertices are geodesics (the shortest path on the ellipsoid).

    >>> Shape.from_geojson({"type": "Point", "coordinates": [40.14, 35.34]}, 500).kind
    'Point'
    """

    geometry: BaseGeometry
    radius_m: float = 0.0

    def __post_init__(self) -> None:
        if self.radius_m < 0:
            raise ValueError("radius_m must not be negative")
        if self.radius_m and self.geometry.geom_type != "Point":
            raise ValueError("radius_m is only allowed on a Point")

    @classmethod
    def from_geojson(cls, obj: dict[str, Any], radius_m: float = 0.0) -> Shape:
        return cls(shapely.geometry.shape(obj), radius_m)

    @property
    def kind(self) -> str:
        return str(self.geometry.geom_type)

    @property
    def is_point(self) -> bool:
        return self.kind == "Point"

    def to_geojson(self) -> dict[str, Any]:
        """The geometry as a GeoJSON object (without the radius, which travels beside it)."""
        mapping: dict[str, Any] = shapely.geometry.mapping(self.geometry)
        result: dict[str, Any] = _lists(mapping)
        return result


def _lists(value: Any) -> Any:
    """Shapely's mapping uses tuples; JSON and YAML writers want lists."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return value
