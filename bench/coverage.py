"""Benchmark ``coverage``: the shipped 599 km Iraq–Syria border watched by many sensors.

Workload (fixed seed): sensors placed along the border, up to 15 km either side of it (normal
spread, 5 km), ranges 0.5-6 km; 40 % see all round, the others look roughly at the border with a
field of view of 40, 90, 120, 200 or 360 degrees. Two ways through it:

* **engine**: :func:`deconflict.engine.coverage.border_coverage`, from the border and the sensors
  to the covered stretches and gaps (the border prepared afresh each run);
* **baseline**: brute-force sampling: the border sampled every 25 m (``pyproj.Geod``), every
  sample tested against every sensor with numpy haversine distances and spherical initial
  bearings, no index at all.

The two are compared sample by sample. A sample on which they differ is explained when it lies
within 1 m of an end of a stretch the engine reports, or when the exact ellipsoidal answer
(geographiclib) agrees with the engine (the sphere misjudged a point near a range or an edge of a
field of view); anything else is unexplained and fails the run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

import numpy as np
from geographiclib.geodesic import Geodesic
from numpy.typing import NDArray
from pyproj import Geod

from bench.baseline import EARTH_RADIUS_M
from bench.harness import Row, Scale, Section, Target, time_calls
from deconflict.engine.coverage import BorderCoverage, border_coverage
from deconflict.interop.borders import load_border
from deconflict.model import Border, Position, Sensor, SensorKind

__all__ = ["SIZES", "TARGET", "CoverageSizes", "baseline_samples", "run", "sensors_along"]

#: The issue's goal: the 600 km border with 1,000 sensors in under a second.
TARGET = Target(1.0)
TARGET_SENSORS = 1_000
MOMENT = datetime(2017, 9, 18, 12, tzinfo=UTC)
WGS84 = Geodesic.WGS84
GEOD = Geod(ellps="WGS84")

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class CoverageSizes:
    shared: tuple[int, ...]  # engine and baseline side by side
    engine_only: tuple[int, ...]
    step_m: float  # baseline sampling step along the border
    repeats: int
    budget_s: float


SIZES = {
    Scale.FULL: CoverageSizes((1_000,), (10_000,), 25.0, 5, 20.0),
    Scale.QUICK: CoverageSizes((1_000,), (), 50.0, 3, 5.0),
    Scale.TINY: CoverageSizes((60,), (), 100.0, 1, 0.0),
}


def sensors_along(border: Border, count: int, seed: int) -> list[Sensor]:
    """``count`` sensors near the border (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    coords = np.asarray(border.shape.geometry.coords)[:, :2]
    az, _, legs = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    ends = np.concatenate(([0.0], np.cumsum(legs)))
    at = rng.uniform(0, ends[-1], count)
    seg = np.clip(np.searchsorted(ends, at, side="right") - 1, 0, len(legs) - 1)
    lon, lat, _ = GEOD.fwd(coords[seg, 0], coords[seg, 1], az[seg], at - ends[seg])
    across = np.clip(rng.normal(0, 5_000, count), -15_000, 15_000)
    lon, lat, back = GEOD.fwd(lon, lat, az[seg] + 90.0, across)
    out = []
    for i in range(count):
        fov = [None, None, 40.0, 90.0, 120.0, 200.0, 360.0][int(rng.integers(0, 7))]
        bearing = None
        if fov is not None:  # facing the border, give or take 30 degrees
            bearing = float((back[i] + rng.normal(0, 30)) % 360.0) % 360.0
        out.append(Sensor(f"s{i}", "isf", SensorKind.TOWER, Position(float(lon[i]),
                                                                     float(lat[i])),
                          float(rng.uniform(500, 6_000)), bearing, fov))
    return out


def _samples(border: Border, step_m: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Points every ``step_m`` or less along the border's geodesic edges: offsets, lon, lat."""
    coords = np.asarray(border.shape.geometry.coords)[:, :2]
    offsets, lons, lats, done = [], [], [], 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords):
        az, _, length = GEOD.inv(lon1, lat1, lon2, lat2)
        n = max(1, int(np.ceil(length / step_m)))
        s = np.arange(n) * (length / n)
        lon, lat, _ = GEOD.fwd(np.full(n, lon1), np.full(n, lat1), np.full(n, az), s)
        offsets.append(done + s)
        lons.append(lon)
        lats.append(lat)
        done += length
    offsets.append(np.array([done]))
    lons.append(np.array([coords[-1, 0]]))
    lats.append(np.array([coords[-1, 1]]))
    return np.concatenate(offsets), np.concatenate(lons), np.concatenate(lats)


def baseline_samples(lons: FloatArray, lats: FloatArray, sensors: list[Sensor],
                     block: int = 1_000) -> BoolArray:
    """Whether each sample is covered: every sample against every sensor, on a sphere."""
    slon = np.radians([s.position.lon for s in sensors])[None, :]
    slat = np.radians([s.position.lat for s in sensors])[None, :]
    reach = np.array([s.range_m for s in sensors])[None, :]
    bearing = np.array([s.bearing_deg or 0.0 for s in sensors])[None, :]
    half = np.array([180.0 if s.all_round else (s.fov_deg or 0.0) / 2 for s in sensors])[None, :]
    out = np.zeros(len(lons), dtype=bool)
    for start in range(0, len(lons), block):
        lam = np.radians(lons[start:start + block])[:, None]
        phi = np.radians(lats[start:start + block])[:, None]
        dlam = lam - slon
        h = np.sin((phi - slat) / 2) ** 2 + np.cos(phi) * np.cos(slat) * np.sin(dlam / 2) ** 2
        dist = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        azimuth = np.degrees(np.arctan2(np.sin(dlam) * np.cos(phi),
                                        np.cos(slat) * np.sin(phi)
                                        - np.sin(slat) * np.cos(phi) * np.cos(dlam)))
        off = np.abs((azimuth - bearing + 180.0) % 360.0 - 180.0)
        out[start:start + block] = np.any((dist <= reach) & (off <= half), axis=1)
    return out


def _engine_samples(found: BorderCoverage, offsets: FloatArray) -> tuple[BoolArray, BoolArray]:
    """The engine's answer per sample, and whether the sample is within 1 m of a stretch end."""
    lo = np.array([i.from_m for i in found.covered])
    hi = np.array([i.to_m for i in found.covered])
    k = np.searchsorted(lo, offsets, side="right") - 1
    inside = (k >= 0) & (offsets <= hi[np.maximum(k, 0)] if len(hi) else False)
    ends = np.sort(np.concatenate((lo, hi)))
    j = np.clip(np.searchsorted(ends, offsets), 1, max(1, len(ends) - 1))
    near = (np.minimum(np.abs(offsets - ends[j - 1]), np.abs(offsets - ends[j])) <= 1.0
            if len(ends) else np.zeros(len(offsets), dtype=bool))
    return np.asarray(inside, dtype=bool), np.asarray(near, dtype=bool)


def _exact(lon: float, lat: float, sensors: list[Sensor]) -> bool | None:
    """The ellipsoidal answer (None: within 1 m of a threshold, either way is right)."""
    undecided = False
    for s in sensors:
        g = WGS84.Inverse(s.position.lat, s.position.lon, lat, lon)
        d = g["s12"]
        if d > s.range_m + 1.0:
            continue
        off = abs((g["azi1"] - (s.bearing_deg or 0.0) + 180.0) % 360.0 - 180.0)
        beyond = 0.0 if s.all_round else off - (s.fov_deg or 0.0) / 2
        edge = abs(np.sin(np.radians(beyond))) * d if abs(beyond) < 90 else np.inf
        if abs(d - s.range_m) <= 1.0 or d <= 1.0 or edge <= 1.0:
            undecided = True
        elif d <= s.range_m and beyond <= 0:
            return True
    return None if undecided else False


def _compare(found: BorderCoverage, offsets: FloatArray, lons: FloatArray, lats: FloatArray,
             baseline: BoolArray, sensors: list[Sensor]) -> tuple[str, int]:
    engine, near_end = _engine_samples(found, offsets)
    differ = np.flatnonzero((engine != baseline) & ~near_end)
    unexplained = 0
    for i in differ:
        exact = _exact(float(lons[i]), float(lats[i]), sensors)
        if exact is not None and exact != engine[i]:
            unexplained += 1
    same = len(offsets) - int(np.count_nonzero(engine != baseline))
    check = (f"same answer at {same:,}/{len(offsets):,} samples; {len(differ) - unexplained} "
             f"differ only within the sphere's tolerance")
    if unexplained:
        check += f"; **{unexplained} unexplained**"
    return check, unexplained


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    border = load_border("iraq-syria")
    rows: list[Row] = []
    unexplained = 0
    for n in sorted((*size.shared, *size.engine_only)):
        sensors = sensors_along(border, n, seed=20)
        label = f"{n:,} sensors, 599 km border"
        timing, found = time_calls(partial(border_coverage, border, sensors, MOMENT),
                                   size.repeats, size.budget_s)
        target = TARGET if n == TARGET_SENSORS else None
        rows.append(Row("coverage", label, "engine: border_coverage", timing, len(found.covered),
                        target, f"{found.covered_m / 1000:.1f} km covered"))
        if n not in size.shared:
            continue
        offsets, lons, lats = _samples(border, size.step_m)
        base_timing, covered = time_calls(partial(baseline_samples, lons, lats, sensors),
                                          1, 0.0)
        check, bad = _compare(found, offsets, lons, lats, covered, sensors)
        unexplained += bad
        runs = int(np.count_nonzero(np.diff(covered.astype(np.int8)) == 1)) + int(covered[0])
        rows.append(Row("coverage", label,
                        f"baseline numpy haversine: {len(offsets):,} samples "
                        f"every {size.step_m:g} m", base_timing, runs, check=check))
    return Section("coverage", rows, unexplained)
