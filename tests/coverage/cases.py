"""Random coverage cases, seeded: borders anywhere on the globe and sensors of every kind of
trouble (range edges, fields of view across north, all round, on the border, far, overlapping).

Borders are walked with geographiclib (``Direct``), so the cases owe nothing to the engine.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString

from deconflict.model import Border, Position, Sensor, SensorKind, Shape
from tests.coverage.oracle import OracleSensor

__all__ = ["Case", "random_case"]

WGS84 = Geodesic.WGS84

_FOVS = (None, 360.0, 359.0, 300.0, 200.0, 180.0, 120.0, 90.0, 40.0, 10.0, 1.0)


@dataclass(frozen=True)
class Case:
    vertices: list[tuple[float, float]]
    sensors: list[Sensor]

    @property
    def border(self) -> Border:
        return Border("b", Shape(LineString(self.vertices)))

    @property
    def oracle_sensors(self) -> list[OracleSensor]:
        return [OracleSensor(s.position.lon, s.position.lat, s.range_m, s.bearing_deg, s.fov_deg)
                for s in self.sensors]


def _walk(rng: np.random.Generator) -> list[tuple[float, float]]:
    lat = float(rng.choice([rng.uniform(-60, 60), rng.uniform(30, 37), rng.uniform(60, 75)]))
    lon = float(rng.uniform(-179, 179))
    heading = float(rng.uniform(0, 360))
    out = [(lon, lat)]
    for _ in range(int(rng.integers(1, 9))):
        heading += float(rng.normal(0, 40))
        step = float(rng.choice([rng.uniform(200, 3000), rng.uniform(3000, 30_000)]))
        g = WGS84.Direct(lat, lon, heading, step)
        lat, lon = g["lat2"], (g["lon2"] + 180.0) % 360.0 - 180.0
        out.append((lon, lat))
    return out


def _point_on(vertices: list[tuple[float, float]], rng: np.random.Generator
              ) -> tuple[float, float, float]:
    """A point on the border (lon, lat) and the edge's azimuth there."""
    i = int(rng.integers(0, len(vertices) - 1))
    (lon1, lat1), (lon2, lat2) = vertices[i], vertices[i + 1]
    line = WGS84.InverseLine(lat1, lon1, lat2, lon2)
    at = line.s13 * float(rng.choice([0.0, rng.uniform(0, 1), 1.0]))
    pos = line.Position(at)
    return (pos["lon2"] + 180.0) % 360.0 - 180.0, pos["lat2"], pos["azi2"]


def _sensor(i: int, vertices: list[tuple[float, float]], rng: np.random.Generator) -> Sensor:
    lon, lat, azi = _point_on(vertices, rng)
    style = int(rng.integers(0, 6))
    range_m = float(rng.choice([rng.uniform(50, 2000), rng.uniform(2000, 20_000),
                                rng.uniform(20_000, 200_000)], p=[0.3, 0.55, 0.15]))
    offset = 0.0
    if style == 1:  # exactly on the border
        offset = 0.0
    elif style == 2:  # with the border near the edge of its range
        offset = range_m + float(rng.uniform(-30, 30))
    elif style == 3:  # far: out of reach, or only just
        offset = range_m * float(rng.uniform(0.95, 3.0))
    else:
        offset = float(rng.uniform(0, 1.2)) * range_m
    side = azi + float(rng.choice([90.0, -90.0])) + float(rng.normal(0, 20))
    g = WGS84.Direct(lat, lon, side, offset)
    where = Position((g["lon2"] + 180.0) % 360.0 - 180.0, g["lat2"])
    fov = _FOVS[int(rng.integers(0, len(_FOVS)))]
    bearing = None
    if fov is not None:
        bearing = 350.0 if rng.uniform() < 0.2 else float(rng.uniform(0, 360))
        if rng.uniform() < 0.3:  # looking at the border
            toward = WGS84.Inverse(where.lat, where.lon, lat, lon)["azi1"]
            bearing = float(toward % 360.0)
        if bearing >= 360.0:
            bearing = 0.0
        if rng.uniform() < 0.1:
            bearing, fov = 350.0, 40.0  # straddling north
    return Sensor(f"s{i}", "p", SensorKind.TOWER, where, range_m, bearing, fov)


def random_case(seed: int, sensors: int | None = None) -> Case:
    rng = np.random.default_rng(seed)
    vertices = _walk(rng)
    count = sensors if sensors is not None else int(rng.integers(0, 12))
    return Case(vertices, [_sensor(i, vertices, rng) for i in range(count)])


def length_m(vertices: list[tuple[float, float]]) -> float:
    return math.fsum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"]
                     for a, b in itertools.pairwise(vertices))
