"""The spatial prefilter never drops a true candidate (DESIGN.md: index first, refine exactly)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from deconflict.engine.index import SpatialIndex, search_box

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("lat_band", [(-60.0, 60.0), (60.0, 89.0), (-89.0, -60.0)])
def test_search_box_holds_every_point_within_reach(lat_band: tuple[float, float]) -> None:
    rng = np.random.default_rng(7)
    n = 5000
    lons = rng.uniform(-179.0, 179.0, n)
    lats = rng.uniform(*lat_band, n)
    dist = rng.uniform(0.0, 200_000.0, n)
    az = rng.uniform(-180.0, 180.0, n)
    qlon, qlat, _ = GEOD.fwd(lons, lats, az, dist)
    for i in range(n):
        box = search_box((lons[i], lats[i], lons[i], lats[i]), float(dist[i]))
        assert box.covers(shapely.Point(qlon[i], qlat[i])), (lons[i], lats[i], dist[i], az[i])


def test_box_grows_with_latitude() -> None:
    low = search_box((40.0, 0.0, 40.0, 0.0), 10_000.0).bounds
    high = search_box((40.0, 60.0, 40.0, 60.0), 10_000.0).bounds
    assert (high[2] - high[0]) > 1.9 * (low[2] - low[0])


def test_near_pole_takes_all_longitudes() -> None:
    bounds = search_box((10.0, 89.8, 10.0, 89.8), 1000.0).bounds
    assert bounds[0] == -180.0 and bounds[2] == 180.0


def test_index_candidates_include_all_points_in_reach() -> None:
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(39.0, 41.0, 20_000), rng.uniform(34.0, 36.0, 20_000)
    index = SpatialIndex(list(shapely.points(lons, lats)))
    centre = shapely.Point(40.0, 35.0)
    found = set(index.candidates(centre, 10_000.0).tolist())
    d = GEOD.inv(np.full(len(lons), 40.0), np.full(len(lons), 35.0), lons, lats)[2]
    truth = set(np.flatnonzero(d <= 10_000.0).tolist())
    assert truth <= found
    assert len(found) < 4 * len(truth)  # a prefilter, not the whole set


def test_empty_index() -> None:
    assert len(SpatialIndex([]).candidates(shapely.Point(0, 0), 100.0)) == 0
