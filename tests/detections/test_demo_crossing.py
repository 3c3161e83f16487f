"""The demo's replay: Iraqi sensors see a group cross from Abu Kamal into Iraq near al-Qaim."""

from __future__ import annotations

from pathlib import Path

import pytest

from deconflict.demo import STEPS, StepResult, load_demo_scenario, replay
from deconflict.engine.crossing import border_line
from deconflict.model import Scenario
from deconflict.storage import open_store

INSIDE_IRAQ = "iq-tower-husaybah"  # a sensor on the Iraqi side: which side of the border is Iraq's


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_demo_scenario()


@pytest.fixture(scope="module")
def replayed(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[list[StepResult], Path]:
    db = tmp_path_factory.mktemp("demo") / "hub.sqlite"
    store = open_store(db)
    try:
        return replay(scenario, store), db
    finally:
        store.close()


def test_every_sensor_a_step_names_is_in_the_scenario(scenario: Scenario) -> None:
    sensors = {s.id: s.party for s in scenario.sensors}
    named = [d.sensor for step in STEPS for d in step.detections]
    assert named and set(named) <= set(sensors)
    assert {sensors[n] for n in named} == {"isf"}


def test_one_crossing_from_syria_into_iraq(scenario: Scenario,
                                           replayed: tuple[list[StepResult], Path]) -> None:
    results, _ = replayed
    told = [c for r in results for c in r.crossings]
    assert len(told) == 1
    (crossing,) = told
    border = next(b for b in scenario.borders if b.id == crossing["border"])
    iraq = next(s for s in scenario.sensors if s.id == INSIDE_IRAQ).position
    iraq_side = border_line(border).side_of(iraq.lon, iraq.lat)[0]
    assert iraq_side is not None and crossing["to_side"] == iraq_side.value
    assert crossing["from_side"] != crossing["to_side"]
    assert crossing["party"] == "isf" and crossing["sensor"].startswith("iq-")
    step = next(r for r in results if r.crossings)
    assert step.at.strftime("%H:%M") == "10:45" and crossing["time"] < "2017-09-18T10:45:01Z"


def test_the_alert_is_stored_for_the_border_owner(scenario: Scenario,
                                                  replayed: tuple[list[StepResult], Path]
                                                  ) -> None:
    _, db = replayed
    (told,) = [c for r in replayed[0] for c in r.crossings]
    border = next(b for b in scenario.borders if b.id == told["border"])
    owner = getattr(border, "owner", None) or "isf"
    store = open_store(db)
    try:
        alerts = [a for a in store.alerts_after(owner) if a.kind.value == "crossing"]
        (track,) = store.tracks(["isf"])
    finally:
        store.close()
    assert [a.payload["track"] for a in alerts] == [track.id]
    assert len(track.detections) == 3
