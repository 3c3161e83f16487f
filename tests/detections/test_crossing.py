"""Crossings and touches of a border line, case by case, and against geographiclib.

The border has a vertex: west to east along 34° N (a geodesic, so it bulges north between its
ends), then north along 41° E. Travelling along it, the left is the north (then the west) side.
Every test point is placed with geographiclib (``Direct`` from a point on the line), never by
adding degrees, so "on the line" means on the true geodesic.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point

from deconflict.engine.crossing import border_line, line_events, may_meet
from deconflict.engine.geodesy import distance_m
from deconflict.engine.sides import sides_reached
from deconflict.model import Position, Shape, Side
from deconflict.model.detection import Crossing, CrossingKind, Detection, Track, TrackState
from deconflict.model.sensor import Border

WGS84 = Geodesic.WGS84
T0 = datetime(2017, 9, 18, 11, 0, tzinfo=UTC)
A, V, B = (40.0, 34.0), (41.0, 34.0), (41.0, 35.0)
BORDER = Border("iq-sy", Shape(LineString([A, V, B])))
LEFT, RIGHT = Side.LEFT, Side.RIGHT


def along(start: tuple[float, float], end: tuple[float, float], fraction: float
          ) -> tuple[float, float]:
    """The point ``fraction`` of the way along the geodesic from ``start`` to ``end``."""
    line = WGS84.InverseLine(start[1], start[0], end[1], end[0])
    g = line.Position(line.s13 * fraction)
    return (g["lon2"], g["lat2"])


def off(at: tuple[float, float], azimuth: float, metres: float) -> tuple[float, float]:
    g = WGS84.Direct(at[1], at[0], azimuth, metres)
    return (g["lon2"], g["lat2"])


def path(*points: tuple[float, float], minutes: float = 5.0) -> Track:
    detections = tuple(Detection(f"d{i}", "iq-thermal", "isf",
                                 T0 + timedelta(minutes=minutes * i), Position(*p), 25.0)
                       for i, p in enumerate(points))
    return Track("t", "isf", detections, TrackState.CONFIRMED)


def summary(events: list[Crossing]) -> list[tuple[str, Side, Side, str, str]]:
    return [(e.kind.value, e.from_side, e.to_side, e.before, e.after) for e in events]


P = along(A, V, 0.5)  # on the first edge; its north is left
Q = along(A, V, 0.6)
NORTH, SOUTH = 0.0, 180.0


def test_sides_of_the_test_line() -> None:
    line = border_line(BORDER)
    assert line.side_of(*off(P, NORTH, 100))[0] is LEFT
    assert line.side_of(*off(P, SOUTH, 100))[0] is RIGHT
    assert line.side_of(*off(A, 270, 100))[0] is None  # beyond the first end
    assert line.side_of(*off(V, 45, 500))[0] is RIGHT  # outside the corner
    assert line.side_of(*off(V, 315, 500))[0] is LEFT  # inside it
    assert line.side_of(*P)[1] < 0.01


def test_a_clean_crossing() -> None:
    events = line_events(path(off(P, NORTH, 800), off(P, SOUTH, 700)), BORDER)
    assert summary(events) == [("crossing", LEFT, RIGHT, "d0", "d1")]


def test_crossing_twice_gives_two_crossings_back_and_forth() -> None:
    track = path(off(P, NORTH, 800), off(P, SOUTH, 700), off(Q, NORTH, 600))
    assert summary(line_events(track, BORDER)) == [("crossing", LEFT, RIGHT, "d0", "d1"),
                                                    ("crossing", RIGHT, LEFT, "d1", "d2")]


def test_touching_the_line_and_returning_is_a_touch() -> None:
    track = path(off(P, NORTH, 800), P, off(Q, NORTH, 600))
    (event,) = line_events(track, BORDER)
    assert summary([event]) == [("touch", LEFT, LEFT, "d0", "d2")]
    assert WGS84.Inverse(event.position.lat, event.position.lon, P[1], P[0])["s12"] < 0.05
    assert abs((event.time - (T0 + timedelta(minutes=5))).total_seconds()) < 0.01


def test_a_pass_within_the_tolerance_touches_and_one_beyond_it_does_not() -> None:
    # Straight paths between two detections north of the line whose middle dips towards it.
    def dip(gap_m: float) -> Track:
        middle = off(P, NORTH, gap_m)
        return path(off(middle, 300, 2000), middle, off(middle, 60, 2000))

    assert summary(line_events(dip(0.5), BORDER)) == [("touch", LEFT, LEFT, "d0", "d2")]
    assert line_events(dip(2.0), BORDER) == []
    assert line_events(dip(2.0), BORDER, tolerance_m=3.0)[0].kind is CrossingKind.TOUCH


def test_running_along_the_line_and_back_is_a_touch() -> None:
    track = path(off(P, NORTH, 800), P, along(P, Q, 0.5), Q, off(Q, NORTH, 500))
    assert summary(line_events(track, BORDER)) == [("touch", LEFT, LEFT, "d0", "d4")]


def test_running_along_then_leaving_to_the_other_side_crosses_where_it_left() -> None:
    track = path(off(P, NORTH, 800), P, Q, off(Q, SOUTH, 500))
    (event,) = line_events(track, BORDER)
    assert summary([event]) == [("crossing", LEFT, RIGHT, "d0", "d3")]
    assert WGS84.Inverse(event.position.lat, event.position.lon, Q[1], Q[0])["s12"] < 0.2
    assert abs((event.time - (T0 + timedelta(minutes=10))).total_seconds()) < 0.5


@pytest.mark.parametrize(("name", "points"), [
    ("through the vertex between two detections", (off(V, 315, 700), off(V, 135, 700))),
    ("with a detection on the vertex", (off(V, 315, 700), V, off(V, 135, 700))),
    ("grazing past the vertex", (off(V, 315, 700), off(V, 134.9, 700))),
])
def test_crossing_at_a_vertex_is_one_crossing(name: str, points: tuple[tuple[float, float], ...]
                                              ) -> None:
    events = line_events(path(*points), BORDER)
    assert [(e.kind, e.from_side, e.to_side) for e in events] == [
        (CrossingKind.CROSSING, LEFT, RIGHT)], name
    assert WGS84.Inverse(events[0].position.lat, events[0].position.lon, V[1], V[0])["s12"] < 1


def test_touching_the_corner_from_outside_is_a_touch() -> None:
    # From the south-west to the north-east of the vertex: right of both edges, before and after.
    events = line_events(path(off(V, 225, 700), off(V, 45, 700)), BORDER)
    assert summary(events) == [("touch", RIGHT, RIGHT, "d0", "d1")]


def test_a_track_that_starts_on_the_line_has_crossed_nothing() -> None:
    assert line_events(path(P, off(P, SOUTH, 500)), BORDER) == []
    # ...until it crosses afterwards.
    track = path(P, off(P, SOUTH, 500), off(Q, NORTH, 500))
    assert summary(line_events(track, BORDER)) == [("crossing", RIGHT, LEFT, "d1", "d2")]


def test_a_track_that_ends_on_the_line_waits_for_its_next_detection() -> None:
    begun = path(off(P, NORTH, 800), P)
    assert line_events(begun, BORDER) == []
    done = path(off(P, NORTH, 800), P, off(P, SOUTH, 800))
    assert summary(line_events(done, BORDER, since=2)) == [("crossing", LEFT, RIGHT, "d0",
                                                            "d2")]


def test_going_round_an_end_of_the_line_crosses_nothing() -> None:
    track = path(off(A, 300, 500), off(A, 270, 700), off(A, 240, 500))
    assert line_events(track, BORDER) == []
    assert line_events(path(off(A, 0, 50), off(A, 180, 50)), BORDER) == []  # past the end point
    far = path((30.0, 20.0), (30.1, 20.1))
    assert not may_meet(far.detections, BORDER) and line_events(far, BORDER) == []


def test_new_detections_report_only_what_they_complete() -> None:
    points = [off(P, NORTH, 800), off(P, SOUTH, 700), P, along(P, Q, 0.3), off(Q, NORTH, 600),
              off(Q, NORTH, 900), off(along(P, Q, 0.9), SOUTH, 300)]
    whole = line_events(path(*points), BORDER)
    assert [e.kind.value for e in whole] == ["crossing", "crossing", "crossing"]
    pieces: list[Crossing] = []
    for n in range(1, len(points) + 1):
        pieces += line_events(path(*points[:n]), BORDER, since=n - 1)
    assert pieces == whole


# -- against geographiclib -----------------------------------------------------------------------

def right_of(p: tuple[float, float], start: tuple[float, float], end: tuple[float, float]
             ) -> bool:
    """Is ``p`` right of the geodesic ``start -> end`` (near it, between its ends)?"""
    inv = WGS84.Inverse(start[1], start[0], end[1], end[0])
    to_p = WGS84.Inverse(start[1], start[0], p[1], p[0])
    turn = (to_p["azi1"] - inv["azi1"] + 540.0) % 360.0 - 180.0
    return turn > 0


def oracle_crossing(a: tuple[float, float], b: tuple[float, float], start: tuple[float, float],
                    end: tuple[float, float]) -> tuple[tuple[float, float], float]:
    """Where the geodesic ``a -> b`` crosses the geodesic ``start -> end``, and the fraction of
    ``a -> b`` travelled: bisection on which side of the border each point lies."""
    lo, hi = 0.0, 1.0
    side_a = right_of(a, start, end)
    for _ in range(60):
        mid = (lo + hi) / 2
        if right_of(along(a, b, mid), start, end) == side_a:
            lo = mid
        else:
            hi = mid
    return along(a, b, (lo + hi) / 2), (lo + hi) / 2


@pytest.mark.parametrize("seed", range(12))
def test_the_crossing_point_and_time_match_geographiclib(seed: int) -> None:
    rng = random.Random(seed)
    start, end = (A, V) if seed % 2 else (V, B)
    on = along(start, end, rng.uniform(0.1, 0.9))
    heading = WGS84.Inverse(start[1], start[0], end[1], end[0])["azi1"]
    angle = rng.uniform(20, 160)
    far = rng.choice([300.0, 4000.0, 25_000.0])  # 25 km: several local frames per segment
    a = off(on, heading - angle, far * rng.uniform(0.5, 1.5))
    b = off(on, heading - angle + 180, far * rng.uniform(0.5, 1.5))
    (event,) = line_events(path(a, b, minutes=30), BORDER)
    expected, fraction = oracle_crossing(a, b, start, end)
    miss = WGS84.Inverse(event.position.lat, event.position.lon, expected[1], expected[0])
    assert miss["s12"] < 0.05, (seed, miss["s12"])
    when = T0 + timedelta(minutes=30 * fraction)
    assert abs((event.time - when).total_seconds()) < 0.01
    # The heading is the track's azimuth at the crossing.
    track_az = WGS84.Inverse(expected[1], expected[0], b[1], b[0])["azi1"] % 360.0
    assert abs((event.heading_deg - track_az + 180) % 360 - 180) < 0.01


@pytest.mark.parametrize("seed", range(3))
def test_sides_agree_with_rule_r_line(seed: int) -> None:
    """The crossing engine's side of a point is R-LINE's (engine/sides.py)."""
    rng = random.Random(seed)
    line = border_line(BORDER)
    for _ in range(40):
        p = (rng.uniform(39.8, 41.3), rng.uniform(33.8, 35.2))
        side, gap = line.side_of(*p)
        if gap < 5.0:
            continue
        shape = Shape(Point(*p))
        reached = sides_reached(shape, 0.5, BORDER.shape.geometry, distance_m(shape, BORDER.shape))
        assert reached == ({side} if side is not None else set()), p


def test_a_repeated_vertex_changes_nothing() -> None:
    doubled = Border("iq-sy", Shape(LineString([A, V, V, B])))
    for points in ((off(V, 315, 700), off(V, 135, 700)), (off(P, NORTH, 800), P, Q,
                                                         off(Q, SOUTH, 500))):
        track = path(*points)
        assert summary(line_events(track, doubled)) == summary(line_events(track, BORDER))
