"""Benchmark ``api_ingest``: position reports through the hub's HTTP API, in batches of 500.

A real uvicorn serves ``create_app`` on 127.0.0.1 (a free port, a background thread, a bounded
lifetime); one httpx client posts ``POST /api/v1/positions`` batches that move units of its own
party, one batch after the other, each acknowledged only once durable (SQLite, WAL,
``synchronous = FULL``). Each run has a fresh copy of the same database. The main run keeps the
separation monitor idle (``tick_s`` of an hour): what is measured is the ingest path itself. At
the sizes listed, a second run has the monitor at its default tick, checking every moved unit
for separation meanwhile, as in service. The baseline writes the very same batches into a copy
of the same database with ``store.add_fixes``, in-process: the difference is what HTTP, JSON,
validation, authentication and the hub's bookkeeping cost. Every run must end up storing the
same tracks as the baseline.

This module also holds what the three API benchmarks share: a hub database built from a
synthetic scenario with a token per party (:func:`hub_database`), the live server
(:class:`LiveServer`) and targets on a p95 or a rate (:class:`P95Target`, :class:`RateTarget`).
"""

from __future__ import annotations

import json
import math
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx
import numpy as np
import uvicorn

from bench.harness import Row, Scale, Section, Target, Timing, format_seconds
from bench.synthetic import NOW, PARTIES, Cloud, scenario_of, spread_cloud
from deconflict.api import Settings, create_app
from deconflict.model import Fix, Position, Role, Scenario, rfc3339
from deconflict.service import tokens
from deconflict.storage import open_store

__all__ = [
    "SIZES",
    "TARGET_RATE",
    "HubDatabase",
    "IngestSizes",
    "LiveServer",
    "P95Target",
    "RateTarget",
    "hub_database",
    "run",
]

#: Reports per second the issue asks for, through the API, durable on SQLite.
TARGET_RATE = 20_000.0
MOVER = PARTIES[0]
#: Tracks compared between the API's database and the baseline's.
_SAMPLED_TRACKS = 50
_JSON = {"Content-Type": "application/json"}


# -- shared by the API benchmarks --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class P95Target(Target):
    """A goal on the 95th percentile rather than the median. Reported, never asserted."""

    def met(self, timing: Timing) -> bool:
        return timing.p95 <= self.limit_s

    def describe(self) -> str:
        return f"p95 < {format_seconds(self.limit_s)}"


@dataclass(frozen=True, slots=True)
class RateTarget(Target):
    """A throughput goal, ``rate`` items per second when one operation carries ``per_op``
    items: met when the median operation takes at most ``per_op / rate`` (its ``limit_s``)."""

    per_op: int = 1
    rate: float = 1.0
    unit: str = "items"

    @classmethod
    def of(cls, rate: float, per_op: int, unit: str) -> RateTarget:
        return cls(per_op / rate, per_op, rate, unit)

    def describe(self) -> str:
        return f"median ≥ {self.rate:,.0f} {self.unit}/s"


@dataclass(frozen=True, slots=True)
class HubDatabase:
    """A hub's SQLite file and a liaison token per party."""

    path: Path
    tokens: dict[str, str]

    def bearer(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[party]}"}


def store_scenario(path: Path, scenario: Scenario) -> None:
    """A fresh database at ``path`` holding ``scenario``, closed (so durable) on return."""
    store = open_store(path)
    try:
        store.replace_scenario(scenario)
    finally:
        store.close()


def hub_database(path: Path, scenario: Scenario, parties: Sequence[str]) -> HubDatabase:
    """A hub database holding ``scenario``, with a liaison token for each of ``parties``."""
    store_scenario(path, scenario)
    return HubDatabase(path, add_tokens(path, parties))


def add_tokens(path: Path, parties: Sequence[str]) -> dict[str, str]:
    return {p: tokens.create(path, p, Role.LIAISON, f"benchmark {p}") for p in parties}


class LiveServer:
    """``create_app(settings)`` under a real uvicorn on 127.0.0.1 (a free port) in a background
    thread. It stops when the ``with`` block ends, and in any case after ``lifetime_s``."""

    def __init__(self, settings: Settings, lifetime_s: float = 600.0,
                 start_timeout_s: float = 180.0) -> None:
        config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False,
                                lifespan="on", timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        self._socket = _listening_socket()
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="bench-uvicorn", daemon=True)
        self._watchdog = threading.Timer(lifetime_s, self.stop)
        self._watchdog.daemon = True
        self._start_timeout_s = start_timeout_s

    def __enter__(self) -> LiveServer:
        self._thread.start()
        self._watchdog.start()
        deadline = time.monotonic() + self._start_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the hub server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def stop(self) -> None:
        self._server.should_exit = True

    def close(self) -> None:
        """Stop serving and wait (bounded) for the thread; the lifespan closes the store."""
        self.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=120.0)
        self._watchdog.cancel()
        self._socket.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def client(self, headers: dict[str, str], timeout_s: float = 60.0) -> httpx.Client:
        # trust_env=False: no proxy from the environment between us and 127.0.0.1.
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout_s,
                            trust_env=False)


def _listening_socket() -> socket.socket:
    """A socket on a free port of 127.0.0.1, bound here and handed to uvicorn (no race for the
    port). Its protocol must say TCP: asyncio sets TCP_NODELAY on accepted connections only
    then, and without it every reply waits for the client's delayed ACK (about 40 ms)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


# -- the ingest benchmark ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class IngestSizes:
    units: tuple[int, ...]  # pictures the hub holds, one run each
    monitored: tuple[int, ...]  # pictures also run with the monitor at its default tick
    batches: int  # timed batches, at most...
    budget_s: float  # ...and no new one once the timed ones took this long together
    batch: int  # reports per batch
    warmup: int  # batches sent first and not timed (connection, first-call caches)


SIZES = {
    Scale.FULL: IngestSizes((10_000, 100_000), (10_000,), 200, 45.0, 500, 3),
    Scale.QUICK: IngestSizes((10_000,), (10_000,), 60, 15.0, 500, 3),
    Scale.TINY: IngestSizes((2_000,), (), 4, 10.0, 50, 1),
}
#: A monitor tick long enough that no pass runs while the batches are timed.
IDLE_TICK_S = 3600.0

Batch = list[tuple[str, Fix]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Run:
    timing: Timing  # per timed batch
    wall_s: float  # from the first timed batch's send to the last one's reply
    reports: int
    same: bool = True  # stored the same tracks as the baseline

    def rates(self, batch: int) -> str:
        return (f"median {batch / self.timing.median:,.0f} reports/s, "
                f"overall {self.reports / self.wall_s:,.0f}/s")


def default_tick_s() -> float:
    return Settings(db_path=Path("hub.db")).tick_s


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    rows: list[Row] = []
    for n in size.units:
        ticks = (IDLE_TICK_S, default_tick_s()) if n in size.monitored else (IDLE_TICK_S,)
        rows += _rows(n, size, ticks, *_measure(n, size, ticks))
    return Section("api_ingest", rows, sum(not r.check.startswith("same") for r in rows
                                           if r.implementation.startswith("engine")))


def _measure(n: int, size: IngestSizes, ticks: Sequence[float]) -> tuple[list[_Run], _Run]:
    """A run through the API per monitor tick, each on its own copy of the database; then the
    baseline, storing as many batches as the longest API run got through."""
    cloud = spread_cloud(n, seed=30)
    batches = moves(cloud, size)
    with tempfile.TemporaryDirectory(prefix="deconflict-bench-") as tmp:
        folder = Path(tmp)
        store_scenario(folder / "start.db", scenario_of(cloud, seed=31))
        runs = [_through_api(_copy_database(folder / "start.db", folder / f"api-{k}.db"),
                             batches, size, tick) for k, tick in enumerate(ticks)]
        sent = max(len(r.timing.samples) for r in runs)
        direct_db = _copy_database(folder / "start.db", folder / "direct.db")
        direct = _direct(direct_db, batches[:size.warmup + sent], size)
        sampled = [u for u, _ in batches[size.warmup + sent - 1][:_SAMPLED_TRACKS]]
        runs = [replace(r, same=_same_tracks(folder / f"api-{k}.db", direct_db, sampled,
                                             _last_time(batches, size.warmup, r)))
                for k, r in enumerate(runs)]
    return runs, direct


def moves(cloud: Cloud, size: IngestSizes) -> list[Batch]:
    """Batches of reports for units of :data:`MOVER`, cycling through them; each report moves
    its unit about 45 m east of the last, a microsecond after the report before it (so the
    reports stay behind the hub's exercise clock however fast they go)."""
    movers = np.flatnonzero(cloud.parties == PARTIES.index(MOVER))
    total = (size.warmup + size.batches) * size.batch
    picks = np.resize(movers, total)
    steps = np.arange(total) // len(movers) + 1
    lons = cloud.lons[picks] + 0.0005 * steps
    reports = [(f"u{i}", Fix(Position(float(lon), float(cloud.lats[i])),
                             NOW + timedelta(microseconds=k + 1), float(cloud.radii[i])))
               for k, (i, lon) in enumerate(zip(picks, lons, strict=True))]
    return [reports[k:k + size.batch] for k in range(0, total, size.batch)]


def _copy_database(source: Path, target: Path) -> Path:
    # The store was closed, so the WAL was folded into the main file; copy a leftover anyway.
    for suffix in ("", "-wal"):
        extra = Path(f"{source}{suffix}")
        if extra.exists():
            shutil.copyfile(extra, Path(f"{target}{suffix}"))
    return target


def _last_time(batches: list[Batch], warmup: int, run: _Run) -> datetime:
    """When the last report the run sent was observed: the end of what it stored."""
    return batches[warmup + len(run.timing.samples) - 1][-1][1].time


def _body(batch: Batch) -> bytes:
    return json.dumps({"reports": [
        {"unit": unit, "position": [f.position.lon, f.position.lat], "time": rfc3339(f.time),
         "radius_m": f.radius_m} for unit, f in batch]}).encode()


def _through_api(db: Path, batches: list[Batch], size: IngestSizes, tick_s: float) -> _Run:
    bodies = [_body(b) for b in batches]  # encoded before timing: the client's JSON is not ours
    token = add_tokens(db, [MOVER])[MOVER]
    settings = Settings(db_path=db, at=NOW, tick_s=tick_s)
    with LiveServer(settings) as server, server.client(
            {"Authorization": f"Bearer {token}", **_JSON}) as client:
        for body in bodies[:size.warmup]:
            _post(client, body)
        return _timed(lambda body: _post(client, body), bodies[size.warmup:],
                      [len(b) for b in batches[size.warmup:]], size.budget_s)


def _post(client: httpx.Client, body: bytes) -> None:
    reply = client.post("/api/v1/positions", content=body)
    if reply.status_code != 200:
        raise RuntimeError(f"POST /api/v1/positions answered {reply.status_code}: "
                           f"{reply.text[:300]}")


def _direct(db: Path, batches: list[Batch], size: IngestSizes) -> _Run:
    store = open_store(db, create=False)
    try:
        for batch in batches[:size.warmup]:
            store.add_fixes(batch)
        timed = batches[size.warmup:]
        return _timed(store.add_fixes, timed, [len(b) for b in timed], math.inf)
    finally:
        store.close()


def _timed(send: Callable[[T], object], items: Sequence[T], sizes: Sequence[int],
           budget_s: float) -> _Run:
    """Send the items one by one, each timed, until all are sent or ``budget_s`` is spent."""
    samples: list[float] = []
    started = time.perf_counter()
    for item in items:
        start = time.perf_counter()
        send(item)
        samples.append(time.perf_counter() - start)
        if sum(samples) >= budget_s:
            break
    return _Run(Timing(tuple(samples)), time.perf_counter() - started, sum(sizes[:len(samples)]))


def _same_tracks(a: Path, b: Path, units: Sequence[str], until: datetime) -> bool:
    stores = [open_store(a, create=False), open_store(b, create=False)]
    try:
        return all(stores[0].track(u, until=until) == stores[1].track(u, until=until)
                   for u in units)
    finally:
        for store in stores:
            store.close()


def _rows(n: int, size: IngestSizes, ticks: Sequence[float], runs: list[_Run], direct: _Run
          ) -> list[Row]:
    label = f"{n:,} units, batches of {size.batch}"
    target = RateTarget.of(TARGET_RATE, size.batch, "reports") if size.batch == 500 else None
    rows = [Row("api_ingest", label, f"engine via hub API, {_monitor(tick)}: POST "
                f"/api/v1/positions ({r.rates(size.batch)})", r.timing, r.reports, target,
                f"same stored tracks as the baseline ({_SAMPLED_TRACKS} units sampled)" if r.same
                else "**stored tracks differ from the baseline**")
            for tick, r in zip(ticks, runs, strict=True)]
    rows.append(Row("api_ingest", label, f"baseline store.add_fixes, no HTTP "
                    f"({direct.rates(size.batch)})", direct.timing, direct.reports))
    return rows


def _monitor(tick_s: float) -> str:
    return "monitor idle" if tick_s >= IDLE_TICK_S else f"monitor every {tick_s:g} s"
