"""GeoJSON geometry objects of a scenario (RFC 7946), checked before shapely sees them.

Shapely accepts much that GeoJSON forbids (open rings, one-point lines, mixed dimensions), and
fails on the rest with messages that name no path; so the nesting, ranges and rings are checked
here, position by position, and shapely only judges what it alone can: polygon validity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from deconflict.errors import ScenarioError
from deconflict.interop.scenario_values import Record, as_coordinates, as_list, as_text, index
from deconflict.model import Shape

__all__ = ["GEOMETRY_TYPES", "read_geometry", "read_shape"]

Coords = tuple[float, ...]
Nested = Any  # positions nested in lists, as deep as the geometry type says

GEOMETRY_TYPES = (
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
)
_POLYGONAL = ("Polygon", "MultiPolygon")


def _positions(raw: object, path: str) -> list[Coords]:
    return [as_coordinates(p, index(path, i)) for i, p in enumerate(as_list(raw, path))]


def _line(raw: object, path: str) -> list[Coords]:
    line = _positions(raw, path)
    if len(set(line)) < 2:
        raise ScenarioError("a LineString needs at least two distinct positions", field=path)
    return line


def _ring(raw: object, path: str) -> list[Coords]:
    ring = _positions(raw, path)
    if len(ring) < 4:
        raise ScenarioError(f"a polygon ring needs at least 4 positions, got {len(ring)}",
                            field=path)
    if ring[0] != ring[-1]:
        raise ScenarioError("a polygon ring must be closed (first position == last)", field=path)
    return ring


def _members(member: Callable[[object, str], Nested], what: str) -> Callable[[object, str], Nested]:
    """A reader for a list of at least one ``member``."""

    def read(raw: object, path: str) -> list[Nested]:
        items = as_list(raw, path)
        if not items:
            raise ScenarioError(f"needs at least one {what}", field=path)
        return [member(item, index(path, i)) for i, item in enumerate(items)]

    return read


_polygon = _members(_ring, "ring")

_COORDINATES: dict[str, Callable[[object, str], Nested]] = {
    "Point": as_coordinates,
    "LineString": _line,
    "Polygon": _polygon,
    "MultiPoint": _members(as_coordinates, "position"),
    "MultiLineString": _members(_line, "LineString"),
    "MultiPolygon": _members(_polygon, "polygon"),
}


def _dimensions(value: Nested) -> set[int]:
    if isinstance(value, tuple):
        return {len(value)}
    return set().union(*(_dimensions(v) for v in value))


def read_geometry(raw: object, path: str) -> BaseGeometry:
    """A GeoJSON geometry object → a shapely geometry; every defect named at its path."""
    record = Record(raw, path, keys=("type", "coordinates"), required=("type", "coordinates"))
    kind = as_text(record.get("type"), record.path("type"))
    if kind not in GEOMETRY_TYPES:
        allowed = ", ".join(GEOMETRY_TYPES)
        raise ScenarioError(f"unknown geometry type {kind!r}; expected one of: {allowed}",
                            field=record.path("type"))
    where = record.path("coordinates")
    coordinates = _COORDINATES[kind](record.get("coordinates"), where)
    if len(_dimensions(coordinates)) > 1:
        raise ScenarioError("positions mix [lon, lat] and [lon, lat, alt_m]", field=where)
    geometry = shapely.geometry.shape({"type": kind, "coordinates": coordinates})
    if kind in _POLYGONAL and not geometry.is_valid:
        raise ScenarioError(f"invalid {kind}: {explain_validity(geometry)}", field=path)
    return geometry


def read_shape(record: Record, key: str = "geometry") -> Shape:
    """The record's geometry with its optional ``radius_m`` (allowed on a Point only)."""
    geometry = read_geometry(record.get(key), record.path(key))
    radius = record.distance("radius_m")
    try:
        return Shape(geometry, radius)
    except ValueError as exc:
        raise ScenarioError(f"{exc} (the geometry is a {geometry.geom_type})",
                            field=record.path("radius_m")) from None
