"""Lines of communication: deadlines, escalation air → ground → command, unresponsive parties.

The hub runs on the exercise clock (real time from 2017-09-18T06:00Z), so deadlines are short and
the test drives the monitor itself (``monitor_once``) instead of waiting for its tick.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from deconflict.api import monitor_once
from deconflict.model import Role
from deconflict.service import tokens

from .conftest import HubFixture, make_hub_db, run_client

DEADLINE_S = 0.3
NOWHERE = (41.0, 36.0)
ELSEWHERE = (41.5, 35.5)


@pytest.fixture
def quiet_hub(tmp_path: Path) -> Iterator[HubFixture]:
    """A hub whose monitor does not tick on its own during the test."""
    db, made = make_hub_db(tmp_path)
    with run_client(db, tick_s=3600) as client:
        yield HubFixture(db, made, client)


def send(hub: HubFixture, sender: str, to: str, level: str = "air",
         ack_within_s: float = DEADLINE_S) -> dict[str, Any]:
    reply = hub.client.post("/api/v1/messages", headers=hub.as_party(sender), json={
        "to": to, "level": level, "text": "your battery at grid 37S is firing toward us",
        "ack_within_s": ack_within_s})
    assert reply.status_code == 201, reply.text
    out: dict[str, Any] = reply.json()
    return out


def ack(hub: HubFixture, party: str, message_id: str) -> Any:
    return hub.client.post(f"/api/v1/messages/{message_id}/ack", headers=hub.as_party(party))


def messages(hub: HubFixture, party: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = hub.client.get("/api/v1/messages",
                                                 headers=hub.as_party(party)).json()
    return found


def alerts(hub: HubFixture, party: str, kind: str) -> list[dict[str, Any]]:
    found = hub.client.get("/api/v1/alerts", headers=hub.as_party(party)).json()
    return [a["detail"] for a in found if a["kind"] == kind]


def monitor_until_something(client: TestClient, limit_s: float = 5.0) -> int:
    """Run monitor passes until one raises alerts (a deadline passed); bounded."""
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        raised = monitor_once(client.app.state.hub)  # type: ignore[attr-defined]
        if raised:
            return raised
        time.sleep(0.05)
    raise AssertionError(f"nothing escalated within {limit_s} s")


def silence_at_every_level(hub: HubFixture, sender: str, silent: str) -> None:
    send(hub, sender, silent)
    for _ in ("ground", "command", "unresponsive"):
        monitor_until_something(hub.client)


def open_message_to(hub: HubFixture, party: str) -> dict[str, Any]:
    chain = [m for m in messages(hub, party) if m["to"] == party]
    return chain[-1]


def file(hub: HubFixture, party: str, at: tuple[float, float], window: tuple[str, str]
         ) -> dict[str, Any]:
    body = {"kind": "flight", "geometry": {"type": "Point", "coordinates": list(at)},
            "buffer_m": 1000, "window": list(window)}
    reply = hub.client.post("/api/v1/notices", json=body, headers=hub.as_party(party))
    assert reply.status_code == 201, reply.text
    out: dict[str, Any] = reply.json()
    return out


def notice_rules(notice: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["rule"], c["party"]) for c in notice["properties"]["conflicts"]]


MORNING = ("2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z")
EVENING = ("2017-09-18T18:00:00Z", "2017-09-18T19:00:00Z")


def test_silence_escalates_air_ground_command_then_unresponsive(quiet_hub: HubFixture) -> None:
    hub = quiet_hub
    first = send(hub, "coalition", "russia")
    assert first["level"] == "air" and first["acknowledged"] is None
    assert [m["id"] for m in alerts(hub, "russia", "message")] == [first["id"]]
    assert monitor_once(hub.client.app.state.hub) == 0  # type: ignore[attr-defined]

    for level in ("ground", "command"):
        monitor_until_something(hub.client)
        for party in ("coalition", "russia"):
            assert alerts(hub, party, "escalation")[-1]["level"] == level
        latest = open_message_to(hub, "russia")
        assert latest["level"] == level and latest["escalated"] is None
    chain = [m for m in messages(hub, "coalition") if m["to"] == "russia"]
    assert [m["level"] for m in chain] == ["air", "ground", "command"]
    assert chain[1]["escalated_from"] == chain[0]["id"]
    assert chain[2]["escalated_from"] == chain[1]["id"]
    assert all(m["escalated"] for m in chain[:2])
    assert alerts(hub, "coalition", "unresponsive") == []

    monitor_until_something(hub.client)
    for party in ("coalition", "russia"):
        told = alerts(hub, party, "unresponsive")
        assert len(told) == 1 and told[0]["party"] == "russia"
    for party in ("syria", "sdf", "sarc"):
        assert alerts(hub, party, "escalation") == alerts(hub, party, "unresponsive") == []
    time.sleep(DEADLINE_S)
    assert monitor_once(hub.client.app.state.hub) == 0  # type: ignore[attr-defined]


def test_a_silent_partys_notices_occupy_their_volumes_at_all_times(quiet_hub: HubFixture
                                                                  ) -> None:
    hub = quiet_hub
    file(hub, "russia", NOWHERE, MORNING)
    dropped = file(hub, "russia", ELSEWHERE, MORNING)["id"]
    assert hub.client.post(f"/api/v1/notices/{dropped}/state", json={"state": "cancelled"},
                           headers=hub.as_party("russia")).status_code == 200
    # Same place, another time: no conflict while russia answers its messages.
    assert notice_rules(file(hub, "coalition", NOWHERE, EVENING)) == []

    silence_at_every_level(hub, "coalition", "russia")
    assert notice_rules(file(hub, "coalition", NOWHERE, EVENING)) == [("R-NOTICE", "russia")]
    assert ("R-NOTICE", "russia") in notice_rules(file(hub, "syria", NOWHERE, EVENING))
    assert notice_rules(file(hub, "coalition", ELSEWHERE, EVENING)) == []  # cancelled stays out

    answered = ack(hub, "russia", open_message_to(hub, "russia")["id"])
    assert answered.status_code == 200 and answered.json()["acknowledged"]
    assert ("R-NOTICE", "russia") not in notice_rules(file(hub, "coalition", NOWHERE, EVENING))
    assert [a["by"] for a in alerts(hub, "coalition", "message_acknowledged")] == ["russia"]


def test_only_the_recipient_acknowledges(hub: HubFixture) -> None:
    sent = send(hub, "coalition", "russia", level="ground", ack_within_s=3600)
    refused = ack(hub, "coalition", sent["id"])
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "id"
    hidden, unknown = ack(hub, "syria", sent["id"]), ack(hub, "syria", "msg-000000000000")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == {"error": {**unknown.json()["error"],
                                       "message": hidden.json()["error"]["message"]}}
    assert [m["id"] for m in messages(hub, "syria")] == []
    assert [m["id"] for m in messages(hub, "russia")] == [sent["id"]]

    done = ack(hub, "russia", sent["id"])
    assert done.status_code == 200 and done.json()["acknowledged"] is not None
    again = ack(hub, "russia", sent["id"])
    assert again.status_code == 200 and again.json()["acknowledged"] == done.json()["acknowledged"]
    told = alerts(hub, "coalition", "message_acknowledged")
    assert [(a["id"], a["by"], a["level"]) for a in told] == [(sent["id"], "russia", "ground")]


def test_an_acknowledged_message_never_escalates(quiet_hub: HubFixture) -> None:
    hub = quiet_hub
    sent = send(hub, "russia", "coalition", ack_within_s=0.1)
    assert ack(hub, "coalition", sent["id"]).status_code == 200
    time.sleep(0.2)
    assert monitor_once(hub.client.app.state.hub) == 0  # type: ignore[attr-defined]
    assert alerts(hub, "russia", "escalation") == []


def test_a_late_answer_to_the_first_message_stops_the_escalation(quiet_hub: HubFixture
                                                                 ) -> None:
    hub = quiet_hub
    first = send(hub, "coalition", "russia")
    monitor_until_something(hub.client)  # air → ground
    assert ack(hub, "russia", first["id"]).status_code == 200
    time.sleep(DEADLINE_S * 1.5)
    assert monitor_once(hub.client.app.state.hub) == 0  # type: ignore[attr-defined]
    levels = [a["level"] for a in alerts(hub, "coalition", "escalation")]
    assert levels == ["ground"]


def test_bad_messages_name_their_field(hub: HubFixture) -> None:
    def post(**changes: Any) -> Any:
        body = {"to": "russia", "level": "air", "text": "hello", "ack_within_s": 60, **changes}
        return hub.client.post("/api/v1/messages", json=body, headers=hub.as_party("coalition"))

    cases: list[tuple[dict[str, Any], str]] = [
        ({"to": "coalition"}, "to"), ({"to": "nobody"}, "to"), ({"level": "radio"}, "level"),
        ({"ack_within_s": 0}, "ack_within_s"), ({"ack_within_s": 10**9}, "ack_within_s"),
        ({"text": "  "}, "text")]
    for changes, field in cases:
        reply = post(**changes)
        assert reply.status_code == 422, (changes, reply.text)
        assert reply.json()["error"]["field"] == field, changes
    viewer = tokens.create(hub.db, "coalition", Role.VIEWER, "watch officer")
    refused = hub.client.post("/api/v1/messages", headers={"Authorization": f"Bearer {viewer}"},
                              json={"to": "russia", "level": "air", "text": "hi",
                                    "ack_within_s": 60})
    assert refused.status_code == 403
