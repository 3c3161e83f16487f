"""Associating detections into tracks: gating by speed and time, tie-breaking, batches.

An independent oracle (geographiclib distances, every head scanned, no index) decides the same
random workloads as the engine's grid index.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from geographiclib.geodesic import Geodesic

from deconflict.engine.tracks import (
    DEFAULT_GATE,
    Gate,
    HeadIndex,
    associate,
    gate_score,
    state_at,
)
from deconflict.model import Position
from deconflict.model.detection import Detection, Track, TrackState

T0 = datetime(2017, 9, 18, 11, 0, tzinfo=UTC)
QAIM = (40.95, 34.40)
WGS84 = Geodesic.WGS84


def moved(start: tuple[float, float], azimuth: float, metres: float) -> tuple[float, float]:
    g = WGS84.Direct(start[1], start[0], azimuth, metres)
    return (g["lon2"], g["lat2"])


def det(ident: str, at: tuple[float, float], seconds: float, uncertainty_m: float = 0.0,
        party: str = "isf") -> Detection:
    return Detection(ident, "iq-thermal", party, T0 + timedelta(seconds=seconds),
                     Position(*at), uncertainty_m)


class Namer:
    """Track ids in creation order: t1, t2, ..."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, _: Detection) -> str:
        self.n += 1
        return f"t{self.n}"


def groups(tracks: Sequence[Track]) -> dict[str, list[str]]:
    return {t.id: [d.id for d in t.detections] for t in tracks}


def test_a_reachable_detection_joins_the_track() -> None:
    a = det("a", QAIM, 0, 20)
    b = det("b", moved(QAIM, 90, 1700), 60, 20)  # 1,700 m in a minute: 1,840 m allowed
    result = associate([], [a, b], DEFAULT_GATE, Namer())
    assert groups(result.tracks) == {"t1": ["a", "b"]}
    assert result.tracks[0].state is TrackState.CONFIRMED
    assert result.assigned == (("a", "t1"), ("b", "t1"))


def test_too_fast_starts_a_new_track() -> None:
    a = det("a", QAIM, 0, 20)
    b = det("b", moved(QAIM, 90, 1900), 60, 20)  # needs 30.7 m/s after the uncertainties
    result = associate([], [a, b], DEFAULT_GATE, Namer())
    assert groups(result.tracks) == {"t1": ["a"], "t2": ["b"]}
    assert {t.state for t in result.tracks} == {TrackState.TENTATIVE}


def test_the_uncertainties_widen_the_gate() -> None:
    a = det("a", QAIM, 0, 200)
    b = det("b", moved(QAIM, 90, 2100), 60, 200)  # 2,100 - 400 m in 60 s: 28.3 m/s
    assert gate_score(a, b, DEFAULT_GATE) is not None
    assert gate_score(a, det("b", moved(QAIM, 90, 2100), 60, 100), DEFAULT_GATE) is None


def test_after_too_long_a_gap_a_new_track_starts() -> None:
    gate = Gate(max_speed_mps=30.0, max_gap_s=600.0)
    a = det("a", QAIM, 0)
    near = moved(QAIM, 0, 50)
    assert groups(associate([], [a, det("b", near, 600)], gate, Namer()).tracks) == {
        "t1": ["a", "b"]}
    result = associate([], [a, det("b", near, 601)], gate, Namer())
    assert groups(result.tracks) == {"t1": ["a"], "t2": ["b"]}
    # and the old track is closed: nothing later than b can join it either
    assert {t.id: t.state for t in result.tracks} == {"t1": TrackState.CLOSED,
                                                      "t2": TrackState.TENTATIVE}


def test_two_interleaved_targets_make_two_tracks() -> None:
    west, east = QAIM, moved(QAIM, 90, 6000)
    detections = []
    for k in range(6):  # both move north at 5 m/s; reports alternate
        detections.append(det(f"w{k}", moved(west, 0, 300 * k), 60 * k, 30))
        detections.append(det(f"e{k}", moved(east, 0, 300 * k), 60 * k + 5, 30))
    result = associate([], detections, DEFAULT_GATE, Namer())
    assert groups(result.tracks) == {"t1": [f"w{k}" for k in range(6)],
                                     "t2": [f"e{k}" for k in range(6)]}


def test_close_targets_go_to_the_nearest_track() -> None:
    # Two heads 500 m apart; the next detection could reach both: the nearer (normalised) wins.
    a = det("a", QAIM, 0, 10)
    b = det("b", moved(QAIM, 90, 500), 0, 10)
    c = det("c", moved(QAIM, 90, 400), 30, 10)
    result = associate([], [a, b, c], DEFAULT_GATE, Namer())
    assert groups(result.tracks) == {"t1": ["a"], "t2": ["b", "c"]}


def test_equal_scores_go_to_the_smaller_track_id() -> None:
    # Two tracks last seen at the same place and time: the next detection is as near to both.
    at = moved(QAIM, 270, 300)
    tracks = [Track("zz", "isf", (det("a", at, 0),)), Track("aa", "isf", (det("b", at, 0),))]
    for order in (tracks, tracks[::-1]):
        result = associate(order, [det("c", QAIM, 60)], DEFAULT_GATE, Namer())
        assert result.assigned == (("c", "aa"),)


def test_a_detection_earlier_than_the_head_never_joins_it() -> None:
    head = Track("t0", "isf", (det("a", QAIM, 120),))
    result = associate([head], [det("b", QAIM, 60)], DEFAULT_GATE, Namer())
    assert result.assigned == (("b", "t1"),)


def test_the_same_place_at_the_same_time_joins() -> None:
    a, b = det("a", QAIM, 0, 50), det("b", moved(QAIM, 45, 80), 0, 50)
    assert groups(associate([], [a, b], DEFAULT_GATE, Namer()).tracks) == {"t1": ["a", "b"]}
    far = det("c", moved(QAIM, 45, 120), 0, 50)  # 120 m apart at one instant: two objects
    assert len(associate([], [a, far], DEFAULT_GATE, Namer()).tracks) == 2


def test_parties_never_share_a_track() -> None:
    a = det("a", QAIM, 0)
    b = det("b", QAIM, 10, party="syria")
    result = associate([], [a, b], DEFAULT_GATE, Namer())
    assert {t.party: [d.id for d in t.detections] for t in result.tracks} == {
        "isf": ["a"], "syria": ["b"]}


def test_detections_are_taken_in_time_order_whatever_the_batch_order() -> None:
    path = [det(f"d{k}", moved(QAIM, 30, 200 * k), 30 * k) for k in range(5)]
    shuffled = [path[3], path[0], path[4], path[1], path[2]]
    result = associate([], shuffled, DEFAULT_GATE, Namer())
    assert groups(result.tracks) == {"t1": [d.id for d in path]}
    assert [d for d, _ in result.assigned] == [d.id for d in path]


def random_workload(seed: int, n: int) -> list[Detection]:
    """Targets walking at up to 25 m/s over 40 km, reported every minute or so, with clutter."""
    rng = random.Random(seed)
    out = []
    for target in range(n // 10):
        at = (40.5 + rng.random() * 0.5, 34.2 + rng.random() * 0.4)
        heading, speed = rng.uniform(0, 360), rng.uniform(0, 25)
        seconds = rng.uniform(0, 300)
        for k in range(10):
            out.append(det(f"x{target}-{k}", at, seconds, rng.choice([0.0, 20.0, 150.0])))
            step = rng.uniform(30, 200)
            at = moved(at, heading + rng.gauss(0, 20), speed * step)
            seconds += step
    rng.shuffle(out)
    return out


def oracle(tracks: Sequence[Track], detections: Sequence[Detection], gate: Gate
           ) -> list[tuple[str, str]]:
    """Every open head scanned for every detection; geographiclib distances; the module's rule
    restated from its documentation."""
    heads = {t.id: t.head for t in tracks if t.state is not TrackState.CLOSED}
    namer = Namer()
    out = []
    for detection in sorted(detections, key=lambda d: (d.time, detections.index(d))):
        best: tuple[float, str] | None = None
        for track_id, head in heads.items():
            dt = (detection.time - head.time).total_seconds()
            if head.party != detection.party or not 0 <= dt <= gate.max_gap_s:
                continue
            d = WGS84.Inverse(head.position.lat, head.position.lon, detection.position.lat,
                              detection.position.lon)["s12"]
            allowed = gate.max_speed_mps * dt + head.uncertainty_m + detection.uncertainty_m
            if d <= allowed:
                score = d / allowed if allowed else 0.0
                best = min(best or (score, track_id), (score, track_id))
        track_id = best[1] if best else namer(detection)
        heads[track_id] = detection
        out.append((detection.id, track_id))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_the_grid_index_decides_like_a_scan_of_every_head(seed: int) -> None:
    detections = random_workload(seed, 400)
    gate = Gate(max_speed_mps=30.0, max_gap_s=300.0)
    got = associate([], detections, gate, Namer())
    assert list(got.assigned) == oracle([], detections, gate)
    assert len(got.tracks) < len(detections) / 3  # the workload does make tracks


@pytest.mark.parametrize("cut", [1, 57, 200, 399])
def test_batches_give_the_tracks_one_batch_gives(cut: int) -> None:
    detections = sorted(random_workload(7, 400), key=lambda d: d.time)
    whole = associate([], detections, DEFAULT_GATE, Namer())
    namer = Namer()
    first = associate([], detections[:cut], DEFAULT_GATE, namer)
    # The store hands back only the open tracks' heads: that is all association reads.
    heads = [Track(t.id, t.party, (t.head,), t.state) for t in first.tracks
             if t.state is not TrackState.CLOSED]
    second = associate(heads, detections[cut:], DEFAULT_GATE, namer)
    assert dict(whole.assigned) == dict(first.assigned) | dict(second.assigned)


def test_a_track_closes_once_the_gap_has_passed() -> None:
    track = Track("t0", "isf", (det("a", QAIM, 0), det("b", QAIM, 30)), TrackState.CONFIRMED)
    assert state_at(track, T0 + timedelta(seconds=930), DEFAULT_GATE) is TrackState.CONFIRMED
    assert state_at(track, T0 + timedelta(seconds=931), DEFAULT_GATE) is TrackState.CLOSED
    result = associate([track], [det("far", moved(QAIM, 0, 90_000), 2000)], DEFAULT_GATE,
                       Namer())
    assert {t.id: t.state for t in result.tracks} == {"t0": TrackState.CLOSED,
                                                      "t1": TrackState.TENTATIVE}
    # A closed track takes nothing, even a detection its gate would pass.
    closed = result.tracks[0]
    again = associate([closed], [det("c", QAIM, 40)], DEFAULT_GATE, Namer())
    assert again.assigned == (("c", "t1"),)


def test_the_index_query_never_misses_a_head_within_reach() -> None:
    index = HeadIndex(DEFAULT_GATE)
    rng = random.Random(3)
    heads = []
    for k in range(600):
        at = moved(QAIM, rng.uniform(0, 360), rng.uniform(0, 40_000))
        seen = rng.uniform(780, 950) if k % 5 else rng.uniform(-100, 950)  # mostly fresh
        heads.append(det(f"h{k}", at, seen, rng.choice([0.0, 500.0])))
        index.add(Track(f"h{k}", "isf", (heads[-1],)))
    probe = det("p", QAIM, 900, 100)
    within = set()
    for h in heads:
        age = (probe.time - h.time).total_seconds()
        d = WGS84.Inverse(h.position.lat, h.position.lon, QAIM[1], QAIM[0])["s12"]
        if 0 <= age <= DEFAULT_GATE.max_gap_s and d <= 30.0 * age + h.uncertainty_m + 100:
            within.add(h.id)
    found = set(index.candidates(probe))
    assert within and within <= found
    assert len(found) < len(heads) / 2  # and it does prune


def test_the_gate_refuses_nonsense() -> None:
    for bad in ({"max_speed_mps": 0.0}, {"max_gap_s": -1.0}, {"max_speed_mps": float("nan")}):
        with pytest.raises(ValueError, match="positive"):
            Gate(**bad)


def test_model_refuses_bad_detections_and_tracks() -> None:
    with pytest.raises(ValueError, match="uncertainty_m"):
        det("a", QAIM, 0, -1.0)
    with pytest.raises(ValueError, match="heading_deg"):
        Detection("a", "s", "isf", T0, Position(*QAIM), 0.0, heading_deg=360.0)
    with pytest.raises(ValueError, match="time order"):
        Track("t", "isf", (det("a", QAIM, 10), det("b", QAIM, 0)))
    with pytest.raises(ValueError, match="own party"):
        Track("t", "isf", (det("a", QAIM, 0), det("b", QAIM, 5, party="syria")))
