"""Agreed zones through the API: proposed by a signatory, in effect once every signatory signed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import SMALL, HubFixture, make_hub_db, run_client

CENTRE = (41.2, 36.2)  # far from every unit, site and notice of tests/cli/small.yaml
TEN_KM_EAST = (41.3112, 36.2)  # 10 km east of CENTRE at this latitude
EVENING = ("2017-09-18T18:00:00Z", "2017-09-18T19:00:00Z")


def zone(ident: str, radius_m: float, owner: str, signatories: list[str]) -> dict[str, Any]:
    return {"id": ident, "kind": "zone", "owner": owner, "signatories": signatories,
            "geometry": {"type": "Point", "coordinates": list(CENTRE)}, "radius_m": radius_m}


@pytest.fixture
def zoned_hub(tmp_path: Path) -> Iterator[HubFixture]:
    """small.yaml plus one agreed zone, ``tanf``: coalition's, 5 km, signed by coalition and
    russia."""
    scenario = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    scenario["zones"] = [zone("tanf", 5000, "coalition", ["coalition", "russia"])]
    path = tmp_path / "zoned.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    db, made = make_hub_db(tmp_path, scenario=path)
    with run_client(db) as client:
        yield HubFixture(db, made, client)


def propose(hub: HubFixture, party: str, body: dict[str, Any]) -> Any:
    return hub.client.post("/api/v1/zones", json=body, headers=hub.as_party(party))


def sign(hub: HubFixture, party: str, zone_id: str, number: int) -> Any:
    return hub.client.post(f"/api/v1/zones/{zone_id}/versions/{number}/sign",
                           headers=hub.as_party(party))


def zones_in_effect(hub: HubFixture, party: str) -> dict[str, dict[str, Any]]:
    found = hub.client.get("/api/v1/zones", headers=hub.as_party(party)).json()["features"]
    return {f["id"]: f["properties"] for f in found}


def versions_seen(hub: HubFixture, party: str) -> list[tuple[str, int]]:
    found = hub.client.get("/api/v1/zones/versions", headers=hub.as_party(party)).json()
    return [(v["id"], v["version"]) for v in found]


def zone_rules(hub: HubFixture, party: str, at: tuple[float, float]) -> list[tuple[str, str]]:
    """R-ZONE findings of a new notice (1 km buffer) of ``party`` at ``at``."""
    body = {"kind": "flight", "geometry": {"type": "Point", "coordinates": list(at)},
            "buffer_m": 1000, "window": list(EVENING)}
    reply = hub.client.post("/api/v1/notices", json=body, headers=hub.as_party(party))
    assert reply.status_code == 201, reply.text
    return [(c["target"], c["party"]) for c in reply.json()["properties"]["conflicts"]
            if c["rule"] == "R-ZONE"]


def test_a_new_zone_takes_effect_with_the_last_signature(hub: HubFixture) -> None:
    body = zone("coalition-z1", 5000, "coalition", ["coalition", "russia", "syria"])
    proposed = propose(hub, "coalition", body)
    assert proposed.status_code == 201, proposed.text
    v1 = proposed.json()
    assert (v1["id"], v1["version"], v1["proposer"]) == ("coalition-z1", 1, "coalition")
    assert v1["signed_by"] == ["coalition"] and v1["awaiting"] == ["russia", "syria"]
    assert v1["effective"] is None

    assert "coalition-z1" not in zones_in_effect(hub, "russia")
    assert zone_rules(hub, "russia", CENTRE) == []
    assert sign(hub, "russia", "coalition-z1", 1).json()["awaiting"] == ["syria"]
    assert "coalition-z1" not in zones_in_effect(hub, "coalition")
    assert zone_rules(hub, "russia", CENTRE) == []

    last = sign(hub, "syria", "coalition-z1", 1).json()
    assert last["awaiting"] == [] and last["effective"] is not None
    for party in ("coalition", "sdf", "russia", "syria", "sarc"):
        assert zones_in_effect(hub, party)["coalition-z1"]["version"] == 1
    assert zone_rules(hub, "russia", CENTRE) == [("coalition-z1", "coalition")]
    assert zone_rules(hub, "sdf", CENTRE) == []  # the owner's partner is not kept out
    told = [a["detail"] for a in hub.client.get("/api/v1/alerts",
                                                headers=hub.as_party("syria")).json()
            if a["kind"] == "zone"]
    assert [t["signed_by"] for t in told] == [["coalition"], ["coalition", "russia"],
                                              ["coalition", "russia", "syria"]]


def test_pending_versions_are_shown_only_to_the_parties_they_concern(hub: HubFixture) -> None:
    body = zone("coalition-z2", 3000, "sdf", ["coalition", "russia"])
    assert propose(hub, "coalition", body).status_code == 201
    for party in ("coalition", "sdf", "russia"):
        assert versions_seen(hub, party) == [("coalition-z2", 1)]
    pending = hub.client.get("/api/v1/zones/versions", headers=hub.as_party("russia")).json()
    # what a signatory is asked to sign is drawn for it
    assert pending[0]["geometry"] == {"type": "Point", "coordinates": list(CENTRE)}
    for party in ("syria", "sarc"):
        assert versions_seen(hub, party) == []
        hidden, unknown = sign(hub, party, "coalition-z2", 1), sign(hub, party, "nope", 1)
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["error"]["field"] == unknown.json()["error"]["field"]
        assert zone_rules(hub, party, CENTRE) == []
    owner = sign(hub, "sdf", "coalition-z2", 1)  # concerned, but not a signatory
    assert owner.status_code == 409 and owner.json()["error"]["field"] == "version"
    assert sign(hub, "russia", "coalition-z2", 2).status_code == 404

    assert sign(hub, "russia", "coalition-z2", 1).json()["effective"] is not None
    assert versions_seen(hub, "sarc") == [("coalition-z2", 1)]  # in effect: shown to all
    assert zone_rules(hub, "syria", CENTRE) == [("coalition-z2", "sdf")]


def test_the_proposer_signs_and_must_be_a_signatory(hub: HubFixture) -> None:
    refused = propose(hub, "russia", zone("russia-z1", 3000, "russia", ["coalition", "syria"]))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "signatories"
    foreign = propose(hub, "russia", zone("z1", 3000, "russia", ["russia", "coalition"]))
    assert foreign.status_code == 422 and foreign.json()["error"]["field"] == "id"
    unknown = propose(hub, "russia", zone("russia-z1", 3000, "wagner", ["russia"]))
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "owner"
    assert versions_seen(hub, "russia") == []

    alone = propose(hub, "russia", zone("russia-z1", 3000, "russia", ["russia"])).json()
    assert alone["effective"] is not None  # its only signatory signed on proposing
    assert zones_in_effect(hub, "coalition")["russia-z1"]["party"] == "russia"


def test_a_revision_keeps_earlier_signatories_and_waits_for_them(zoned_hub: HubFixture) -> None:
    hub = zoned_hub
    tanf = zones_in_effect(hub, "syria")["tanf"]
    assert (tanf["version"], tanf["radius_m"]) == (1, 5000)
    assert zone_rules(hub, "syria", TEN_KM_EAST) == []  # 10 km from the centre, 1 km buffer

    dropped = propose(hub, "coalition", zone("tanf", 20000, "coalition", ["coalition"]))
    assert dropped.status_code == 422 and dropped.json()["error"]["field"] == "signatories"
    stranger = propose(hub, "syria", zone("tanf", 20000, "coalition", ["coalition", "russia",
                                                                       "syria"]))
    assert stranger.status_code == 403

    v2 = propose(hub, "coalition", zone("tanf", 20000, "coalition", ["coalition", "russia"]))
    assert v2.status_code == 201, v2.text
    assert (v2.json()["version"], v2.json()["awaiting"]) == (2, ["russia"])
    assert ("tanf", 2) in versions_seen(hub, "russia")
    assert ("tanf", 2) not in versions_seen(hub, "syria")
    assert zones_in_effect(hub, "russia")["tanf"]["radius_m"] == 5000
    assert zone_rules(hub, "syria", TEN_KM_EAST) == []  # the version in effect is still 1

    assert sign(hub, "russia", "tanf", 2).json()["effective"] is not None
    tanf = zones_in_effect(hub, "syria")["tanf"]
    assert (tanf["version"], tanf["radius_m"]) == (2, 20000)
    assert zone_rules(hub, "syria", TEN_KM_EAST) == [("tanf", "coalition")]
