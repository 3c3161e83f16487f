"""A catalogue of awkward coverage cases, each checked against the oracle and, where the answer
is known by construction, against that answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString

from deconflict.engine.coverage import BorderLine, Sight, coverage_of, merge_intervals, sights_at
from deconflict.model import Border, Position, Sensor, SensorKind, Shape, Window
from tests.coverage.cases import Case
from tests.coverage.oracle import check_against, oracle_covered, sample_border

NOON = datetime(2017, 9, 18, 12, tzinfo=UTC)
WGS84 = Geodesic.WGS84
MERIDIAN = [(41.0, 34.0), (41.0, 34.4)]  # due north, about 44.4 km


def at(lon: float, lat: float, azimuth: float, metres: float) -> Position:
    g = WGS84.Direct(lat, lon, azimuth, metres)
    return Position((g["lon2"] + 180) % 360 - 180, g["lat2"])


def tower(where: Position, range_m: float, bearing: float | None = None,
          fov: float | None = None, ident: str = "t") -> Sensor:
    return Sensor(ident, "isf", SensorKind.TOWER, where, range_m, bearing, fov)


@dataclass(frozen=True)
class Edge:
    name: str
    vertices: list[tuple[float, float]]
    sensors: list[Sensor]
    covered_m: float | None = None  # known by construction, to a metre
    stretches: int | None = None


def _on_meridian(metres: float) -> Position:
    return at(41.0, 34.0, 0.0, metres)


CATALOGUE = [
    Edge("no sensor", MERIDIAN, [], 0.0, 0),
    Edge("range zero", MERIDIAN, [tower(_on_meridian(10_000), 0.0)], 0.0, 0),
    Edge("all round, on the border", MERIDIAN, [tower(_on_meridian(20_000), 5_000)], 10_000.0, 1),
    Edge("fov 360 is all round", MERIDIAN, [tower(_on_meridian(20_000), 5_000, 123.0, 360.0)],
         10_000.0, 1),
    Edge("on a vertex, all round", [(41.0, 34.0), (41.0, 34.2), (41.2, 34.2)],
         [tower(Position(41.0, 34.2), 3_000)], 6_000.0, 1),
    Edge("at the first vertex", MERIDIAN, [tower(Position(41.0, 34.0), 3_000)], 3_000.0, 1),
    Edge("looking along the border", MERIDIAN, [tower(_on_meridian(20_000), 5_000, 0.0, 40.0)],
         5_000.0, 1),
    Edge("looking away from the border", MERIDIAN,
         [tower(at(41.0, 34.2, 90.0, 1_000), 5_000, 90.0, 90.0)], 0.0, 0),
    Edge("fov across north (350 +/- 20)", [(40.9, 34.3), (41.1, 34.3)],
         [tower(Position(41.0, 34.25), 10_000, 350.0, 40.0)], None, 1),
    Edge("fov 300 with its blind wedge on the border", MERIDIAN,
         [tower(at(41.0, 34.2, 90.0, 2_000), 10_000, 90.0, 300.0)], None, 2),
    Edge("fov 180 side-on", MERIDIAN, [tower(at(41.0, 34.2, 90.0, 3_000), 6_000, 270.0, 180.0)],
         None, 1),
    Edge("far out of reach", MERIDIAN, [tower(at(41.0, 34.2, 90.0, 50_000), 40_000)], 0.0, 0),
    Edge("just out of reach (2 m)", MERIDIAN, [tower(at(41.0, 34.2, 90.0, 5_002), 5_000)],
         0.0, 0),
    Edge("a huge range covers it all", MERIDIAN, [tower(at(41.0, 34.2, 90.0, 300_000), 400_000)],
         None, 1),
    Edge("two circles that just meet merge", MERIDIAN,
         [tower(_on_meridian(10_000), 5_000, ident="a"),
          tower(_on_meridian(20_000), 5_000, ident="b")], 20_000.0, 1),
    Edge("overlapping sensors count once", MERIDIAN,
         [tower(_on_meridian(10_000), 5_000, ident="a"),
          tower(_on_meridian(12_000), 5_000, ident="b")], 12_000.0, 1),
    Edge("narrow beam", MERIDIAN, [tower(at(41.0, 34.2, 90.0, 5_000), 20_000, 270.0, 1.0)],
         None, 1),
    Edge("across the antimeridian", [(179.9, 10.0), (-179.9, 10.0)],
         [tower(Position(180.0, 10.0), 3_000)], 6_000.0, 1),
    Edge("high latitude", [(20.0, 75.0), (22.0, 75.2)], [tower(Position(21.0, 75.1), 8_000)],
         None, 1),
    Edge("repeated vertex", [(41.0, 34.0), (41.0, 34.2), (41.0, 34.2), (41.0, 34.4)],
         [tower(Position(41.0, 34.2), 3_000)], 6_000.0, 1),
    Edge("a long edge (58 km) stays geodesic", [(41.0, 34.3), (41.2, 34.8)],
         [tower(Position(41.1, 34.55), 4_000)], 8_000.0, 1),
]


@pytest.mark.parametrize("edge", CATALOGUE, ids=lambda e: e.name)
def test_catalogue_agrees_with_the_oracle(edge: Edge) -> None:
    case = Case(edge.vertices, edge.sensors)
    found = coverage_of(case.border, sights_at(edge.sensors, NOON))
    samples = oracle_covered(sample_border(edge.vertices, 20.0), case.oracle_sensors)
    verdict = check_against(samples, case.oracle_sensors,
                            [(i.from_m, i.to_m) for i in found.covered],
                            [(g.from_m, g.to_m) for g in found.gaps], found.covered_m)
    assert verdict.ok, (verdict.wrong[:3], verdict.missed_gaps[:3])
    if edge.covered_m is not None:
        assert found.covered_m == pytest.approx(edge.covered_m, abs=1.0)
    if edge.stretches is not None:
        assert len(found.covered) == edge.stretches


def test_a_border_in_three_dimensions_is_measured_on_the_ground() -> None:
    flat = Border("b", Shape(LineString(MERIDIAN)))
    lifted = Border("b", Shape(LineString([(x, y, 500.0) for x, y in MERIDIAN])))
    sensors = [tower(_on_meridian(20_000), 5_000)]
    assert coverage_of(lifted, sights_at(sensors, NOON)) == coverage_of(flat,
                                                                        sights_at(sensors, NOON))


def test_gaps_are_longest_first_in_the_result_and_in_order_along_the_line() -> None:
    border = Border("b", Shape(LineString(MERIDIAN)))
    sensors = [tower(_on_meridian(5_000), 2_000, ident="a"),
               tower(_on_meridian(30_000), 2_000, ident="b")]
    found = coverage_of(border, sights_at(sensors, NOON))
    by_place = [round(g.from_m) for g in found.gaps]
    assert by_place == sorted(by_place)
    lengths = [g["to_m"] - g["from_m"] for g in found.to_dict()["gaps"]]
    assert lengths == sorted(lengths, reverse=True)
    assert set(found.to_dict()) == {"id", "length_m", "covered_m", "gaps"}


def test_inactive_sensors_watch_nothing() -> None:
    border = Border("b", Shape(LineString(MERIDIAN)))
    where = _on_meridian(20_000)
    morning = Window(datetime(2017, 9, 18, 6, tzinfo=UTC), datetime(2017, 9, 18, 11, tzinfo=UTC))
    off_shift = Sensor("a", "isf", SensorKind.CCTV, where, 5_000, windows=(morning,))
    broken = Sensor("b", "isf", SensorKind.CCTV, where, 5_000,
                    outages=(Window(NOON, datetime(2017, 9, 18, 13, tzinfo=UTC)),))
    assert coverage_of(border, sights_at([off_shift, broken], NOON)).covered_m == 0.0
    assert coverage_of(border, sights_at([broken], NOON, planned=True)).covered_m == \
        pytest.approx(10_000.0, abs=1.0)


def test_merge_intervals_joins_touching_and_nested_stretches() -> None:
    import numpy as np

    lo, hi = merge_intervals(np.array([0.0, 5.0, 10.0, 1.0, 30.0]),
                             np.array([5.0, 10.0, 12.0, 2.0, 31.0]))
    assert lo.tolist() == [0.0, 30.0] and hi.tolist() == [12.0, 31.0]


def test_a_border_line_refuses_what_is_not_a_line() -> None:
    from shapely.geometry import Point

    with pytest.raises(ValueError, match="LineString"):
        BorderLine(Point(41.0, 34.0))


def test_sights_of_patrols_follow_their_route() -> None:
    from deconflict.model import Patrol

    route = (Position(41.0, 34.0), Position(41.0, 34.4))
    patrol = Patrol(route, datetime(2017, 9, 18, 11, 50, tzinfo=UTC), speed_mps=10.0)
    sensor = Sensor("p", "isf", SensorKind.PATROL, route[0], 1_000, patrol=patrol)
    (sight,) = sights_at([sensor], NOON)
    assert isinstance(sight, Sight)
    found = coverage_of(Border("b", Shape(LineString(MERIDIAN))), [sight])
    assert found.covered[0].from_m == pytest.approx(5_000.0, abs=1.0)
    assert found.covered[0].to_m == pytest.approx(7_000.0, abs=1.0)
