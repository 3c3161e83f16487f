"""What ``deconflict demo`` needs around the replay: a scratch database and a token per party."""

from __future__ import annotations

import tempfile
from pathlib import Path

from deconflict.model import Role
from deconflict.service import tokens
from deconflict.storage import open_store

__all__ = ["issue_tokens", "temporary_db"]


def temporary_db() -> Path:
    return Path(tempfile.mkdtemp(prefix="deconflict-demo-")) / "hub.sqlite"


def issue_tokens(db_path: Path) -> dict[str, str]:
    """A new liaison token for every party of the hub, by party id."""
    store = open_store(db_path, create=False)
    try:
        parties = [p.id for p in store.parties()]
    finally:
        store.close()
    return {party: tokens.create(db_path, party, Role.LIAISON, f"demo {party} liaison")
            for party in parties}
