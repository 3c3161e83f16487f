"""An independent oracle for border coverage (test-only code): geographiclib and brute force.

The border is walked edge by edge with ``Geodesic.WGS84.InverseLine`` + ``Position`` and sampled
every :data:`STEP_M` metres or finer; each sample is tested against every sensor with
``Geodesic.WGS84.Inverse`` (distance, and the azimuth at the sensor), exactly as the scenario
format defines coverage. Nothing of the engine (pyproj, AEQD planes, shapely) is used. A cheap
spherical distance skips sensors that are certainly out of reach (it errs wide by 1 % + 1 km).

>>> line = sample_border([(41.0, 34.0), (41.0, 34.1)], step_m=5000.0)
>>> [round(s.offset_m) for s in line]
[0, 3697, 7395, 11092]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic

__all__ = [
    "STEP_M",
    "OracleSensor",
    "Sample",
    "Verdict",
    "check_against",
    "oracle_covered",
    "oracle_covered_m",
    "oracle_gaps",
    "sample_border",
]

WGS84 = Geodesic.WGS84

#: Samples along the border are at most this far apart (the issue asks for 50 m or finer).
STEP_M = 40.0

#: A sample this close to an end of a stretch the engine reports may go either way (DESIGN.md).
EDGE_TOLERANCE_M = 1.0

_SPHERE_M = 6_371_008.8


@dataclass(frozen=True)
class OracleSensor:
    lon: float
    lat: float
    range_m: float
    bearing_deg: float | None = None
    fov_deg: float | None = None


@dataclass(frozen=True)
class Sample:
    offset_m: float
    lon: float
    lat: float
    covered: bool | None = False
    #: The geodesic edge the sample lies on, and its distance from the edge's start.
    edge: object = None
    s_m: float = 0.0

    def moved(self, covered: bool | None) -> Sample:
        return Sample(self.offset_m, self.lon, self.lat, covered, self.edge, self.s_m)


def sample_border(vertices: Sequence[tuple[float, float]], step_m: float = STEP_M
                  ) -> list[Sample]:
    """Points along the border's geodesic edges, at most ``step_m`` apart, ends included."""
    out: list[Sample] = []
    at = 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(vertices):
        line = WGS84.InverseLine(lat1, lon1, lat2, lon2)
        n = max(1, math.ceil(line.s13 / step_m))
        for k in range(n):
            s = line.s13 * k / n
            pos = line.Position(s, Geodesic.STANDARD | Geodesic.LONG_UNROLL)
            out.append(Sample(at + s, _wrap(pos["lon2"]), pos["lat2"], edge=line, s_m=s))
        at += line.s13
    lon, lat = vertices[-1]
    out.append(Sample(at, lon, lat, edge=line, s_m=line.s13))
    return out


def _point(sample: Sample, s_m: float) -> tuple[float, float]:
    pos = sample.edge.Position(s_m, Geodesic.STANDARD | Geodesic.LONG_UNROLL)  # type: ignore[attr-defined]
    return _wrap(pos["lon2"]), pos["lat2"]


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _sphere_m(lon1: float, lat1: float, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _SPHERE_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _sees(sensor: OracleSensor, lon: float, lat: float, exact: bool = False) -> bool | None:
    """True or False; ``None`` when within 1 m of a threshold (the range, an edge of the field
    of view, the sensor itself), where DESIGN.md lets a result go either way."""
    g = WGS84.Inverse(sensor.lat, sensor.lon, lat, lon)
    d = g["s12"]
    if d > sensor.range_m + EDGE_TOLERANCE_M:
        return False
    near = abs(d - sensor.range_m) <= EDGE_TOLERANCE_M or d <= EDGE_TOLERANCE_M
    if sensor.bearing_deg is None or sensor.fov_deg is None or sensor.fov_deg >= 360.0:
        if exact:
            return d <= sensor.range_m
        return None if near else True
    off = (g["azi1"] - sensor.bearing_deg + 180.0) % 360.0 - 180.0
    beyond = abs(off) - sensor.fov_deg / 2  # degrees outside the field of view (< 0: inside)
    if abs(beyond) < 90.0 and abs(math.sin(math.radians(beyond))) * d <= EDGE_TOLERANCE_M:
        near = True
    if near and not exact:
        return None
    return beyond <= 0 and d <= sensor.range_m


def oracle_covered(samples: Sequence[Sample], sensors: Sequence[OracleSensor]) -> list[Sample]:
    """Each sample with its coverage decided by brute force."""
    return [s.moved(_hit(s.lon, s.lat, sensors)) for s in samples]


def _hit(lon: float, lat: float, sensors: Sequence[OracleSensor], exact: bool = False
         ) -> bool | None:
    """Covered (True), not (False), or too close to a threshold to say (None; never when
    ``exact``)."""
    if not sensors:
        return False
    lons = np.array([s.lon for s in sensors])
    lats = np.array([s.lat for s in sensors])
    reach = np.array([s.range_m for s in sensors]) * 1.01 + 1000.0
    near = np.flatnonzero(_sphere_m(lon, lat, lons, lats) <= reach)
    seen = [_sees(sensors[i], lon, lat, exact) for i in near]
    if any(v is True for v in seen):
        return True
    return None if any(v is None for v in seen) else False


def oracle_gaps(samples: Sequence[Sample]) -> list[tuple[float, float]]:
    """Runs of uncovered samples as ``(first, last)`` offsets (a gap is at least that long)."""
    gaps, start = [], None
    for prev, cur in zip([None, *samples], samples, strict=False):
        if cur.covered is False and start is None:
            start = cur.offset_m
        if cur.covered is not False and start is not None and prev is not None:
            gaps.append((start, prev.offset_m))
            start = None
    if start is not None:
        gaps.append((start, samples[-1].offset_m))
    return gaps


def oracle_covered_m(samples: Sequence[Sample], sensors: Sequence[OracleSensor]) -> float:
    """Covered length: whole spans between samples that agree, and where two neighbours differ
    the change is found by bisection along the geodesic to a centimetre (exact decisions, no
    tolerance)."""
    exact = [s.moved(bool(_hit(s.lon, s.lat, sensors, exact=True))) for s in samples]
    total = 0.0
    for a, b in itertools.pairwise(exact):
        if a.covered == b.covered:
            total += (b.offset_m - a.offset_m) * bool(a.covered)
            continue
        change = _bisect(a, b, sensors)
        total += (change - a.offset_m) if a.covered else (b.offset_m - change)
    return total


def _bisect(a: Sample, b: Sample, sensors: Sequence[OracleSensor]) -> float:
    """Offset where coverage changes between two neighbouring samples of one edge."""
    if a.edge is not b.edge:  # b is the next edge's first vertex: bisect on a's edge
        b = Sample(b.offset_m, b.lon, b.lat, b.covered, a.edge, a.s_m + b.offset_m - a.offset_m)
    lo, hi = a.s_m, b.s_m
    while hi - lo > 0.01:
        mid = (lo + hi) / 2
        if _hit(*_point(a, mid), sensors, exact=True) == a.covered:
            lo = mid
        else:
            hi = mid
    return a.offset_m + (lo + hi) / 2 - a.s_m


@dataclass
class Verdict:
    """How the engine's answer compares with the oracle's on one border."""

    samples: int = 0
    undecided: int = 0
    wrong: list[str] | None = None
    covered_error_m: float = 0.0
    missed_gaps: list[tuple[float, float]] | None = None

    @property
    def ok(self) -> bool:
        return not self.wrong and not self.missed_gaps


def _inside(offset: float, intervals: Sequence[tuple[float, float]]) -> bool:
    return any(lo <= offset <= hi for lo, hi in intervals)


def _near_end(offset: float, intervals: Sequence[tuple[float, float]]) -> bool:
    return any(min(abs(offset - lo), abs(offset - hi)) <= EDGE_TOLERANCE_M
               for lo, hi in intervals)


def _gap_found(gap: tuple[float, float], covered: Sequence[tuple[float, float]],
               gaps: Sequence[tuple[float, float]]) -> bool:
    """The engine has a gap at each end of the oracle's gap (give or take a sample spacing and
    a metre), and covers nothing in between but slivers narrower than the sample spacing (which
    samples can miss; the sample-by-sample check already shows none holds a sample)."""
    slack = STEP_M + EDGE_TOLERANCE_M
    starts = any(lo - slack <= gap[0] <= hi for lo, hi in gaps)
    ends = any(lo <= gap[1] <= hi + slack for lo, hi in gaps)
    inside = [(lo, hi) for lo, hi in covered if hi > gap[0] + slack and lo < gap[1] - slack]
    return starts and ends and all(hi - lo < STEP_M for lo, hi in inside)


def check_against(samples: Sequence[Sample], sensors: Sequence[OracleSensor],
                  covered: Sequence[tuple[float, float]], gaps: Sequence[tuple[float, float]],
                  covered_m: float) -> Verdict:
    """Sample by sample, covered length, and every oracle gap over 200 m found."""
    verdict = Verdict(samples=len(samples), wrong=[], missed_gaps=[])
    assert verdict.wrong is not None and verdict.missed_gaps is not None
    for s in samples:
        if s.covered is None or _near_end(s.offset_m, covered):
            verdict.undecided += 1
        elif _inside(s.offset_m, covered) != s.covered:
            verdict.wrong.append(f"at {s.offset_m:.1f} m oracle says covered={s.covered}")
    length = samples[-1].offset_m
    truth = oracle_covered_m(samples, sensors)
    verdict.covered_error_m = abs(covered_m - truth)
    if verdict.covered_error_m > max(0.001 * length, 100.0):
        verdict.wrong.append(f"covered {covered_m:.1f} m, oracle {truth:.1f}")
    for gap in oracle_gaps(samples):
        if gap[1] - gap[0] > 200.0 and not _gap_found(gap, covered, gaps):
            verdict.missed_gaps.append(gap)
    return verdict
