"""A crossing alert reaches the border owner's event stream, over real HTTP (uvicorn on
127.0.0.1 in a thread; every wait bounded)."""

from __future__ import annotations

from pathlib import Path

import httpx

from deconflict.api import Settings
from deconflict.api.serve import hub_server

from ..api.test_stream_live import READ, events, serving, take
from .conftest import (
    START,
    THERMAL,
    crossing_path,
    detection_body,
    make_border_db,
    owner_supported,
)


def test_a_crossing_alert_reaches_the_owners_stream(tmp_path: Path) -> None:
    # The border's owner: the coalition where the format takes an owner (Iraq releases its
    # picture exact to it), else the detecting party itself.
    owner = "coalition" if owner_supported() else "isf"
    db, tokens = make_border_db(tmp_path, owner=owner if owner != "isf" else None)
    server = hub_server(Settings(db_path=db, at=START, port=0), log_level="warning")
    path = [detection_body(at, when) for at, when in crossing_path()]
    with serving(server) as base, httpx.Client(base_url=base, timeout=READ) as client:
        watch = {"Authorization": f"Bearer {tokens[owner]}", "Last-Event-ID": "0"}
        with client.stream("GET", "/api/v1/alerts/stream", headers=watch) as stream:
            assert stream.status_code == 200
            received = events(stream.iter_lines())
            reply = client.post("/api/v1/detections", json={"detections": path},
                                headers={"Authorization": f"Bearer {tokens['isf']}"})
            assert reply.status_code == 201, reply.text
            seen = take(received, 1)
            while seen[-1]["event"] != "crossing" and len(seen) < 20:
                seen += take(received, 1)
    alert = seen[-1]
    assert alert["event"] == "crossing"
    detail = alert["data"]["detail"]
    assert detail["sensor"] == THERMAL and detail["border"] == "iq-sy"
    assert detail == reply.json()["crossings"][0]
