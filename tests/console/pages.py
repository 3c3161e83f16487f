"""The console as its UI contract names things: steps the tests share, each finding elements by
role and accessible name or by data-testid, never by layout or CSS class."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from .conftest import WAIT_MS, ConsoleHub, Officer

__all__ = ["PANELS", "WITHHELD", "expect_picture_as_served", "file_notice", "notice_item",
           "open_panel", "served_units", "shown_cells", "shown_units", "withheld_from"]

PANELS = ("Notices", "Alerts", "Lines", "Zones", "Sites", "Coverage")

#: What each party may never see in tests/console/console.yaml: the other side's unit ids and
#: names, and notices that do not touch it.
WITHHELD: dict[str, tuple[str, ...]] = {
    "russia": ("sdf-kestrel-1", "Kestrel rifle company", "sdf-lynx-2", "Lynx reserve platoon",
               "co-eagle-5", "Eagle fire base", "co-heron-8"),
    "sdf": ("ru-falcon-3", "Falcon howitzer battery", "ru-osprey-6", "Osprey helicopter flight",
            "syr-tiger-4", "Tiger assault company", "ru-quiet-9", "co-heron-8"),
}


def withheld_from(party: str) -> tuple[str, ...]:
    return WITHHELD[party]


def open_panel(page: Page, name: str) -> Locator:
    """The region ``name``, made visible: panels may sit behind a tab or a disclosure button."""
    region = page.get_by_role("region", name=name, exact=True)
    if not region.is_visible():
        opener = page.get_by_role("tab", name=name, exact=True)
        if opener.count() == 0:
            opener = page.get_by_role("button", name=name, exact=True)
        opener.first.click()
    expect(region).to_be_visible(timeout=WAIT_MS)
    region.scroll_into_view_if_needed(timeout=WAIT_MS)
    return region


def shown_units(page: Page) -> list[tuple[str, str]]:
    """(unit id, party) of every unit marker on the page."""
    found: list[list[str]] = page.eval_on_selector_all(
        "[data-testid=unit]", "els => els.map(e => [e.dataset.unitId, e.dataset.party])")
    return sorted((u, p) for u, p in found)


def shown_cells(page: Page) -> list[str]:
    parties: list[str] = page.eval_on_selector_all(
        "[data-testid=area-cell]", "els => els.map(e => e.dataset.party)")
    return sorted(parties)


def served_units(hub: ConsoleHub, party: str) -> tuple[list[tuple[str, str]], list[str]]:
    """What the server answers ``party`` itself: exact units, and the parties of area cells."""
    features: list[dict[str, Any]] = hub.get(party, "/api/v1/units")["features"]
    points = sorted((str(f["id"]), f["properties"]["party"]) for f in features
                    if f["geometry"]["type"] == "Point")
    cells = sorted(f["properties"]["party"] for f in features if f["geometry"]["type"] != "Point")
    return points, cells


def expect_picture_as_served(officer: Officer) -> None:
    """The map shows exactly the units and cells the server releases to the officer's party."""
    points, cells = served_units(officer.hub, officer.party)
    expect(officer.page.locator("[data-testid=unit]")).to_have_count(len(points), timeout=WAIT_MS)
    expect(officer.page.locator("[data-testid=area-cell]")).to_have_count(len(cells),
                                                                            timeout=WAIT_MS)
    assert shown_units(officer.page) == points
    assert shown_cells(officer.page) == cells


def file_notice(page: Page, coordinates: str, kind: str = "air_strike", buffer_m: int = 500,
                window: tuple[str, str] = ("2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z"),
                shape: str = "point") -> Locator:
    """Fill the "New notice" form through its keyboard route; the caller clicks "File notice"
    (so that it can wait for the reply). Returns the form."""
    form = page.get_by_role("form", name="New notice")
    if not form.is_visible():
        page.get_by_role("button", name=re.compile("^New notice$")).first.click()
    form.get_by_label("Shape", exact=True).select_option(shape)
    form.get_by_label("Kind", exact=True).select_option(kind)
    form.get_by_label("Coordinates", exact=True).fill(coordinates)
    form.get_by_label("Buffer (m)", exact=True).fill(str(buffer_m))
    form.get_by_label("Window start", exact=True).fill(window[0])
    form.get_by_label("Window end", exact=True).fill(window[1])
    return form


def notice_item(page: Page, notice_id: str) -> Locator:
    return page.locator(f'[data-testid=notice-item][data-notice-id="{notice_id}"]')
