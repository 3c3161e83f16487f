"""Benchmark ``detections``: associating sensor detections into tracks, batch after batch.

Workload (fixed seed): targets walking or driving (1-12 m/s, wandering headings) either side of
the Iraq-Syria border south-west of al-Qaim, each seen about once a minute with 20-150 m of
uncertainty; the detections, in time order, arrive in batches of 1,000. Three ways through it:

* **engine**: :func:`deconflict.engine.tracks.associate`, incremental: each batch meets only the
  open tracks' heads, found through a grid over the heads bounded by the oldest head's age;
* **baseline**: the same rule by brute force, every open head scanned for every detection
  (``pyproj.Geod`` over all heads at once, numpy): what association costs without an index;
* **engine via service**: :func:`deconflict.service.detections.ingest_detections` on a real SQLite
  hub (open heads read from the store, association, border crossings, alerts, ledger entry,
  one durable transaction per batch).

Engine and baseline apply one rule with one geodesic, so they must put every detection on the
same track; any difference is unexplained (a bug). The service must agree with the engine too.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import LineString

from bench.harness import Row, Scale, Section, Target, Timing, time_each
from deconflict.engine.geodesy import GEOD
from deconflict.engine.tracks import DEFAULT_GATE, Gate, associate
from deconflict.model import (
    Border,
    Credential,
    Party,
    PartyKind,
    Position,
    Role,
    Scenario,
    Sensor,
    SensorKind,
    Shape,
)
from deconflict.model.detection import Detection, Track, TrackState
from deconflict.service.clock import FixedClock
from deconflict.service.detections import DetectionReport, ingest_detections
from deconflict.service.hub import Hub, Limits
from deconflict.storage import open_store

__all__ = ["SIZES", "TARGET", "DetectionSizes", "brute_force", "run", "workload"]

#: A batch of 1,000 detections through the whole service, durable: well under a second.
TARGET = Target(0.5)
PARTY = "isf"
SENSOR = "iq-radar"
START = datetime(2017, 9, 18, 10, 0, tzinfo=UTC)
BORDER = ((40.0, 33.97), (41.00812, 34.42861))  # part of the demo's straight border


@dataclass(frozen=True, slots=True)
class DetectionSizes:
    targets: int
    batch: int
    batches: int


SIZES = {
    Scale.FULL: DetectionSizes(5_000, 1_000, 20),
    Scale.QUICK: DetectionSizes(2_000, 1_000, 8),
    Scale.TINY: DetectionSizes(300, 300, 3),
}


def workload(size: DetectionSizes, seed: int = 61) -> list[Detection]:
    """``size.batch * size.batches`` detections of ``size.targets`` targets, in time order."""
    rng = np.random.default_rng(seed)
    n = size.targets
    lons, lats = rng.uniform(40.0, 41.0, n), rng.uniform(33.85, 34.5, n)
    heading, speed = rng.uniform(0, 360, n), rng.uniform(1, 12, n)
    clock = rng.uniform(0, 60, n)
    out: list[Detection] = []
    while len(out) < size.batch * size.batches:
        step = rng.uniform(50, 70, n)
        heading += rng.normal(0, 15, n)
        lons, lats, _ = GEOD.fwd(lons, lats, heading, speed * step)
        clock += step
        noise = rng.choice([20.0, 50.0, 150.0], n)
        out += [Detection("", SENSOR, PARTY, START + timedelta(seconds=float(t)),
                          Position(float(x), float(y)), float(u))
                for x, y, t, u in zip(lons, lats, clock, noise, strict=True)]
    out.sort(key=lambda d: d.time)
    out = out[:size.batch * size.batches]
    return [Detection(f"{PARTY}-det-{i + 1}", d.sensor, d.party, d.time, d.position,
                      d.uncertainty_m) for i, d in enumerate(out)]


def _batches(detections: list[Detection], size: DetectionSizes) -> list[list[Detection]]:
    return [detections[i:i + size.batch] for i in range(0, len(detections), size.batch)]


class _Namer:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, _: Detection) -> str:
        self.n += 1
        return f"{PARTY}-trk-{self.n}"


def run_engine(batches: list[list[Detection]], gate: Gate = DEFAULT_GATE
               ) -> tuple[Timing, dict[str, str]]:
    """Associate batch after batch, keeping only the open tracks' heads between batches."""
    namer, heads, assigned = _Namer(), list[Track](), dict[str, str]()

    def one(batch: list[Detection]) -> None:
        nonlocal heads
        result = associate(heads, batch, gate, namer)
        assigned.update(result.assigned)
        moved = {t.id: Track(t.id, t.party, (t.head,), t.state) for t in result.tracks}
        kept = {t.id: t for t in heads if t.id not in moved}
        heads = [t for t in (*kept.values(), *moved.values()) if t.state is not TrackState.CLOSED]

    timing, _ = time_each(one, batches)
    return timing, assigned


def brute_force(batches: list[list[Detection]], gate: Gate = DEFAULT_GATE
                ) -> tuple[Timing, dict[str, str]]:
    """The same rule with no index: every open head is scanned for every detection."""
    heads = _Heads()
    assigned: dict[str, str] = {}

    def one(batch: list[Detection]) -> None:
        for detection in sorted(batch, key=lambda d: d.time):  # the batch is in time order
            assigned[detection.id] = heads.take(detection, gate)

    timing, _ = time_each(one, batches)
    return timing, assigned


class _Heads:
    """Open heads as arrays; closed heads are dropped."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lon = np.empty(0)
        self.lat = np.empty(0)
        self.t = np.empty(0)
        self.u = np.empty(0)
        self.made = 0

    def take(self, d: Detection, gate: Gate) -> str:
        t = d.time.timestamp()
        dt = t - self.t
        keep = dt <= gate.max_gap_s  # older heads close: nothing later can join them
        if not keep.all():
            self._keep(keep)
            dt = dt[keep]
        dist = GEOD.inv(np.full(len(self.ids), d.position.lon), np.full(len(self.ids),
                        d.position.lat), self.lon, self.lat)[2]
        allowed = gate.max_speed_mps * dt + self.u + d.uncertainty_m
        ok: NDArray[np.bool_] = (dt >= 0) & (dist <= allowed)
        if ok.any():
            score = np.where(allowed > 0, dist / np.where(allowed > 0, allowed, 1.0), 0.0)
            idx = np.flatnonzero(ok)
            best = min(idx, key=lambda i: (score[i], self.ids[i]))
            self.lon[best], self.lat[best] = d.position.lon, d.position.lat
            self.t[best], self.u[best] = t, d.uncertainty_m
            return self.ids[best]
        self.made += 1
        self.ids.append(f"{PARTY}-trk-{self.made}")
        self.lon = np.append(self.lon, d.position.lon)
        self.lat = np.append(self.lat, d.position.lat)
        self.t, self.u = np.append(self.t, t), np.append(self.u, d.uncertainty_m)
        return self.ids[-1]

    def _keep(self, keep: NDArray[np.bool_]) -> None:
        self.ids = [i for i, k in zip(self.ids, keep, strict=True) if k]
        self.lon, self.lat, self.t, self.u = (a[keep] for a in (self.lon, self.lat, self.t,
                                                                 self.u))


def _scenario() -> Scenario:
    sensor = Sensor(SENSOR, PARTY, SensorKind.RADAR, Position(40.6, 34.1), 80_000.0)
    return Scenario(START, "detections benchmark",
                    parties=(Party(PARTY, "Iraqi security forces", PartyKind.STATE),),
                    sensors=(sensor,),
                    borders=(Border("iq-sy", Shape(LineString(BORDER))),))


def run_service(batches: list[list[Detection]]) -> tuple[Timing, dict[str, str], int]:
    """Every batch through ``ingest_detections`` on a fresh SQLite hub."""
    folder = Path(tempfile.mkdtemp(prefix="bench-detections-"))
    store = open_store(folder / "hub.db")
    try:
        store.replace_scenario(_scenario())
        clock = FixedClock(START)
        hub = Hub(store, clock, Limits(max_batch=10_000))
        officer = Credential("bench", PARTY, Role.LIAISON, "bench", START)
        assigned: dict[str, str] = {}
        crossings = 0

        def one(batch: list[Detection]) -> None:
            nonlocal crossings
            clock.moment = batch[-1].time
            reports = [DetectionReport(d.sensor, d.time, d.position, d.uncertainty_m)
                       for d in batch]
            done = ingest_detections(hub, officer, reports)
            assigned.update(zip((d.id for d in done.detections), done.tracks, strict=True))
            crossings += sum(1 for c in done.crossings if c.kind.value == "crossing")

        timing, _ = time_each(one, batches)
        return timing, assigned, crossings
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    batches = _batches(workload(size), size)
    label = f"{size.targets:,} targets, batches of {size.batch:,}"
    engine_s, engine = run_engine(batches)
    base_s, base = brute_force(batches)
    service_s, service, crossings = run_service(batches)
    same = sum(1 for k, v in engine.items() if base.get(k) == v)
    agree = sum(1 for k, v in engine.items() if service.get(k) == v)
    unexplained = (len(engine) - same) + (len(engine) - agree)
    tracks = len(set(engine.values()))
    target = TARGET if size.batch == 1_000 else None
    return Section("detections", [
        Row("detections", label, "engine: associate (head grid, incremental)",
            engine_s, tracks),
        Row("detections", label, "baseline brute force: every open head per detection",
            base_s, len(set(base.values())),
            check=f"same track for {same:,}/{len(engine):,} detections"),
        Row("detections", label, "engine via service: ingest_detections (SQLite, crossings)",
            service_s, crossings, target,
            check=f"same track as the engine for {agree:,}/{len(engine):,}; "
                  f"{crossings:,} border crossings"),
    ], unexplained)

