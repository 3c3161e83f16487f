"""An independent geodesic oracle for the screening engine (test-only code).

The engine measures with ``pyproj.Geod`` and local azimuthal-equidistant planes. This oracle takes
another road so that a shared mistake is unlikely:

* every edge between two vertices is a geodesic walked with geographiclib (``InverseLine`` +
  ``Position``); distances are ``Geodesic.WGS84.Inverse``;
* the distance from a vertex to an edge is found by a coarse pass (samples every
  :data:`COARSE_STEP_M`, compared by ECEF chord, which orders distances exactly like the geodesic
  at these ranges), then samples every :data:`DENSE_STEP_M` (<= 10 m) around the best coarse
  sample, then a golden-section search on ``Inverse`` around the best dense sample
  (:data:`GOLDEN_TOL_M`), so the oracle's own error is millimetres;
* two geometries that neither touch nor overlap are closest at a vertex of one of them (two
  non-crossing geodesic segments are closest at an end of one: on a surface of positive
  curvature the distance from a geodesic, walked along another, is concave), so the distance is
  the least vertex-to-edge distance both ways; touching and overlap are decided first by an exact
  crossing test of geodesic edges and a point-in-polygon test;
* point-in-polygon casts the meridian northwards from the point and counts the geodesic edges
  that cross it north of the point; which side of a geodesic a point lies on is read from the
  azimuth at the edge's start (geodesics from one point fan out without crossing at these ranges),
  so the test uses the true geodesic edges, not straight lon/lat segments;
* a circle (``Point`` + ``radius_m``) is its centre with the radius subtracted at the end:
  ``d(disk, X) = max(0, d(centre, X) - r)`` holds on the ellipsoid by the triangle inequality.

For R-LINE the set of points on one side of a line (``sigma``) is bounded by the line and by the
two geodesics perpendicular to the line at its ends, on that side (beyond an end a point is on no
side). So the distance from a notice to the side is 0 if the notice has a point on that side and
otherwise the distance to that boundary; the side is reached when that distance is at most the
notice's buffer. :func:`sampled_line_sides` checks this by brute force: it classifies points of
the buffered footprint's rim by their nearest point on the line.

>>> round(geodesic_m(35.0, 40.0, 35.0, 40.1), 3)
9128.817
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol

import numpy as np
from geographiclib.geodesic import Geodesic
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from deconflict.model import (
    Conflict,
    Fix,
    Notice,
    RelationKind,
    Rule,
    Scenario,
    SeparationFinding,
    Severity,
    Shape,
    Side,
    Unit,
    Zone,
    ZoneKind,
)

__all__ = [
    "COARSE_STEP_M",
    "DENSE_STEP_M",
    "DISTANCE_TOLERANCE_M",
    "GOLDEN_TOL_M",
    "TOLERANCE_M",
    "Expected",
    "ExpectedPair",
    "Geometry",
    "LineSides",
    "Tally",
    "compare_screening",
    "compare_separation",
    "compile_shape",
    "distance",
    "expected_conflicts",
    "expected_separation",
    "geodesic_m",
    "line_sides",
    "run_screening",
    "run_separation",
    "sampled_line_sides",
]

WGS84 = Geodesic.WGS84
LATLON = Geodesic.LATITUDE | Geodesic.LONGITUDE
COARSE_STEP_M = 200.0
DENSE_STEP_M = 10.0
GOLDEN_TOL_M = 0.002
#: A result within this distance of a threshold may go either way (DESIGN.md).
TOLERANCE_M = 1.0
#: Reported distances must agree with the oracle this closely (or 1e-6 relative).
DISTANCE_TOLERANCE_M = 0.5
#: Ends of a line's side boundaries; far longer than any footprint near a line in the tests.
RAY_M = 40_000.0
_BBOX_MARGIN_DEG = 0.01  # > the sagitta of a geodesic between two coarse samples
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)

FloatArray = NDArray[np.float64]
LatLon = tuple[float, float]


class SeparationCaseLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def scenario(self) -> Scenario: ...


class ScreenCaseLike(SeparationCaseLike, Protocol):
    @property
    def notice(self) -> Notice: ...


def ecef(lats: FloatArray | float, lons: FloatArray | float) -> FloatArray:
    """Earth-centred Cartesian metres of points on the WGS84 ellipsoid (height 0)."""
    phi, lam = np.radians(lats), np.radians(lons)
    n = _A / np.sqrt(1 - _E2 * np.sin(phi) ** 2)
    return np.stack([n * np.cos(phi) * np.cos(lam), n * np.cos(phi) * np.sin(lam),
                     n * (1 - _E2) * np.sin(phi)], axis=-1)


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"])


def azimuth(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.AZIMUTH)["azi1"])


def golden_min(f: Callable[[float], float], lo: float, hi: float,
               tol: float = GOLDEN_TOL_M) -> tuple[float, float]:
    """(argmin, min) of a unimodal ``f`` on ``[lo, hi]``; the ends are candidates too."""
    best = min((f(lo), lo), (f(hi), hi))
    ratio = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    best = min(best, (fc, c), (fd, d))
    return best[1], best[0]


class Edge:
    """A geodesic between two vertices, with coarse samples for pruning."""

    def __init__(self, start: LatLon, end: LatLon) -> None:
        self.start, self.end = start, end
        self.line = WGS84.InverseLine(start[0], start[1], end[0], end[1])
        self.length = float(self.line.s13)
        self.azi1 = float(self.line.azi1)
        n = max(2, math.ceil(self.length / COARSE_STEP_M))
        self.step = self.length / n
        self.coarse_s = np.linspace(0.0, self.length, n + 1)
        lats, lons = self.positions(self.coarse_s)
        self.coarse_lat, self.coarse_lon = lats, lons
        self.coarse_xyz = ecef(lats, lons)
        self.bbox = (lats.min() - _BBOX_MARGIN_DEG, lats.max() + _BBOX_MARGIN_DEG,
                     lons.min() - _BBOX_MARGIN_DEG, lons.max() + _BBOX_MARGIN_DEG)

    def position(self, s: float) -> LatLon:
        p = self.line.Position(s, LATLON)
        return float(p["lat2"]), float(p["lon2"])

    def positions(self, ss: Iterable[float]) -> tuple[FloatArray, FloatArray]:
        pts = [self.position(float(s)) for s in ss]
        return np.array([p[0] for p in pts]), np.array([p[1] for p in pts])

    def end_azimuth(self) -> float:
        """Forward azimuth of the edge at its end vertex."""
        return float(self.line.Position(self.length, Geodesic.AZIMUTH)["azi2"])

    def dense(self, lat: float, lon: float, k: int) -> tuple[float, float, float]:
        """Samples every <= DENSE_STEP_M around coarse sample ``k``: (least chord, bracket)."""
        lo = float(self.coarse_s[max(k - 1, 0)])
        hi = float(self.coarse_s[min(k + 1, len(self.coarse_s) - 1)])
        m = max(2, math.ceil((hi - lo) / DENSE_STEP_M))
        ss = np.linspace(lo, hi, m + 1)
        lats, lons = self.positions(ss)
        chord = np.linalg.norm(ecef(lats, lons) - ecef(lat, lon), axis=1)
        j = int(np.argmin(chord))
        return float(chord[j]), float(ss[max(j - 1, 0)]), float(ss[min(j + 1, m)])

    def refine(self, lat: float, lon: float, a: float, b: float) -> tuple[float, float]:
        """(distance, s): golden-section search on exact geodesic distances within [a, b]."""
        def f(s: float) -> float:
            q = self.position(s)
            return geodesic_m(lat, lon, q[0], q[1])

        s, d = golden_min(f, a, b)
        return d, s

    def overlaps_box(self, other: Edge) -> bool:
        a, b = self.bbox, other.bbox
        return bool(a[0] <= b[1] and b[0] <= a[1] and a[2] <= b[3] and b[2] <= a[3])

    def side(self, lat: float, lon: float) -> float:
        """> 0 right of this edge's geodesic (direction of travel), < 0 left, 0 on it."""
        if (lat, lon) == self.start:
            return 0.0
        return math.sin(math.radians(azimuth(self.start[0], self.start[1], lat, lon) - self.azi1))


def crosses(e: Edge, f: Edge) -> bool:
    """Do two geodesic edges properly cross? (Touching is left to the distance, which is 0.)"""
    if not e.overlaps_box(f):
        return False
    if f.side(*e.start) * f.side(*e.end) >= 0:
        return False
    return e.side(*f.start) * e.side(*f.end) < 0


def in_ring(ring: Sequence[Edge], lat: float, lon: float) -> bool:
    """Is the point inside a closed ring of geodesic edges? (Meridian ray cast northwards.)"""
    inside = False
    for e in ring:
        lon1, lon2 = e.start[1], e.end[1]
        if not (lon1 <= lon < lon2 or lon2 <= lon < lon1):
            continue
        eastward = lon2 > lon1
        right = e.side(lat, lon) > 0
        if right == eastward:  # the point is south of the edge: the ray crosses it
            inside = not inside
    return inside


@dataclass(frozen=True)
class PolygonRings:
    exterior: tuple[Edge, ...]
    holes: tuple[tuple[Edge, ...], ...]

    def contains(self, lat: float, lon: float) -> bool:
        if not in_ring(self.exterior, lat, lon):
            return False
        return not any(in_ring(h, lat, lon) for h in self.holes)


@dataclass(frozen=True)
class Geometry:
    """A shape compiled for the oracle: vertices, geodesic edges, polygon rings, circle radius."""

    vertices: tuple[LatLon, ...]
    edges: tuple[Edge, ...]
    polygons: tuple[PolygonRings, ...]
    radius: float

    def contains(self, lat: float, lon: float) -> bool:
        return any(p.contains(lat, lon) for p in self.polygons)


def _chain(coords: Sequence[Sequence[float]]) -> tuple[list[LatLon], list[Edge]]:
    pts = [(float(c[1]), float(c[0])) for c in coords]
    edges = [Edge(p, q) for p, q in itertools.pairwise(pts) if p != q]
    return pts, edges


def _parts(geom: BaseGeometry) -> list[BaseGeometry]:
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _parts(g)]
    return [geom]


def _compile_part(geom: BaseGeometry) -> tuple[list[LatLon], list[Edge], list[PolygonRings]]:
    kind = geom.geom_type
    if kind == "Point":
        return [(float(geom.y), float(geom.x))], [], []
    if kind == "LineString":
        pts, edges = _chain(list(geom.coords))
        return pts, edges, []
    if kind == "Polygon":
        pts, ext = _chain(list(geom.exterior.coords))
        holes = [_chain(list(r.coords)) for r in geom.interiors]
        verts = pts + [p for hp, _ in holes for p in hp]
        edges = ext + [e for _, he in holes for e in he]
        return verts, edges, [PolygonRings(tuple(ext), tuple(tuple(h) for _, h in holes))]
    raise ValueError(f"the oracle does not handle {kind}")


@lru_cache(maxsize=4096)
def _compile(wkb: bytes, radius: float) -> Geometry:
    import shapely

    verts: list[LatLon] = []
    edges: list[Edge] = []
    polys: list[PolygonRings] = []
    for part in _parts(shapely.from_wkb(wkb)):
        v, e, p = _compile_part(part)
        verts += v
        edges += e
        polys += p
    return Geometry(tuple(verts), tuple(edges), tuple(polys), radius)


def compile_shape(shape: Shape) -> Geometry:
    return _compile(shape.geometry.wkb, float(shape.radius_m))


def line_geometry(coords: Sequence[LatLon]) -> Geometry:
    """A polyline given as (lat, lon) vertices (used for a side's boundary rays)."""
    pts, edges = _chain([(lon, lat) for lat, lon in coords])
    return Geometry(tuple(pts), tuple(edges), (), 0.0)


@dataclass(frozen=True)
class Foot:
    """Nearest point of a set of edges to a vertex: distance, which vertex, which edge, where."""

    distance: float
    vertex: int
    edge: int
    s: float


def _coarse_table(points: Sequence[LatLon], edges: Sequence[Edge]
                  ) -> tuple[FloatArray, NDArray[np.intp]]:
    """Per (vertex, edge): the least chord distance to the edge's coarse samples, and where."""
    xyz = np.concatenate([e.coarse_xyz for e in edges])
    starts = np.cumsum([0] + [len(e.coarse_s) for e in edges])[:-1]
    pxyz = ecef(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    chord = np.linalg.norm(pxyz[:, None, :] - xyz[None, :, :], axis=2)
    mins = np.minimum.reduceat(chord, starts, axis=1)
    where = np.empty(mins.shape, dtype=np.intp)
    for j, (s0, e) in enumerate(zip(starts, edges, strict=True)):
        where[:, j] = np.argmin(chord[:, s0:s0 + len(e.coarse_s)], axis=1)
    return mins, where


def _chord_slack(chord: FloatArray | float) -> FloatArray | float:
    """How much a geodesic can exceed the chord between its ends (generously)."""
    return np.asarray(chord) ** 3 / (20 * _A**2) + 0.01


def nearest_on_edges(points: Sequence[LatLon], edges: Sequence[Edge]) -> Foot:
    """The least distance from any of ``points`` to any of ``edges``, refined exactly.

    Pruning never drops the winner: no point of an edge is farther than half a sample step
    from a sample, and a chord never exceeds its geodesic.
    """
    mins, where = _coarse_table(points, edges)
    steps = np.array([e.step for e in edges])
    lower = mins - steps[None, :] / 2
    upper = float((mins + _chord_slack(mins)).min())
    brackets = []
    for flat in np.flatnonzero(lower.ravel() <= upper):
        i, j = (int(x) for x in np.unravel_index(flat, lower.shape))
        chord, a, b = edges[j].dense(*points[i], int(where[i, j]))
        brackets.append((chord - DENSE_STEP_M / 2, chord + float(_chord_slack(chord)), i, j, a, b))
    best_upper = min(b[1] for b in brackets)
    best = Foot(math.inf, -1, -1, 0.0)
    for low, _, i, j, a, b in sorted(brackets):
        if low > min(best.distance, best_upper):
            break
        d, s = edges[j].refine(*points[i], a, b)
        if d < best.distance:
            best = Foot(d, i, j, s)
    return best


def _nearest_vertices(a: Sequence[LatLon], b: Sequence[LatLon]) -> float:
    return min(geodesic_m(p[0], p[1], q[0], q[1]) for p in a for q in b)


def intersects(a: Geometry, b: Geometry) -> bool:
    """Do the cores (circles reduced to their centres) share a point? Touching counts via 0."""
    if b.polygons and any(b.contains(*v) for v in a.vertices):
        return True
    if a.polygons and any(a.contains(*v) for v in b.vertices):
        return True
    return any(crosses(e, f) for e in a.edges for f in b.edges)


def core_distance(a: Geometry, b: Geometry) -> float:
    """Geodesic distance between the cores of two geometries (0 when they touch or overlap)."""
    if intersects(a, b):
        return 0.0
    best = math.inf
    if b.edges:
        best = min(best, nearest_on_edges(a.vertices, b.edges).distance)
    if a.edges:
        best = min(best, nearest_on_edges(b.vertices, a.edges).distance)
    if not a.edges and not b.edges:
        best = _nearest_vertices(a.vertices, b.vertices)
    return best


def distance(a: Shape | Geometry, b: Shape | Geometry) -> float:
    """``d`` of DESIGN.md: geodesic distance between two shapes, circles to their edge."""
    ga = a if isinstance(a, Geometry) else compile_shape(a)
    gb = b if isinstance(b, Geometry) else compile_shape(b)
    return max(0.0, core_distance(ga, gb) - ga.radius - gb.radius)


def point_geometry(lat: float, lon: float) -> Geometry:
    return Geometry(((lat, lon),), (), (), 0.0)


# --- R-LINE: sides of a line ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class LineSides:
    """A line with the boundaries of its two sides (the line plus the end perpendiculars)."""

    line: Geometry
    rays: dict[Side, tuple[Geometry, Geometry]]
    start_azi: float
    end_azi: float

    def side_of(self, lat: float, lon: float) -> Side | None:
        """Side of a point by its nearest point on the line; None beyond an end (or on it)."""
        foot = nearest_on_edges([(lat, lon)], self.line.edges)
        edges = self.line.edges
        first, last = edges[0], edges[-1]
        if foot.edge == 0 and math.cos(math.radians(
                azimuth(*first.start, lat, lon) - self.start_azi)) < 0:
            return None
        if foot.edge == len(edges) - 1 and math.cos(math.radians(
                azimuth(*last.end, lat, lon) - self.end_azi)) > 0:
            return None
        side = edges[foot.edge].side(lat, lon)
        if side == 0:
            return None
        return Side.RIGHT if side > 0 else Side.LEFT

    def side_distances(self, notice: Geometry) -> tuple[float, dict[Side, float]]:
        """d(notice, line) and the distance from the notice to each side's region (0 if it
        reaches in): 0 when a point of the notice is on that side, else the distance to the
        side's boundary (the line and the perpendiculars at its ends on that side)."""
        line_core = core_distance(notice, self.line)
        home = self.side_of(*notice.vertices[0])
        out = {}
        for side in Side:
            core = 0.0
            if home is not side:
                start_ray, end_ray = self.rays[side]
                core = min(line_core, core_distance(notice, start_ray),
                           core_distance(notice, end_ray))
            out[side] = max(0.0, core - notice.radius)
        return max(0.0, line_core - notice.radius), out


def _ray(origin: LatLon, azi: float) -> Geometry:
    p = WGS84.Direct(origin[0], origin[1], azi, RAY_M, LATLON)
    return line_geometry([origin, (float(p["lat2"]), float(p["lon2"]))])


@lru_cache(maxsize=256)
def _line_sides(wkb: bytes) -> LineSides:
    line = _compile(wkb, 0.0)
    first, last = line.edges[0], line.edges[-1]
    start_azi, end_azi = first.azi1, last.end_azimuth()
    rays = {
        Side.LEFT: (_ray(first.start, start_azi - 90), _ray(last.end, end_azi - 90)),
        Side.RIGHT: (_ray(first.start, start_azi + 90), _ray(last.end, end_azi + 90)),
    }
    return LineSides(line, rays, start_azi, end_azi)


def line_sides(zone: Zone) -> LineSides:
    return _line_sides(zone.shape.geometry.wkb)


# --- brute force for R-LINE: classify points of the footprint's rim -------------------------

def _rim(lat: float, lon: float, rho: float) -> tuple[FloatArray, FloatArray]:
    n = max(64, math.ceil(2 * math.pi * rho / DENSE_STEP_M))
    pts = [WGS84.Direct(lat, lon, az, rho, LATLON) for az in np.linspace(0, 360, n, endpoint=False)]
    lats = np.array([lat] + [p["lat2"] for p in pts])
    lons = np.array([lon] + [p["lon2"] for p in pts])
    return lats, lons


def _enu(lat: float, lon: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """East, north and up (ellipsoid normal) unit vectors at a point."""
    phi, lam = math.radians(lat), math.radians(lon)
    east = np.array([-math.sin(lam), math.cos(lam), 0.0])
    north = np.array([-math.sin(phi) * math.cos(lam), -math.sin(phi) * math.sin(lam),
                      math.cos(phi)])
    return east, north, np.cross(east, north)


@dataclass(frozen=True)
class _Frames:
    """Coarse samples of a line with the direction of travel and the left normal at each."""

    xyz: FloatArray
    tangent: FloatArray
    left: FloatArray
    edge: NDArray[np.intp]
    pos: NDArray[np.intp]
    first: NDArray[np.intp]  # index of each edge's first sample
    last: NDArray[np.intp]


@lru_cache(maxsize=64)
def _frames(sides: LineSides) -> _Frames:
    xyz, tangent, left, edge, pos, first, last = [], [], [], [], [], [], []
    n = 0
    for i, e in enumerate(sides.line.edges):
        for j, s in enumerate(e.coarse_s):
            azi = float(e.line.Position(float(s), Geodesic.AZIMUTH)["azi2"])
            east, north, up = _enu(float(e.coarse_lat[j]), float(e.coarse_lon[j]))
            t = math.sin(math.radians(azi)) * east + math.cos(math.radians(azi)) * north
            tangent.append(t)
            left.append(np.cross(up, t))
            edge.append(i)
            pos.append(j)
        xyz.append(e.coarse_xyz)
        first.append(n)
        n += len(e.coarse_s)
        last.append(n - 1)
    return _Frames(np.concatenate(xyz), np.array(tangent), np.array(left), np.array(edge),
                   np.array(pos), np.array(first), np.array(last))


_CLEAR_M = 5.0  # farther than this from a side's boundary, the frame test cannot be wrong


def _frame_side(f: _Frames, x: FloatArray, k: int) -> Side | str | None:
    """Side of point ``x`` from the frames near its nearest sample ``k``; "exact" if unclear."""
    e, j = int(f.edge[k]), int(f.pos[k])
    n_edges = len(f.first)
    if e == 0 and j <= 1:  # near the start: beyond it is no side
        along = float((x - f.xyz[0]) @ f.tangent[0])
        if along < -_CLEAR_M:
            return None
        if along <= _CLEAR_M:
            return "exact"
    if e == n_edges - 1 and f.last[e] - k <= 1:  # near the end
        along = float((x - f.xyz[-1]) @ f.tangent[-1])
        if along > _CLEAR_M:
            return None
        if along >= -_CLEAR_M:
            return "exact"
    frames = [k]
    if j <= 1 and e > 0:  # near a bend: both segments must agree
        frames = [int(f.last[e - 1]), int(f.first[e])]
    elif f.last[e] - k <= 1 and e < n_edges - 1:
        frames = [int(f.last[e]), int(f.first[e + 1])]
    lateral = [float((x - f.xyz[i]) @ f.left[i]) for i in frames]
    if min(abs(v) for v in lateral) <= _CLEAR_M or len({v > 0 for v in lateral}) > 1:
        return "exact"
    return Side.LEFT if lateral[0] > 0 else Side.RIGHT


def _classify(sides: LineSides, lats: FloatArray, lons: FloatArray) -> list[Side | None]:
    """Side of each point: a cheap frame test where it is clear, the exact test elsewhere."""
    f = _frames(sides)
    x = ecef(lats, lons)
    k = np.concatenate([
        np.argmin(np.linalg.norm(x[i:i + 128, None, :] - f.xyz[None, :, :], axis=2), axis=1)
        for i in range(0, len(x), 128)])
    out: list[Side | None] = []
    for i in range(len(lats)):
        side = _frame_side(f, x[i], int(k[i]))
        if side == "exact":
            side = sides.side_of(float(lats[i]), float(lons[i]))
        out.append(side if side is None else Side(side))
    return out


def sampled_line_sides(zone: Zone, lat: float, lon: float, rho: float) -> set[Side]:
    """Sides reached by the disk of radius ``rho`` around a point, by sampling its rim (<= 10 m)
    and centre and classifying each sample by its nearest point on the line."""
    lats, lons = _rim(lat, lon, rho)
    return {s for s in _classify(line_sides(zone), lats, lons) if s is not None}


# --- the rules -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    """One candidate finding: ``slack_m`` = threshold - d (>= 0 means a conflict)."""

    rule: Rule
    target: str
    party: str
    distance_m: float
    slack_m: float
    critical_slack_m: float | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule.value, self.target, self.party)


def partners(scenario: Scenario, party: str) -> frozenset[str]:
    found = set()
    for r in scenario.relations:
        if r.kind is RelationKind.PARTNER and party in (r.a, r.b):
            found.add(r.b if r.a == party else r.a)
    found.discard(party)
    return frozenset(found)


def live_fix(unit: Unit, now: datetime, start: datetime) -> Fix | None:
    """The unit's latest fix at or before ``now``, unless it is stale at ``start``."""
    fixes = [f for f in unit.track if f.time <= now]
    if not fixes:
        return None
    fix = max(fixes, key=lambda f: f.time)
    return None if start >= fix.stale_at else fix


def _windows_meet(a: tuple[datetime, datetime], b: tuple[datetime, datetime] | None) -> bool:
    return b is None or (a[0] <= b[1] and b[0] <= a[1])


def _unit_expectations(scenario: Scenario, notice: Notice, friendly: frozenset[str]
                       ) -> list[Expected]:
    out = []
    g = compile_shape(notice.shape)
    b, s = notice.buffer_m, notice.effective_standoff_m
    for u in scenario.units:
        fix = None if u.party in friendly else live_fix(u, scenario.time, notice.window.start)
        if fix is None or not _altitude_ok(fix.position.alt_m, notice):
            continue
        r = fix.radius_m
        d = distance(g, point_geometry(fix.position.lat, fix.position.lon))
        out.append(Expected(Rule.UNIT, u.id, u.party, d, b + s + r - d, b + r - d))
    return out


def _altitude_ok(alt: float | None, notice: Notice) -> bool:
    band = notice.altitude
    return alt is None or band is None or band.low_m <= alt <= band.high_m


def _site_expectations(scenario: Scenario, notice: Notice) -> list[Expected]:
    out = []
    win = (notice.window.start, notice.window.end)
    for site in scenario.sites:
        if site.party == notice.party:
            continue
        sw = None if site.window is None else (site.window.start, site.window.end)
        if not _windows_meet(win, sw):
            continue
        d = distance(notice.shape, site.shape)
        slack = notice.buffer_m + notice.effective_standoff_m + site.buffer_m - d
        out.append(Expected(Rule.SITE, site.id, site.party, d, slack))
    return out


def _zone_expectations(scenario: Scenario, notice: Notice, friendly: frozenset[str]
                       ) -> list[Expected]:
    out = []
    for z in scenario.zones:
        if z.kind is not ZoneKind.ZONE or z.owner in friendly or z.owner is None:
            continue
        d = distance(notice.shape, z.shape)
        out.append(Expected(Rule.ZONE, z.id, z.owner, d, notice.buffer_m - d))
    return out


def _line_expectations(scenario: Scenario, notice: Notice, friendly: frozenset[str]
                       ) -> list[Expected]:
    out = []
    g = compile_shape(notice.shape)
    for z in scenario.zones:
        if z.kind is not ZoneKind.LINE:
            continue
        parties = [(side, party) for side, party in z.sides if party not in friendly]
        if not parties:
            continue
        d, to_side = line_sides(z).side_distances(g)
        slack: dict[str, float] = {}
        for side, party in parties:
            s = notice.buffer_m - to_side[side]
            slack[party] = max(slack.get(party, -math.inf), s)
        out += [Expected(Rule.LINE, z.id, p, d, s) for p, s in slack.items()]
    return out


def _notice_expectations(scenario: Scenario, notice: Notice) -> list[Expected]:
    out = []
    win = (notice.window.start, notice.window.end)
    for other in scenario.notices:
        if other.id == notice.id or other.party == notice.party:
            continue
        if not _windows_meet(win, (other.window.start, other.window.end)):
            continue
        a, b = notice.altitude, other.altitude
        if a is not None and b is not None and not (a.low_m <= b.high_m and b.low_m <= a.high_m):
            continue
        d = distance(notice.shape, other.shape)
        out.append(Expected(Rule.NOTICE, other.id, other.party, d,
                            notice.buffer_m + other.buffer_m - d))
    return out


def expected_conflicts(scenario: Scenario, notice: Notice) -> list[Expected]:
    """Every target that passes the non-geometric filters, with its oracle distance and slack."""
    friendly = partners(scenario, notice.party) | {notice.party}
    return [
        *_unit_expectations(scenario, notice, friendly),
        *_site_expectations(scenario, notice),
        *_zone_expectations(scenario, notice, friendly),
        *_line_expectations(scenario, notice, friendly),
        *_notice_expectations(scenario, notice),
    ]


def _distance_ok(got: float, want: float) -> bool:
    return abs(got - want) <= max(DISTANCE_TOLERANCE_M, 1e-6 * abs(want))


def _check_conflict(c: Conflict, e: Expected | None) -> list[str]:
    if e is None:
        return [f"unexpected {c} (target filtered out by party/time/altitude rules)"]
    problems = []
    if e.slack_m < -TOLERANCE_M:
        problems.append(f"false conflict {c}: oracle d={e.distance_m:.3f}, "
                        f"{-e.slack_m:.3f} m beyond the threshold")
    if not _distance_ok(c.distance_m, e.distance_m):
        problems.append(f"distance of {c}: oracle says {e.distance_m:.3f}")
    crit = e.critical_slack_m
    if crit is not None and abs(crit) > TOLERANCE_M:
        want = Severity.CRITICAL if crit >= 0 else Severity.WARN
        if c.severity is not want:
            problems.append(f"severity of {c}: want {want} (critical slack {crit:.3f})")
    return problems


def compare_screening(conflicts: Sequence[Conflict], expected: Sequence[Expected]) -> list[str]:
    """Problems found comparing the engine's conflicts with the oracle (empty means agreement)."""
    by_key = {e.key: e for e in expected}
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for c in conflicts:
        key = (Rule(c.rule).value, c.target, c.party)
        if key in seen:
            problems.append(f"duplicate {c}")
        seen.add(key)
        problems += _check_conflict(c, by_key.get(key))
    for e in expected:
        if e.slack_m > TOLERANCE_M and e.key not in seen:
            problems.append(f"missed {e}")
    return problems


# --- SEP ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExpectedPair:
    a: str
    b: str
    distance_m: float
    warn_slack_m: float
    critical_slack_m: float


def _live_units(scenario: Scenario) -> list[tuple[Unit, Fix]]:
    """Units with a fix at or before "now" that is not stale at "now"."""
    out = []
    for u in scenario.units:
        fix = live_fix(u, scenario.time, scenario.time)
        if fix is not None:
            out.append((u, fix))
    return out


def expected_separation(scenario: Scenario) -> list[ExpectedPair]:
    live = sorted(_live_units(scenario), key=lambda up: up[0].id)
    out = []
    for i, (ua, pa) in enumerate(live):
        for ub, pb in live[i + 1:]:
            if ua.party == ub.party or ub.party in partners(scenario, ua.party):
                continue
            d = geodesic_m(pa.position.lat, pa.position.lon, pb.position.lat, pb.position.lon)
            edge = max(0.0, d - pa.radius_m - pb.radius_m)
            rule = scenario.separation.rule(ua.party, ub.party)
            out.append(ExpectedPair(ua.id, ub.id, edge, rule.warn_m - edge, rule.critical_m - edge))
    return out


def compare_separation(findings: Sequence[SeparationFinding], expected: Sequence[ExpectedPair]
                       ) -> list[str]:
    by_pair = {(e.a, e.b): e for e in expected}
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for f in findings:
        key = (f.a, f.b)
        if key in seen:
            problems.append(f"duplicate {f}")
        seen.add(key)
        e = by_pair.get(key)
        if e is None:
            problems.append(f"unexpected {f} (pair excluded, not ordered a < b, or stale)")
            continue
        problems += _check_pair(f, e)
    for e in expected:
        if e.warn_slack_m > TOLERANCE_M and (e.a, e.b) not in seen:
            problems.append(f"missed {e}")
    return problems


def _check_pair(f: SeparationFinding, e: ExpectedPair) -> list[str]:
    problems = []
    if e.warn_slack_m < -TOLERANCE_M:
        problems.append(f"false finding {f}: oracle edge distance {e.distance_m:.3f}")
    if not _distance_ok(f.distance_m, e.distance_m):
        problems.append(f"distance of {f}: oracle says {e.distance_m:.3f}")
    if abs(e.critical_slack_m) > TOLERANCE_M:
        want = Severity.CRITICAL if e.critical_slack_m >= 0 else Severity.WARN
        if f.level is not want:
            problems.append(f"level of {f}: want {want} (critical slack {e.critical_slack_m:.3f})")
    return problems


# --- running a batch of cases -----------------------------------------------------------------

@dataclass
class Tally:
    """What a batch covered and what went wrong (problems are prefixed with the case name)."""

    cases: int = 0
    candidates: int = 0  # targets past the party/time/altitude filters: geometric decisions
    conflicts: int = 0
    near_50m: int = 0  # candidates within 50 m of a threshold
    near_2m: int = 0
    problems: list[str] | None = None

    def count(self, slacks: Iterable[float | None]) -> None:
        real = [abs(s) for s in slacks if s is not None]
        self.near_50m += any(s <= 50.0 for s in real)
        self.near_2m += any(s <= 2.0 for s in real)

    def report(self, limit: int = 15) -> str:
        found = self.problems or []
        head = "\n".join(found[:limit])
        return f"{len(found)} problems in {self.cases} cases:\n{head}"


def run_screening(cases: Iterable[ScreenCaseLike],
                  screen: Callable[[Scenario, Notice], Sequence[Conflict]],
                  rule: Rule | None = None) -> Tally:
    """Screen every case with ``screen`` and compare with the oracle; count ``rule``'s
    candidates (all rules when None)."""
    tally = Tally(problems=[])
    for case in cases:
        expected = expected_conflicts(case.scenario, case.notice)
        found = compare_screening(screen(case.scenario, case.notice), expected)
        assert tally.problems is not None
        tally.problems += [f"{case.name}: {p}" for p in found]
        tally.cases += 1
        for e in expected:
            if rule is None or e.rule is rule:
                tally.candidates += 1
                tally.conflicts += e.slack_m >= 0
                tally.count((e.slack_m, e.critical_slack_m))
    return tally


def run_separation(cases: Iterable[SeparationCaseLike],
                   find: Callable[[Scenario], Sequence[SeparationFinding]]) -> Tally:
    tally = Tally(problems=[])
    for case in cases:
        expected = expected_separation(case.scenario)
        found = compare_separation(find(case.scenario), expected)
        assert tally.problems is not None
        tally.problems += [f"{case.name}: {p}" for p in found]
        tally.cases += 1
        for e in expected:
            tally.candidates += 1
            tally.conflicts += e.warn_slack_m >= 0
            tally.count((e.warn_slack_m, e.critical_slack_m))
    return tally
