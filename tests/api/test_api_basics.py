"""The hub server end to end through its HTTP API (in-process client, real SQLite file)."""

from __future__ import annotations

from typing import Any

from deconflict.api import monitor_once

from .conftest import HubFixture

STRIKE: dict[str, Any] = {
    "kind": "air_strike",
    "geometry": {"type": "Point", "coordinates": [40.26, 35.33]},
    "buffer_m": 1000,
    "window": ["2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z"],
}


def test_me_and_openapi(hub: HubFixture) -> None:
    me = hub.client.get("/api/v1/me", headers=hub.as_party("russia")).json()
    assert me["party"] == "russia" and me["role"] == "liaison"
    assert me["hub_time"].startswith("2017-09-18T06:00")
    schema = hub.client.get("/openapi.json").json()
    assert "/api/v1/notices" in schema["paths"]


def test_two_parties_see_two_pictures(hub: HubFixture) -> None:
    coalition = hub.client.get("/api/v1/units", headers=hub.as_party("coalition")).json()
    russia = hub.client.get("/api/v1/units", headers=hub.as_party("russia")).json()
    assert {f.get("id") for f in coalition["features"]} == {"co-1"}
    assert russia["features"] == []  # no units of its own, nothing released to it
    assert hub.client.put("/api/v1/disclosure/coalition", json={"level": "exact"},
                          headers=hub.as_party("sdf")).status_code == 200
    coalition = hub.client.get("/api/v1/units", headers=hub.as_party("coalition")).json()
    assert {f["id"] for f in coalition["features"]} == {"co-1", "sdf-1"}
    hub.client.put("/api/v1/disclosure/russia", json={"level": "area"},
                   headers=hub.as_party("sdf"))
    cells = hub.client.get("/api/v1/units", headers=hub.as_party("russia")).json()["features"]
    assert len(cells) == 1 and "id" not in cells[0]
    assert cells[0]["properties"] == {"party": "sdf", "count": 1, "disclosure": "area",
                                      "cell": cells[0]["properties"]["cell"]}
    assert cells[0]["geometry"]["type"] == "Polygon"


def test_notice_is_screened_blind_and_touched_party_answers(hub: HubFixture) -> None:
    reply = hub.client.post("/api/v1/notices", json=STRIKE, headers=hub.as_party("russia"))
    assert reply.status_code == 201, reply.text
    notice = reply.json()
    props = notice["properties"]
    assert props["verdict"] == "conflict" and props["state"] == "screened"
    unit = next(c for c in props["conflicts"] if c["rule"] == "R-UNIT")
    assert unit == {"rule": "R-UNIT", "party": "sdf", "distance_band": "1–5 km",
                    "severity": "warn"}  # sdf released nothing to russia: no id, no metres
    assert "sdf-1" not in reply.text
    sdf_alerts = hub.client.get("/api/v1/alerts", headers=hub.as_party("sdf")).json()
    assert any(a["kind"] == "notice_conflict" and a["id"] for a in sdf_alerts)
    seen_by_sdf = hub.client.get(f"/api/v1/notices/{notice['id']}",
                                 headers=hub.as_party("sdf")).json()
    assert any(c.get("target") == "sdf-1" for c in seen_by_sdf["properties"]["conflicts"])
    assert hub.client.get(f"/api/v1/notices/{notice['id']}",
                          headers=hub.as_party("syria")).status_code == 404
    answer = hub.client.post(f"/api/v1/notices/{notice['id']}/ack",
                             json={"answer": "object", "comment": "our company is there"},
                             headers=hub.as_party("sdf"))
    assert answer.status_code == 200 and answer.json()["state"] == "objected"


def test_positions_raise_separation_alerts_to_both_sides(hub: HubFixture) -> None:
    batch = {"reports": [{"unit": "syr-1", "position": [40.237, 35.353],
                          "time": "2017-09-18T06:00:00Z"}]}
    assert hub.client.post("/api/v1/positions", json=batch,
                           headers=hub.as_party("syria")).json() == {"accepted": 1}
    monitor_once(hub.client.app.state.hub)  # type: ignore[attr-defined]
    for party in ("syria", "sdf"):
        alerts = hub.client.get("/api/v1/alerts", headers=hub.as_party(party)).json()
        sep = [a for a in alerts if a["kind"] == "separation"]
        assert sep and sep[-1]["detail"]["level"] == "critical"
        assert "other_unit" not in sep[-1]["detail"]  # neither released anything to the other


def test_other_partys_unit_is_as_unknown_as_a_made_up_one(hub: HubFixture) -> None:
    def post(unit: str) -> Any:
        return hub.client.post("/api/v1/positions", headers=hub.as_party("russia"), json={
            "reports": [{"unit": unit, "position": [40, 35], "time": "2017-09-18T06:00:00Z"}]})

    hidden, made_up = post("sdf-1"), post("no-such-unit")
    assert hidden.status_code == made_up.status_code == 404
    assert hidden.json()["error"]["field"] == made_up.json()["error"]["field"]
    assert "sdf" not in hidden.text.replace("no unit 'sdf-1'", "")


def test_errors_have_one_shape(hub: HubFixture) -> None:
    assert hub.client.get("/api/v1/units").json()["error"]["code"] == "unauthenticated"
    bad = hub.client.post("/api/v1/notices", json={**STRIKE, "buffer_m": -5},
                          headers=hub.as_party("russia"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "buffer_m"
    assert hub.client.get("/nope").json()["error"]["code"] == "not_found"
