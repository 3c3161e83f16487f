"""POST/GET /api/v1/incidents on a real hub: reports, lists, bundles, the HTML page, and every
refusal a 4xx naming the field."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from deconflict.ledger.verify import verify_document

from .conftest import EVENT, Served


@pytest.fixture(scope="module")
def filed(world_hub: Served) -> dict[str, Any]:
    reply = world_hub.post("red", "/api/v1/incidents", EVENT)
    assert reply.status_code == 201, reply.text
    report: dict[str, Any] = reply.json()
    return report


def test_the_reply_is_the_report_for_the_caller(filed: dict[str, Any]) -> None:
    assert filed["format"] == "deconflict-incident/1"
    head = filed["incident"]
    assert head["id"] == "red-incident-1" and head["reported_by"] == "red"
    assert head["reported"] == "2017-09-18T08:30:00Z" and head["time"] == EVENT["time"]
    assert head["position"] == EVENT["position"] and head["radius_m"] == 3000
    assert head["description"] == EVENT["description"] and head["kind"] == "strike"
    assert filed["view"] == {"party": "red", "scope": "party"}
    assert "red-cover" in [n["id"] for n in filed["notices"]]


def test_get_computes_the_same_report(world_hub: Served, filed: dict[str, Any]) -> None:
    again = world_hub.get("red", "/api/v1/incidents/red-incident-1")
    assert again.status_code == 200 and again.json() == filed
    viewer = world_hub.get("red-viewer", "/api/v1/incidents/red-incident-1")
    assert viewer.status_code == 200 and viewer.json() == filed


def test_lists_show_a_party_its_own_and_an_admin_all(world_hub: Served,
                                                     filed: dict[str, Any]) -> None:
    mine = world_hub.get("red", "/api/v1/incidents").json()
    assert [i["id"] for i in mine] == ["red-incident-1"]
    assert set(mine[0]) == {"id", "reported_by", "reported", "kind", "time", "position",
                            "radius_m", "description"}
    assert world_hub.get("blue", "/api/v1/incidents").json() == []
    assert "red-incident-1" in [i["id"] for i in world_hub.get("admin",
                                                               "/api/v1/incidents").json()]


def test_another_partys_incident_is_as_unknown_as_a_made_up_one(world_hub: Served,
                                                                 filed: dict[str, Any]) -> None:
    for suffix in ("", "/bundle", "/bundle.json", "/report"):
        theirs = world_hub.get("blue", f"/api/v1/incidents/red-incident-1{suffix}")
        unknown = world_hub.get("blue", f"/api/v1/incidents/red-incident-9{suffix}")
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"] == "not_found"
        assert theirs.json()["error"]["field"] == "id"


def test_the_bundle_verifies_offline_and_a_changed_byte_fails(world_hub: Served,
                                                              filed: dict[str, Any]) -> None:
    reply = world_hub.get("red", "/api/v1/incidents/red-incident-1/bundle.json")
    assert reply.status_code == 200
    assert "red-incident-1.bundle.json" in reply.headers["content-disposition"]
    bundle = reply.json()
    assert bundle["format"] == "deconflict-evidence/1"
    assert verify_document(bundle).ok, verify_document(bundle).describe()
    assert bundle["incident"]["incident"]["id"] == "red-incident-1"
    kinds = [(i["entry"]["kind"], i["entry"]["ref"]) for i in bundle["items"]]
    assert ("incident", "red-incident-1") in kinds
    assert ("incident.correlated", "red-incident-1") not in kinds  # the hub's, for investigators
    cover = next(n for n in bundle["incident"]["notices"] if n["id"] == "red-cover")
    assert cover["ledger"] and set(cover["ledger"]) <= {i["entry"]["index"]
                                                        for i in bundle["items"]}
    for path in (("entry", "ref"), ("entry", "signature"), ("entry", "time")):
        tampered = copy.deepcopy(bundle)
        entry = tampered["items"][0][path[0]]
        entry[path[1]] = _one_char_changed(entry[path[1]])
        verdict = verify_document(tampered)
        assert not verdict.ok and str(verdict.location).startswith("items[0]"), path


def _one_char_changed(text: str) -> str:
    """``text`` with one character changed, keeping it well-formed where it can."""
    i = next(i for i, c in enumerate(text) if c.isalnum() and c not in "Z")
    swap = {"0": "1", "1": "2", "2": "3"}.get(text[i], "A" if text[i] != "A" else "B")
    return text[:i] + swap + text[i + 1:]


def test_the_admin_bundle_holds_what_was_correlated(world_hub: Served,
                                                    filed: dict[str, Any]) -> None:
    bundle = world_hub.get("admin", "/api/v1/incidents/red-incident-1/bundle").json()
    assert verify_document(bundle).ok
    correlated = next(i for i in bundle["items"] if i["entry"]["kind"] == "incident.correlated")
    assert ["unit", "grey-hidden"] not in correlated["reveal"]["body"]["items"]  # far away
    assert ["notice", "green-op"] in correlated["reveal"]["body"]["items"]
    assert bundle["incident"]["view"] == {"party": None, "scope": "whole truth"}


def test_the_html_report_runs_nothing_and_escapes_every_name(world_hub: Served,
                                                             filed: dict[str, Any]) -> None:
    reply = world_hub.get("red", "/api/v1/incidents/red-incident-1/report")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    page = reply.text
    assert "<script" not in page.lower()
    assert "Bombs &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; smoke" in page
    assert "Blue &lt;script&gt;alert(1)&lt;/script&gt; platoon" in page
    assert "Clinic &lt;i&gt;&quot;quoted&quot;&lt;/i&gt;" in page
    assert "<b>" not in page and "<i>" not in page
    assert not re.search(r"(src|href)\s*=", page, re.I)  # nothing to fetch
    assert "Who knew what, and when" in page


@pytest.mark.parametrize(("change", "field"), [
    ({"time": "yesterday"}, "time"),
    ({"time": "2017-09-18T08:00:00+02:00"}, "time"),
    ({"time": "2017-09-18T09:00:00Z"}, "time"),  # after the hub's now
    ({"position": [200, 35]}, "position"),
    ({"position": [40.0]}, "position"),
    ({"position": [40.0, "north"]}, "position[1]"),
    ({"radius_m": -1}, "radius_m"),
    ({"radius_m": 50_001}, "radius_m"),
    ({"description": "x" * 4001}, "description"),
    ({"kind": "earthquake"}, "kind"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_is_a_4xx_naming_the_field(world_hub: Served, change: dict[str, Any],
                                             field: str) -> None:
    reply = world_hub.post("red", "/api/v1/incidents", {**EVENT, **change})
    assert 400 <= reply.status_code < 500, reply.text
    assert reply.json()["error"]["field"] == field


def test_missing_fields_and_wrong_callers(world_hub: Served) -> None:
    missing = world_hub.post("red", "/api/v1/incidents", {"position": [40.0, 35.0]})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "time"
    viewer = world_hub.post("red-viewer", "/api/v1/incidents", EVENT)
    assert viewer.status_code == 403
    anonymous = world_hub.client.post("/api/v1/incidents", json=EVENT)
    assert anonymous.status_code == 401


def test_a_lone_surrogate_in_the_description_is_refused(world_hub: Served) -> None:
    body = ('{"time": "2017-09-18T08:00:00Z", "position": [40.05, 35.1], '
            '"description": "\\ud800"}')
    reply = world_hub.client.post("/api/v1/incidents", content=body, headers={
        **world_hub.auth("red"), "Content-Type": "application/json"})
    assert reply.status_code == 422 and reply.json()["error"]["field"] == "description"
