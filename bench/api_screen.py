"""Benchmark ``api_screen``: filing a notice through the hub's HTTP API, screened at once.

The hub holds the ``screen`` benchmark's picture (100,000 units and 10,000 protected sites at
full size, same seeds) and a real uvicorn serves it on 127.0.0.1. The notifier, a party with no
units or partners, posts ``POST /api/v1/notices`` one after the other: point air strikes,
ground-move lines and artillery polygons (windows of an hour, buffers of 500–1000 m, ids with
the party's prefix), under a notices-per-hour limit raised for the run. Each reply is the
screened, ledgered filing. The first notice after start builds the hub's index and is reported
apart. The baseline is the engine alone, in-process: ``Screener.screen`` on the same notices.
The API must tell the notifier exactly what the engine found, as its disclosure rules put it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.api_ingest import LiveServer, P95Target, hub_database
from bench.harness import Row, Scale, Section, Timing, time_calls, time_each
from bench.synthetic import NOTIFIER, NOW, notices, scenario_of, sites, spread_cloud
from deconflict.api import Settings
from deconflict.engine.disclosure import told_conflicts
from deconflict.engine.screening import Screener
from deconflict.model import Conflict, Notice, Scenario, rfc3339
from deconflict.service.hub import Limits

__all__ = ["SIZES", "TARGET", "TARGET_UNITS", "ScreenSizes", "notice_document", "run"]

TARGET = P95Target(0.050)
#: The issue sets the target with this many units loaded; smaller runs show none.
TARGET_UNITS = 100_000
#: Enough for the run; every other guard (minimum size and window, probing) stays as it is.
LIMITS = Limits(notices_per_hour=100_000)
_JSON = {"Content-Type": "application/json"}
_KINDS = (("Point", "point"), ("LineString", "line"), ("Polygon", "polygon"))


@dataclass(frozen=True, slots=True)
class ScreenSizes:
    units: int
    sites: int
    notices: int


SIZES = {
    Scale.FULL: ScreenSizes(100_000, 10_000, 200),
    Scale.QUICK: ScreenSizes(10_000, 1_000, 60),
    Scale.TINY: ScreenSizes(5_000, 500, 20),  # enough for findings of every kind
}

Told = list[dict[str, Any]]


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    scenario = scenario_of(spread_cloud(size.units, seed=1), seed=3,
                           site_list=sites(size.sites, seed=2))
    first, batch = notices(1, seed=5)[0], notices(size.notices, seed=4)
    with tempfile.TemporaryDirectory(prefix="deconflict-bench-") as tmp:
        hub = hub_database(Path(tmp) / "hub.db", scenario, [NOTIFIER])
        settings = Settings(db_path=hub.path, at=NOW, limits=LIMITS)
        with LiveServer(settings) as server, server.client(
                {**hub.bearer(NOTIFIER), **_JSON}) as client:
            opening, first_told = time_calls(lambda: _file(client, first, "first"), 1)
            timing, told = time_each(lambda n: _file(client, n, "run"), batch)
    build, screener = time_calls(lambda: _ready(Screener(scenario), first), 1)
    base_timing, found = time_each(screener.screen, batch)
    same = _agreeing(scenario, told, found)
    rows = _rows(size, batch, (opening, len(first_told)), timing, told,
                 (build, len(screener.units.ids) + len(screener.sites.items)), base_timing, found,
                 same)
    return Section("api_screen", rows, len(batch) - same)


def notice_document(notice: Notice, ident: str) -> dict[str, Any]:
    """The notice as the API takes it: the scenario format, less the party (the caller's)."""
    return {"id": ident, "kind": notice.kind.value, "geometry": notice.shape.to_geojson(),
            "buffer_m": notice.buffer_m,
            "window": [rfc3339(notice.window.start), rfc3339(notice.window.end)]}


def _file(client: httpx.Client, notice: Notice, tag: str) -> Told:
    """POST one notice; its screening as the notifier is told it."""
    body = json.dumps(notice_document(notice, f"{NOTIFIER}-{tag}-{notice.id}")).encode()
    reply = client.post("/api/v1/notices", content=body)
    if reply.status_code != 201:
        raise RuntimeError(f"POST /api/v1/notices answered {reply.status_code}: "
                           f"{reply.text[:300]}")
    conflicts: Told = reply.json()["properties"]["conflicts"]
    return conflicts


def _ready(screener: Screener, first: Notice) -> Screener:
    """The screener once it has screened the first notice: like the hub's after its first
    filing (the unit index is built lazily, by the first screening)."""
    screener.screen(first)
    return screener


def _agreeing(scenario: Scenario, told: Sequence[Told], found: Sequence[list[Conflict]]) -> int:
    """How many notices the API told exactly what the engine found, as the notifier may see it:
    no unit is released to it, so its unit findings are told by party, band and severity."""
    return sum(t == told_conflicts(f, NOTIFIER, scenario) for t, f in zip(told, found, strict=True))


def _rows(size: ScreenSizes, batch: list[Notice], opening: tuple[Timing, int], timing: Timing,
          told: list[Told], build: tuple[Timing, int], base_timing: Timing,
          found: list[list[Conflict]], same: int) -> list[Row]:
    label = f"{size.units:,} units, {size.sites:,} sites"
    target = TARGET if size.units == TARGET_UNITS else None
    rows = [Row("api_screen", label, "engine via hub API: first notice after start "
                "(builds the index)", *opening)]
    rows += _by_kind(label, "engine via hub API: POST /api/v1/notices", batch, timing,
                     [len(t) for t in told], target)
    rows.append(Row("api_screen", label,
                    "baseline Screener: index build + first notice, in-process", *build))
    rows += _by_kind(label, "baseline Screener.screen, in-process", batch, base_timing,
                     [len(f) for f in found], check=f"same findings told in {same}/{len(batch)}")
    return rows


def _by_kind(label: str, name: str, batch: list[Notice], timing: Timing, counts: list[int],
             target: P95Target | None = None, check: str = "") -> list[Row]:
    """A row for all notices (with the target and the check), then one per geometry kind."""
    groups = [("all", list(range(len(batch))), target, check)]
    groups += [(kind, [k for k, n in enumerate(batch) if n.shape.kind == shape], None, "")
               for shape, kind in _KINDS]
    return [Row("api_screen", label, f"{name}: {kind} notices ({len(ks)})",
                Timing(tuple(timing.samples[k] for k in ks)), sum(counts[k] for k in ks), goal,
                note)
            for kind, ks, goal, note in groups if ks]
