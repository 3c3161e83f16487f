"""Benchmark ``api_alerts``: from a position report to the separation alert it raises.

A real uvicorn serves the hub on 127.0.0.1 with the monitor at its default tick
(``Settings.tick_s``). Party B listens on ``GET /api/v1/alerts/stream`` (Server-Sent Events);
party A posts one report of its unit onto B's unit (critical separation), then one 2.5 km from
it (warn), and so on: every report changes the pair's level, so every one raises an alert to B.
Each round trip is timed from just before the POST is sent to the arrival of B's event for that
pair and level. The baseline is the same round trip watched by polling ``GET /api/v1/alerts``
every 50 ms (the stream's own server-side poll), in the same run, on the same server.
"""

from __future__ import annotations

import contextlib
import json
import math
import queue
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.api_ingest import LiveServer, P95Target, hub_database
from bench.harness import Row, Scale, Section, Timing
from bench.synthetic import NOW, PARTIES, Cloud, scenario_of, spread_cloud
from deconflict.api import Settings
from deconflict.model import parse_rfc3339, rfc3339

__all__ = ["SIZES", "TARGET", "AlertListener", "AlertSizes", "run"]

TARGET = P95Target(1.0)
PARTY_A, PARTY_B = PARTIES[0], PARTIES[1]
POLL_S = 0.05
#: An alert not seen this long after its report counts as lost.
WAIT_S = 10.0
#: Edge distance of the "warn" report from B's unit: between critical (1 km) and warn (5 km).
WARN_GAP_M = 2_500.0
_WARMUP = 2
_M_PER_DEG_LAT = 110_940.0  # only to place the warn report, never to measure
Event = dict[str, Any]
Match = Callable[[Event], bool]


@dataclass(frozen=True, slots=True)
class AlertSizes:
    units: tuple[int, ...]
    rounds: int  # timed round trips per way of watching (stream, polling)


SIZES = {
    Scale.FULL: AlertSizes((10_000, 100_000), 50),
    Scale.QUICK: AlertSizes((10_000,), 20),
    Scale.TINY: AlertSizes((1_000,), 4),
}


class AlertListener:
    """Reads a party's alert stream in a background thread; events wait in a queue with the
    ``perf_counter`` of their arrival."""

    def __init__(self, server: LiveServer, headers: dict[str, str]) -> None:
        # A read timeout longer than the stream's 15 s keepalive: an idle stream stays open.
        self._client = server.client(headers, timeout_s=30.0)
        self._events: queue.Queue[tuple[float, Event]] = queue.Queue()
        self._open = threading.Event()
        self._stop = threading.Event()
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._listen, name="bench-sse", daemon=True)

    def __enter__(self) -> AlertListener:
        self._thread.start()
        if not self._open.wait(timeout=WAIT_S):
            self.close()
            raise RuntimeError("the alert stream did not open")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._socket is not None:  # wakes the reader blocked on the socket
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=WAIT_S)
        self._client.close()

    def wait_for(self, match: Match, sent: float) -> float | None:
        """Arrival time of the first event after ``sent`` that matches, or None if none comes
        within :data:`WAIT_S`."""
        deadline = sent + WAIT_S
        while (left := deadline - time.perf_counter()) > 0:
            try:
                arrived, event = self._events.get(timeout=left)
            except queue.Empty:
                return None
            if arrived >= sent and match(event):
                return arrived
        return None

    def _listen(self) -> None:
        with contextlib.suppress(httpx.HTTPError, OSError), self._client.stream(
                "GET", "/api/v1/alerts/stream") as reply:
            if reply.status_code != 200:
                return  # never opened: __enter__ says so
            stream = reply.extensions.get("network_stream")
            self._socket = stream.get_extra_info("socket") if stream is not None else None
            for event in _events(reply.iter_lines(), self._open):
                self._events.put((time.perf_counter(), event))
                if self._stop.is_set():
                    break


def _events(lines: Iterator[str], opened: threading.Event) -> Iterator[Event]:
    """Server-Sent Events' data as JSON objects; ``opened`` is set by the first line."""
    data: list[str] = []
    for line in lines:
        opened.set()
        if line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield json.loads("\n".join(data))
            data = []


@dataclass
class _Pair:
    """A's unit, B's unit and where A's reports put it: on B (critical), or 2.5 km off (warn)."""

    unit_a: str
    unit_b: str
    spots: dict[str, tuple[float, float]]
    clock_offset_s: float = 0.0  # hub time minus perf_counter, measured at start
    last_fix: datetime = NOW

    def report(self, level: str) -> bytes:
        """A's report at ``level``, observed just before the hub's "now"."""
        moment = NOW + timedelta(seconds=time.perf_counter() + self.clock_offset_s - 0.2)
        self.last_fix = max(moment, self.last_fix + timedelta(milliseconds=1))
        lon, lat = self.spots[level]
        return json.dumps({"reports": [{"unit": self.unit_a, "position": [lon, lat],
                                        "time": rfc3339(self.last_fix)}]}).encode()

    def match(self, level: str) -> Match:
        wanted = {"unit": self.unit_b, "other_party": PARTY_A, "level": level}

        def matches(event: Event) -> bool:
            detail = event.get("detail") or {}
            return event.get("kind") == "separation" and all(
                detail.get(k) == v for k, v in wanted.items())

        return matches


@dataclass(frozen=True, slots=True)
class _Trips:
    timing: Timing
    arrived: int
    rounds: int


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    rows: list[Row] = []
    lost = 0
    for n in size.units:
        stream, polled = _measure(n, size.rounds)
        rows += _rows(f"{n:,} units, monitor tick {Settings(Path()).tick_s:g} s", stream, polled)
        lost += (stream.rounds - stream.arrived) + (polled.rounds - polled.arrived)
    return Section("api_alerts", rows, lost)


def _measure(n: int, rounds: int) -> tuple[_Trips, _Trips]:
    cloud = spread_cloud(n, seed=40)
    pair = _pair(cloud)
    with tempfile.TemporaryDirectory(prefix="deconflict-bench-") as tmp:
        hub = hub_database(Path(tmp) / "hub.db", scenario_of(cloud, seed=41),
                           [PARTY_A, PARTY_B])
        with LiveServer(Settings(db_path=hub.path, at=NOW)) as server, server.client(
                hub.bearer(PARTY_A)) as client_a, server.client(hub.bearer(PARTY_B)) as client_b:
            pair.clock_offset_s = _clock_offset(client_a)
            with AlertListener(server, hub.bearer(PARTY_B)) as listener:
                _trips(client_a, pair, listener.wait_for, _WARMUP, 0)
                stream = _trips(client_a, pair, listener.wait_for, rounds, _WARMUP)
            polled = _trips(client_a, pair, _poll_watch(client_b), rounds, _WARMUP + rounds)
    return stream, polled


def _pair(cloud: Cloud) -> _Pair:
    """The first unit of A and the first of B; A reports with no radius."""
    a = int(next(i for i, p in enumerate(cloud.parties) if PARTIES[p] == PARTY_A))
    b = int(next(i for i, p in enumerate(cloud.parties) if PARTIES[p] == PARTY_B))
    lon, lat, r_b = float(cloud.lons[b]), float(cloud.lats[b]), float(cloud.radii[b])
    east = (WARN_GAP_M + r_b) / (_M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return _Pair(f"u{a}", f"u{b}", {"critical": (lon, lat), "warn": (lon + east, lat)})


def _clock_offset(client: httpx.Client) -> float:
    """Seconds from NOW on the hub's exercise clock, minus our ``perf_counter``."""
    before = time.perf_counter()
    hub_time = parse_rfc3339(client.get("/api/v1/me").json()["hub_time"])
    return (hub_time - NOW).total_seconds() - (before + time.perf_counter()) / 2


#: Given what to look for and when the report was sent: when B saw it, or None.
Watch = Callable[[Match, float], float | None]


def _poll_watch(client: httpx.Client) -> Watch:
    """Polls B's alert list every :data:`POLL_S`, from the newest alert at the start."""
    seen = [_newest_alert_id(client)]

    def watch(match: Match, sent: float) -> float | None:
        while time.perf_counter() < sent + WAIT_S:
            found = _alerts_after(client, seen[0])
            arrived = time.perf_counter()
            for alert in found:
                seen[0] = max(seen[0], alert["id"])
            if any(match(a) for a in found):
                return arrived
            time.sleep(POLL_S)
        return None

    return watch


def _newest_alert_id(client: httpx.Client) -> int:
    newest = 0
    for _ in range(10_000):  # pages of 1000: bounded, and far more than a run raises
        found = _alerts_after(client, newest)
        if not found:
            break
        newest = max(a["id"] for a in found)
    return newest


def _alerts_after(client: httpx.Client, after: int) -> list[Event]:
    reply = client.get("/api/v1/alerts", params={"after": after, "limit": 1000})
    reply.raise_for_status()
    found: list[Event] = reply.json()
    return found


def _trips(client: httpx.Client, pair: _Pair, watch: Watch, rounds: int, done: int) -> _Trips:
    """``rounds`` reports, alternately critical and warn; each one timed until B sees it."""
    samples: list[float] = []
    for k in range(done, done + rounds):
        level = "critical" if k % 2 == 0 else "warn"
        body = pair.report(level)
        sent = time.perf_counter()
        reply = client.post("/api/v1/positions", content=body,
                            headers={"Content-Type": "application/json"})
        if reply.status_code != 200:
            raise RuntimeError(f"POST /api/v1/positions answered {reply.status_code}: "
                               f"{reply.text[:300]}")
        arrived = watch(pair.match(level), sent)
        if arrived is not None:
            samples.append(arrived - sent)
    # A lost alert counts as WAIT_S, a lower bound: the run fails on it anyway.
    return _Trips(Timing(tuple(samples) + (WAIT_S,) * (rounds - len(samples))), len(samples),
                  rounds)


def _rows(label: str, stream: _Trips, polled: _Trips) -> list[Row]:
    return [
        Row("api_alerts", label, "engine via hub API: POST /positions → SSE event "
            "(GET /api/v1/alerts/stream)", stream.timing, stream.arrived, TARGET,
            f"{stream.arrived}/{stream.rounds} alerts arrived"),
        Row("api_alerts", label, f"baseline polling GET /api/v1/alerts every "
            f"{POLL_S * 1000:.0f} ms", polled.timing, polled.arrived,
            check=f"{polled.arrived}/{polled.rounds} alerts arrived"),
    ]

