"""Detections, tracks and crossings in a real SQLite file: round trip, reads, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deconflict.errors import ConflictingStateError, ValidationError
from deconflict.model import Position, Side
from deconflict.model.detection import Crossing, CrossingKind, Detection, Track, TrackState
from deconflict.storage import Store, open_store

T0 = datetime(2017, 9, 18, 10, 40, tzinfo=UTC)


def det(ident: str, minutes: float, party: str = "isf", **extra: object) -> Detection:
    return Detection(ident, "iq-thermal", party, T0 + timedelta(minutes=minutes),
                     Position(40.96 + minutes / 1000, 34.41, None), 40.0, **extra)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "hub.db")
    yield s
    s.close()


def test_a_round_trip_reads_back_equal(store: Store) -> None:
    a = det("isf-det-1", 0, classification="people", heading_deg=148.0, speed_mps=4.5)
    b = det("isf-det-2", 5)
    c = det("syria-det-1", 1, party="syria")
    tracks = [Track("isf-trk-1", "isf", (a, b), TrackState.CONFIRMED),
              Track("syria-trk-1", "syria", (c,))]
    crossing = Crossing("isf-trk-1", "iq-sy", CrossingKind.CROSSING, T0 + timedelta(minutes=3),
                        Position(40.962, 34.41), Side.LEFT, Side.RIGHT, a.id, b.id, 148.2)
    store.add_detections([a, b, c], tracks, [crossing])
    assert store.detections() == [a, c, b]  # by time
    assert store.detections(["isf"]) == [a, b]
    assert store.detections(since=T0 + timedelta(minutes=1)) == [c, b]
    assert store.tracks() == tracks
    assert store.tracks(["syria"]) == tracks[1:]
    assert store.tracks(ids=["isf-trk-1"], heads_only=True) == [
        Track("isf-trk-1", "isf", (b,), TrackState.CONFIRMED)]
    assert store.tracks(since=T0 + timedelta(minutes=2)) == tracks[:1]
    assert store.crossings() == [crossing]
    assert store.crossings(["syria-trk-1"]) == []
    assert store.detection_counts("isf") == (2, 1)
    assert store.detections([]) == [] and store.tracks([]) == []


def test_a_track_grows_and_closes(store: Store) -> None:
    a, b = det("isf-det-1", 0), det("isf-det-2", 5)
    store.add_detections([a], [Track("isf-trk-1", "isf", (a,))])
    store.add_detections([b], [Track("isf-trk-1", "isf", (a, b), TrackState.CONFIRMED)])
    assert store.tracks(open_only=True, heads_only=True) == [
        Track("isf-trk-1", "isf", (b,), TrackState.CONFIRMED)]
    store.add_detections([], [Track("isf-trk-1", "isf", (b,), TrackState.CLOSED)])
    assert store.tracks(open_only=True) == []
    assert store.tracks() == [Track("isf-trk-1", "isf", (a, b), TrackState.CLOSED)]


def test_a_batch_is_all_or_nothing(store: Store) -> None:
    a = det("isf-det-1", 0)
    store.add_detections([a], [Track("isf-trk-1", "isf", (a,))])
    again, fresh = det("isf-det-1", 1), det("isf-det-2", 2)
    with pytest.raises(ConflictingStateError):
        store.add_detections([fresh, again], [Track("isf-trk-2", "isf", (again, fresh))])
    assert store.detections() == [a]
    assert [t.id for t in store.tracks()] == ["isf-trk-1"]


def test_every_new_detection_needs_exactly_one_track(store: Store) -> None:
    a = det("isf-det-1", 0)
    with pytest.raises(ValidationError) as caught:
        store.add_detections([a], [])
    assert caught.value.field == "detections[0]"
    with pytest.raises(ValidationError):
        store.add_detections([a], [Track("t1", "isf", (a,)), Track("t2", "isf", (a,))])
    assert store.detections() == []
