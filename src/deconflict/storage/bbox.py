"""Conservative lon/lat boxes for the spatial prefilter: a box may be too big, never too small.

A spatial index (SQLite R*Tree, PostGIS GiST) compares boxes in degrees, but distances are
geodesic metres. These functions turn "everything within ``d`` metres" into degree boxes that are
guaranteed to hold every such point, so the index can prefilter and an exact geodesic test refines.

Why the bounds hold, on the WGS84 ellipsoid:

* latitude: the distance between two parallels is the meridian arc between them, and a metre of
  meridian never spans more latitude than at the equator (radius of curvature ``a(1 - e²)``);
* longitude: along any path ``ds ≥ N·cos φ·|dλ| ≥ a·cos φ·|dλ|``, so a path of length ``d`` that
  stays equatorward of latitude ``φmax`` spans at most ``d / (a·cos φmax)`` radians of longitude.
  When the band reaches a pole, every longitude is possible.

>>> box = around(40.0, 35.0, 1000.0)[0]
>>> box.min_lat < 35.0 - 0.009 and box.max_lon > 40.0 + 0.0109
True
>>> around(0.0, 89.99, 5000.0)[0].min_lon
-180.0
>>> [round(b.min_lon, 3) for b in around(179.999, 0.0, 1000.0)]
[179.99, -180.0]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from deconflict.model import Shape

__all__ = ["Box", "around", "cover", "enlarge", "point_box", "shape_box"]

WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
_E2 = WGS84_F * (2 - WGS84_F)
#: The shortest meridian arc per degree of latitude (at the equator), in metres.
MIN_METRES_PER_DEGREE_LAT = math.radians(WGS84_A * (1 - _E2))
#: Slack added to every reach so float rounding can only enlarge a box (relative, then metres).
REACH_SLACK = 1e-6
REACH_SLACK_M = 1.0
#: Densify geodesic edges to this spacing; every point of an edge is within half of it of a vertex.
EDGE_SPACING_M = 1000.0

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class Box:
    """A lon/lat box that does not cross the antimeridian: ``min_lon ≤ max_lon``."""

    min_lon: float
    max_lon: float
    min_lat: float
    max_lat: float

    @classmethod
    def of_points(cls, points: Iterable[tuple[float, float]]) -> Box:
        lons, lats = zip(*points, strict=True)
        return cls(min(lons), max(lons), min(lats), max(lats))


def around(lon: float, lat: float, distance_m: float) -> tuple[Box, ...]:
    """Boxes (split at the antimeridian) holding every point within ``distance_m`` of a point."""
    return enlarge(Box(lon, lon, lat, lat), distance_m)


def enlarge(box: Box, distance_m: float) -> tuple[Box, ...]:
    """Boxes (split at the antimeridian) holding every point within ``distance_m`` of ``box``."""
    reach = distance_m * (1 + REACH_SLACK) + REACH_SLACK_M
    dlat = reach / MIN_METRES_PER_DEGREE_LAT
    min_lat = max(-90.0, box.min_lat - dlat)
    max_lat = min(90.0, box.max_lat + dlat)
    dlon = _lon_reach(max(abs(min_lat), abs(max_lat)), reach)
    if dlon is None or box.max_lon - box.min_lon + 2 * dlon >= 360.0:
        return (Box(-180.0, 180.0, min_lat, max_lat),)
    spans = _wrap(box.min_lon - dlon, box.max_lon + dlon)
    return tuple(Box(lo, hi, min_lat, max_lat) for lo, hi in spans)


def point_box(lon: float, lat: float, radius_m: float) -> Box:
    """``cover(around(lon, lat, radius_m))`` without the intermediate boxes: the box of a
    position report, computed once per report on the ingest path.

    >>> point_box(40.0, 35.0, 500.0) == cover(around(40.0, 35.0, 500.0))
    True
    """
    reach = radius_m * (1 + REACH_SLACK) + REACH_SLACK_M
    dlat = reach / MIN_METRES_PER_DEGREE_LAT
    min_lat = max(-90.0, lat - dlat)
    max_lat = min(90.0, lat + dlat)
    dlon = _lon_reach(max(abs(min_lat), abs(max_lat)), reach)
    # Across the antimeridian the cover of the two pieces is every longitude.
    if dlon is None or lon - dlon < -180.0 or lon + dlon > 180.0:
        return Box(-180.0, 180.0, min_lat, max_lat)
    return Box(lon - dlon, lon + dlon, min_lat, max_lat)


def cover(boxes: Sequence[Box]) -> Box:
    """One box holding all of ``boxes``; pieces split at the antimeridian become all longitudes."""
    if len(boxes) == 1:
        return boxes[0]
    lats = [b.min_lat for b in boxes] + [b.max_lat for b in boxes]
    return Box(-180.0, 180.0, min(lats), max(lats))


def shape_box(shape: Shape) -> Box:
    """One box holding the whole shape (geodesic edges, circle radius included)."""
    points: list[tuple[float, float]] = []
    spacing = 0.0
    for path in _paths(shape.geometry):
        dense, gap = _densify(path)
        points.extend(dense)
        spacing = max(spacing, gap)
    # Every point of an edge lies within half a spacing of one of the densified vertices.
    return cover(enlarge(Box.of_points(points), shape.radius_m + spacing / 2))


def _lon_reach(widest_lat: float, reach_m: float) -> float | None:
    """Degrees of longitude a path of ``reach_m`` spans equatorward of ``widest_lat``; None: all."""
    parallel = WGS84_A * math.cos(math.radians(widest_lat))
    if parallel <= 0.0:
        return None
    dlon = math.degrees(reach_m / parallel)
    return dlon if dlon < 180.0 else None


def _wrap(lo: float, hi: float) -> list[tuple[float, float]]:
    """Split a longitude span narrower than 360° at the antimeridian."""
    if lo < -180.0:
        return [(lo + 360.0, 180.0), (-180.0, hi)]
    if hi > 180.0:
        return [(lo, 180.0), (-180.0, hi - 360.0)]
    return [(lo, hi)]


def _paths(geometry: BaseGeometry) -> Iterator[list[tuple[float, float]]]:
    """Every vertex sequence of a geometry (rings of polygons, parts of collections)."""
    if hasattr(geometry, "geoms"):
        for part in geometry.geoms:
            yield from _paths(part)
    elif geometry.geom_type == "Polygon":
        for ring in (geometry.exterior, *geometry.interiors):
            yield [(c[0], c[1]) for c in ring.coords]
    elif not geometry.is_empty:
        yield [(c[0], c[1]) for c in geometry.coords]


def _densify(path: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], float]:
    """Vertices plus intermediate geodesic points; returns them and the widest spacing used."""
    points = [path[0]]
    widest = 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(path):
        length = float(_GEOD.inv(lon1, lat1, lon2, lat2)[2])
        between = max(0, math.ceil(length / EDGE_SPACING_M) - 1)
        if between:
            points.extend(_GEOD.npts(lon1, lat1, lon2, lat2, between))
        points.append((lon2, lat2))
        widest = max(widest, length / (between + 1))
    return points, widest
