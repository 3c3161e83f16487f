"""Notices through the API: their lifecycle, who may answer, and the guards against probing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from deconflict.service.hub import Limits

from .conftest import HubFixture, make_hub_db, run_client

SDF_UNIT = (40.236, 35.352)  # sdf-1 of tests/cli/small.yaml, radius 500 m
NOWHERE = (41.0, 36.0)  # nothing of anyone within tens of kilometres
MORNING = ("2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z")
EVENING = ("2017-09-18T18:00:00Z", "2017-09-18T19:00:00Z")


def flight(at: tuple[float, float], buffer_m: float = 1000, window: tuple[str, str] = MORNING,
           **extra: Any) -> dict[str, Any]:
    """A flight notice (no standoff), so the footprint is exactly the buffer."""
    return {"kind": "flight", "geometry": {"type": "Point", "coordinates": list(at)},
            "buffer_m": buffer_m, "window": list(window), **extra}


def file(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    reply = client.post("/api/v1/notices", json=body, headers=headers)
    assert reply.status_code == 201, reply.text
    out: dict[str, Any] = reply.json()
    return out


def props(hub: HubFixture, party: str, notice_id: str) -> dict[str, Any]:
    reply = hub.client.get(f"/api/v1/notices/{notice_id}", headers=hub.as_party(party))
    assert reply.status_code == 200, reply.text
    out: dict[str, Any] = reply.json()["properties"]
    return out


def answer(hub: HubFixture, party: str, notice_id: str, kind: str) -> Any:
    return hub.client.post(f"/api/v1/notices/{notice_id}/ack", headers=hub.as_party(party),
                           json={"answer": kind, "comment": f"{party} says {kind}"})


def set_state(hub: HubFixture, party: str, notice_id: str, state: str) -> Any:
    return hub.client.post(f"/api/v1/notices/{notice_id}/state", json={"state": state},
                           headers=hub.as_party(party))


def alerts(hub: HubFixture, party: str, kind: str) -> list[dict[str, Any]]:
    """What the party's alerts of one kind tell (their ``detail``)."""
    found = hub.client.get("/api/v1/alerts", headers=hub.as_party(party)).json()
    return [a["detail"] for a in found if a["kind"] == kind]


def assert_refused(reply: Any, status: int, field: str) -> None:
    assert reply.status_code == status, reply.text
    assert reply.json()["error"]["field"] == field


# -- lifecycle -------------------------------------------------------------------------------

def test_acknowledged_once_every_touched_party_acknowledges(hub: HubFixture) -> None:
    # 3 km around the point reaches sdf-1 (R-UNIT) and the Red Crescent clinic (R-SITE).
    notice = file(hub.client, hub.as_party("russia"), flight((40.26, 35.33), buffer_m=3000))
    nid = notice["id"]
    assert notice["properties"]["state"] == "screened"
    assert notice["properties"]["awaiting"] == ["sarc", "sdf"]
    for party in ("sdf", "sarc"):
        told = [a for a in alerts(hub, party, "notice_conflict") if a["id"] == nid]
        assert len(told) == 1 and told[0]["party"] == "russia"
    assert [a for a in alerts(hub, "syria", "notice_conflict") if a["id"] == nid] == []

    assert answer(hub, "sdf", nid, "acknowledge").json()["state"] == "screened"
    assert props(hub, "russia", nid)["awaiting"] == ["sarc"]
    assert answer(hub, "sarc", nid, "acknowledge").json()["state"] == "acknowledged"
    mine = props(hub, "russia", nid)
    assert mine["state"] == "acknowledged" and mine["awaiting"] == []
    assert {a["party"] for a in mine["answers"]} == {"sdf", "sarc"}
    answered = alerts(hub, "russia", "notice_answered")
    assert [(a["party"], a["state"]) for a in answered] == [("sdf", "screened"),
                                                             ("sarc", "acknowledged")]
    # A touched party sees its own answer only, never the other party's.
    assert [a["party"] for a in props(hub, "sdf", nid)["answers"]] == ["sdf"]

    assert set_state(hub, "russia", nid, "completed").json()["state"] == "completed"
    for party in ("sdf", "sarc"):
        assert [a["state"] for a in alerts(hub, party, "notice_state")] == ["completed"]
    assert_refused(set_state(hub, "russia", nid, "cancelled"), 409, "state")


def test_objection_then_cleared_then_completed(hub: HubFixture) -> None:
    nid = file(hub.client, hub.as_party("russia"), flight(SDF_UNIT))["id"]
    objected = answer(hub, "sdf", nid, "object")
    assert objected.status_code == 200 and objected.json()["state"] == "objected"
    assert_refused(set_state(hub, "russia", nid, "completed"), 409, "state")
    assert set_state(hub, "russia", nid, "cleared").json()["state"] == "cleared"
    assert_refused(answer(hub, "sdf", nid, "acknowledge"), 409, "answer")
    assert set_state(hub, "russia", nid, "completed").json()["state"] == "completed"
    assert props(hub, "sdf", nid)["state"] == "completed"


def test_cancel_and_wrong_transitions(hub: HubFixture) -> None:
    nid = file(hub.client, hub.as_party("russia"), flight(SDF_UNIT))["id"]
    for wrong in ("completed", "screened", "acknowledged", "objected"):
        assert_refused(set_state(hub, "russia", nid, wrong), 409, "state")
    # The touched party sees the notice but only the notifier changes its state.
    assert_refused(set_state(hub, "sdf", nid, "cancelled"), 409, "state")
    assert set_state(hub, "russia", nid, "cancelled").json()["state"] == "cancelled"
    assert props(hub, "sdf", nid)["state"] == "cancelled"
    for wrong in ("cancelled", "cleared", "completed"):
        assert_refused(set_state(hub, "russia", nid, wrong), 409, "state")
    assert_refused(answer(hub, "sdf", nid, "acknowledge"), 409, "answer")
    bad = set_state(hub, "russia", nid, "finished")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "state"


def test_only_touched_parties_answer(hub: HubFixture) -> None:
    nid = file(hub.client, hub.as_party("russia"), flight(SDF_UNIT))["id"]
    assert_refused(answer(hub, "russia", nid, "acknowledge"), 409, "answer")
    hidden = answer(hub, "syria", nid, "object")
    unknown = answer(hub, "syria", "russia-none", "object")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"]["field"] == unknown.json()["error"]["field"] == "id"
    assert answer(hub, "coalition", nid, "object").status_code == 404  # sdf's partner: not touched
    assert props(hub, "russia", nid)["state"] == "screened"


def test_a_clear_notice_starts_cleared_and_alerts_nobody(hub: HubFixture) -> None:
    notice = file(hub.client, hub.as_party("russia"), flight(NOWHERE))
    assert notice["properties"]["verdict"] == "clear"
    assert notice["properties"]["state"] == "cleared"
    assert notice["properties"]["conflicts"] == [] and notice["properties"]["awaiting"] == []
    for party in ("coalition", "sdf", "syria", "sarc"):
        assert notice["id"] not in [a["id"] for a in alerts(hub, party, "notice_conflict")]
        reply = hub.client.get(f"/api/v1/notices/{notice['id']}", headers=hub.as_party(party))
        assert reply.status_code == 404
    assert set_state(hub, "russia", notice["id"], "completed").json()["state"] == "completed"


def test_cancelled_notices_leave_screening(hub: HubFixture) -> None:
    ours = file(hub.client, hub.as_party("russia"), flight(NOWHERE))["id"]
    first = file(hub.client, hub.as_party("coalition"), flight(NOWHERE))
    rules = [(c["rule"], c["party"]) for c in first["properties"]["conflicts"]]
    assert rules == [("R-NOTICE", "russia")]
    assert props(hub, "russia", first["id"])["state"] == "screened"  # it names russia's notice

    assert set_state(hub, "russia", ours, "cancelled").status_code == 200
    again = file(hub.client, hub.as_party("coalition"), flight(NOWHERE))
    assert again["properties"]["conflicts"] == [] and again["properties"]["state"] == "cleared"


def test_completed_notices_leave_screening(hub: HubFixture) -> None:
    ours = file(hub.client, hub.as_party("russia"), flight(NOWHERE))["id"]
    assert set_state(hub, "russia", ours, "completed").status_code == 200
    later = file(hub.client, hub.as_party("coalition"), flight(NOWHERE))
    assert later["properties"]["verdict"] == "clear"


def test_each_filing_cites_a_published_checkpoint(hub: HubFixture) -> None:
    # Checkpoints follow a cadence, not every write (see docs/ledger.md): filings close
    # together cite the same one, and a cited checkpoint never goes back.
    points = [file(hub.client, hub.as_party(p), flight(NOWHERE, window=EVENING))
              for p in ("russia", "russia", "syria", "coalition")]
    checkpoints = [n["properties"]["checkpoint"] for n in points]
    assert all(isinstance(c, int) and c >= 1 for c in checkpoints)
    assert checkpoints == sorted(checkpoints), checkpoints


# -- guards ----------------------------------------------------------------------------------

def test_a_point_notice_needs_a_minimum_footprint(hub: HubFixture) -> None:
    russia = hub.as_party("russia")
    tiny = hub.client.post("/api/v1/notices", json=flight(NOWHERE, buffer_m=249), headers=russia)
    assert_refused(tiny, 422, "buffer_m")
    assert tiny.json()["error"]["code"] == "invalid"
    file(hub.client, russia, flight(NOWHERE, buffer_m=200, radius_m=50))  # reach is 250 m
    square = {"type": "Polygon", "coordinates": [[[41.0, 36.0], [41.01, 36.0], [41.01, 36.01],
                                                 [41.0, 36.01], [41.0, 36.0]]]}
    file(hub.client, russia, {**flight(NOWHERE, buffer_m=0), "geometry": square})


def test_a_notice_needs_a_minimum_window(hub: HubFixture) -> None:
    russia = hub.as_party("russia")
    short = flight(NOWHERE, window=("2017-09-18T07:00:00Z", "2017-09-18T07:04:59Z"))
    assert_refused(hub.client.post("/api/v1/notices", json=short, headers=russia), 422, "window")
    file(hub.client, russia, flight(NOWHERE, window=("2017-09-18T07:00:00Z",
                                                     "2017-09-18T07:05:00Z")))


def test_budget_of_notices_per_hour(tmp_path: Path) -> None:
    db, tokens = make_hub_db(tmp_path)
    russia = {"Authorization": f"Bearer {tokens['russia']}"}
    with run_client(db, limits=Limits(notices_per_hour=3)) as client:
        filed = {file(client, russia, flight(NOWHERE))["id"] for _ in range(3)}
        over = client.post("/api/v1/notices", json=flight(NOWHERE), headers=russia)
        assert over.status_code == 429 and over.json()["error"]["code"] == "rate_limited"
        mine = client.get("/api/v1/notices", headers=russia).json()["features"]
        assert {f["id"] for f in mine if f["id"].startswith("russia-")} == filed  # none kept
        file(client, {"Authorization": f"Bearer {tokens['syria']}"}, flight(NOWHERE))


def test_probing_alert_after_small_notices_around_a_partys_forces(tmp_path: Path) -> None:
    db, tokens = make_hub_db(tmp_path)

    def headers(party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[party]}"}

    def probing(client: TestClient, party: str) -> list[dict[str, Any]]:
        found = client.get("/api/v1/alerts", headers=headers(party)).json()
        return [a["detail"] for a in found if a["kind"] == "probing"]

    with run_client(db, limits=Limits(probing_count=3)) as client:
        file(client, headers("syria"), flight(SDF_UNIT, buffer_m=3000))  # large: not a probe
        file(client, headers("syria"), flight(NOWHERE, buffer_m=300))  # touches no one
        for _ in range(2):
            file(client, headers("syria"), flight(SDF_UNIT, buffer_m=300))
        assert probing(client, "sdf") == []
        file(client, headers("syria"), flight(SDF_UNIT, buffer_m=300))
        told = probing(client, "sdf")
        assert len(told) == 1 and told[0]["by"] == "syria" and told[0]["count"] == 3
        for party in ("syria", "coalition", "russia", "sarc"):
            assert probing(client, party) == []


def test_chosen_ids_carry_the_party_prefix(hub: HubFixture) -> None:
    russia = hub.as_party("russia")
    for foreign in ("sdf-op-1", "ru-strike-1", "russiaop", "op-1"):
        reply = hub.client.post("/api/v1/notices", json=flight(NOWHERE, id=foreign),
                                headers=russia)
        assert_refused(reply, 422, "id")
    assert file(hub.client, russia, flight(NOWHERE, id="russia-op-1"))["id"] == "russia-op-1"
    clash = hub.client.post("/api/v1/notices", json=flight(NOWHERE, id="russia-op-1"),
                            headers=russia)
    assert_refused(clash, 409, "id")


def test_the_hub_sets_the_party(hub: HubFixture) -> None:
    reply = hub.client.post("/api/v1/notices", json=flight(NOWHERE, party="syria"),
                            headers=hub.as_party("russia"))
    assert_refused(reply, 422, "party")
    seen_by_syria = hub.client.get("/api/v1/notices", headers=hub.as_party("syria")).json()
    assert [f for f in seen_by_syria["features"] if f["properties"]["party"] == "russia"] == []
