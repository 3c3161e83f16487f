"""Sensors as values: the horizon formula, schedules, patrols and the rules a sensor obeys."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Polygon

from deconflict.model import (
    Border,
    FieldError,
    Patrol,
    Position,
    Sensor,
    SensorKind,
    Shape,
    Window,
    horizon_range_m,
)
from deconflict.model.sensor import EARTH_RADIUS_M, REFRACTION_K

WGS84 = Geodesic.WGS84
T0 = datetime(2017, 9, 18, 6, tzinfo=UTC)
A, B, C = Position(41.0, 34.0), Position(41.0, 34.1), Position(41.1, 34.1)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


# -- the horizon -------------------------------------------------------------------------------


def test_horizon_formula_with_standard_refraction() -> None:
    # d = sqrt(2 k R h) with k = 4/3, R = 6,371,008.8 m: the "4.12 km per sqrt(m)" rule of thumb
    assert pytest.approx(4 / 3) == REFRACTION_K and EARTH_RADIUS_M == 6_371_008.8
    assert horizon_range_m(100.0) == pytest.approx(math.sqrt(2 * 4 / 3 * 6_371_008.8 * 100))
    assert horizon_range_m(100.0) / math.sqrt(100.0) == pytest.approx(4_122.0, abs=1.0)
    assert horizon_range_m(0.0) == 0.0


def test_a_target_height_adds_its_own_horizon() -> None:
    both = horizon_range_m(300.0, 2.0)
    assert both == pytest.approx(horizon_range_m(300.0) + horizon_range_m(2.0))


@pytest.mark.parametrize("height", [-1.0, math.inf, math.nan])
def test_horizon_refuses_impossible_heights(height: float) -> None:
    with pytest.raises(FieldError) as err:
        horizon_range_m(height)
    assert err.value.field == "altitude_m"


# -- rules a sensor obeys ------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field"), [
    ({"range_m": -5.0}, "range_m"),
    ({"range_m": math.nan}, "range_m"),
    ({"bearing_deg": 10.0, "fov_deg": 400.0}, "fov_deg"),
    ({"bearing_deg": 10.0, "fov_deg": 0.0}, "fov_deg"),
    ({"bearing_deg": 10.0, "fov_deg": -3.0}, "fov_deg"),
    ({"bearing_deg": 360.0, "fov_deg": 40.0}, "bearing_deg"),
    ({"bearing_deg": -1.0, "fov_deg": 40.0}, "bearing_deg"),
    ({"bearing_deg": 10.0}, "fov_deg"),
    ({"fov_deg": 10.0}, "bearing_deg"),
    ({"altitude_m": -2.0}, "altitude_m"),
    ({"target_height_m": -2.0}, "target_height_m"),
    ({"range_from_horizon": True}, "range_m"),
])
def test_a_bad_sensor_names_its_field(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"range_m": 1000.0} | changes
    with pytest.raises(FieldError) as err:
        Sensor("s", "isf", SensorKind.TOWER, A, **values)  # type: ignore[arg-type]
    assert err.value.field == field and field in str(err.value)


def test_a_border_must_be_a_line() -> None:
    with pytest.raises(FieldError) as err:
        Border("b", Shape(Polygon([(41, 34), (41.1, 34), (41.1, 34.1)])))
    assert err.value.field == "geometry"
    assert Border("b", Shape(LineString([(41, 34), (41.1, 34)])), owner="isf").owner == "isf"


# -- schedules -----------------------------------------------------------------------------------


def test_windows_and_outages_decide_when_a_sensor_watches() -> None:
    shift = Window(minutes(0), minutes(60))
    outage = Window(minutes(20), minutes(30))
    s = Sensor("s", "isf", SensorKind.CCTV, A, 500.0, windows=(shift,), outages=(outage,))
    assert [s.active_at(minutes(m)) for m in (-1, 0, 19, 20, 25, 30, 31, 60, 61)] == \
        [False, True, True, False, False, False, True, True, False]
    assert s.scheduled_at(minutes(25)) and s.down_at(minutes(25)) == outage
    assert s.change_points() == (minutes(0), minutes(20), minutes(30), minutes(60))
    always = Sensor("t", "isf", SensorKind.TOWER, A, 500.0)
    assert always.active_at(minutes(-10_000)) and always.change_points() == ()


# -- patrols -------------------------------------------------------------------------------------


def _along(route: list[Position], metres: float) -> tuple[float, float]:
    """The truth by geographiclib: the point ``metres`` along the route's geodesic legs."""
    for a, b in itertools.pairwise(route):
        line = WGS84.InverseLine(a.lat, a.lon, b.lat, b.lon)
        if metres <= line.s13:
            p = line.Position(metres)
            return p["lon2"], p["lat2"]
        metres -= line.s13
    return route[-1].lon, route[-1].lat


def _close(p: Position | None, truth: tuple[float, float]) -> float:
    assert p is not None
    return float(WGS84.Inverse(p.lat, p.lon, truth[1], truth[0])["s12"])


def test_a_patrol_at_speed_is_where_its_speed_puts_it() -> None:
    patrol = Patrol((A, B, C), start=T0, speed_mps=10.0)
    for m in (0, 5, 18.5, 20, 25):
        assert _close(patrol.position_at(minutes(m)), _along([A, B, C], m * 600.0)) < 0.01
    total = sum(WGS84.Inverse(a.lat, a.lon, b.lat, b.lon)["s12"] for a, b in ((A, B), (B, C)))
    assert patrol.position_at(T0 - timedelta(seconds=1)) is None
    assert patrol.position_at(T0 + timedelta(seconds=total / 10.0 + 1)) is None
    assert patrol.change_points() == (T0, T0 + timedelta(seconds=total / 10.0))


def test_timed_waypoints_are_interpolated_by_distance() -> None:
    patrol = Patrol((A, B, C), times=(minutes(0), minutes(10), minutes(40)))
    ab = WGS84.Inverse(A.lat, A.lon, B.lat, B.lon)["s12"]
    bc = WGS84.Inverse(B.lat, B.lon, C.lat, C.lon)["s12"]
    assert _close(patrol.position_at(minutes(5)), _along([A, B, C], ab / 2)) < 0.01
    assert _close(patrol.position_at(minutes(25)), _along([A, B, C], ab + bc / 2)) < 0.01
    assert _close(patrol.position_at(minutes(40)), (C.lon, C.lat)) < 0.01
    assert patrol.position_at(minutes(41)) is None


def test_a_looping_patrol_on_an_open_route_comes_back() -> None:
    patrol = Patrol((A, B), start=T0, speed_mps=10.0, loop=True)
    ab = WGS84.Inverse(A.lat, A.lon, B.lat, B.lon)["s12"]
    leg = ab / 10.0  # seconds out
    assert _close(patrol.position_at(T0 + timedelta(seconds=leg * 1.25)),
                  _along([A, B], ab * 0.75)) < 0.01
    assert _close(patrol.position_at(T0 + timedelta(seconds=leg * 2)), (A.lon, A.lat)) < 0.01
    assert _close(patrol.position_at(T0 + timedelta(seconds=leg * 7.5)),
                  _along([A, B], ab * 0.5)) < 0.01
    assert patrol.change_points() == (T0,)


def test_a_looping_patrol_on_a_closed_route_goes_round() -> None:
    ring = (A, B, C, A)
    patrol = Patrol(ring, start=T0, speed_mps=20.0, loop=True)
    lap = sum(WGS84.Inverse(a.lat, a.lon, b.lat, b.lon)["s12"]
              for a, b in itertools.pairwise(ring)) / 20.0
    later = patrol.position_at(T0 + timedelta(seconds=lap + 300))
    assert _close(later, _along(list(ring), 300 * 20.0)) < 0.05


def test_a_patrol_sensor_is_only_active_on_duty_and_moves() -> None:
    patrol = Patrol((A, B), start=T0, speed_mps=10.0)
    s = Sensor("p", "isf", SensorKind.PATROL, A, 2000.0, patrol=patrol)
    assert not s.active_at(T0 - timedelta(minutes=1))
    assert s.active_at(minutes(5)) and s.position_at(minutes(5)) != A
    assert s.position_at(T0 - timedelta(minutes=1)) == A  # off duty: at its start


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"route": (A,), "start": T0, "speed_mps": 1.0}, "route"),
    ({"route": (A, A), "start": T0, "speed_mps": 1.0}, "route"),
    ({"route": (A, B)}, "start"),
    ({"route": (A, B), "start": T0, "speed_mps": 0.0}, "speed_mps"),
    ({"route": (A, B), "start": T0, "speed_mps": -2.0}, "speed_mps"),
    ({"route": (A, B), "times": (T0,)}, "times"),
    ({"route": (A, B), "times": (minutes(1), minutes(1))}, "times[1]"),
    ({"route": (A, B), "times": (minutes(0), minutes(1)), "start": T0}, "times"),
])
def test_a_bad_patrol_names_its_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(FieldError) as err:
        Patrol(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
