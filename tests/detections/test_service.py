"""The use case behind POST /api/v1/detections on a real store: alerts to a border owner that is
not the detecting party, as much as the detecting party releases to it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from deconflict.engine.disclosure import cell_of
from deconflict.interop.scenario import parse_scenario
from deconflict.model import Alert, Credential, Position, Role
from deconflict.service.clock import FixedClock
from deconflict.service.detections import DetectionReport, ingest_detections
from deconflict.service.hub import Hub
from deconflict.storage import open_store

from .conftest import START, THERMAL, TOWER, crossing_path, scenario_document


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    store = open_store(tmp_path / "hub.db")
    store.replace_scenario(parse_scenario(yaml.safe_dump(scenario_document())))
    yield Hub(store, FixedClock(START))
    store.close()


def officer(party: str) -> Credential:
    return Credential(f"test-{party}", party, Role.LIAISON, party, START)


def reports() -> list[DetectionReport]:
    return [DetectionReport(THERMAL, when, Position(*at), 40.0) for at, when in crossing_path()]


def crossing_alerts(hub: Hub, party: str) -> list[Alert]:
    return [a for a in hub.store.alerts_after(party) if a.kind.value == "crossing"]


def owned_by(hub: Hub, owner: str | None) -> None:
    """The border as owned by ``owner`` (the hub's picture; the scenario file says none)."""
    scenario = hub.scenario()
    hub.apply(borders=tuple(replace(b, owner=owner) for b in scenario.borders))


def test_without_an_owner_the_detecting_party_is_told_once(hub: Hub) -> None:
    done = ingest_detections(hub, officer("isf"), reports())
    (alert,) = crossing_alerts(hub, "isf")
    assert alert.payload == done.told[0]
    assert alert.payload["sensors"] == [THERMAL]
    for party in ("coalition", "syria", "russia"):
        assert crossing_alerts(hub, party) == []


@pytest.mark.parametrize("owner", ["coalition", "syria", "russia"])
def test_the_owner_is_told_as_much_as_is_released_to_it(hub: Hub, owner: str) -> None:
    owned_by(hub, owner)
    done = ingest_detections(hub, officer("isf"), reports())
    (own,) = crossing_alerts(hub, "isf")
    told = crossing_alerts(hub, owner)
    if owner == "coalition":  # isf releases exact
        assert [a.payload for a in told] == [own.payload] == list(done.told)
    elif owner == "syria":  # area
        (alert,) = told
        lon, lat = own.payload["position"]
        assert alert.payload == {"border": "iq-sy", "kind": "crossing", "party": "isf",
                                 "cell": cell_of(lon, lat).key, "from_side": "left",
                                 "to_side": "right", "disclosure": "area"}
        text = json.dumps(alert.payload)
        for secret in ("isf-det", "isf-trk", THERMAL, TOWER, f"{lon:.4f}", f"{lat:.4f}"):
            assert secret not in text
    else:  # none: not even that there was a crossing
        assert told == []


def test_the_owner_may_be_the_detecting_party_itself(hub: Hub) -> None:
    owned_by(hub, "isf")
    ingest_detections(hub, officer("isf"), reports())
    assert len(crossing_alerts(hub, "isf")) == 1  # told once, not twice
