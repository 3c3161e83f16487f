"""Another party's detections, tracks and sensors never show beyond what their owner released.

Iraq (``isf``) releases ``exact`` to the coalition, ``area`` to Syria and nothing to Russia.
Every read path is checked for each: the lists, the tracks, the sensors, the alerts, and the
error a report naming Iraq's sensor gets (the same bytes as for a made-up id).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deconflict.engine.disclosure import cell_of

from ..api.conftest import run_client
from .conftest import (
    START,
    THERMAL,
    TOWER,
    BorderHub,
    crossing_path,
    detection_body,
    make_border_db,
    owner_supported,
)

READS = ("/api/v1/detections", "/api/v1/tracks", "/api/v1/sensors")


@pytest.fixture
def reported(border_hub: BorderHub) -> BorderHub:
    reply = border_hub.post("isf", [detection_body(at, when) for at, when in crossing_path()])
    assert reply.status_code == 201 and reply.json()["crossings"]
    return border_hub


def secrets_of(path: list[tuple[tuple[float, float], Any]]) -> list[str]:
    """Text that must not reach a party Iraq releases nothing (or only cells) to: the ids of
    its detections, tracks and sensors, and its detections' coordinates to four decimals."""
    coordinates = [f"{v:.4f}" for (lon, lat), _ in path for v in (lon, lat)]
    return ["isf-det", "isf-trk", THERMAL, TOWER, *coordinates]


def bodies(hub: BorderHub, party: str) -> dict[str, Any]:
    out = {path: hub.get(party, path) for path in READS}
    out["alerts"] = hub.get(party, "/api/v1/alerts", limit="1000")
    return out


def test_exact_shows_everything(reported: BorderHub) -> None:
    seen = bodies(reported, "coalition")
    assert [f["id"] for f in seen["/api/v1/detections"]["features"]] == [
        "isf-det-1", "isf-det-2", "isf-det-3"]
    (track,) = seen["/api/v1/tracks"]["features"]
    assert track["id"] == "isf-trk-1" and track["properties"]["crossings"]
    assert {f["id"] for f in seen["/api/v1/sensors"]["features"]} == {THERMAL, TOWER}


def test_area_shows_only_counts_per_cell(reported: BorderHub) -> None:
    seen = bodies(reported, "syria")
    text = json.dumps(seen)
    for secret in secrets_of(crossing_path()):
        assert secret not in text, secret
    detections = seen["/api/v1/detections"]["features"]
    assert all(set(f) == {"type", "geometry", "properties"} for f in detections)
    assert all(f["properties"]["disclosure"] == "area" for f in detections)
    expected: dict[str, int] = {}
    for (lon, lat), _ in crossing_path():
        key = cell_of(lon, lat).key
        expected[key] = expected.get(key, 0) + 1
    assert {f["properties"]["cell"]: f["properties"]["count"] for f in detections} == expected
    (tracks,) = seen["/api/v1/tracks"]["features"]
    assert tracks["properties"]["count"] == 1 and "id" not in tracks
    # Syria's own radar is listed in full, Iraq's two sensors as counts.
    sensors = seen["/api/v1/sensors"]["features"]
    assert sum(f["properties"].get("count", 0) for f in sensors) == 2
    assert not [a for a in seen["alerts"] if a["kind"] == "crossing"]


def test_none_shows_nothing(reported: BorderHub) -> None:
    seen = bodies(reported, "russia")
    for path in READS:
        assert seen[path]["features"] == [], path
    assert not [a for a in seen["alerts"] if a["kind"] == "crossing"]
    text = json.dumps(seen)
    assert "isf" not in text


def test_another_partys_sensor_is_as_unknown_as_a_made_up_one(reported: BorderHub) -> None:
    made_up = "x" * len(THERMAL)
    at, when = crossing_path()[0]
    real = reported.post("syria", [detection_body(at, when, THERMAL)])
    fake = reported.post("syria", [detection_body(at, when, made_up)])
    assert real.status_code == fake.status_code == 404
    assert real.text.replace(THERMAL, made_up) == fake.text
    assert "isf" not in real.text
    # Nothing was written for Syria, and Iraq's picture is unchanged.
    seen = reported.get("syria", "/api/v1/detections")["features"]
    assert sum(f["properties"]["count"] for f in seen) == 3
    assert len(reported.get("isf", "/api/v1/detections")["features"]) == 3


def test_a_changed_release_takes_effect_on_the_next_read(reported: BorderHub) -> None:
    reply = reported.client.put("/api/v1/disclosure/russia", json={"level": "exact"},
                                headers=reported.headers("isf"))
    assert reply.status_code == 200
    found = reported.get("russia", "/api/v1/tracks")["features"]
    assert [f["id"] for f in found] == ["isf-trk-1"]
    reply = reported.client.put("/api/v1/disclosure/coalition", json={"level": "none"},
                                headers=reported.headers("isf"))
    assert reply.status_code == 200
    assert reported.get("coalition", "/api/v1/detections")["features"] == []


# -- crossing alerts to a border owner that is not the detecting party --------------------------

@pytest.fixture(params=["coalition", "syria", "russia"])
def owned(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, BorderHub]]:
    if not owner_supported():
        pytest.skip("the scenario format does not take a border's owner yet")
    owner: str = request.param
    db, made = make_border_db(tmp_path, owner=owner)
    with run_client(db, at=START) as client:
        hub = BorderHub(db, made, client)
        hub.post("isf", [detection_body(at, when) for at, when in crossing_path()])
        yield owner, hub


def test_the_border_owner_is_told_as_much_as_isf_releases_to_it(
        owned: tuple[str, BorderHub]) -> None:
    owner, hub = owned
    (own,) = [a for a in hub.get("isf", "/api/v1/alerts") if a["kind"] == "crossing"]
    told = [a for a in hub.get(owner, "/api/v1/alerts") if a["kind"] == "crossing"]
    if owner == "coalition":  # exact
        assert [a["detail"] for a in told] == [own["detail"]]
    elif owner == "syria":  # area: the border, the sides, the cell; no track, sensor or point
        (alert,) = told
        detail = alert["detail"]
        assert set(detail) == {"border", "kind", "party", "cell", "from_side", "to_side",
                               "disclosure"}
        lon, lat = own["detail"]["position"]
        assert detail["cell"] == cell_of(lon, lat).key and detail["party"] == "isf"
        for secret in secrets_of(crossing_path()):
            assert secret not in json.dumps(alert)
    else:  # none: no alert at all
        assert told == []
