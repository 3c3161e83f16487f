"""Geodesic measurement on the WGS84 ellipsoid.

Distances never use degrees. A geometry's edges are geodesics; before measuring, long edges are
split at :data:`DENSIFY_STEP_M` so that, once projected into a local azimuthal-equidistant (AEQD)
plane, each edge is straight to well under a centimetre. In an AEQD plane centred on a point the
distance from the centre to anything is the true geodesic distance, which is what makes
point-to-geometry distances exact here.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
import shapely.ops
from numpy.typing import NDArray
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from deconflict.model import Shape

__all__ = [
    "DENSIFY_STEP_M",
    "GEOD",
    "buffer_footprint",
    "densify",
    "distance_m",
    "from_local",
    "local_buffer",
    "point_distances",
    "project",
    "to_local",
]

GEOD = Geod(ellps="WGS84")

#: Longest edge kept when densifying; 5 km chords deviate from the geodesic by millimetres.
DENSIFY_STEP_M = 5_000.0

#: Distances from a frame's centre beyond which a second, re-centred pass is made.
_RECENTRE_AFTER_M = 20_000.0

FloatArray = NDArray[np.float64]


def to_local(lon0: float, lat0: float, lons: FloatArray, lats: FloatArray) -> FloatArray:
    """AEQD coordinates (metres east, north) of points, centred on ``(lon0, lat0)``.

    >>> xy = to_local(40.0, 35.0, np.array([40.0]), np.array([36.0]))
    >>> round(float(xy[0, 1]))   # one degree of latitude north, in metres
    110950
    """
    n = len(lons)
    az, _, dist = GEOD.inv(np.full(n, lon0), np.full(n, lat0), lons, lats)
    rad = np.radians(az)
    return np.column_stack((dist * np.sin(rad), dist * np.cos(rad)))


def from_local(lon0: float, lat0: float, xy: FloatArray) -> FloatArray:
    """Inverse of :func:`to_local`: lon/lat of AEQD points."""
    n = len(xy)
    az = np.degrees(np.arctan2(xy[:, 0], xy[:, 1]))
    dist = np.hypot(xy[:, 0], xy[:, 1])
    lon, lat, _ = GEOD.fwd(np.full(n, lon0), np.full(n, lat0), az, dist)
    return np.column_stack((lon, lat))


def project(geom: BaseGeometry, lon0: float, lat0: float) -> BaseGeometry:
    """``geom`` (lon/lat) in the AEQD plane centred on ``(lon0, lat0)``; vertex count unchanged."""
    return shapely.transform(geom, lambda c: to_local(lon0, lat0, c[:, 0], c[:, 1]))


def _densify_coords(coords: FloatArray, step_m: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = [(float(coords[0, 0]), float(coords[0, 1]))]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords):
        length = float(GEOD.inv(lon1, lat1, lon2, lat2)[2])
        extra = math.ceil(length / step_m) - 1
        if extra > 0:
            out.extend(GEOD.npts(lon1, lat1, lon2, lat2, extra))
        out.append((float(lon2), float(lat2)))
    return out


def _densify_line(geom: Any, step_m: float) -> list[tuple[float, float]]:
    return _densify_coords(np.asarray(geom.coords)[:, :2], step_m)


@lru_cache(maxsize=8192)
def densify(geom: BaseGeometry, step_m: float = DENSIFY_STEP_M) -> BaseGeometry:
    """A 2-D copy of ``geom`` whose edges are no longer than ``step_m`` (geodesic vertices)."""
    geom = shapely.force_2d(geom)
    if isinstance(geom, (Point, MultiPoint)):
        return geom
    if isinstance(geom, LineString):
        return LineString(_densify_line(geom, step_m))
    if isinstance(geom, Polygon):
        holes = [_densify_line(r, step_m) for r in geom.interiors]
        return Polygon(_densify_line(geom.exterior, step_m), holes)
    if isinstance(geom, (MultiLineString, MultiPolygon)):
        return type(geom)([densify(g, step_m) for g in geom.geoms])
    raise ValueError(f"unsupported geometry {geom.geom_type}")


def point_distances(lons: FloatArray, lats: FloatArray, shape: Shape) -> FloatArray:
    """Geodesic distance in metres from each point to ``shape`` (0 inside it)."""
    if shape.is_point:
        p = shape.geometry
        n = len(lons)
        dist = GEOD.inv(np.full(n, p.x), np.full(n, p.y), lons, lats)[2]
        return np.asarray(np.maximum(0.0, dist - shape.radius_m), dtype=np.float64)
    dense = densify(shape.geometry)
    out = [_point_to_dense(float(x), float(y), dense) for x, y in zip(lons, lats, strict=True)]
    return np.asarray(out, dtype=np.float64)


def _point_to_dense(lon: float, lat: float, dense: BaseGeometry) -> float:
    """Exact: in an AEQD plane centred on the point, distance from the origin is geodesic."""
    return float(shapely.distance(Point(0.0, 0.0), project(dense, lon, lat)))


def distance_m(a: Shape, b: Shape) -> float:
    """Geodesic distance between two shapes; 0 when they touch or overlap.

    >>> deir = Shape(Point(40.14084, 35.33588))
    >>> mayadeen = Shape(Point(40.45154, 35.01982))
    >>> round(distance_m(deir, mayadeen))
    45061
    """
    if a.is_point:
        return _circle_to(a, b)
    if b.is_point:
        return _circle_to(b, a)
    return _between(densify(a.geometry), densify(b.geometry))


def _circle_to(circle: Shape, other: Shape) -> float:
    p = circle.geometry
    d = point_distances(np.array([p.x]), np.array([p.y]), other)[0]
    return max(0.0, float(d) - circle.radius_m)


def _between(ga: BaseGeometry, gb: BaseGeometry) -> float:
    """Distance between two extended geometries: nearest pair in a local plane, then exact."""
    pa, pb = shapely.ops.nearest_points(ga, gb)
    lon0, lat0 = (pa.x + pb.x) / 2, (pa.y + pb.y) / 2
    for _ in range(2):
        la, lb = project(ga, lon0, lat0), project(gb, lon0, lat0)
        if la.intersects(lb):
            return 0.0
        qa, qb = shapely.ops.nearest_points(la, lb)
        if max(math.hypot(qa.x, qa.y), math.hypot(qb.x, qb.y)) < _RECENTRE_AFTER_M:
            break
        mid = from_local(lon0, lat0, np.array([[(qa.x + qb.x) / 2, (qa.y + qb.y) / 2]]))
        lon0, lat0 = float(mid[0, 0]), float(mid[0, 1])
    ends = from_local(lon0, lat0, np.array([[qa.x, qa.y], [qb.x, qb.y]]))
    d1 = _point_to_dense(float(ends[0, 0]), float(ends[0, 1]), gb)
    d2 = _point_to_dense(float(ends[1, 0]), float(ends[1, 1]), ga)
    return min(d1, d2)


def _circumscribed(distance: float, tolerance_m: float = 0.05) -> tuple[float, int]:
    """A buffer distance and arc resolution whose polygon contains the true round buffer."""
    if distance <= 0:
        return distance, 8
    half_step = math.acos(distance / (distance + tolerance_m))
    quad_segs = max(8, math.ceil(math.pi / (4 * half_step)))
    quad_segs = min(quad_segs, 512)
    return distance / math.cos(math.pi / (4 * quad_segs)), quad_segs


def local_buffer(geom: BaseGeometry, distance: float) -> BaseGeometry:
    """Planar buffer that contains the exact one (never drops a point), for conservative tests."""
    grown, quad_segs = _circumscribed(distance)
    if grown <= 0:
        return geom
    return geom.buffer(grown, quad_segs=quad_segs)


def buffer_footprint(shape: Shape, distance: float) -> Polygon | MultiPolygon:
    """The area within ``distance`` metres of ``shape``, built in an AEQD plane centred on it."""
    centre = shape.geometry.centroid
    local = project(densify(shape.geometry), centre.x, centre.y)
    grown = local_buffer(local, distance + shape.radius_m)
    if grown.is_empty or grown.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError("a footprint needs a positive distance or an areal shape")
    back: BaseGeometry = shapely.transform(grown, lambda c: from_local(centre.x, centre.y, c))
    return back
