"""Disclosure review of the ledger's read paths: what a party never disclosed must not show in
the keys' list, in the entries every party reads, or in an evidence bundle's keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import SMALL, make_hub_db, run_client

# A Syrian unit Russia is never released: a second hub holds it, the first does not.
HIDDEN_UNIT = ("  - {id: syr-2, party: syria, kind: ground, position: [40.27, 35.37], "
               "time: \"2017-09-18T05:30:00Z\"}\n")


def _auth(tokens: dict[str, str], party: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[party]}"}


def _keys(client: TestClient, tokens: dict[str, str], party: str) -> list[dict[str, Any]]:
    reply = client.get("/api/v1/ledger/keys", headers=_auth(tokens, party))
    assert reply.status_code == 200, reply.text
    keys: list[dict[str, Any]] = reply.json()
    return keys


def _report_syrian_position(client: TestClient, tokens: dict[str, str]) -> None:
    report = {"unit": "syr-1", "position": [40.25, 35.36], "time": "2017-09-18T05:59:00Z"}
    reply = client.post("/api/v1/positions", headers=_auth(tokens, "syria"),
                        json={"reports": [report]})
    assert reply.status_code == 200, reply.text


def test_the_keys_do_not_tell_when_another_party_first_acted(tmp_path: Path) -> None:
    # Syria's positions are withheld from Russia; a Syrian key appearing (with its time) at
    # Syria's first report would tell Russia that Syria reported, and when.
    db, tokens = make_hub_db(tmp_path)
    with run_client(db) as client:
        before = _keys(client, tokens, "russia")
        _report_syrian_position(client, tokens)
        assert _keys(client, tokens, "russia") == before
    assert {k["name"] for k in before} >= {"coalition", "sdf", "russia", "syria", "sarc"}


def test_an_evidence_bundle_carries_the_same_keys_whatever_others_did(tmp_path: Path) -> None:
    db, tokens = make_hub_db(tmp_path)
    incident = {"time": "2017-09-18T05:50:00Z", "position": [40.6, 35.2], "radius_m": 1000}
    with run_client(db) as client:
        made = client.post("/api/v1/incidents", headers=_auth(tokens, "coalition"),
                           json=incident)
        assert made.status_code == 201, made.text
        path = f"/api/v1/incidents/{made.json()['incident']['id']}/bundle"
        first = client.get(path, headers=_auth(tokens, "coalition")).json()["keys"]
        _report_syrian_position(client, tokens)
        assert client.get(path, headers=_auth(tokens, "coalition")).json()["keys"] == first


def _load_entry(client: TestClient, tokens: dict[str, str]) -> dict[str, Any]:
    about = client.get("/api/v1/ledger/about/CLI test", headers=_auth(tokens, "russia"))
    assert about.status_code == 200, about.text
    (load,) = [e for e in about.json() if e["kind"] == "scenario.load"]
    reply = client.get(f"/api/v1/ledger/entries/{load['index']}", headers=_auth(tokens, "russia"))
    assert reply.status_code == 200, reply.text
    entry: dict[str, Any] = reply.json()["entry"]
    return entry


def test_the_load_entry_every_party_reads_counts_nothing_withheld(tmp_path: Path) -> None:
    bodies = []
    for name, extra in (("plain", ""), ("hidden", HIDDEN_UNIT)):
        scenario = tmp_path / f"{name}.yaml"
        scenario.write_text(SMALL.read_text().replace("sites:\n", extra + "sites:\n", 1))
        (tmp_path / name).mkdir()
        db, tokens = make_hub_db(tmp_path / name, scenario)
        with run_client(db) as client:
            body = dict(_load_entry(client, tokens)["body"])
        body.pop("sha256")  # of the file: differs, and says nothing of what it holds
        bodies.append(body)
    assert bodies[0] == bodies[1]
    assert not {"units", "notices", "sensors", "disclosure", "areas"} & set(bodies[0]["counts"])
