"""Associating detections into tracks by gating on speed and time.

A detection ``d`` may join a track whose latest detection ``h`` (its head) belongs to the same
party when

* ``0 ≤ t_d − t_h ≤ max_gap_s`` (never before the head, never after too long a silence), and
* ``dist(h, d) − u_h − u_d ≤ max_speed_mps · (t_d − t_h)``: the object could have gone from
  anywhere within ``h``'s uncertainty to anywhere within ``d``'s in the time between them
  (``dist`` geodesic on WGS84, ``u`` the uncertainties).

Among the tracks that pass, the one with the smallest *normalised distance*
``dist / (max_speed_mps · Δt + u_h + u_d)`` (0 when the denominator is 0: the same place at the
same time) wins; equal scores go to the smaller track id. A detection no track can take starts
a new one. Detections are taken in time order (ties in the order given), so the result does not
depend on how a party's reports are split into batches as long as each batch is no older than
the tracks it meets. A detection older than a track's head cannot join that track: late reports
start tracks of their own.

A track closes once its party reports a detection more than ``max_gap_s`` after the track's
head: nothing it reports later can join that track, and a closed track is never reopened.

Candidates come from a grid over the heads, per party and per minute the head was seen in
(:class:`HeadIndex`): a detection looks only at the cells a head of each minute could reach it
from, boxes grown conservatively (:func:`deconflict.engine.index.search_box`) so that no track
that passes the gate is ever missed; the exact geodesic test then decides.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from deconflict.engine.geodesy import GEOD
from deconflict.engine.index import search_box
from deconflict.model.detection import Detection, Track, TrackState
from deconflict.model.measure import Position

__all__ = [
    "DEFAULT_GATE",
    "Association",
    "Gate",
    "HeadIndex",
    "associate",
    "gate_score",
    "state_at",
]

#: Grid cell size in degrees (5.5 km of latitude): a head seen a minute ago is looked for in a
#: few cells, one a quarter of an hour old in a few dozen.
CELL_DEG = 0.05
#: Heads are grouped by the minute they were seen in; each group is searched as far as its
#: oldest head could have gone.
AGE_BUCKET_S = 60.0


@dataclass(frozen=True, slots=True)
class Gate:
    """How fast a tracked object may move and how long a track waits for its next detection.

    The default suits people and vehicles on the ground: 30 m/s (108 km/h), 15 minutes.
    """

    max_speed_mps: float = 30.0
    max_gap_s: float = 900.0

    def __post_init__(self) -> None:
        for name in ("max_speed_mps", "max_gap_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")

    @property
    def reach_m(self) -> float:
        """The farthest an object can go between two detections of one track."""
        return self.max_speed_mps * self.max_gap_s


DEFAULT_GATE = Gate()


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def gate_score(head: Detection, detection: Detection, gate: Gate,
               distance_m: float | None = None) -> float | None:
    """The normalised distance from ``head`` to ``detection``, or ``None`` when the gate
    refuses the pair (another party, too old, too fast, earlier than the head).

    >>> from datetime import UTC, timedelta
    >>> from deconflict.model import Position
    >>> t = datetime(2017, 9, 18, 11, tzinfo=UTC)
    >>> a = Detection("a", "s", "isf", t, Position(41.0, 34.4), 50.0)
    >>> b = Detection("b", "s", "isf", t + timedelta(minutes=1), Position(41.01, 34.4), 50.0)
    >>> round(gate_score(a, b, Gate()), 2)  # 920 m in a minute; 1,800 + 100 m allowed
    0.48
    >>> gate_score(a, b, Gate(max_speed_mps=10.0)) is None  # 920 m > 600 m + 100 m
    True
    """
    if head.party != detection.party:
        return None
    dt = detection.time.timestamp() - head.time.timestamp()
    if dt < 0 or dt > gate.max_gap_s:
        return None
    if distance_m is None:
        distance_m = float(GEOD.inv(head.position.lon, head.position.lat,
                                    detection.position.lon, detection.position.lat)[2])
    allowed = gate.max_speed_mps * dt + head.uncertainty_m + detection.uncertainty_m
    if distance_m > allowed:
        return None
    return distance_m / allowed if allowed > 0 else 0.0


def state_at(track: Track, moment: datetime, gate: Gate) -> TrackState:
    """The track's state as seen at ``moment``: closed once its head is older than the gap."""
    if track.state is TrackState.CLOSED or _seconds(moment, track.head.time) > gate.max_gap_s:
        return TrackState.CLOSED
    return track.state


@dataclass
class _Open:
    """A track being extended: its detections so far (a tail is enough) and whether it grew."""

    id: str
    party: str
    detections: list[Detection]
    state: TrackState
    changed: bool = False
    stamp: float = 0.0  # the head's time in seconds since 1970, kept by HeadIndex.put

    @property
    def head(self) -> Detection:
        return self.detections[-1]

    def track(self) -> Track:
        return Track(self.id, self.party, tuple(self.detections), self.state)


Cell = tuple[int, int]


def _cell(lon: float, lat: float) -> Cell:
    return (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG))


def _bucket(moment: datetime) -> int:
    return math.floor(moment.timestamp() / AGE_BUCKET_S)


@dataclass
class _Bucket:
    """Heads seen within one age bucket, by cell."""

    cells: defaultdict[Cell, set[str]] = field(default_factory=lambda: defaultdict(set))
    members: set[str] = field(default_factory=set)


@dataclass
class _PartyGrid:
    buckets: dict[int, _Bucket] = field(default_factory=dict)
    where: dict[str, tuple[int, Cell]] = field(default_factory=dict)
    max_uncertainty_m: float = 0.0  # only grows: the query box stays conservative
    #: Heads by time, oldest first: ``(time, version, track id)``; stale versions are skipped.
    ages: list[tuple[datetime, int, str]] = field(default_factory=list)

    def place(self, track_id: str, spot: tuple[int, Cell]) -> None:
        old = self.where.get(track_id)
        if old == spot:
            return
        if old is not None:
            self.unplace(track_id)
        bucket = self.buckets.setdefault(spot[0], _Bucket())
        bucket.cells[spot[1]].add(track_id)
        bucket.members.add(track_id)
        self.where[track_id] = spot

    def unplace(self, track_id: str) -> None:
        key, cell = self.where.pop(track_id)
        bucket = self.buckets[key]
        bucket.cells[cell].discard(track_id)
        bucket.members.discard(track_id)
        if not bucket.members:
            del self.buckets[key]


class HeadIndex:
    """Open tracks by the age bucket and the cell of their head, per party.

    A query is bounded in space and time at once: heads last seen in the minute starting at
    ``T`` are looked for within ``max_speed_mps x (t - T)`` (plus the uncertainties) of a
    detection at ``t``, so the fresh heads a busy border is full of are searched in a few
    cells and only the few old ones in a wide box. Heads too old for the query's detection are
    closed as the query meets them: detections come in time order, so nothing later can join
    them either.
    """

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.closed: list[_Open] = []
        self._tracks: dict[str, _Open] = {}
        self._versions: dict[str, int] = {}
        self._grids: defaultdict[str, _PartyGrid] = defaultdict(_PartyGrid)

    def __len__(self) -> int:
        return len(self._tracks)

    def add(self, track: Track) -> None:
        """Index an open track by its head (only the head is kept)."""
        self.put(_Open(track.id, track.party, [track.head], track.state))

    def put(self, track: _Open) -> None:
        """Add a track, or move it to the bucket and cell of its new head."""
        grid = self._grids[track.party]
        head = track.head
        grid.place(track.id, (_bucket(head.time), _cell(head.position.lon, head.position.lat)))
        grid.max_uncertainty_m = max(grid.max_uncertainty_m, head.uncertainty_m)
        version = self._versions.get(track.id, 0) + 1
        self._versions[track.id] = version
        heapq.heappush(grid.ages, (head.time, version, track.id))
        track.stamp = head.time.timestamp()
        self._tracks[track.id] = track

    def close(self, track_id: str) -> None:
        """Close a track and drop it from the index."""
        track = self._tracks.pop(track_id)
        self._grids[track.party].unplace(track_id)
        self._versions.pop(track_id)
        track.state, track.changed = TrackState.CLOSED, True
        self.closed.append(track)

    def get(self, track_id: str) -> _Open:
        return self._tracks[track_id]

    def tracks(self) -> list[_Open]:
        return list(self._tracks.values())

    def _expire(self, grid: _PartyGrid, moment: datetime) -> None:
        """Close the party's heads too old for a detection at ``moment``."""
        while grid.ages:
            when, version, track_id = grid.ages[0]
            if self._versions.get(track_id) != version:
                heapq.heappop(grid.ages)  # that track has moved on (or closed)
            elif _seconds(moment, when) > self.gate.max_gap_s:
                heapq.heappop(grid.ages)
                self.close(track_id)
            else:
                return

    def candidates(self, detection: Detection) -> list[str]:
        """Ids of the party's tracks whose head may pass the gate (a superset)."""
        grid = self._grids.get(detection.party)
        if grid is None:
            return []
        self._expire(grid, detection.time)
        now = detection.time.timestamp()
        found: list[str] = []
        for key, bucket in grid.buckets.items():
            age = now - key * AGE_BUCKET_S  # the oldest a head in this bucket can be
            if age >= 0:
                reach = (self.gate.max_speed_mps * min(age, self.gate.max_gap_s)
                         + detection.uncertainty_m + grid.max_uncertainty_m)
                found += _within_reach(bucket, detection.position, reach)
        return sorted(found)

    def best(self, detection: Detection) -> str | None:
        """The track ``detection`` joins, or ``None``: smallest normalised distance, then id."""
        ids = self.candidates(detection)
        if not ids:
            return None
        # gate_score over arrays: the same arithmetic, in the same order, for every candidate.
        heads = [self._tracks[i].head for i in ids]
        p, n = detection.position, len(heads)
        dist = GEOD.inv(np.full(n, p.lon), np.full(n, p.lat),
                        np.array([h.position.lon for h in heads]),
                        np.array([h.position.lat for h in heads]))[2]
        dt = detection.time.timestamp() - np.array([self._tracks[i].stamp for i in ids])
        allowed = (self.gate.max_speed_mps * dt + np.array([h.uncertainty_m for h in heads])
                   + detection.uncertainty_m)
        passed = np.flatnonzero((dt >= 0) & (dt <= self.gate.max_gap_s) & (dist <= allowed))
        if not len(passed):
            return None
        score = {int(i): float(dist[i] / allowed[i]) if allowed[i] > 0 else 0.0 for i in passed}
        return ids[min(passed, key=lambda i: (score[int(i)], ids[i]))]


def _within_reach(bucket: _Bucket, p: Position, reach_m: float) -> list[str]:
    """Heads of the bucket in the cells of the box around ``p`` (every head when the box
    covers more cells than the bucket has heads)."""
    west, south, east, north = search_box((p.lon, p.lat, p.lon, p.lat), reach_m).bounds
    (r0, c0), (r1, c1) = _cell(west, south), _cell(east, north)
    if (r1 - r0 + 1) * (c1 - c0 + 1) > len(bucket.members):
        return list(bucket.members)
    found: list[str] = []
    for row in range(r0, r1 + 1):
        for col in range(c0, c1 + 1):
            found.extend(bucket.cells.get((row, col), ()))
    return found


@dataclass(frozen=True, slots=True)
class Association:
    """What one call of :func:`associate` decided.

    ``tracks``: every track created, extended or closed, ordered by id, each holding the
    detections it was given (its tail) and the new ones. ``assigned``: ``(detection id, track
    id)`` in the order the detections were taken (time order).
    """

    tracks: tuple[Track, ...]
    assigned: tuple[tuple[str, str], ...]

    def track_of(self, detection_id: str) -> str:
        return next(t for d, t in self.assigned if d == detection_id)


def associate(tracks: Iterable[Track], detections: Sequence[Detection], gate: Gate,
              new_track_id: Callable[[Detection], str]) -> Association:
    """Associate ``detections`` into the open ``tracks`` (each may be given as a tail: only its
    head is read), starting new tracks named by ``new_track_id(first detection)``."""
    index = HeadIndex(gate)
    for track in tracks:
        if track.state is not TrackState.CLOSED:
            index.put(_Open(track.id, track.party, list(track.detections), track.state))
    assigned: list[tuple[str, str]] = []
    newest: dict[str, datetime] = {}
    for i in sorted(range(len(detections)), key=lambda k: (detections[k].time, k)):
        detection = detections[i]
        assigned.append((detection.id, _take(index, detection, new_track_id).id))
        newest[detection.party] = detection.time
    _close_stale(index, newest, gate)
    changed = [t for t in index.tracks() if t.changed] + index.closed
    return Association(tuple(sorted((t.track() for t in changed), key=lambda t: t.id)),
                       tuple(assigned))


def _take(index: HeadIndex, detection: Detection, new_track_id: Callable[[Detection], str]
          ) -> _Open:
    chosen = index.best(detection)
    if chosen is None:
        track = _Open(new_track_id(detection), detection.party, [detection],
                      TrackState.TENTATIVE, changed=True)
    else:
        track = index.get(chosen)
        track.detections.append(detection)
        track.state, track.changed = TrackState.CONFIRMED, True
    index.put(track)
    return track


def _close_stale(index: HeadIndex, newest: dict[str, datetime], gate: Gate) -> None:
    """Close the tracks no later detection of their party can join."""
    for track in index.tracks():
        latest = newest.get(track.party)
        if latest is not None and _seconds(latest, track.head.time) > gate.max_gap_s:
            index.close(track.id)
