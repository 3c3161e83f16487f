"""Hand-checked geodesy: distances against geographiclib, buffers, densification."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point, Polygon

from deconflict.engine.geodesy import buffer_footprint, densify, distance_m, from_local, to_local
from deconflict.model import Shape

WGS84 = Geodesic.WGS84


def test_point_to_point_matches_geographiclib() -> None:
    d = distance_m(Shape(Point(40.14084, 35.33588)), Shape(Point(40.91854, 34.45226)))
    assert d == pytest.approx(WGS84.Inverse(35.33588, 40.14084, 34.45226, 40.91854)["s12"],
                              abs=1e-3)


def test_circles_subtract_both_radii_and_clamp_at_zero() -> None:
    a, b = Point(40.0, 35.0), Point(40.1, 35.0)
    centre = WGS84.Inverse(35.0, 40.0, 35.0, 40.1)["s12"]
    assert distance_m(Shape(a, 1000), Shape(b, 2000)) == pytest.approx(centre - 3000, abs=1e-3)
    assert distance_m(Shape(a, centre), Shape(b, 10)) == 0.0


def test_geodesic_edge_bulges_poleward_of_the_parallel() -> None:
    # The geodesic between two points on the 35th parallel passes north of it.
    line = Shape(LineString([(40.0, 35.0), (41.0, 35.0)]))
    south = distance_m(Shape(Point(40.5, 34.99)), line)
    parallel_gap = WGS84.Inverse(34.99, 40.5, 35.0, 40.5)["s12"]
    assert south > parallel_gap + 100.0


def test_point_inside_polygon_and_in_its_hole() -> None:
    shell = [(40.0, 35.0), (40.4, 35.0), (40.4, 35.4), (40.0, 35.4), (40.0, 35.0)]
    hole = [(40.1, 35.1), (40.3, 35.1), (40.3, 35.3), (40.1, 35.3), (40.1, 35.1)]
    polygon = Shape(Polygon(shell, [hole]))
    assert distance_m(Shape(Point(40.05, 35.05)), polygon) == 0.0
    in_hole = distance_m(Shape(Point(40.2, 35.2)), polygon)
    expected = WGS84.Inverse(35.2, 40.2, 35.2, 40.1)["s12"]  # nearest hole edge is ~9 km west
    assert in_hole == pytest.approx(expected, rel=2e-3)


def test_local_plane_round_trip_and_exact_radial_distance() -> None:
    lons, lats = np.array([40.3, 39.2]), np.array([35.9, 34.1])
    xy = to_local(40.0, 35.0, lons, lats)
    back = from_local(40.0, 35.0, xy)
    assert np.allclose(back, np.column_stack((lons, lats)), atol=1e-9)
    radial = np.hypot(xy[:, 0], xy[:, 1])
    for (lon, lat), r in zip(zip(lons, lats, strict=True), radial, strict=True):
        assert r == pytest.approx(WGS84.Inverse(35.0, 40.0, lat, lon)["s12"], abs=1e-6)


def test_densify_keeps_ends_and_bounds_edge_length() -> None:
    dense = densify(LineString([(38.0, 33.0), (42.0, 37.0)]))
    coords = list(dense.coords)
    assert coords[0] == (38.0, 33.0) and coords[-1] == (42.0, 37.0)
    steps = [WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(coords)]
    assert max(steps) <= 5000.0 + 1e-6


def test_buffer_footprint_contains_the_true_circle() -> None:
    footprint = buffer_footprint(Shape(Point(40.0, 35.0)), 5000.0)
    for az in range(0, 360, 7):
        edge = WGS84.Direct(35.0, 40.0, az, 4999.9)
        assert footprint.covers(Point(edge["lon2"], edge["lat2"]))
    outside = WGS84.Direct(35.0, 40.0, 45, 5010.0)
    assert not footprint.covers(Point(outside["lon2"], outside["lat2"]))
    assert math.isclose(footprint.centroid.x, 40.0, abs_tol=1e-4)
