"""The watch over time, the forces nearest each section, and watch voids (engine)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString

from deconflict.engine.coverage import BorderCoverage, BorderLine, Interval
from deconflict.engine.watch import (
    nearest_forces,
    sample_moments,
    section_edges,
    watch_over_time,
    watch_voids,
)
from deconflict.model import (
    Border,
    Fix,
    Patrol,
    Position,
    Sensor,
    SensorKind,
    Shape,
    Side,
    Unit,
    UnitKind,
    Window,
)

WGS84 = Geodesic.WGS84
T0 = datetime(2017, 9, 18, 6, tzinfo=UTC)
HOUR = timedelta(hours=1)
# Due north for 40 km: east of it is its right, west its left.
BORDER = Border("b", Shape(LineString([(41.0, 34.0), (41.0, 34.36)])))


def on_border(metres: float, east_m: float = 0.0) -> Position:
    g = WGS84.Direct(34.0, 41.0, 0.0, metres)
    if east_m:
        g = WGS84.Direct(g["lat2"], g["lon2"], 90.0 if east_m > 0 else 270.0, abs(east_m))
    return Position(g["lon2"], g["lat2"])


def test_section_edges_end_at_the_border_end() -> None:
    assert section_edges(10_000.0, 5_000.0).tolist() == [0.0, 5_000.0, 10_000.0]
    assert section_edges(3_000.0, 5_000.0).tolist() == [0.0, 3_000.0]
    with pytest.raises(ValueError):
        section_edges(3_000.0, 0.0)


def test_sample_moments_hold_every_change_point() -> None:
    outage = Window(T0 + timedelta(minutes=7), T0 + timedelta(minutes=13))
    s = Sensor("s", "isf", SensorKind.TOWER, on_border(0), 1000.0, outages=(outage,))
    moments = sample_moments([s], T0, T0 + timedelta(minutes=30), timedelta(minutes=10))
    assert [int((m - T0).total_seconds() // 60) for m in moments] == [0, 7, 10, 13, 20, 30]
    with pytest.raises(ValueError):
        sample_moments([s], T0, T0, timedelta(minutes=10))


def test_minutes_watched_follow_outages_exactly() -> None:
    # A tower covering 0-5 km, down from 06:20 to 06:50: 30 of 60 minutes watched.
    outage = Window(T0 + timedelta(minutes=20), T0 + timedelta(minutes=50))
    tower = Sensor("t", "isf", SensorKind.TOWER, on_border(0), 5_000.0, outages=(outage,))
    watch = watch_over_time(BORDER, [tower], T0, T0 + HOUR, timedelta(minutes=15), 5_000.0)
    first, second = watch.sections[0], watch.sections[1]
    assert first.watched_s == pytest.approx(30 * 60, abs=1.0)
    assert first.full_s == pytest.approx(30 * 60, abs=1.0)
    assert first.blind_s == pytest.approx(30 * 60, abs=1.0)
    assert second.watched_s == pytest.approx(0.0, abs=1e-6)
    assert second.blind_s == pytest.approx(3600.0)
    assert watch.mean_covered_m == pytest.approx(2_500.0, abs=1.0)
    assert watch.least_covered_m == 0.0
    assert outage.start <= watch.least_at <= outage.end
    row = first.to_dict()
    assert row["watched_min"] == 30.0 and set(row) == {
        "from_m", "to_m", "watched_min", "full_min", "blind_min", "nearest"}


def test_a_patrol_watches_each_section_for_its_share_of_the_time() -> None:
    # Out and back along the whole border at 10 m/s: each section is in view part of the time.
    route = (on_border(0), on_border(40_000))
    patrol = Sensor("p", "isf", SensorKind.PATROL, route[0], 1_000.0,
                    patrol=Patrol(route, start=T0, speed_mps=10.0, loop=True))
    watch = watch_over_time(BORDER, [patrol], T0, T0 + 2 * HOUR, timedelta(minutes=1), 10_000.0)
    # Sections 10-20 and 20-30 km are passed twice in two hours (out, and on the way back).
    # A pass sweeps 2 km of view over 10 km at 10 m/s: 2,000 m x 1,000 s, which is 200 s of the
    # whole section; two passes, 400 s.
    for section in watch.sections[1:3]:
        assert section.watched_s == pytest.approx(400.0, abs=10.0)
        assert section.full_s == 0.0
    assert watch.sections[1].blind_s == pytest.approx(7200 - 2 * 1200, abs=70.0)


def _unit(ident: str, party: str, where: Position, radius_m: float = 0.0) -> Unit:
    fix = Fix(where, T0 - HOUR, radius_m, T0 + 12 * HOUR)
    return Unit(ident, party, UnitKind.GROUND, (fix,))


def test_nearest_forces_on_each_side() -> None:
    line = BorderLine.of(BORDER)
    edges = section_edges(line.length_m, 10_000.0)
    units = [
        _unit("west-near", "syria", on_border(5_000, -2_000)),
        _unit("west-far", "is", on_border(5_000, -8_000)),
        _unit("east", "isf", on_border(15_000, 3_000), radius_m=500.0),
        _unit("beyond-the-end", "pmf", on_border(41_000, 100)),
        _unit("out-of-reach", "pmf", on_border(35_000, 90_000)),
    ]
    found = nearest_forces(line, edges, units, T0, reach_m=20_000.0)
    left, right = found[0]
    assert left is not None and (left.unit, left.party) == ("west-near", "syria")
    assert left.distance_m == pytest.approx(2_000.0, abs=1.0)
    assert right is not None and right.unit == "east"  # 3 km from section 0 too (its end)
    left1, right1 = found[1]
    assert right1 is not None and right1.distance_m == pytest.approx(2_500.0, abs=1.0)
    assert left1 is not None and left1.unit == "west-near"
    assert all(n is None or n.unit not in ("beyond-the-end", "out-of-reach")
               for pair in found for n in pair)
    assert Side.LEFT.value == "left"


def test_stale_units_are_not_nearest() -> None:
    line = BorderLine.of(BORDER)
    old = Unit("old", "syria", UnitKind.GROUND,
               (Fix(on_border(5_000, -1_000), T0 - 10 * HOUR, 0.0, T0 - HOUR),))
    assert nearest_forces(line, section_edges(line.length_m, 10_000.0), [old], T0,
                          20_000.0)[0] == (None, None)


def cov(*parts: tuple[float, float]) -> BorderCoverage:
    return BorderCoverage("b", 100_000.0, tuple(Interval(a, b) for a, b in parts))


def test_a_new_long_gap_is_a_void() -> None:
    (void,) = watch_voids(cov((0, 100_000)), cov((0, 40_000), (45_000, 100_000)), 2_000.0)
    assert (void.from_m, void.to_m, void.opened_m) == (40_000, 45_000, 5_000)


def test_a_short_new_gap_is_not_a_void() -> None:
    assert watch_voids(cov((0, 100_000)), cov((0, 40_000), (41_000, 100_000)), 2_000.0) == []


def test_widening_a_long_gap_a_little_is_not_a_void_but_a_lot_is() -> None:
    before = cov((0, 40_000), (50_000, 100_000))
    assert watch_voids(before, cov((0, 39_000), (50_000, 100_000)), 2_000.0) == []
    (void,) = watch_voids(before, cov((0, 30_000), (50_000, 100_000)), 2_000.0)
    assert void.opened_m == pytest.approx(10_000.0)


def test_short_gaps_joined_into_a_long_one_make_a_void() -> None:
    before = cov((0, 40_000), (41_000, 41_500), (42_500, 100_000))
    (void,) = watch_voids(before, cov((0, 40_000), (42_500, 100_000)), 2_000.0)
    assert void.length_m == 2_500.0 and void.opened_m == 500.0


def test_voids_are_longest_first() -> None:
    voids = watch_voids(cov((0, 100_000)), cov((0, 10_000), (13_000, 50_000), (60_000, 100_000)),
                        2_000.0)
    assert [v.length_m for v in voids] == [10_000.0, 3_000.0]
    assert np.all(np.diff([v.length_m for v in voids]) <= 0)
