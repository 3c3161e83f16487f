"""Replaying the picture: ``GET /units?at=`` shows past positions under today's release rules."""

from __future__ import annotations

from typing import Any

from .conftest import HubFixture

BEFORE = "2017-09-18T05:59:00Z"
MOVED_TO = [40.5, 35.1]


def units(hub: HubFixture, party: str, at: str | None = None) -> dict[str, Any]:
    params = {"at": at} if at else {}
    reply = hub.client.get("/api/v1/units", params=params, headers=hub.as_party(party))
    assert reply.status_code == 200, reply.text
    return {f.get("id", f"cell:{f['properties'].get('cell')}"): f for f in reply.json()["features"]}


def move_sdf(hub: HubFixture) -> None:
    report = {"unit": "sdf-1", "position": MOVED_TO, "time": "2017-09-18T06:00:00Z"}
    reply = hub.client.post("/api/v1/positions", json={"reports": [report]},
                            headers=hub.as_party("sdf"))
    assert reply.status_code == 200, reply.text


def test_owner_replays_its_own_unit_before_and_after_a_move(hub: HubFixture) -> None:
    before = units(hub, "sdf", BEFORE)["sdf-1"]["geometry"]["coordinates"]
    move_sdf(hub)
    assert units(hub, "sdf")["sdf-1"]["geometry"]["coordinates"] == MOVED_TO
    assert units(hub, "sdf", BEFORE)["sdf-1"]["geometry"]["coordinates"] == before
    assert before != MOVED_TO


def test_past_picture_releases_nothing_the_live_one_does_not(hub: HubFixture) -> None:
    move_sdf(hub)
    assert "sdf-1" not in units(hub, "coalition", BEFORE)
    assert units(hub, "russia", BEFORE) == {} == units(hub, "russia")
    hub.client.put("/api/v1/disclosure/coalition", json={"level": "exact"},
                   headers=hub.as_party("sdf"))
    assert "sdf-1" in units(hub, "coalition", BEFORE)
    hub.client.put("/api/v1/disclosure/coalition", json={"level": "none"},
                   headers=hub.as_party("sdf"))
    # A release withdrawn now is withdrawn for the past too.
    assert "sdf-1" not in units(hub, "coalition", BEFORE)
    hub.client.put("/api/v1/disclosure/russia", json={"level": "area"},
                   headers=hub.as_party("sdf"))
    past = units(hub, "russia", BEFORE)
    assert len(past) == 1 and all(k.startswith("cell:") for k in past)
    assert "sdf-1" not in str(past)


def test_bad_or_future_moments_name_the_field(hub: HubFixture) -> None:
    for bad in ("yesterday", "2017-09-18T05:59:00", "2030-01-01T00:00:00Z"):
        reply = hub.client.get("/api/v1/units", params={"at": bad}, headers=hub.as_party("sdf"))
        assert reply.status_code == 422, (bad, reply.text)
        assert reply.json()["error"]["field"] == "at"


def test_before_any_report_the_party_sees_no_units(hub: HubFixture) -> None:
    assert units(hub, "sdf", "2017-09-17T00:00:00Z") == {}
