"""The alert stream over real HTTP: a uvicorn server on 127.0.0.1 in a background thread.

Every wait is bounded: the server must start and stop within seconds, and each read of the stream
times out after a few seconds rather than hanging the test run.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from deconflict.api import Settings
from deconflict.api.serve import HubServer, hub_server

from .conftest import START, make_hub_db

SDF_UNIT = (40.236, 35.352)  # sdf-1 of tests/cli/small.yaml
CLINIC = (40.28, 35.31)  # the Red Crescent clinic; sdf-1 is 5 km away
READ = httpx.Timeout(5.0)


@dataclass
class Live:
    server: HubServer
    base: str
    tokens: dict[str, str]

    def headers(self, party: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[party]}", **extra}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=READ)


@contextmanager
def serving(server: HubServer) -> Iterator[str]:
    """Run ``server`` in a thread; yield its base URL; stop it, all within bounded waits."""
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    give_up = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < give_up, "the server did not start"
        time.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5)
            pytest.fail("the server did not stop within 10 s")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    db, tokens = make_hub_db(tmp_path)
    server = hub_server(Settings(db_path=db, at=START, port=0), log_level="warning")
    with serving(server) as base:
        yield Live(server, base, tokens)


def events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Server-Sent Events from the stream's lines; comments and the retry hint are skipped."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if "data" in fields:
                yield fields
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def take(stream: Iterator[dict[str, str]], n: int) -> list[dict[str, Any]]:
    """The next ``n`` events, each as id, event and parsed data."""
    out = []
    for _ in range(n):
        e = next(stream)
        out.append({"id": int(e["id"]), "event": e["event"], "data": json.loads(e["data"])})
    return out


def file_notice(live: Live, at: tuple[float, float], buffer_m: float = 2500) -> str:
    """A notice of russia; 2.5 km is too wide to count as probing."""
    body = {"kind": "flight", "geometry": {"type": "Point", "coordinates": list(at)},
            "buffer_m": buffer_m, "window": ["2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z"]}
    with live.client() as client:
        reply = client.post("/api/v1/notices", json=body, headers=live.headers("russia"))
    assert reply.status_code == 201, reply.text
    notice_id: str = reply.json()["id"]
    return notice_id


def listed(live: Live, party: str, after: int = 0) -> list[dict[str, Any]]:
    with live.client() as client:
        found: list[dict[str, Any]] = client.get(
            "/api/v1/alerts", params={"after": after, "limit": 1000},
            headers=live.headers(party)).json()
    return found


def release(live: Live, owner: str, to: str) -> None:
    """An alert to ``to`` (a disclosure change), to mark a point in its stream."""
    with live.client() as client:
        reply = client.put(f"/api/v1/disclosure/{to}", json={"level": "area"},
                           headers=live.headers(owner))
    assert reply.status_code == 200, reply.text


def test_stream_replays_exactly_what_was_missed(live: Live) -> None:
    so_far = max((a["id"] for a in listed(live, "sdf")), default=0)
    with live.client() as client:
        fresh = live.headers("sdf", **{"Last-Event-ID": str(so_far)})
        with client.stream("GET", "/api/v1/alerts/stream", headers=fresh) as reply:
            assert reply.status_code == 200
            assert reply.headers["content-type"].startswith("text/event-stream")
            stream = events(reply.iter_lines())
            first = [file_notice(live, SDF_UNIT) for _ in range(2)]
            seen = take(stream, 2)
        assert [e["event"] for e in seen] == ["notice_conflict"] * 2
        assert [e["data"]["detail"]["id"] for e in seen] == first
        assert [e["data"]["id"] for e in seen] == [e["id"] for e in seen]
        assert seen[0]["id"] < seen[1]["id"]

        # While sdf is away: three notices touch it, one touches only the Red Crescent.
        missed = [file_notice(live, SDF_UNIT), file_notice(live, CLINIC, buffer_m=300),
                  file_notice(live, SDF_UNIT), file_notice(live, SDF_UNIT)]
        in_list = listed(live, "sdf", after=seen[-1]["id"])
        resume = live.headers("sdf", **{"Last-Event-ID": str(seen[-1]["id"])})
        with client.stream("GET", "/api/v1/alerts/stream", headers=resume) as reply:
            stream = events(reply.iter_lines())
            replayed = take(stream, 3)
            release(live, "coalition", "sdf")
            marker = take(stream, 1)[0]
    assert [e["data"]["detail"]["id"] for e in replayed] == [missed[0], missed[2], missed[3]]
    assert [e["data"] for e in replayed] == in_list
    ids = [e["id"] for e in replayed]
    assert ids == sorted(ids) and ids[0] > seen[-1]["id"]
    # Nothing repeated and nothing else in between: the next event is the newer alert.
    assert marker["event"] == "disclosure" and marker["data"]["detail"]["party"] == "coalition"
    assert marker["id"] > ids[-1]


def test_another_partys_stream_never_carries_them(live: Live) -> None:
    theirs = {file_notice(live, at) for at in (SDF_UNIT, CLINIC, SDF_UNIT)}
    with live.client() as client:
        replay_all = live.headers("syria", **{"Last-Event-ID": "0"})
        with client.stream("GET", "/api/v1/alerts/stream", headers=replay_all) as reply:
            stream = events(reply.iter_lines())
            theirs.add(file_notice(live, SDF_UNIT))
            release(live, "sdf", "syria")
            got = [take(stream, 1)[0]]
            while got[-1]["event"] != "disclosure" and len(got) < 100:
                got.append(take(stream, 1)[0])
    assert got[-1]["data"]["detail"]["party"] == "sdf"
    assert [e["data"] for e in got] == listed(live, "syria")  # syria's own alerts, no others
    assert not theirs & {e["data"]["detail"].get("id") for e in got}


def test_a_bad_last_event_id_is_refused(live: Live) -> None:
    with live.client() as client:
        reply = client.get("/api/v1/alerts/stream",
                           headers=live.headers("sdf", **{"Last-Event-ID": "yesterday"}))
        assert reply.status_code == 422
        assert reply.json()["error"]["field"] == "Last-Event-ID"
        assert client.get("/api/v1/alerts/stream").status_code == 401


def test_the_server_stops_promptly_while_a_stream_is_open(tmp_path: Path) -> None:
    db, tokens = make_hub_db(tmp_path)
    server = hub_server(Settings(db_path=db, at=START, port=0), log_level="warning")
    headers = {"Authorization": f"Bearer {tokens['sdf']}"}
    with serving(server) as base, httpx.Client(base_url=base, timeout=READ) as client, \
            client.stream("GET", "/api/v1/alerts/stream", headers=headers) as reply:
        lines = reply.iter_lines()
        assert next(lines) == "retry: 2000"  # the stream is open and being served
        began = time.monotonic()
        server.should_exit = True
        list(lines)  # the server ends the stream: iteration stops, no read timeout
        assert time.monotonic() - began < 3
