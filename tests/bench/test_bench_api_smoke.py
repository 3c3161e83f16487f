"""The API benchmarks run at a tiny size against a real server, agree with their baselines and
leave nothing running. No timing is asserted here, ever."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

# The benchmarks live beside src/, not inside the installed package.
_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.__main__ import BENCHMARKS, main  # noqa: E402
from bench.api_ingest import LiveServer, P95Target, RateTarget, hub_database  # noqa: E402
from bench.harness import Scale, Section, Timing  # noqa: E402
from bench.synthetic import NOW, PARTIES, scenario_of, spread_cloud  # noqa: E402

from bench import api_alerts, api_ingest, api_screen  # noqa: E402
from deconflict.api import Settings  # noqa: E402

RUNS: dict[str, Callable[[Scale], Section]] = {
    "api_ingest": api_ingest.run,
    "api_screen": api_screen.run,
    "api_alerts": api_alerts.run,
}


def _bench_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("bench-") and t.is_alive()]


@pytest.fixture(scope="module")
def sections() -> dict[str, Section]:
    return {name: run(Scale.TINY) for name, run in RUNS.items()}


def test_registered_in_the_runner() -> None:
    for name, run in RUNS.items():
        assert BENCHMARKS[name] is run


@pytest.mark.parametrize("name", list(RUNS))
def test_api_and_baseline_side_by_side_and_agreeing(name: str,
                                                    sections: dict[str, Section]) -> None:
    section = sections[name]
    assert section.name == name
    assert section.unexplained == 0, [row.check for row in section.rows]
    api = [r for r in section.rows if "hub API" in r.implementation]
    baseline = [r for r in section.rows if r.implementation.startswith("baseline")]
    assert api and baseline
    assert all(r.benchmark == name and r.size == section.rows[0].size for r in section.rows)
    assert all(len(r.timing.samples) >= 1 for r in section.rows)
    assert all(r.results > 0 for r in baseline)  # something to compare, every time


def test_servers_are_stopped_after_each_benchmark(sections: dict[str, Section]) -> None:
    assert sections  # all three ran
    assert _bench_threads() == []


def test_ingest_stores_the_same_tracks_both_ways(sections: dict[str, Section]) -> None:
    rows = sections["api_ingest"].rows
    size = api_ingest.SIZES[Scale.TINY]
    assert [r.results for r in rows] == [size.batches * size.batch] * 2  # within its budget
    assert rows[0].check.startswith("same stored tracks as the baseline")
    assert "monitor idle" in rows[0].implementation and "reports/s" in rows[0].implementation


def test_screen_reports_the_first_notice_apart_and_every_kind(
        sections: dict[str, Section]) -> None:
    rows = sections["api_screen"].rows
    names = [r.implementation for r in rows]
    assert "first notice after start" in names[0] and len(rows[0].timing.samples) == 1
    for kind in ("all", "point", "polygon"):
        assert any(f"POST /api/v1/notices: {kind} notices" in n for n in names)
    notices = api_screen.SIZES[Scale.TINY].notices
    checked = next(r for r in rows if r.check)
    assert checked.check == f"same findings told in {notices}/{notices}"


def test_every_alert_arrives_on_the_stream_and_by_polling(sections: dict[str, Section]) -> None:
    rounds = api_alerts.SIZES[Scale.TINY].rounds
    rows = sections["api_alerts"].rows
    assert [r.check for r in rows] == [f"{rounds}/{rounds} alerts arrived"] * 2
    assert "stream" in rows[0].implementation and "polling" in rows[1].implementation


def test_main_runs_one_api_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "partial.md"
    assert main(["--tiny", "--only", "api_ingest", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| api_ingest |" in printed and "| screen |" not in printed
    assert "api_ingest" in out.read_text()


def test_live_server_listens_on_loopback_and_stops(tmp_path: Path) -> None:
    hub = hub_database(tmp_path / "hub.db", scenario_of(spread_cloud(40, seed=1), seed=2),
                       [PARTIES[0]])
    with LiveServer(Settings(db_path=hub.path, at=NOW)) as server:
        assert server.url.startswith("http://127.0.0.1:")
        with server.client(hub.bearer(PARTIES[0])) as client:
            assert client.get("/api/v1/me").json()["party"] == PARTIES[0]
    assert not server.running
    port = int(server.url.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    with pytest.raises(httpx.TransportError), httpx.Client(trust_env=False) as client:
        client.get(f"{server.url}/api/v1/me", timeout=2)


def test_live_server_stops_by_itself_after_its_lifetime(tmp_path: Path) -> None:
    hub = hub_database(tmp_path / "hub.db", scenario_of(spread_cloud(40, seed=1), seed=2), [])
    with LiveServer(Settings(db_path=hub.path, at=NOW), lifetime_s=0.5) as server:
        deadline = time.monotonic() + 30
        while server.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not server.running


def test_targets_on_p95_and_on_a_rate() -> None:
    timing = Timing((0.010, 0.012, 0.011, 0.100))
    assert not P95Target(0.05).met(timing) and P95Target(0.2).met(timing)
    assert P95Target(0.05).describe() == "p95 < 50.00 ms"
    rate = RateTarget.of(20_000, 500, "reports")  # 500 per batch: 25 ms a batch at most
    assert rate.limit_s == pytest.approx(0.025)
    assert rate.met(timing) and not rate.met(Timing((0.03,)))
    assert rate.describe() == "median ≥ 20,000 reports/s"
