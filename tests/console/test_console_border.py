"""Border surveillance in the console, in a real browser: isf sees its border with the watched
stretches and the gaps the hub computes from the sensors isf may see, its sensors' footprints,
the Coverage panel's sections; a crossing reported through the API appears live in the alerts
panel and on the map; a Syrian camera not released to isf appears nowhere; the new panel meets
the accessibility basics; every request stays on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from deconflict.api import Settings
from deconflict.api.serve import hub_server
from deconflict.model import Role

from ..api.conftest import make_hub_db
from .conftest import ALERT_MS, START, WAIT_MS, ConsoleHub, OfficerFactory, _serve, _stop
from .pages import open_panel
from .probes import contrast_failures, images_without_alt, unnamed_controls

SCENARIO = Path(__file__).with_name("border.yaml")
SECRET = ("syr-owl-camera", "Owl camera of Syria")
#: West of the line to east of it, five minutes apart (about 24 m/s): one crossing.
CROSSING = {"detections": [
    {"sensor": "isf-thermal-a", "position": [41.02, 34.30], "time": "2017-09-18T05:50:00Z",
     "uncertainty_m": 100, "classification": "people"},
    {"sensor": "isf-thermal-a", "position": [41.10, 34.30], "time": "2017-09-18T05:55:00Z",
     "uncertainty_m": 100, "classification": "people"}]}


@pytest.fixture
def console_hub(tmp_path: Path) -> Iterator[ConsoleHub]:
    """This module's hub (border.yaml) in place of the console tests' usual one."""
    db, tokens = make_hub_db(tmp_path, SCENARIO, {"isf": Role.LIAISON, "syria": Role.LIAISON})
    server = hub_server(Settings(db_path=db, at=START, port=0), log_level="warning")
    thread, base = _serve(server)
    try:
        yield ConsoleHub(db, base, tokens, server)
    finally:
        _stop(server, thread)


def _count(selector: str) -> str:
    return f"[data-testid=map] {selector}"


def test_the_border_its_gaps_the_coverage_panel_and_a_live_crossing(
        officers: OfficerFactory, console_hub: ConsoleHub,
        record_property: Callable[[str, object], None]) -> None:
    coverage: dict[str, Any] = console_hub.get("isf", "/api/v1/coverage")
    (border,) = coverage["borders"]
    assert coverage["sensors"] == ["isf-thermal-a", "isf-tower-b"]
    assert border["gaps"] and border["covered"]
    officer = officers("isf")
    page = officer.page

    # The map: the border, its watched stretches and gaps as the hub computed them, the sensors.
    gaps = page.locator(_count("[data-testid=coverage-gap]"))
    expect(gaps).to_have_count(len(border["gaps"]))
    expect(page.locator(_count("[data-testid=covered]"))).to_have_count(len(border["covered"]))
    expect(page.locator(_count("[data-testid=sensor]"))).to_have_count(2)
    longest = border["gaps"][0]
    label = gaps.first.get_attribute("aria-label") or ""
    assert label.startswith("Gap:") and "unwatched" in label
    lengths = sorted(float(g.get_attribute("data-length-m") or 0) for g in gaps.all())
    assert lengths == sorted(g["length_m"] for g in border["gaps"])
    assert f"{longest['length_m'] / 1000:.1f} km" in " ".join(
        g.get_attribute("aria-label") or "" for g in gaps.all())
    for name in ("Border and coverage", "Sensors", "Tracks"):
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    officer.shot("border")

    # The Coverage panel: the day's timeline, one row per section, as the hub serves it.
    timeline = console_hub.get("isf", "/api/v1/coverage/timeline", border="qaim-line")
    sections = timeline["borders"][0]["sections"]
    region = open_panel(page, "Coverage")
    expect(region.get_by_test_id("coverage-strip")).to_be_visible()
    expect(region.get_by_test_id("coverage-now")).to_contain_text(f"{len(border['gaps'])} gaps")
    region.get_by_text("Minutes watched by section").click()
    rows = region.get_by_test_id("coverage-section")
    expect(rows).to_have_count(len(sections))
    expect(region.get_by_role("table")).to_contain_text("Border near al-Qaim")
    first = rows.first.inner_text().split()
    assert first[1] == f"{sections[0]['watched_min']:.1f}"
    found = [f"control without a name: {c}" for c in unnamed_controls(page)]
    found += [f"image without alt: {i}" for i in images_without_alt(page)]
    found += [f"contrast {c.ratio}:1 for {c.text!r} ({c.colour} on {c.background})"
              for c in contrast_failures(page)]
    officer.shot("coverage-panel")
    assert not found, "\n".join(found)

    # A crossing reported through the API arrives live, described, and is drawn on the map.
    alerts = open_panel(page, "Alerts")
    with console_hub.api("isf") as client:
        reply = client.post("/api/v1/detections", json=CROSSING)
    posted = time.monotonic()
    assert reply.status_code == 201, reply.text
    assert [c["kind"] for c in reply.json()["crossings"]] == ["crossing"]
    item = alerts.locator("[data-testid=alert-item][data-kind=crossing]")
    expect(item).to_have_count(1, timeout=WAIT_MS)
    record_property("crossing_alert_seen_after_s", round(time.monotonic() - posted, 3))
    assert time.monotonic() - posted < 2 * ALERT_MS / 1000
    expect(item).to_contain_text("crossed qaim-line")
    expect(item).to_contain_text("seen by isf-thermal-a")
    expect(page.locator(_count("[data-testid=crossing]"))).to_have_count(1)
    expect(page.locator(_count("[data-testid=track]"))).to_have_count(1)
    item.get_by_role("button", name="Show on map").click()
    page.wait_for_timeout(400)  # the map's zoom animation
    officer.shot("crossing")

    # Nothing of the Syrian camera reached isf's page or browser.
    text = officer.page_text()
    bodies = list(officer.guard.bodies())
    for secret in SECRET:
        assert secret not in text
        assert not [url for url, body in bodies if secret in body], secret
