"""The hub server: ``create_app(settings)`` builds it; nothing happens at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from deconflict import __version__
from deconflict.api import (
    routes_access,
    routes_alerts,
    routes_console,
    routes_coverage,
    routes_detections,
    routes_incidents,
    routes_ledger,
    routes_lines,
    routes_notices,
    routes_picture,
)
from deconflict.api.errors import ERROR_RESPONSES, install_error_handlers
from deconflict.api.settings import Settings
from deconflict.service.clock import Clock, ExerciseClock, WallClock
from deconflict.service.coverage import check_watch_voids
from deconflict.service.hub import Hub
from deconflict.service.ledger import publish_due
from deconflict.service.messages import escalate_overdue
from deconflict.service.notices import adopt_loaded_notices
from deconflict.service.positions import check_separation
from deconflict.storage import open_store

__all__ = ["create_app", "monitor_once"]

_log = logging.getLogger("deconflict.api")


def monitor_once(hub: Hub) -> int:
    """One pass of the monitor: separation after moves, escalation after deadlines; and a
    ledger checkpoint when one is due. Returns the alerts raised."""
    raised = len(check_separation(hub)) + len(escalate_overdue(hub))
    raised += len(check_watch_voids(hub))  # outages opening long gaps along a border
    publish_due(hub)
    return raised


async def _monitor(app: FastAPI, hub: Hub, tick_s: float) -> None:
    while not app.state.stopping.is_set():
        try:
            await run_in_threadpool(monitor_once, hub)
        except Exception:  # the monitor must outlive one bad pass; the error is logged
            _log.exception("monitor pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.state.stopping.wait(), timeout=tick_s)


def _clock(settings: Settings) -> Clock:
    return ExerciseClock(settings.at) if settings.at is not None else WallClock()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    store = open_store(settings.db_path, create=False)
    hub = Hub(store, _clock(settings), settings.limits)
    await run_in_threadpool(adopt_loaded_notices, hub)
    app.state.hub = hub
    app.state.stopping = asyncio.Event()
    task = asyncio.create_task(_monitor(app, hub, settings.tick_s))
    try:
        yield
    finally:
        app.state.stopping.set()
        await task
        store.close()


def create_app(settings: Settings) -> FastAPI:
    # No /docs or /redoc: their pages load scripts from a CDN, and the hub works offline.
    app = FastAPI(title="deconflict hub", version=__version__, lifespan=_lifespan,
                  docs_url=None, redoc_url=None,
                  description="Per-party access to a deconfliction hub. Every read obeys the "
                              "owners' disclosure choices.")
    app.state.settings = settings
    install_error_handlers(app)
    for module in (routes_access, routes_picture, routes_notices, routes_lines, routes_alerts,
                   routes_incidents, routes_ledger, routes_detections, routes_coverage,
                   routes_console):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    return app
