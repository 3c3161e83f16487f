"""The oracle's own accuracy, against constructions whose answer is known exactly.

A point reached by ``Geodesic.Direct`` at right angles from a point of a geodesic is exactly
that far from the geodesic (the perpendicular foot is the nearest point), so these tests need
nothing but geographiclib to know the truth.
"""

from __future__ import annotations

import random

import pytest
from geographiclib.geodesic import Geodesic

from tests.engine.cases import along, circle, direct, go, line, point, polygon, rand_centre, star
from tests.engine.oracle import (
    compile_shape,
    distance,
    geodesic_m,
    golden_min,
)

WGS84 = Geodesic.WGS84
ACCURACY_M = 0.01  # the oracle's own error must stay far below the 0.5 m it holds the engine to


def test_golden_section_finds_the_minimum_of_a_unimodal_function() -> None:
    s, f = golden_min(lambda x: abs(x - 3.25) + 7.0, 0.0, 10.0)
    assert s == pytest.approx(3.25, abs=0.002)
    assert f == pytest.approx(7.0, abs=0.002)
    assert golden_min(lambda x: x, 2.0, 5.0) == (2.0, 2.0)  # a minimum at an end is found


@pytest.mark.parametrize("seed", range(3))
def test_distance_to_a_long_geodesic_is_exact(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(12):
        a = rand_centre(rng)
        b = go(a, rng.uniform(0, 360), rng.uniform(10_000.0, 150_000.0))
        foot, azi = along(a, b, rng.uniform(0.05, 0.95))
        h = rng.choice((0.0, 0.3, rng.uniform(0.0, 2000.0), rng.uniform(0.0, 20_000.0)))
        x = go(foot, azi + rng.choice((-90, 90)), h)
        assert distance(line([a, b]), point(x)) == pytest.approx(h, abs=ACCURACY_M)


def test_distance_to_an_end_is_the_distance_to_the_vertex() -> None:
    a, b = (35.0, 40.0), (35.3, 40.4)
    x, _ = direct(b, WGS84.Inverse(*a, *b)["azi2"] + 30, 1234.5)  # beyond the end
    assert distance(line([a, b]), point(x)) == pytest.approx(1234.5, abs=ACCURACY_M)


@pytest.mark.parametrize("seed", range(3))
def test_points_a_metre_either_side_of_a_geodesic_edge(seed: int) -> None:
    """Inside or outside a polygon is decided by the geodesic edges, to the metre."""
    rng = random.Random(seed)
    for _ in range(10):
        c = rand_centre(rng)
        ring = star(c, [rng.uniform(2_000.0, 120_000.0) for _ in range(rng.randint(3, 6))])
        shape = polygon([*ring, ring[0]])
        i = rng.randrange(len(ring))
        foot, azi = along(ring[i], ring[(i + 1) % len(ring)], rng.uniform(0.1, 0.9))
        outside, inside = go(foot, azi - 90, 1.0), go(foot, azi + 90, 1.0)  # clockwise ring
        g = compile_shape(shape)
        assert g.contains(*inside) and not g.contains(*outside)
        assert distance(shape, point(outside)) == pytest.approx(1.0, abs=ACCURACY_M)
        assert distance(shape, point(inside)) == 0.0


def test_distance_is_symmetric_and_subtracts_circle_radii() -> None:
    rng = random.Random(7)
    c = rand_centre(rng)
    ring = star(c, [1500.0, 1800.0, 1200.0, 2000.0])
    poly = polygon([*ring, ring[0]])
    route = line([go(c, 80.0, 5000.0), go(c, 100.0, 9000.0), go(c, 60.0, 12000.0)])
    assert distance(poly, route) == pytest.approx(distance(route, poly), abs=1e-6)
    x = go(c, 33.0, 10_000.0)
    d = geodesic_m(*c, *x)
    assert distance(circle(c, 2500.0), point(x)) == pytest.approx(d - 2500.0, abs=1e-6)
    assert distance(circle(c, 2500.0), circle(x, 8000.0)) == 0.0


def test_crossing_edges_are_at_distance_zero_without_a_vertex_inside() -> None:
    c = (35.5, 40.5)
    ew = line([go(c, 270.0, 30_000.0), go(c, 90.0, 30_000.0)])
    ns = line([go(c, 0.0, 30_000.0), go(c, 180.0, 30_000.0)])
    assert distance(ew, ns) == 0.0
    shifted = line([go(go(c, 0.0, 40_000.0), 270.0, 30_000.0), go(c, 0.0, 31_000.0)])
    assert distance(ns, shifted) > 900.0
