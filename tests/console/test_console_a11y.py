"""Accessibility basics and layout, on every state of the page a liaison officer meets: signed out,
a refused token, signed in, each panel open, a screening result, an objection's reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ViewportSize, expect

from .conftest import DESKTOP, TABLET, WAIT_MS, ConsoleHub, Officer, OfficerFactory
from .pages import PANELS, expect_picture_as_served, file_notice, notice_item, open_panel
from .probes import (
    contrast_failures,
    focus_stops,
    horizontal_overflow,
    images_without_alt,
    unnamed_controls,
)

#: A notice of sdf 1.4 km from russia's battery: russia may acknowledge or object to it.
SDF_NOTICE = {"id": "sdf-probe-1", "kind": "artillery", "buffer_m": 500,
              "geometry": {"type": "Point", "coordinates": [39.965, 35.205]},
              "window": ["2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z"]}


def problems(officer: Officer, state: str) -> list[str]:
    """Every accessibility basic the page breaks in this state, each named with the state."""
    page = officer.page
    found = [f"{state}: control without a name: {c}" for c in unnamed_controls(page)]
    found += [f"{state}: image without alt: {i}" for i in images_without_alt(page)]
    found += [f"{state}: contrast {c.ratio}:1 for {c.text!r} ({c.colour} on {c.background})"
              for c in contrast_failures(page)]
    if not page.evaluate("document.documentElement.lang"):
        found.append(f"{state}: <html> has no lang")
    if not page.title().strip():
        found.append(f"{state}: the document has no title")
    officer.shot(f"a11y-{state}")
    return found


def unfocused(officer: Officer, presses: int) -> list[str]:
    """Tab stops where no focus indicator is drawn (none at all is a failure too)."""
    officer.page.locator("body").focus()
    stops = focus_stops(officer.page, presses)
    if not stops:
        return ["Tab reaches nothing"]
    found = [f"no visible focus on {s.element} ({s.style})" for s in stops if not s.visible]
    return found + [f"a Tab stop without a name: {s.role}: {s.element}"
                    for s in stops if not s.name]


def file_for_sdf(hub: ConsoleHub) -> None:
    with hub.api("sdf") as client:
        reply = client.post("/api/v1/notices", json=SDF_NOTICE)
    assert reply.status_code == 201, reply.text


def test_every_state_of_the_console_meets_the_basics(officers: OfficerFactory,
                                                     console_hub: ConsoleHub) -> None:
    file_for_sdf(console_hub)
    officer = officers("russia", sign_in=False)
    officer.open()
    page = officer.page
    found = problems(officer, "signed-out") + unfocused(officer, 3)

    page.get_by_label("Access token").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).not_to_have_text("", timeout=WAIT_MS)
    found += problems(officer, "refused")

    officer.sign_in()
    expect_picture_as_served(officer)  # the markers are drawn: they are controls too
    found += problems(officer, "signed-in") + unfocused(officer, 40)
    for name in PANELS:
        open_panel(page, name)
        found += problems(officer, f"panel-{name}")

    form = file_notice(page, "38.0,36.0", kind="flight", buffer_m=1000)
    form.get_by_role("button", name="File notice").click()
    expect(page.get_by_test_id("screening-result")).to_contain_text("clear", timeout=WAIT_MS)
    found += problems(officer, "screened")

    open_panel(page, "Notices")
    theirs = notice_item(page, "sdf-probe-1")
    theirs.get_by_role("button", name="Object").click()
    expect(page.get_by_role("textbox", name="Reason")).to_be_visible(timeout=WAIT_MS)
    found += problems(officer, "objecting")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1280x800", "768x1024"])
def test_the_console_fits_the_screen(officers: OfficerFactory, viewport: ViewportSize) -> None:
    officer = officers("sdf", viewport=viewport)
    page = officer.page
    expect_picture_as_served(officer)
    assert horizontal_overflow(page) == 0, "the page scrolls sideways"
    the_map = page.get_by_test_id("map")
    expect(the_map).to_be_in_viewport(timeout=WAIT_MS)
    box = the_map.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 250, box
    officer.shot(f"layout-{viewport['width']}")
    for name in PANELS:
        region = open_panel(page, name)
        expect(region).to_be_in_viewport()
        box = region.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, (name, box)
        assert horizontal_overflow(page) == 0, f"the page scrolls sideways with {name} open"
    officer.shot(f"layout-{viewport['width']}-panels")


#: Anything that looks like a map tile: /z/x/y.png and the like, or a tile server's name.
TILE = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp|pbf|mvt)\b|\btiles?\b", re.IGNORECASE)


def test_the_basemap_is_drawn_from_local_files_with_borders_and_rivers(
        officers: OfficerFactory) -> None:
    officer = officers("russia")
    page = officer.page
    expect_picture_as_served(officer)
    layers: dict[str, int] = page.evaluate("""async () => {
        const data = await (await fetch('/static/vendor/basemap.json')).json();
        const count = {};
        for (const f of data.features) {
            count[f.properties.layer] = (count[f.properties.layer] || 0) + 1;
        }
        return count;
    }""")
    assert layers.get("border", 0) > 0 and layers.get("river", 0) > 0, layers
    pane = page.locator("[data-testid=map] .leaflet-basemap-pane")
    drawn = pane.locator("path, canvas")
    expect(drawn.first).to_be_attached(timeout=WAIT_MS)
    strokes: list[dict[str, str]] = page.eval_on_selector_all(
        "[data-testid=map] .leaflet-basemap-pane path",
        """paths => paths.filter(p => (p.getAttribute('d') || '').length > 20)
            .map(p => ({stroke: p.getAttribute('stroke'),
                        dash: p.getAttribute('stroke-dasharray') || ''}))""")
    # Borders are dashed, rivers solid, each in its own colour: both kinds are on the map.
    assert {s["stroke"] for s in strokes if s["dash"]}, "no border drawn"
    assert {s["stroke"] for s in strokes if not s["dash"]} - {None}, "no river drawn"
    officer.shot("basemap")
    tiles = [u for u in officer.guard.requests if TILE.search(u)]
    assert not tiles, f"tile requests: {tiles[:5]}"
    officer.guard.assert_local()
