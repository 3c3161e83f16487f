"""Where a track meets a border line: crossings and touches.

The track's path is the geodesic from each detection to the next, travelled at constant speed,
so a point of the path has a time. A point is *on the line* when it lies within ``tolerance_m``
of it (default 1 m, the hub's threshold tolerance); elsewhere it is on the line's left or right
(of its direction of travel, first vertex to last) or on neither side, by rule R-LINE's
definition: the side of the segment holding its nearest point on the line, and neither side
when that nearest point is an end of the line with the point beyond it.

The path is cut into stretches on the line and stretches off it. For each stretch on the line
with the path off the line both before and after it:

* the sides before and after differ: a **crossing** — however the path wandered on the line
  (running along it, crossing it and back within the tolerance, passing through a vertex of
  the line: a vertex is one contact, so it makes one crossing, not two);
* the sides are the same: a **touch** — the path came onto the line (touched it, or ran along
  it) and returned to the side it came from. Touches are reported, never alerted.

Nothing is reported for a stretch at the start of the path (a track first seen on the line has
not been seen coming from anywhere), for a stretch at its end (not finished yet: the next
detection decides) or next to a stretch on neither side (the path went round an end of the
line). A path that goes round an end without touching the line crosses nothing.

Where and when: a crossing is placed at the last point where the path meets the line (its last
contact before leaving for the other side), a touch at the first. Meeting means coming within
:data:`CONTACT_M`; a contact longer than :data:`ALONG_M` is the path running along the line, and
the event is placed where that run ends (crossing) or begins (touch); a shorter one at the exact
intersection. With no contact at all (the path came within the tolerance without reaching the
line) the event is at the middle of the stretch. The time is interpolated at constant speed.

Geometry is planar in local azimuthal-equidistant frames, each centred on a piece of the path at
most :data:`FRAME_STEP_M` long, so every point worked on is within 5 km of its frame's centre
(scale error under a millimetre). Path pieces are split into geodesic chords of at most
:data:`CHORD_M`; the border is densified as everywhere else (5 km geodesic chords). A lon/lat box
prefilter (never dropping a true candidate) skips the border's far parts and the path's far
segments.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry

from deconflict.engine.geodesy import GEOD, densify, to_local
from deconflict.engine.index import search_box
from deconflict.model.detection import Crossing, CrossingKind, Detection, Track
from deconflict.model.measure import THRESHOLD_TOLERANCE_M, Position
from deconflict.model.sensor import Border
from deconflict.model.zone import Side

__all__ = [
    "ALONG_M",
    "CHORD_M",
    "CONTACT_M",
    "DEFAULT_TOLERANCE_M",
    "FRAME_STEP_M",
    "BorderLine",
    "border_line",
    "line_events",
    "may_meet",
]

#: Within this distance of the line a point is on it.
DEFAULT_TOLERANCE_M = float(THRESHOLD_TOLERANCE_M)
#: Longest geodesic chord of the path in a local frame.
CHORD_M = 1_000.0
#: Longest piece of the path sharing one local frame.
FRAME_STEP_M = 10_000.0
#: Within this distance (or a tenth of the tolerance) a point touches the line: chords of the
#: path and of the border are straight in the plane while the geodesics bend by fractions of a
#: millimetre, so a path along the line zigzags across it rather than lying on it.
CONTACT_M = 0.01
#: A contact longer than this is the path running along the line, not passing over it.
ALONG_M = 1.0
#: Path parameters closer than this are one point (a billionth of a segment).
_SAME_PARAM = 1e-9

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BorderLine:
    """A border densified once, with a box index over its chords."""

    id: str
    coords: FloatArray  # densified lon/lat vertices, in the line's order
    tree: shapely.STRtree

    def chords_near(self, lons: FloatArray, lats: FloatArray, reach_m: float) -> NDArray[np.intp]:
        """Indices of chords that may come within ``reach_m`` of the points' box."""
        box = search_box((float(lons.min()), float(lats.min()), float(lons.max()),
                          float(lats.max())), reach_m)
        found: NDArray[np.intp] = self.tree.query(box)
        return np.sort(found)

    def side_of(self, lon: float, lat: float) -> tuple[Side | None, float]:
        """The point's side (``None``: beyond an end) and its distance to the line, metres."""
        xy = to_local(lon, lat, self.coords[:, 0], self.coords[:, 1])
        p, d = xy[:-1], xy[1:] - xy[:-1]
        length2 = np.einsum("ij,ij->i", d, d)
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(length2 > 0, -np.einsum("ij,ij->i", p, d) / length2, 0.0)
        t = np.clip(raw, 0.0, 1.0)
        foot = p + d * t[:, None]
        # A repeated vertex makes a chord of no length and no direction: never the nearest.
        dist = np.where(length2 > 0, np.hypot(foot[:, 0], foot[:, 1]), np.inf)
        k = int(np.argmin(dist))
        beyond = (k == 0 and raw[k] < 0) or (k == len(d) - 1 and raw[k] > 1)
        cross = d[k, 0] * -p[k, 1] - d[k, 1] * -p[k, 0]
        if beyond or cross == 0:
            return None, float(dist[k])
        return (Side.LEFT if cross > 0 else Side.RIGHT), float(dist[k])


@lru_cache(maxsize=64)
def _line(border_id: str, geometry: BaseGeometry) -> BorderLine:
    coords = np.asarray(densify(geometry).coords, dtype=np.float64)[:, :2]
    chords = shapely.linestrings(np.stack((coords[:-1], coords[1:]), axis=1))
    return BorderLine(border_id, coords, shapely.STRtree(chords))


def border_line(border: Border) -> BorderLine:
    """The densified, indexed line of a border (cached); the border must be a LineString."""
    geometry = border.shape.geometry
    if geometry.geom_type != "LineString" or len(geometry.coords) < 2:
        raise ValueError(f"border {border.id!r} is not a line")
    return _line(border.id, shapely.force_2d(geometry))


def may_meet(detections: Sequence[Detection], border: Border,
             tolerance_m: float = DEFAULT_TOLERANCE_M) -> bool:
    """False only when the path through ``detections`` surely stays off the line: a cheap
    prefilter before :func:`line_events`."""
    if len(detections) < 2:
        return False
    line = border_line(border)
    for a, b in itertools.pairwise(detections):
        lons, lats = _chord_points(a.position, b.position)
        if len(line.chords_near(lons, lats, tolerance_m)):
            return True
    return False


def _chord_points(a: Position, b: Position) -> tuple[FloatArray, FloatArray]:
    """Vertices of the geodesic from ``a`` to ``b``, at most :data:`CHORD_M` apart."""
    length = float(GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2])
    extra = max(0, math.ceil(length / CHORD_M) - 1)
    middle = GEOD.npts(a.lon, a.lat, b.lon, b.lat, extra) if extra else []
    pts = [(a.lon, a.lat), *middle, (b.lon, b.lat)]
    arr = np.asarray(pts, dtype=np.float64)
    return arr[:, 0], arr[:, 1]


# -- the path cut into stretches on and off the line -----------------------------------------

@dataclass(frozen=True, slots=True)
class _Stretch:
    """Path parameters ``start..end`` (detection index + fraction of the way to the next)."""

    start: float
    end: float
    on: bool


@dataclass(frozen=True)
class _Frame:
    """A piece of one segment of the path, in the local plane centred on its middle vertex."""

    segment: int
    centre: tuple[float, float]
    fractions: FloatArray  # of each vertex along the segment
    lons: FloatArray
    lats: FloatArray
    path: LineString
    lengths: FloatArray  # along ``path`` at each vertex

    @property
    def is_point(self) -> bool:
        return bool(self.lengths[-1] <= 0.0)

    def param(self, along: float) -> float:
        """Path parameter of the point ``along`` metres into this piece."""
        if self.is_point:
            return self.segment + float(self.fractions[0])
        return self.segment + float(np.interp(along, self.lengths, self.fractions))


def _frames(a: Position, b: Position, segment: int) -> list[_Frame]:
    lons, lats = _chord_points(a, b)
    n = len(lons) - 1
    fractions = np.linspace(0.0, 1.0, n + 1)
    per_frame = max(1, int(FRAME_STEP_M // CHORD_M))
    frames = []
    for first in range(0, n, per_frame):
        last = min(n, first + per_frame)
        mid = (first + last) // 2
        centre = (float(lons[mid]), float(lats[mid]))
        sl = slice(first, last + 1)
        xy = to_local(*centre, lons[sl], lats[sl])
        steps = np.hypot(*np.diff(xy, axis=0).T)
        frames.append(_Frame(segment, centre, fractions[sl], lons[sl], lats[sl], LineString(xy),
                             np.concatenate(([0.0], np.cumsum(steps)))))
    return frames


def _local_line(line: BorderLine, chords: NDArray[np.intp], centre: tuple[float, float]
                ) -> MultiLineString:
    ends = np.concatenate((line.coords[chords], line.coords[chords + 1]))
    xy = to_local(*centre, ends[:, 0], ends[:, 1])
    n = len(chords)
    return MultiLineString([(xy[i], xy[n + i]) for i in range(n)])


def _on_intervals(frame: _Frame, near: MultiLineString, tolerance_m: float
                  ) -> list[tuple[float, float]]:
    """Path parameters of the parts of the piece within ``tolerance_m`` of the line."""
    if frame.is_point:  # two detections at one place
        inside = Point(frame.path.coords[0]).distance(near) <= tolerance_m
        return [(frame.param(0.0), frame.segment + 1.0)] if inside else []
    band = near.buffer(tolerance_m, quad_segs=16)
    found = frame.path.intersection(band)
    out = []
    for part in getattr(found, "geoms", [found]):
        if not part.is_empty:
            ends = [frame.path.project(Point(c)) for c in (part.coords[0], part.coords[-1])]
            out.append((frame.param(min(ends)), frame.param(max(ends))))
    return out


def _contacts(frame: _Frame, near: MultiLineString) -> list[float]:
    """Path parameters where the piece meets the line itself."""
    if frame.is_point:
        return [frame.param(0.0)] if Point(frame.path.coords[0]).distance(near) == 0 else []
    found = frame.path.intersection(near)
    params = []
    for part in getattr(found, "geoms", [found]):
        if not part.is_empty:
            params += [frame.param(frame.path.project(Point(c))) for c in part.coords]
    return params


@dataclass(frozen=True)
class _Cut:
    stretches: list[_Stretch]
    touching: list[tuple[float, float]]  # within CONTACT_M of the line, merged
    contacts: list[float]  # exact intersections

def _cut(path: Sequence[Position], line: BorderLine, tolerance_m: float) -> _Cut:
    """The path as stretches off and on the line, and where it meets the line."""
    on: list[tuple[float, float]] = []
    touching: list[tuple[float, float]] = []
    contacts: list[float] = []
    contact_m = min(CONTACT_M, tolerance_m / 10)
    for segment, (a, b) in enumerate(itertools.pairwise(path)):
        for frame in _frames(a, b, segment):
            chords = line.chords_near(frame.lons, frame.lats, tolerance_m)
            if len(chords):
                near = _local_line(line, chords, frame.centre)
                on += _on_intervals(frame, near, tolerance_m)
                touching += _on_intervals(frame, near, contact_m)
                contacts += _contacts(frame, near)
    touched = [(s.start, s.end) for s in _stretches(touching, float(len(path) - 1)) if s.on]
    return _Cut(_stretches(on, float(len(path) - 1)), touched, sorted(contacts))


def _stretches(on: list[tuple[float, float]], end: float) -> list[_Stretch]:
    """Merge the intervals on the line and fill the gaps with stretches off it."""
    merged: list[list[float]] = []
    for start, stop in sorted(on):
        if merged and start <= merged[-1][1] + _SAME_PARAM:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    out: list[_Stretch] = []
    cursor = 0.0
    for start, stop in merged:
        if start > cursor:
            out.append(_Stretch(cursor, start, False))
        out.append(_Stretch(start, stop, True))
        cursor = stop
    if cursor < end or not out:
        out.append(_Stretch(cursor, end, False))
    return out


# -- events ----------------------------------------------------------------------------------


def line_events(track: Track, border: Border, tolerance_m: float = DEFAULT_TOLERANCE_M,
                since: int = 0) -> list[Crossing]:
    """Crossings and touches of ``border`` by ``track``, in path order.

    With ``since``, only the events that the detections from index ``since`` on completed
    (their ``after`` detection is one of them): what a batch of new detections adds. Only the
    part of the path that can matter is worked on (from the last earlier detection off the line).
    """
    if not (math.isfinite(tolerance_m) and tolerance_m > 0):
        raise ValueError(f"tolerance_m must be a positive number, got {tolerance_m!r}")
    line = border_line(border)
    first = _first_needed(track.detections, since, line, tolerance_m)
    detections = track.detections[first:]
    if len(detections) < 2:
        return []
    cut = _cut([d.position for d in detections], line, tolerance_m)
    events = []
    for k in range(1, len(cut.stretches) - 1):
        stretch = cut.stretches[k]
        after = math.floor(stretch.end) + 1  # the first detection past the stretch
        if stretch.on and first + after >= since:
            event = _event(track, border, detections, line, cut, stretch)
            if event is not None:
                events.append(event)
    return events


def _first_needed(detections: Sequence[Detection], since: int, line: BorderLine,
                  tolerance_m: float) -> int:
    """Index of the last detection before ``since`` that is off the line (or 0)."""
    first = min(max(since, 1), len(detections)) - 1
    while first > 0:
        p = detections[first].position
        if line.side_of(p.lon, p.lat)[1] > tolerance_m:
            break
        first -= 1
    return max(first, 0)


def _event(track: Track, border: Border, detections: Sequence[Detection], line: BorderLine,
           cut: _Cut, stretch: _Stretch) -> Crossing | None:
    path = [d.position for d in detections]
    before = _located(path, stretch.start)
    after = _located(path, stretch.end)
    side_before = line.side_of(before[0], before[1])[0]
    side_after = line.side_of(after[0], after[1])[0]
    if side_before is None or side_after is None:
        return None  # round an end of the line
    kind = CrossingKind.CROSSING if side_before is not side_after else CrossingKind.TOUCH
    param = _where(detections, cut, stretch, last=kind is CrossingKind.CROSSING)
    lon, lat, heading = _located(path, param)
    segment = _segment_of(param, len(path))
    a, b = detections[segment], detections[segment + 1]
    when = a.time + (b.time - a.time) * (param - segment)
    return Crossing(track.id, border.id, kind, when, Position(lon, lat), side_before,
                    side_after, detections[math.ceil(stretch.start) - 1].id,
                    detections[math.floor(stretch.end) + 1].id, heading)


def _where(detections: Sequence[Detection], cut: _Cut, stretch: _Stretch, last: bool) -> float:
    """The path parameter an event is placed at: its last contact with the line (``last``) or
    its first; the middle of the stretch when the path never reached the line."""
    lo, hi = stretch.start - _SAME_PARAM, stretch.end + _SAME_PARAM
    contacts = [(a, b) for a, b in cut.touching if lo <= a and b <= hi]
    if not contacts:
        return (stretch.start + stretch.end) / 2
    start, end = contacts[-1] if last else contacts[0]
    if _metres(detections, start, end) > ALONG_M:  # ran along the line: where it left it
        return end if last else start
    exact = [c for c in cut.contacts if start - _SAME_PARAM <= c <= end + _SAME_PARAM]
    if exact:
        return exact[-1] if last else exact[0]
    return (start + end) / 2


def _metres(detections: Sequence[Detection], start: float, end: float) -> float:
    """Length of the path between two parameters (each segment at constant scale)."""
    total = 0.0
    segment = _segment_of(start, len(detections))
    while segment < len(detections) - 1 and segment < end:
        a, b = detections[segment].position, detections[segment + 1].position
        length = float(GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2])
        total += length * (min(end, segment + 1) - max(start, segment))
        segment += 1
    return total


def _segment_of(param: float, points: int) -> int:
    return min(max(math.floor(param), 0), points - 2)


def _located(path: Sequence[Position], param: float) -> tuple[float, float, float]:
    """Longitude, latitude and azimuth of travel at a path parameter."""
    segment = _segment_of(param, len(path))
    a, b = path[segment], path[segment + 1]
    az, _, length = GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    lon, lat, back = GEOD.fwd(a.lon, a.lat, az, length * (param - segment))
    heading = (float(back) + 180.0) % 360.0 if length > 0 else 0.0
    return float(lon), float(lat), heading
