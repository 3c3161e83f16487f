"""Which sides of an agreed line a buffered footprint reaches (rule R-LINE).

A point's side is decided by its nearest point on the line: left or right of that segment's
direction of travel; a point whose nearest point is an end of the line, beyond it, is on neither
side. Work happens in an AEQD plane centred on the footprint. Each side's region is built as the
union of one rectangle per segment (flat ends, so nothing beyond the line's ends) and a wedge at
each bend on its outer side. Near a bend tighter than the footprint's reach this union can claim a
point for both sides: the hub then reports both, erring towards telling.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from deconflict.engine.geodesy import densify, local_buffer, project, to_local
from deconflict.model import Shape, Side

__all__ = ["sides_reached"]

_WEDGE_STEP = math.radians(5.0)
_SLACK_M = 10.0

FloatArray = NDArray[np.float64]


def sides_reached(footprint: Shape, buffer_m: float, line: BaseGeometry, gap_m: float) -> set[Side]:
    """Sides of ``line`` reached by the footprint grown by ``buffer_m``.

    ``gap_m`` is d(footprint, line), already measured by the caller.
    """
    centre = footprint.geometry.centroid
    local = project(densify(footprint.geometry), centre.x, centre.y)
    grown = local_buffer(local, buffer_m + footprint.radius_m)
    reach = gap_m + buffer_m + footprint.radius_m + _diameter(local) + _SLACK_M
    pts = _local_coords(densify(line), centre.x, centre.y)
    kept = _segments_within(pts, grown, reach)
    return {side for side in Side if _touches(grown, _side_region(pts, kept, side, reach))}


def _local_coords(line: BaseGeometry, lon0: float, lat0: float) -> FloatArray:
    c = np.asarray(line.coords)[:, :2]
    return to_local(lon0, lat0, c[:, 0], c[:, 1])


def _diameter(geom: BaseGeometry) -> float:
    min_x, min_y, max_x, max_y = geom.bounds
    return math.hypot(max_x - min_x, max_y - min_y)


def _segments_within(pts: FloatArray, grown: BaseGeometry, reach: float) -> NDArray[np.bool_]:
    """Segments that can be nearest to some footprint point: the others are farther than reach."""
    segs = shapely.linestrings(np.stack((pts[:-1], pts[1:]), axis=1))
    kept: NDArray[np.bool_] = shapely.distance(segs, grown) <= reach
    return kept


def _touches(grown: BaseGeometry, region: BaseGeometry | None) -> bool:
    # Interiors must meet: a footprint that only touches the line itself is on neither side.
    return region is not None and bool(grown.relate_pattern(region, "T********"))


def _side_region(pts: FloatArray, kept: NDArray[np.bool_], side: Side, width: float
                 ) -> BaseGeometry | None:
    sign = 1.0 if side is Side.LEFT else -1.0
    parts = [_rectangle(pts[i], pts[i + 1], sign, width) for i in np.flatnonzero(kept)]
    for i in range(1, len(pts) - 1):
        if kept[i - 1] and kept[i]:
            wedge = _outer_wedge(pts[i - 1], pts[i], pts[i + 1], sign, width)
            if wedge is not None:
                parts.append(wedge)
    parts = [p for p in parts if p is not None]
    return shapely.union_all(parts) if parts else None


def _normal(p: FloatArray, q: FloatArray, sign: float) -> FloatArray | None:
    d = q - p
    length = math.hypot(d[0], d[1])
    if length == 0.0:
        return None
    return np.array([-d[1], d[0]]) * (sign / length)


def _rectangle(p: FloatArray, q: FloatArray, sign: float, width: float) -> Polygon | None:
    n = _normal(p, q, sign)
    if n is None:
        return None
    return Polygon([p, q, q + width * n, p + width * n])


def _outer_wedge(a: FloatArray, v: FloatArray, b: FloatArray, sign: float, width: float
                 ) -> Polygon | None:
    """The sector at bend ``v`` on this side when it is the outer side of the turn."""
    n1, n2 = _normal(a, v, sign), _normal(v, b, sign)
    if n1 is None or n2 is None:
        return None
    u1, u2 = v - a, b - v
    cross = u1[0] * u2[1] - u1[1] * u2[0]
    if cross * sign >= 0:  # turning towards this side: it is the inner side, no gap to fill
        return None
    a1 = math.atan2(n1[1], n1[0])
    delta = (math.atan2(n2[1], n2[0]) - a1 + math.pi) % (2 * math.pi) - math.pi
    steps = max(1, math.ceil(abs(delta) / _WEDGE_STEP))
    radius = width / math.cos(abs(delta) / (2 * steps))  # circumscribe the arc: never too small
    angles = a1 + delta * np.arange(steps + 1) / steps
    arc = v + radius * np.column_stack((np.cos(angles), np.sin(angles)))
    return Polygon([v, *arc])
