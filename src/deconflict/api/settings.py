"""Settings of ``deconflict serve``: everything the server needs, passed in, nothing global."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from deconflict.service.hub import Limits

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Settings"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    #: Exercise mode: the hub's clock starts here and runs in real time.
    at: datetime | None = None
    limits: Limits = field(default_factory=Limits)
    #: How often the monitor checks separation and escalates overdue messages.
    tick_s: float = 0.25
    #: Send the session cookie only over HTTPS (set behind a TLS proxy).
    secure_cookies: bool = False
