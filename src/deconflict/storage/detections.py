"""Detections, the tracks that hold them and their crossings of border lines (migration 0004).

:class:`DetectionState` is mixed into :class:`~deconflict.storage.sql.SqlStore` and uses only its
statement and transaction helpers, so every backend gets these nouns without overriding anything.
Rows are built (and times checked) before the write lock is taken.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from deconflict.errors import ValidationError
from deconflict.model import Position, Side
from deconflict.model.detection import Crossing, CrossingKind, Detection, Track, TrackState
from deconflict.storage import rows as r
from deconflict.storage.hub import marks
from deconflict.storage.mixin import StorePart

__all__ = ["DetectionState"]

_DETECTION_COLUMNS = ("id", "sensor_id", "party", "observed", "lon", "lat", "alt_m",
                      "uncertainty_m", "classification", "heading_deg", "speed_mps")
_CROSSING_COLUMNS = ("track_id", "seq", "border_id", "kind", "crossed", "lon", "lat",
                     "from_side", "to_side", "before_id", "after_id", "heading_deg")
_COLUMNS = ", ".join(f"d.{c}" for c in _DETECTION_COLUMNS)
_SELECT_DETECTIONS = f"SELECT {_COLUMNS} FROM detections AS d"
#: The same with the holding track's id last.
_SELECT_MEMBERS = f"SELECT {_COLUMNS}, d.track_id FROM detections AS d"
_UPSERT_TRACK = ("INSERT INTO tracks (id, seq, party, state, head) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET state = excluded.state, head = excluded.head")
#: Ids per statement when a read names tracks (well under every driver's limit).
_CHUNK = 500


def _detection_row(d: Detection) -> tuple[Any, ...]:
    p = d.position
    return (d.id, d.sensor, d.party, r.time_text(d.time), p.lon, p.lat, p.alt_m,
            d.uncertainty_m, d.classification, d.heading_deg, d.speed_mps)


def _detection_of(row: Sequence[Any]) -> Detection:
    return Detection(row[0], row[1], row[2], r.text_time(row[3]),
                     Position(row[4], row[5], row[6]), row[7], row[8], row[9], row[10])


def _crossing_row(c: Crossing, seq: int) -> tuple[Any, ...]:
    return (c.track, seq, c.border, c.kind.value, r.time_text(c.time), c.position.lon,
            c.position.lat, c.from_side.value, c.to_side.value, c.before, c.after, c.heading_deg)


def _crossing_of(row: Sequence[Any]) -> Crossing:
    return Crossing(row[0], row[2], CrossingKind(row[3]), r.text_time(row[4]),
                    Position(row[5], row[6]), Side(row[7]), Side(row[8]), row[9], row[10],
                    row[11])


def _holders(detections: Sequence[Detection], tracks: Sequence[Track]) -> list[str]:
    """The track holding each new detection; each must be in exactly one of ``tracks``."""
    holder: dict[str, list[str]] = defaultdict(list)
    for track in tracks:
        for d in track.detections:
            holder[d.id].append(track.id)
    out = []
    for i, d in enumerate(detections):
        if len(holder.get(d.id, ())) != 1:
            raise ValidationError(f"detection {d.id!r} must be in exactly one of the tracks",
                                  field=f"detections[{i}]")
        out.append(holder[d.id][0])
    return out


class DetectionState(StorePart):
    """Store methods for detections, tracks and crossings (mixed into the generic SQL store)."""

    # -- writing --------------------------------------------------------------------------------

    def add_detections(self, detections: Sequence[Detection], tracks: Sequence[Track],
                       crossings: Sequence[Crossing] = ()) -> None:
        holders = _holders(detections, tracks)
        rows = [(*_detection_row(d), holder) for d, holder in zip(detections, holders,
                                                                   strict=True)]
        heads = [(t.id, t.party, t.state.value, t.head.id) for t in tracks]
        with self._write():
            self._put_tracks(heads)
            first = self._next("detections", "seq", 1)
            self._many(f"INSERT INTO detections ({', '.join(_DETECTION_COLUMNS)}, track_id, seq) "
                       f"VALUES ({marks(len(_DETECTION_COLUMNS) + 2)})",
                       [(*row, first + n) for n, row in enumerate(rows)])
            self._add_crossings(crossings)

    def _put_tracks(self, heads: Sequence[tuple[str, str, str, str]]) -> None:
        seq = self._next("tracks", "seq", 1)
        known = self._known_tracks([h[0] for h in heads])
        fresh = [h for h in heads if h[0] not in known]
        self._many(_UPSERT_TRACK, [(i, seq + n, party, state, head)
                                   for n, (i, party, state, head) in enumerate(fresh)])
        self._many("UPDATE tracks SET state = ?, head = ? WHERE id = ? AND party = ?",
                   [(state, head, i, party) for i, party, state, head in heads if i in known])

    def _known_tracks(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            found.update(row[0] for row in self._rows(
                f"SELECT id FROM tracks WHERE id IN ({marks(len(chunk))})", chunk))
        return found

    def _add_crossings(self, crossings: Sequence[Crossing]) -> None:
        counts: dict[str, int] = {}
        rows = []
        for c in crossings:
            if c.track not in counts:
                counts[c.track] = self._next_crossing(c.track)
            rows.append(_crossing_row(c, counts[c.track]))
            counts[c.track] += 1
        self._many(f"INSERT INTO crossings ({', '.join(_CROSSING_COLUMNS)}) "
                   f"VALUES ({marks(len(_CROSSING_COLUMNS))})", rows)

    def _next_crossing(self, track_id: str) -> int:
        found = self._one("SELECT COALESCE(MAX(seq) + 1, 0) FROM crossings WHERE track_id = ?",
                          (track_id,))
        return int(found[0])

    # -- reading --------------------------------------------------------------------------------

    def detections(self, parties: Collection[str] | None = None,
                   since: datetime | None = None) -> list[Detection]:
        where, params = _party_filter("d.party", parties)
        if since is not None:
            where.append("d.observed >= ?")
            params.append(r.time_text(since))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._read():
            found = self._rows(f"{_SELECT_DETECTIONS}{clause} ORDER BY d.observed, d.seq", params)
        return [_detection_of(row) for row in found]

    def tracks(self, parties: Collection[str] | None = None, *,
               ids: Collection[str] | None = None, open_only: bool = False,
               heads_only: bool = False, since: datetime | None = None) -> list[Track]:
        where, params = _party_filter("t.party", parties)
        if open_only:
            where.append("t.state <> 'closed'")
        if since is not None:
            where.append("h.observed >= ?")
            params.append(r.time_text(since))
        with self._read():
            heads = self._track_heads(where, params, ids)
            members = (self._heads_of(heads) if heads_only
                       else self._members([h[0] for h in heads]))
        return [Track(i, party, tuple(members[i]), TrackState(state))
                for i, party, state, _ in heads]

    def _track_heads(self, where: list[str], params: list[Any],
                     ids: Collection[str] | None) -> list[tuple[str, str, str, str]]:
        """``(id, party, state, head id)`` of the tracks wanted, in the order they were made."""
        sql = ("SELECT t.id, t.party, t.state, t.head, t.seq FROM tracks AS t "
               "JOIN detections AS h ON h.id = t.head")
        if ids is None:
            clause = f" WHERE {' AND '.join(where)}" if where else ""
            found = self._rows(f"{sql}{clause}", params)
        else:
            wanted = sorted(set(ids))
            found = []
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                conditions = [*where, f"t.id IN ({marks(len(chunk))})"]
                found += self._rows(f"{sql} WHERE {' AND '.join(conditions)}", [*params, *chunk])
        return [(i, party, state, head) for i, party, state, head, _ in
                sorted(found, key=lambda row: row[4])]

    def _heads_of(self, heads: Sequence[tuple[str, str, str, str]]) -> dict[str, list[Detection]]:
        out: dict[str, list[Detection]] = {}
        ids = [h[3] for h in heads]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            for row in self._rows(f"{_SELECT_MEMBERS} WHERE d.id IN ({marks(len(chunk))})",
                                  chunk):
                out[row[-1]] = [_detection_of(row)]
        return out

    def _members(self, track_ids: Sequence[str]) -> dict[str, list[Detection]]:
        out: dict[str, list[Detection]] = defaultdict(list)
        for start in range(0, len(track_ids), _CHUNK):
            chunk = list(track_ids[start:start + _CHUNK])
            for row in self._rows(f"{_SELECT_MEMBERS} WHERE d.track_id IN ({marks(len(chunk))}) "
                                  "ORDER BY d.track_id, d.observed, d.seq", chunk):
                out[row[-1]].append(_detection_of(row))
        return out

    def crossings(self, track_ids: Collection[str] | None = None) -> list[Crossing]:
        base = f"SELECT {', '.join(_CROSSING_COLUMNS)} FROM crossings"
        with self._read():
            if track_ids is None:
                found = self._rows(f"{base} ORDER BY crossed, track_id, seq")
            else:
                wanted = sorted(set(track_ids))
                found = []
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start:start + _CHUNK]
                    found += self._rows(f"{base} WHERE track_id IN ({marks(len(chunk))})", chunk)
                found.sort(key=lambda row: (row[4], row[0], row[1]))
        return [_crossing_of(row) for row in found]

    def detection_counts(self, party: str) -> tuple[int, int]:
        with self._read():
            detections = self._one("SELECT COUNT(*) FROM detections WHERE party = ?", (party,))
            tracks = self._one("SELECT COUNT(*) FROM tracks WHERE party = ?", (party,))
        return int(detections[0]), int(tracks[0])


def _party_filter(column: str, parties: Collection[str] | None) -> tuple[list[str], list[Any]]:
    if parties is None:
        return [], []
    wanted = sorted(set(parties))
    if not wanted:
        return ["0 = 1"], []
    return [f"{column} IN ({marks(len(wanted))})"], list(wanted)
