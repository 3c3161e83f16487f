"""Running the app under uvicorn."""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI

from deconflict.api.app import create_app
from deconflict.api.settings import Settings
from deconflict.storage import open_store

__all__ = ["HubServer", "hub_server", "run"]

#: Longest wait for responses still running at shutdown before they are cancelled.
_GRACE_S = 5


class HubServer(uvicorn.Server):
    """uvicorn that ends the app's alert streams as soon as it starts shutting down.

    uvicorn waits for every open response before it runs the app's shutdown, and an alert
    stream never finishes by itself: without this, an open stream would hold the server up.
    """

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        stopping = getattr(self.app.state, "stopping", None)
        if stopping is not None:
            stopping.set()
        await super().shutdown(sockets)


def hub_server(settings: Settings, log_level: str = "info") -> HubServer:
    """The hub's server, bound where the settings say (127.0.0.1 by default)."""
    app = create_app(settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=log_level,
                            access_log=False, timeout_graceful_shutdown=_GRACE_S)
    return HubServer(config, app)


def run(settings: Settings) -> None:
    """Serve until interrupted."""
    # A missing database is the caller's error, told in one line, not a failed app startup.
    open_store(settings.db_path, create=False).close()
    hub_server(settings).run()
