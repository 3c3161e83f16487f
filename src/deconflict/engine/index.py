"""Spatial prefilter: a shapely STRtree in lon/lat with a conservatively enlarged search box.

The prefilter may admit extra candidates; it must never drop a true one. A path of length ``s``
changes latitude by at most ``s / 110 574 m`` (the shortest degree of latitude, at the
equator) and longitude by at most ``s / (111 319 m x cos(lat))`` at the highest latitude it
reaches, so the box is
grown by those amounts (rounded the safe way) plus a small allowance for geodesic edges bulging
beyond their vertices' box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from deconflict.engine.geodesy import densify

__all__ = ["EDGE_BULGE_M", "SpatialIndex", "search_box"]

_M_PER_DEG_LAT_MIN = 110_500.0  # below the true minimum of 110 574 m: errs wide
_M_PER_DEG_LON_EQ = 111_000.0  # below the true 111 319 m at the equator: errs wide
_POLE_LAT = 89.5

#: Allowance for a densified geodesic edge (at most 5 km long) bulging outside its vertices'
#: lon/lat box: well under a metre below 85 degrees of latitude.
EDGE_BULGE_M = 25.0


def search_box(bounds: tuple[float, float, float, float], distance_m: float) -> BaseGeometry:
    """The lon/lat box that holds every point within ``distance_m`` of a box ``bounds``.

    >>> b = search_box((40.0, 35.0, 40.0, 35.0), 11_050.0).bounds
    >>> round(b[1], 3), round(b[3], 3)
    (34.9, 35.1)
    """
    min_lon, min_lat, max_lon, max_lat = bounds
    reach = max(0.0, distance_m) + EDGE_BULGE_M
    dlat = reach / _M_PER_DEG_LAT_MIN
    top = max(abs(min_lat), abs(max_lat)) + dlat
    if top >= _POLE_LAT:
        return shapely.box(-180.0, max(-90.0, min_lat - dlat), 180.0, min(90.0, max_lat + dlat))
    dlon = reach / (_M_PER_DEG_LON_EQ * math.cos(math.radians(top)))
    if dlon >= 180.0 or max_lon + dlon > 180.0 or min_lon - dlon < -180.0:
        # Across the antimeridian: take the whole band of latitudes rather than risk a miss.
        return shapely.box(-180.0, min_lat - dlat, 180.0, max_lat + dlat)
    return shapely.box(min_lon - dlon, min_lat - dlat, max_lon + dlon, max_lat + dlat)


def _dense(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("Point", "MultiPoint"):
        return geom
    return densify(geom)


class SpatialIndex:
    """Candidates near a geometry among a fixed list of lon/lat geometries."""

    def __init__(self, geometries: Sequence[BaseGeometry]) -> None:
        # Boxes of densified copies: a long geodesic edge bulges far outside its vertices' box.
        self._tree = shapely.STRtree([_dense(g) for g in geometries])
        self.size = len(geometries)

    def candidates(self, geom: BaseGeometry, distance_m: float) -> NDArray[np.intp]:
        """Indices of geometries whose box meets ``geom``'s box grown by ``distance_m``."""
        if self.size == 0:
            return np.empty(0, dtype=np.intp)
        box = search_box(_dense(geom).bounds, distance_m)
        found: NDArray[np.intp] = self._tree.query(box)
        return np.sort(found)
