"""What each caller receives about an incident: only what its party may see, and nothing that a
hidden unit could change — the replies are compared byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from deconflict.ledger.verify import verify_document

from .conftest import EVENT, Served, serve_world


@pytest.fixture(scope="module")
def two_worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Served]]:
    """The same hub twice; in the second the grey unit (released to nobody) reported from
    400 m of the event instead of 200 km away."""
    root = tmp_path_factory.mktemp("two")
    far, near = serve_world(root / "far"), serve_world(root / "near", grey_near=True)
    served = next(far), next(near)
    replies = [_file(world, "red").content for world in served]
    assert replies[0] == replies[1]  # the first reply, byte for byte
    yield served
    for world in (far, near):
        world.close()


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [str(i["id"]) for i in items]


def _file(world: Served, who: str, body: dict[str, Any] = EVENT) -> Any:
    reply = world.post(who, "/api/v1/incidents", body)
    assert reply.status_code == 201, reply.text
    return reply


def test_a_liaison_sees_only_what_its_party_may_see(two_worlds: tuple[Served, Served]) -> None:
    _, near = two_worlds
    report = near.get("red", "/api/v1/incidents/red-incident-1").json()
    assert ids(report["units"]) == ["blue-near", "red-own"]  # blue releases exact; its own
    assert report["unit_cells"] == [{"cell": "35.0:40.0", "party": "green", "count": 2,
                                     "disclosure": "area", "bounds": [40.0, 35.0, 40.4, 35.2]}]
    text = json.dumps(report)
    for hidden in ("grey", "green-near", "green-far", "green-op", "msg-green-1"):
        assert hidden not in text, hidden
    assert set(ids(report["notices"])) == {"red-cover", "red-miss", "red-high"}
    assert ids(report["messages"]) == ["msg-red-1"]
    assert report["disclosure"] == [{"from": "blue", "to": "red", "level": "exact"},
                                    {"from": "green", "to": "red", "level": "area"}]
    cover = next(n for n in report["notices"] if n["id"] == "red-cover")
    assert cover["findings"] is None and list(cover["told"]) == ["red"]


def test_the_admin_sees_the_whole_truth(two_worlds: tuple[Served, Served]) -> None:
    far, near = two_worlds
    reply = near.get("admin", "/api/v1/incidents/red-incident-1")
    report = reply.json()
    assert report["view"]["scope"] == "whole truth"
    assert {"grey-hidden", "green-near", "blue-near", "red-own"} <= set(ids(report["units"]))
    assert "green-op" in ids(report["notices"]) and "msg-green-1" in ids(report["messages"])
    assert report["unit_cells"] == []
    assert "grey-hidden" not in ids(far.get("admin",
                                            "/api/v1/incidents/red-incident-1").json()["units"])


def test_a_hidden_unit_changes_nothing_the_caller_receives(
        two_worlds: tuple[Served, Served]) -> None:
    far, near = two_worlds
    paths = ("/api/v1/incidents", "/api/v1/incidents/red-incident-1",
             "/api/v1/incidents/red-incident-1/report")
    for path in paths:
        a, b = far.get("red", path), near.get("red", path)
        assert a.status_code == b.status_code == 200
        assert a.content == b.content, path
    bundles = [w.get("red", "/api/v1/incidents/red-incident-1/bundle").json()
               for w in (far, near)]
    for bundle in bundles:
        assert verify_document(bundle).ok
    # Keys and signatures are each hub's own; everything else is the same, byte for byte.
    assert (json.dumps(bundles[0]["incident"], sort_keys=True)
            == json.dumps(bundles[1]["incident"], sort_keys=True))
    assert [_shape(i) for i in bundles[0]["items"]] == [_shape(i) for i in bundles[1]["items"]]


def _shape(item: dict[str, Any]) -> tuple[Any, ...]:
    entry = item["entry"]
    return (entry["index"], entry["time"], entry["actor"], entry["kind"], entry["ref"],
            "reveal" in item, len(item["proof"]["path"]))


def test_a_touched_party_sees_what_it_was_told_and_its_own_answer(
        two_worlds: tuple[Served, Served]) -> None:
    _, near = two_worlds
    assert near.post("blue", "/api/v1/notices/red-cover/ack",
                     {"answer": "acknowledge", "comment": "blue saw it"}).status_code == 200
    assert near.post("white", "/api/v1/notices/red-cover/ack",
                     {"answer": "acknowledge", "comment": "white saw it"}).status_code == 200
    report = _file(near, "blue").json()
    cover = next(n for n in report["notices"] if n["id"] == "red-cover")
    assert list(cover["told"]) == ["blue"] and cover["notified"] == ["blue"]
    assert [a["party"] for a in cover["answers"]] == ["blue"]
    assert cover["awaiting"] == []
    assert "white saw it" not in json.dumps(report)
    red = near.get("red", "/api/v1/incidents/red-incident-1").json()
    red_cover = next(n for n in red["notices"] if n["id"] == "red-cover")
    assert [a["party"] for a in red_cover["answers"]] == ["blue", "white"]  # its own notice


def test_a_message_naming_a_hidden_notice_is_not_linked(two_worlds: tuple[Served, Served]
                                                        ) -> None:
    _, near = two_worlds
    report = _file(near, "grey").json()  # grey received msg-green-1, which names green-op
    assert report["notices"] == [] and report["messages"] == []
    assert ids(report["units"]) == ["grey-hidden"]  # its own
