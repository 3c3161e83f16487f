"""The HTTP adapter: FastAPI app factory, routes, error shape.

Imports are lazy so that the command line starts fast when it does not serve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deconflict.api.app import create_app, monitor_once
    from deconflict.api.settings import Settings

__all__ = ["Settings", "create_app", "monitor_once"]


def __getattr__(name: str) -> Any:
    if name in ("create_app", "monitor_once"):
        from deconflict.api import app

        return getattr(app, name)
    if name == "Settings":
        from deconflict.api.settings import Settings

        return Settings
    raise AttributeError(name)
