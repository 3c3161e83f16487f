"""Watch-void alerts from the hub's monitor: raised once, to the border's owner, from its own
sensors only (nothing about another party's sensors reaches it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deconflict.api.app import monitor_once
from deconflict.interop.scenario import parse_scenario
from deconflict.model import AlertKind, Credential, Role
from deconflict.service.alerts import alerts_for
from deconflict.service.clock import FixedClock
from deconflict.service.coverage import check_watch_voids
from deconflict.service.hub import Hub, Limits
from deconflict.storage import open_store

T0 = datetime(2017, 9, 18, 6, tzinfo=UTC)

SCENARIO = """
scenario: 1
time: "2017-09-18T06:00:00Z"
parties:
  - {id: isf, name: Iraqi forces, kind: state}
  - {id: pmf, name: PMF, kind: non_state}
  - {id: sdf, name: SDF, kind: non_state}
sensors:
  # Along a meridian border (0 to 44 km): isf towers at km 10 and 30, 6 km range.
  - {id: isf-a, party: isf, kind: tower, position: [41.0, 34.0902], range_m: 6000,
     outages: [["2017-09-18T08:00:00Z", "2017-09-18T09:00:00Z"]]}
  - {id: isf-b, party: isf, kind: tower, position: [41.0, 34.2705], range_m: 6000}
  # A pmf tower on the same stretch as isf-a, down at another time: isf must learn nothing of it.
  - {id: pmf-secret, party: pmf, kind: thermal, position: [41.001, 34.0902], range_m: 9000,
     outages: [["2017-09-18T10:00:00Z", "2017-09-18T11:00:00Z"]]}
borders:
  - {id: iq-sy, name: Test border, owner: isf,
     geometry: {type: LineString, coordinates: [[41.0, 34.0], [41.0, 34.4]]}}
  - {id: nobody-s, geometry: {type: LineString, coordinates: [[41.0, 34.0], [41.0, 34.4]]}}
"""


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    store = open_store(tmp_path / "hub.db")
    store.replace_scenario(parse_scenario(SCENARIO))
    try:
        yield Hub(store, FixedClock(T0))
    finally:
        store.close()


def officer(party: str) -> Credential:
    return Credential(f"t-{party}", party, Role.LIAISON, party, T0)


def at(hub: Hub, hours: float) -> None:
    assert isinstance(hub.clock, FixedClock)
    hub.clock.moment = T0 + timedelta(hours=hours)


def voids(hub: Hub, party: str) -> list[dict[str, object]]:
    return [a.payload for a in alerts_for(hub, officer(party))
            if a.kind is AlertKind.WATCH_VOID]


def test_an_outage_opening_a_long_gap_alerts_the_owner_once(hub: Hub) -> None:
    assert check_watch_voids(hub) == []
    at(hub, 2.25)  # 08:15: isf-a is down
    (raised,) = check_watch_voids(hub)
    assert raised.audience == "isf" and raised.kind is AlertKind.WATCH_VOID
    payload = raised.payload
    assert payload["border"] == "iq-sy" and payload["name"] == "Test border"
    (void,) = payload["voids"]
    # isf-a watched km 4 to 16: down, it joins the short gap before it and the one after it.
    assert void["from_m"] == 0.0
    assert void["to_m"] == pytest.approx(24_000.0, abs=10.0)
    assert void["opened_m"] == pytest.approx(12_000.0, abs=10.0)
    assert payload["outages"] == [{"sensor": "isf-a", "kind": "tower",
                                   "start": "2017-09-18T08:00:00Z",
                                   "end": "2017-09-18T09:00:00Z"}]
    at(hub, 2.5)
    assert check_watch_voids(hub) == []  # the same void is told once
    at(hub, 2.6)
    assert monitor_once(hub) == 0
    assert len(voids(hub, "isf")) == 1


def test_other_parties_learn_nothing_and_tell_nothing(hub: Hub) -> None:
    at(hub, 2.25)
    monitor_once(hub)
    at(hub, 4.5)  # 10:30: only the pmf sensor is down
    monitor_once(hub)
    assert voids(hub, "pmf") == [] and voids(hub, "sdf") == []
    told = voids(hub, "isf")
    assert len(told) == 1
    assert "pmf" not in repr(told)  # neither the pmf sensor nor its outage
    # The owner's watch is its own: the pmf tower covering the same stretch does not hide it.
    assert told[0]["length_m"] == pytest.approx(24_000.0, abs=10.0)


def test_a_short_gap_raises_nothing(hub: Hub) -> None:
    hub.limits = replace(Limits(), watch_void_m=25_000.0)
    at(hub, 2.25)
    assert check_watch_voids(hub) == []


def test_a_new_outage_of_the_same_sensor_is_told_again(hub: Hub) -> None:
    store = hub.store
    scenario = parse_scenario(SCENARIO.replace(
        '[["2017-09-18T08:00:00Z", "2017-09-18T09:00:00Z"]]',
        '[["2017-09-18T08:00:00Z", "2017-09-18T09:00:00Z"], '
        '["2017-09-18T12:00:00Z", "2017-09-18T13:00:00Z"]]'))
    store.replace_scenario(scenario)
    fresh = Hub(store, FixedClock(T0 + timedelta(hours=2.25)))
    assert len(check_watch_voids(fresh)) == 1
    assert isinstance(fresh.clock, FixedClock)
    fresh.clock.moment = T0 + timedelta(hours=3.5)
    assert check_watch_voids(fresh) == []  # back up
    fresh.clock.moment = T0 + timedelta(hours=6.5)
    assert len(check_watch_voids(fresh)) == 1
