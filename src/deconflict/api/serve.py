"""Running the app under uvicorn."""

from __future__ import annotations

import uvicorn

from deconflict.api.app import create_app
from deconflict.api.settings import Settings

__all__ = ["run"]


def run(settings: Settings) -> None:
    """Serve until interrupted; binds where the settings say (127.0.0.1 by default)."""
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="info", access_log=False)
