"""The console tests' own instruments, checked on small pages whose answers are known: a probe
that never fires would make every console test pass."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from .conftest import WAIT_MS, ConsoleHub, Guard
from .probes import (
    contrast_failures,
    focus_stops,
    horizontal_overflow,
    images_without_alt,
    text_contrasts,
    unnamed_controls,
)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_guard_stops_and_reports_requests_that_leave_the_hub(
        browser: Browser, console_hub: ConsoleHub) -> None:
    context = browser.new_context()
    guard = Guard(console_hub.base)
    guard.attach(context)
    try:
        page = context.new_page()
        page.goto(console_hub.base + "/openapi.json", timeout=WAIT_MS)
        page.set_content('<img alt="" src="http://192.0.2.1/tiles/3/4/5.png">')
        status = page.evaluate("""async () => {
            const local = await fetch('/api/v1/parties');
            let away = 'fetched';
            try { await fetch('https://tile.example.org/1/2/3.png'); }
            catch (e) { away = 'blocked'; }
            return [local.status, away];
        }""")
    finally:
        context.close()
    assert status == [401, "blocked"]  # the hub answered (no session); the outside was refused
    assert console_hub.base + "/api/v1/parties" in guard.requests
    assert set(guard.strays()) >= {"http://192.0.2.1/tiles/3/4/5.png",
                                   "https://tile.example.org/1/2/3.png"}
    with pytest.raises(AssertionError, match=r"left 127\.0\.0\.1"):
        guard.assert_local()


def test_the_guard_treats_another_port_or_host_as_leaving(console_hub: ConsoleHub) -> None:
    guard = Guard(console_hub.base)
    port = int(console_hub.base.rsplit(":", 1)[1])
    guard.requests += [f"http://127.0.0.1:{port}/app.js", "data:image/png;base64,AAAA",
                       f"http://127.0.0.1:{port + 1}/", f"http://localhost:{port}/",
                       f"https://127.0.0.1:{port}/"]
    assert guard.strays() == guard.requests[2:]


def test_controls_without_a_name_are_found(page: Page) -> None:
    page.set_content("""<main>
        <button></button><button aria-label="Zoom in">+</button><button>Sign in</button>
        <label>Access token <input></label><input id="t"><label for="t">Kind</label>
        <input placeholder="only a placeholder">
        <input aria-labelledby="x"><span id="x">Buffer</span>
        <select><option>air</option></select><textarea></textarea>
        <div role="slider" tabindex="0" aria-valuenow="1"></div>
        <a href="#a"></a><a href="#b">Notices</a><a>no href</a>
        <button hidden></button><div style="display:none"><input></div>
        <span role="button" tabindex="0" title="Unit sdf-1"></span>
    </main>""")
    bad = unnamed_controls(page)
    assert [b.split(":")[0] for b in bad] == ["button", "combobox", "textbox", "slider", "link"]
    assert "<button></button>" in bad[0]


def test_images_need_alt_or_aria_hidden(page: Page) -> None:
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    page.set_content(f"""<img src="{pixel}"><img alt="" src="{pixel}">
        <img alt="Symbol" src="{pixel}"><div aria-hidden="true"><img src="{pixel}"></div>
        <span role="img"></span><span role="img" aria-label="Hostile unit"></span>""")
    assert len(images_without_alt(page)) == 2


def test_contrast_is_measured_against_the_background_actually_behind_the_text(page: Page) -> None:
    page.set_content("""<body style="background:#fff">
        <p style="color:#777">grey 4.48</p><p style="color:#767676">grey 4.54</p>
        <div style="background:rgb(0 0 0 / 0.5)"><p style="color:#fff">white on grey</p></div>
        <p style="color:oklch(0.2 0 0)">near black</p>
        <div style="background:#003"><span style="color:#0000aa">dark blue</span></div>
    </body>""")
    ratios = {c.text: c.ratio for c in text_contrasts(page)}
    assert ratios["grey 4.48"] == pytest.approx(4.48, abs=0.01)
    assert ratios["grey 4.54"] == pytest.approx(4.54, abs=0.01)
    assert ratios["white on grey"] == pytest.approx(3.95, abs=0.05)  # on #808080 (composed)
    assert ratios["near black"] > 15
    assert {c.text for c in contrast_failures(page)} == {"grey 4.48", "white on grey", "dark blue"}


def test_focus_without_an_indicator_is_found(page: Page) -> None:
    page.set_content("""<style>#plain:focus { outline: none }
        #ring:focus-visible { outline: 3px solid #005fcc }</style>
        <button id="default">Default</button><button id="plain">Plain</button>
        <button id="ring">Ring</button>""")
    stops = focus_stops(page, 3)
    assert ["Default" in s.element for s in stops] == [True, False, False]
    assert [s.visible for s in stops] == [True, False, True]


def test_a_page_wider_than_the_viewport_is_found(page: Page) -> None:
    page.set_viewport_size({"width": 768, "height": 1024})
    page.set_content('<div style="width:700px">fits</div>')
    assert horizontal_overflow(page) == 0
    page.set_content('<div style="width:900px">too wide</div>')
    assert horizontal_overflow(page) > 100
