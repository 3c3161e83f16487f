"""POST /api/v1/detections and the reads, on a real SQLite hub served in-process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from geographiclib.geodesic import Geodesic

from deconflict.model import Role
from deconflict.service import tokens

from .conftest import (
    CROSSING_POINT,
    START,
    SYRIAN_RADAR,
    THERMAL,
    TOWER,
    BorderHub,
    crossing_path,
    detection_body,
    moved,
)

WGS84 = Geodesic.WGS84


def crossing_bodies() -> list[dict[str, Any]]:
    return [detection_body(at, when) for at, when in crossing_path()]


def alerts(hub: BorderHub, party: str, kind: str = "crossing") -> list[dict[str, Any]]:
    found = hub.get(party, "/api/v1/alerts", limit="1000")
    return [a for a in found if a["kind"] == kind]


def test_a_batch_is_stored_tracked_and_its_crossing_alerted(border_hub: BorderHub) -> None:
    reply = border_hub.post("isf", crossing_bodies())
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["accepted"] == 3
    assert [d["id"] for d in body["detections"]] == ["isf-det-1", "isf-det-2", "isf-det-3"]
    assert {d["track"] for d in body["detections"]} == {"isf-trk-1"}
    (crossing,) = body["crossings"]
    assert crossing["border"] == "iq-sy" and crossing["kind"] == "crossing"
    assert (crossing["from_side"], crossing["to_side"]) == ("left", "right")  # Syria to Iraq
    assert crossing["sensor"] == THERMAL and crossing["detections"] == ["isf-det-2",
                                                                        "isf-det-3"]
    lon, lat = crossing["position"]
    assert WGS84.Inverse(lat, lon, CROSSING_POINT[1], CROSSING_POINT[0])["s12"] < 400
    first, last = START - timedelta(minutes=15), START - timedelta(minutes=10)
    assert first.isoformat()[:16] <= crossing["time"][:16] <= last.isoformat()[:16]
    (alert,) = alerts(border_hub, "isf")
    assert alert["detail"] == crossing  # the owner (here the detecting party) is told it all


def test_the_track_and_detections_read_back(border_hub: BorderHub) -> None:
    border_hub.post("isf", crossing_bodies())
    tracks = border_hub.get("isf", "/api/v1/tracks")["features"]
    (track,) = tracks
    assert track["id"] == "isf-trk-1" and track["geometry"]["type"] == "LineString"
    props = track["properties"]
    assert props["state"] == "confirmed" and props["sensors"] == [THERMAL]
    assert props["detections"] == ["isf-det-1", "isf-det-2", "isf-det-3"]
    assert [c["kind"] for c in props["crossings"]] == ["crossing"]
    found = border_hub.get("isf", "/api/v1/detections")["features"]
    assert [f["id"] for f in found] == ["isf-det-1", "isf-det-2", "isf-det-3"]
    assert found[0]["properties"] == {"party": "isf", "sensor": THERMAL,
                                      "time": "2017-09-18T10:40:00Z", "uncertainty_m": 40.0}
    later = border_hub.get("isf", "/api/v1/detections", since="2017-09-18T10:45:00Z")
    assert [f["id"] for f in later["features"]] == ["isf-det-2", "isf-det-3"]


def test_a_crossing_completed_by_a_later_batch_is_alerted_once(border_hub: BorderHub) -> None:
    bodies = crossing_bodies()
    first = border_hub.post("isf", bodies[:2]).json()
    assert first["crossings"] == [] and alerts(border_hub, "isf") == []
    second = border_hub.post("isf", bodies[2:]).json()
    assert second["detections"] == [{"id": "isf-det-3", "track": "isf-trk-1"}]
    assert [c["detections"] for c in second["crossings"]] == [["isf-det-2", "isf-det-3"]]
    # A detection further inside Iraq completes nothing new.
    at = moved(CROSSING_POINT, 148.0, 1500)
    third = border_hub.post("isf", [detection_body(at, START - timedelta(minutes=5))]).json()
    assert third["crossings"] == []
    assert len(alerts(border_hub, "isf")) == 1


def test_two_sensors_one_group_and_a_second_group_far_away(border_hub: BorderHub) -> None:
    (a, t1), (b, t2), _ = crossing_path()
    far = moved((40.50, 34.15), 0, 3000)
    reply = border_hub.post("isf", [
        detection_body(a, t1), detection_body(far, t1, TOWER),
        detection_body(moved(a, 10, 30), t1, TOWER),  # the same group, the other sensor
        detection_body(b, t2), detection_body(moved(far, 0, 600), t2, TOWER)]).json()
    tracks = [d["track"] for d in reply["detections"]]
    assert tracks[0] == tracks[2] == tracks[3] and tracks[1] == tracks[4] != tracks[0]


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"uncertainty_m": -1}, 422, "detections[1].uncertainty_m"),
    ({"time": "yesterday"}, 422, "detections[1].time"),
    ({"time": "2017-09-18T10:40:00+03:00"}, 422, "detections[1].time"),
    ({"position": [41.0, 95.0]}, 422, "detections[1].position"),
    ({"position": [41.0]}, 422, "detections[1].position"),
    ({"heading_deg": 360}, 422, "detections[1].heading_deg"),
    ({"speed_mps": -3}, 422, "detections[1].speed_mps"),
    ({"classification": ""}, 422, "detections[1].classification"),
    ({"colour": "red"}, 422, "detections[1].colour"),
    ({"sensor": "iq-nothing"}, 404, "detections[1].sensor"),
    ({"sensor": SYRIAN_RADAR}, 404, "detections[1].sensor"),  # another party's sensor
])
def test_bad_input_names_the_field_and_writes_nothing(border_hub: BorderHub,
                                                      change: dict[str, Any], status: int,
                                                      field: str) -> None:
    bodies = crossing_bodies()
    bodies[1] = {**bodies[1], **change}
    reply = border_hub.post("isf", bodies)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error["field"] == field, error
    assert border_hub.get("isf", "/api/v1/detections")["features"] == []
    assert border_hub.get("isf", "/api/v1/tracks")["features"] == []


@pytest.mark.parametrize("body", [{}, {"detections": []}, {"detections": {}}, []])
def test_a_batch_must_be_a_list_of_detections(border_hub: BorderHub, body: Any) -> None:
    reply = border_hub.client.post("/api/v1/detections", json=body,
                                   headers=border_hub.headers("isf"))
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] in ("detections", "body")


def test_a_bad_since_names_it(border_hub: BorderHub) -> None:
    for path in ("/api/v1/detections", "/api/v1/tracks"):
        reply = border_hub.client.get(path, params={"since": "noon"},
                                      headers=border_hub.headers("isf"))
        assert reply.status_code == 422 and reply.json()["error"]["field"] == "since"


def test_a_viewer_reads_but_may_not_report(border_hub: BorderHub) -> None:
    secret = tokens.create(border_hub.db, "isf", Role.VIEWER, "isf viewer")
    headers = {"Authorization": f"Bearer {secret}"}
    reply = border_hub.client.post("/api/v1/detections",
                                   json={"detections": crossing_bodies()}, headers=headers)
    assert reply.status_code == 403
    assert border_hub.client.get("/api/v1/tracks", headers=headers).status_code == 200


def test_sensors_are_listed_as_released(border_hub: BorderHub) -> None:
    def seen(party: str) -> tuple[list[str], list[tuple[str, int]]]:
        features = border_hub.get(party, "/api/v1/sensors")["features"]
        exact = [f["id"] for f in features if "id" in f]
        cells = [(f["properties"]["party"], f["properties"]["count"]) for f in features
                 if "id" not in f]
        return exact, cells

    assert seen("isf") == ([THERMAL, TOWER], [])
    assert seen("coalition") == ([THERMAL, TOWER], [])
    exact, cells = seen("syria")
    assert exact == [SYRIAN_RADAR] and sum(n for p, n in cells if p == "isf") == 2
    assert seen("russia") == ([], [])
    own = border_hub.get("isf", "/api/v1/sensors")["features"][0]
    assert own["properties"]["range_m"] == 8000 and own["properties"]["active"] is True


def test_a_track_closes_after_the_gap(border_hub: BorderHub) -> None:
    at, when = crossing_path()[0]
    border_hub.post("isf", [detection_body(at, when - timedelta(hours=1))])
    (track,) = border_hub.get("isf", "/api/v1/tracks")["features"]
    assert track["properties"]["state"] == "closed"  # an hour before the hub's "now"
    reply = border_hub.post("isf", [detection_body(at, when)]).json()
    assert reply["detections"][0]["track"] == "isf-trk-2"
