"""Token management from the command line: open the store, act, close."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from deconflict.model import Role, rfc3339
from deconflict.service.access import create_credential, revoke_credential
from deconflict.storage import open_store

__all__ = ["create", "listing", "revoke"]


def _now() -> datetime:
    return datetime.now(UTC)


def create(db_path: str | os.PathLike[str], party: str, role: Role, name: str) -> str:
    """A new token's secret, to be printed once."""
    store = open_store(db_path, create=False)
    try:
        with store.atomic():
            parties = [p.id for p in store.parties()]
            _, secret = create_credential(store, party, role, name, _now(), parties)
        return secret
    finally:
        store.close()


def listing(db_path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    store = open_store(db_path, create=False)
    try:
        return [{"id": c.id, "party": c.party, "role": c.role.value, "name": c.name,
                 "created": rfc3339(c.created),
                 "revoked": rfc3339(c.revoked) if c.revoked else None}
                for c in store.credentials()]
    finally:
        store.close()


def revoke(db_path: str | os.PathLike[str], token_id: str) -> None:
    store = open_store(db_path, create=False)
    try:
        with store.atomic():
            revoke_credential(store, token_id, _now())
    finally:
        store.close()
