"""A real hub, a real uvicorn on 127.0.0.1 and Debian's chromium driven by Playwright.

Each test gets its own hub database (tmp path) and server (a free port), so tests may run in
parallel under pytest-xdist. The browser is started once per worker. Every browser context carries
a request guard: requests that would leave http://127.0.0.1:<port>/ are aborted and recorded, and
the test fails if there was any. Screenshots go to ``test-artifacts/console/``.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)

from deconflict.api import Settings
from deconflict.api.serve import HubServer, hub_server
from deconflict.model import Role, parse_rfc3339

from ..api.conftest import make_hub_db

__all__ = ["ALERT_MS", "WAIT_MS", "ConsoleHub", "Guard", "Officer"]

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
SCENARIO = Path(__file__).with_name("console.yaml")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
START = parse_rfc3339("2017-09-18T06:00:00Z")
PARTIES = ("russia", "sdf", "coalition", "syria", "sarc")

#: The longest any single wait may take; the issue's own bound for a live alert is ALERT_MS.
WAIT_MS = 10_000
ALERT_MS = 2_000
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TABLET: ViewportSize = {"width": 768, "height": 1024}


# -- the hub -------------------------------------------------------------------------------


@dataclass
class ConsoleHub:
    """A hub served by uvicorn on 127.0.0.1, with a liaison token per party."""

    db: Path
    base: str
    tokens: dict[str, str]
    server: HubServer

    def api(self, party: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[party]}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=5.0)

    def get(self, party: str, path: str, **params: Any) -> Any:
        """What the server itself answers ``party``: the reference the pages are held to."""
        with self.api(party) as client:
            reply = client.get(path, params=params)
        assert reply.status_code == 200, reply.text
        return reply.json()


def _serve(server: HubServer) -> tuple[threading.Thread, str]:
    thread = threading.Thread(target=server.run, name="console-uvicorn", daemon=True)
    thread.start()
    give_up = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > give_up:
            pytest.fail("the hub server did not start within 10 s")
        time.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    return thread, f"http://{host}:{port}"


def _stop(server: HubServer, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(timeout=10)
    if thread.is_alive():
        server.force_exit = True
        thread.join(timeout=5)
        pytest.fail("the hub server did not stop within 10 s")


@pytest.fixture
def console_hub(tmp_path: Path) -> Iterator[ConsoleHub]:
    db, tokens = make_hub_db(tmp_path, SCENARIO, {p: Role.LIAISON for p in PARTIES})
    server = hub_server(Settings(db_path=db, at=START, port=0), log_level="warning")
    thread, base = _serve(server)
    try:
        yield ConsoleHub(db, base, tokens, server)
    finally:
        _stop(server, thread)


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run make test (installs chromium)", pytrace=False)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS,
                                                 timeout=30_000)
    try:
        yield launched
    finally:
        launched.close()


def _local(url: str, origin: str) -> bool:
    """Whether a request stays on the hub: same scheme, 127.0.0.1 and the hub's port."""
    if url.startswith(("data:", "blob:", "about:")):
        return True  # never leaves the browser
    parts, hub = urlsplit(url), urlsplit(origin)
    return (parts.scheme, parts.hostname, parts.port) == (hub.scheme, "127.0.0.1", hub.port)


@dataclass
class Guard:
    """Every request a browser context made, and the ones it was not allowed to make."""

    origin: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    streamed: list[str] = field(default_factory=list)  # Server-Sent Events data, as received

    def attach(self, context: BrowserContext) -> None:
        context.on("request", self._seen)
        context.on("response", self._answered)
        context.route("**/*", self._route)

    def _seen(self, request: Request) -> None:
        self.requests.append(request.url)

    def _answered(self, response: Response) -> None:
        self.responses.append(response)

    def _route(self, route: Route) -> None:
        if _local(route.request.url, self.origin):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def listen_to_streams(self, page: Page) -> None:
        """Record what arrives on EventSource streams (their bodies never finish)."""
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.eventSourceMessageReceived",
               lambda event: self.streamed.append(str(event.get("data", ""))))
        cdp.send("Network.enable")

    def strays(self) -> list[str]:
        return [u for u in self.requests if not _local(u, self.origin)] + self.blocked

    def assert_local(self) -> None:
        strays = self.strays()
        assert not strays, f"requests that left 127.0.0.1: {strays[:10]}"
        assert self.requests, "the guard saw no request at all"

    def asset_failures(self) -> list[str]:
        """Static files (not API calls) the server did not have."""
        return [f"{r.status} {r.url}" for r in self.responses
                if r.status >= 400 and not urlsplit(r.url).path.startswith("/api/")]

    def bodies(self) -> Iterator[tuple[str, str]]:
        """(url, text) of every finished response the browser received, and the stream data."""
        for response in list(self.responses):
            if "event-stream" in response.headers.get("content-type", ""):
                continue
            try:
                raw = response.body()
            except Error:
                continue  # a redirect or a body the browser has let go of: nothing to read
            yield response.url, raw.decode("utf-8", errors="replace")
        for data in self.streamed:
            yield "event-stream", data


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80]


@dataclass
class Officer:
    """One party's liaison officer at a browser: a context, a page, a guard, screenshots."""

    party: str
    context: BrowserContext
    page: Page
    guard: Guard
    hub: ConsoleHub
    test_name: str
    shots: int = 0

    def shot(self, step: str) -> Path:
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = f"{_slug(self.test_name)}-{self.party}-{self.shots:02d}-{_slug(step)}.png"
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), timeout=WAIT_MS)
        return path

    def open(self) -> None:
        """Load the console and fail clearly when its files are missing."""
        reply = self.page.goto(self.hub.base + "/", wait_until="load", timeout=WAIT_MS)
        assert reply is not None, "the console did not answer at /"
        if reply.status == 503:  # the hub says its console files are not installed
            pytest.fail("the console's vendor assets are missing: run make test (it installs "
                        f"them with npm ci). The hub says: {reply.text()}", pytrace=False)
        assert reply.status == 200, f"the console is not served at / ({reply.status})"
        self.require_assets()

    def require_assets(self) -> None:
        missing = self.guard.asset_failures()
        if missing:
            pytest.fail("the console's vendor assets are missing (run make test, which installs "
                        f"them with npm ci): {missing[:5]}", pytrace=False)

    def sign_in(self) -> None:
        self.open()
        self.page.get_by_label("Access token").fill(self.hub.tokens[self.party])
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_test_id("party")).to_have_text(self.party, timeout=WAIT_MS)
        self.require_assets()

    def page_text(self) -> str:
        """Everything the page holds: its markup (attributes included) and its visible text."""
        return self.page.content() + "\n" + self.page.inner_text("body", timeout=WAIT_MS)


OfficerFactory = Callable[..., Officer]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)  # type: ignore[attr-defined]
    return report


@pytest.fixture
def officers(browser: Browser, console_hub: ConsoleHub, request: pytest.FixtureRequest
             ) -> Iterator[OfficerFactory]:
    """Make an officer per party: ``officer = officers("russia", viewport=DESKTOP)`` (signed in
    through the page unless ``sign_in=False``). At teardown: a screenshot of each page when the
    test failed, and the check that no request left 127.0.0.1."""
    made: list[Officer] = []

    def make(party: str, viewport: ViewportSize | None = None, sign_in: bool = True) -> Officer:
        context = browser.new_context(viewport=viewport or DESKTOP, service_workers="block",
                                      locale="en-GB", timezone_id="UTC")
        context.set_default_timeout(WAIT_MS)
        guard = Guard(console_hub.base)
        guard.attach(context)
        page = context.new_page()
        guard.listen_to_streams(page)
        officer = Officer(party, context, page, guard, console_hub, request.node.name)
        made.append(officer)
        if sign_in:
            officer.sign_in()
        return officer

    yield make
    failed = getattr(request.node, "rep_call", None)
    try:
        for officer in made:
            if failed is not None and failed.failed:
                with contextlib.suppress(Error):  # the page may be what failed
                    officer.shot("failure")
        for officer in made:
            officer.guard.assert_local()
    finally:
        for officer in made:
            officer.context.close()
