"""The HTTP adapter: FastAPI app factory, routes, error shape."""

from deconflict.api.app import create_app, monitor_once
from deconflict.api.settings import Settings

__all__ = ["Settings", "create_app", "monitor_once"]
