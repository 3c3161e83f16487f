"""Spatial queries against brute force: the R*Tree prefilter must never lose a true neighbour."""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon

from deconflict.model import (
    Area,
    AreaKind,
    Border,
    Fix,
    Position,
    Scenario,
    Sensor,
    SensorKind,
    Shape,
    Unit,
    UnitKind,
)
from deconflict.storage import SqliteStore
from deconflict.storage.bbox import around, shape_box

from .conftest import at

GEOD = Geod(ellps="WGS84")


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _random_units(rng: random.Random, prefix: str, lon: float, lat: float, spread: float,
                  count: int) -> list[Unit]:
    """Units scattered around a point, each with a short track that wanders."""
    units = []
    for n in range(count):
        track, minutes = [], rng.uniform(-120, 0)
        here = (lon + rng.uniform(-spread, spread) * 3, lat + rng.uniform(-spread, spread))
        here = (_wrap(here[0]), max(-90, min(90, here[1])))
        for _ in range(rng.randint(1, 4)):
            here = (_wrap(here[0] + rng.gauss(0, spread / 5)),
                    max(-90, min(90, here[1] + rng.gauss(0, spread / 10))))
            radius = rng.choice([0.0, 0.0, rng.uniform(0, 3000)])
            track.append(Fix(Position(*here), at(minutes), radius))
            minutes += rng.uniform(0, 60)
        units.append(Unit(f"{prefix}-{n}", "p", UnitKind.GROUND, tuple(track)))
    return units


def _brute(units: list[Unit], lon: float, lat: float, distance_m: float,
           moment: datetime) -> set[str]:
    found = set()
    for unit in units:
        fix = unit.fix_at(moment)
        if fix is None:
            continue
        d = GEOD.inv(lon, lat, fix.position.lon, fix.position.lat)[2]
        if d <= distance_m + fix.radius_m:
            found.add(unit.id)
    return found


def _check(store: SqliteStore, units: list[Unit], rng: random.Random, lon: float, lat: float,
           spread: float) -> int:
    """Compare many queries with brute force; returns how many true hits were seen."""
    hits = 0
    for _ in range(40):
        q_lon = _wrap(lon + rng.uniform(-spread, spread) * 3)
        q_lat = max(-90, min(90, lat + rng.uniform(-spread, spread)))
        distance = rng.choice([500.0, 5000.0, 20_000.0, 60_000.0])
        moment = at(rng.uniform(-130, 200))
        expected = _brute(units, q_lon, q_lat, distance, moment)
        assert set(store.units_near(q_lon, q_lat, distance, moment)) == expected
        hits += len(expected)
    return hits


@pytest.mark.parametrize(("lon", "lat", "spread"), [(40.0, 35.0, 0.5), (40.0, 80.0, 0.5),
                                                    (179.9, -60.0, 0.3), (10.0, 89.8, 0.15)])
def test_units_near_matches_brute_force(tmp_path: Path, lon: float, lat: float,
                                        spread: float) -> None:
    rng = random.Random(f"{lon},{lat}")
    units = _random_units(rng, "u", lon, lat, spread, 250)
    with SqliteStore.open(tmp_path / "near.db") as store:
        store.replace_scenario(Scenario(at(0), units=tuple(units)))
        assert _check(store, units, rng, lon, lat, spread) > 50


def test_units_near_stays_right_as_reports_arrive(tmp_path: Path) -> None:
    rng = random.Random(7)
    units = _random_units(rng, "u", 40.0, 35.0, 0.4, 150)
    with SqliteStore.open(tmp_path / "near.db") as store:
        store.replace_scenario(Scenario(at(0), units=tuple(units)))
        for _ in range(3):  # reports in random time order, some older than what is stored
            batch = []
            for index in rng.sample(range(len(units)), 60):
                base = units[index].track[-1].position
                fix = Fix(Position(base.lon + rng.gauss(0, 0.05), base.lat + rng.gauss(0, 0.05)),
                          at(rng.uniform(-150, 150)), rng.uniform(0, 1000))
                batch.append((units[index].id, fix))
                units[index] = units[index].with_fix(fix)
            store.add_fixes(batch)
            assert _check(store, units, rng, 40.0, 35.0, 0.4) > 20


def test_units_near_returns_nearest_first(tmp_path: Path) -> None:
    units = tuple(Unit(f"u{k}", "p", UnitKind.AIR, (Fix(Position(40.0 + k / 100, 35.0), at(0)),))
                  for k in (3, 1, 2))
    with SqliteStore.open(tmp_path / "near.db") as store:
        store.replace_scenario(Scenario(at(0), units=units))
        assert store.units_near(40.0, 35.0, 5000.0, at(0)) == ["u1", "u2", "u3"]
        assert store.units_near(40.0, 35.0, 5000.0, at(-1)) == []


def test_a_radius_reaches_into_the_query(tmp_path: Path) -> None:
    # 10 km away with a 2 km footprint: within 8 km + 2 km, not within 7.9 km + 2 km.
    lon, lat, _ = GEOD.fwd(40.0, 35.0, 90.0, 10_000.0)
    unit = Unit("wide", "p", UnitKind.GROUND, (Fix(Position(lon, lat), at(0), 2000.0),))
    with SqliteStore.open(tmp_path / "near.db") as store:
        store.replace_scenario(Scenario(at(0), units=(unit,)))
        assert store.units_near(40.0, 35.0, 8000.0 + 0.01, at(0)) == ["wide"]
        assert store.units_near(40.0, 35.0, 7900.0, at(0)) == []


def _samples(shape: Shape, step_m: float = 200.0) -> list[tuple[float, float]]:
    """Points on a shape's outline (geodesic edges), to test the boxes from outside."""
    coords = list(shape.geometry.exterior.coords if shape.kind == "Polygon"
                  else shape.geometry.coords)
    points = [coords[0][:2]]
    for (lon1, lat1, *_), (lon2, lat2, *_) in itertools.pairwise(coords):
        length = GEOD.inv(lon1, lat1, lon2, lat2)[2]
        count = max(1, int(length // step_m))
        points.extend(GEOD.npts(lon1, lat1, lon2, lat2, count))
        points.append((lon2, lat2))
    return points


def test_shape_boxes_hold_their_geodesic_edges() -> None:
    # A long east-west edge at 70°N bulges north of both vertices by tens of kilometres.
    shapes = [Shape(LineString([(0.0, 70.0), (30.0, 70.0)])),
              Shape(Polygon([(-10.0, 60.0), (40.0, 60.0), (40.0, 65.0), (-10.0, 65.0)])),
              Shape(LineString([(170.0, -10.0), (-170.0, -12.0)])),
              Shape(Point(0.0, 89.9), 20_000.0)]
    for shape in shapes:
        box = shape_box(shape)
        for lon, lat in _samples(shape):
            assert box.min_lon <= lon <= box.max_lon and box.min_lat <= lat <= box.max_lat
    assert shape_box(shapes[0]).max_lat > 70.6  # the vertices are at 70°
    assert shape_box(shapes[3]).min_lon == -180.0


def test_query_boxes_hold_every_point_within_reach() -> None:
    rng = random.Random(3)
    for lat in (0.0, 35.0, 80.0, 89.5, -89.99):
        for _ in range(200):
            lon = rng.uniform(-180, 180)
            distance = rng.choice([10.0, 1000.0, 50_000.0])
            azimuth = rng.uniform(0, 360)
            p_lon, p_lat, _ = GEOD.fwd(lon, lat, azimuth, distance)
            boxes = around(lon, lat, distance)
            assert any(b.min_lon <= p_lon <= b.max_lon and b.min_lat <= p_lat <= b.max_lat
                       for b in boxes)


def test_candidates_near_never_misses_and_skips_the_far(tmp_path: Path) -> None:
    shapes = {"big-area": Shape(Polygon([(39.0, 34.0), (41.0, 34.0), (41.0, 36.0)])),
              "far-area": Shape(Polygon([(10.0, 10.0), (11.0, 10.0), (11.0, 11.0)])),
              "line": Shape(LineString([(40.0, 35.5), (40.9, 35.5)])),
              "circle": Shape(Point(40.5, 35.0), 30_000.0)}
    scenario = Scenario(
        at(0), areas=tuple(Area(i, "p", AreaKind.CONTROL, s) for i, s in shapes.items()
                           if i != "line"),
        borders=(Border("line", shapes["line"]),),
        sensors=(Sensor("tower", "p", SensorKind.TOWER, Position(40.2, 35.2), 5000.0),))
    rng = random.Random(11)
    with SqliteStore.open(tmp_path / "near.db") as store:
        store.replace_scenario(scenario)
        for _ in range(60):
            lon, lat = rng.uniform(39.0, 41.5), rng.uniform(34.0, 36.0)
            distance = rng.choice([100.0, 5000.0, 40_000.0])
            found = {ref for _, ref in store.candidates_near(lon, lat, distance)}
            assert "far-area" not in found
            for ref, shape in shapes.items():
                outline = np.array(_samples(shape, 500.0))
                d = GEOD.inv(np.full(len(outline), lon), np.full(len(outline), lat),
                             outline[:, 0], outline[:, 1])[2]
                if (d <= distance + shape.radius_m).any():
                    assert ref in found
        assert ("sensor", "tower") in store.candidates_near(40.2, 35.2, 0.0)
