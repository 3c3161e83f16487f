"""A real hub on a SQLite file (the API tests' small scenario, a liaison token per party), the
app in-process, and helpers to reach its ledger as a party and as the operator."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from deconflict.ledger.verify import Verdict
from deconflict.service import ledger, ledger_files
from deconflict.service.hub import Hub
from tests.api.conftest import make_hub_db, run_client

WINDOW = ["2017-09-18T10:00:00Z", "2017-09-18T11:00:00Z"]


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


@dataclass
class LedgerHub:
    db: Path
    tokens: dict[str, str]
    client: TestClient

    @property
    def hub(self) -> Hub:
        found: Hub = self.client.app.state.hub  # type: ignore[attr-defined]
        return found

    def auth(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[party]}"}

    def get(self, party: str, path: str, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.auth(party), **kwargs)

    def post(self, party: str, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.auth(party),
                                **({} if body is None else {"json": body}))

    def created(self, party: str, path: str, body: Any) -> Any:
        reply = self.post(party, path, body)
        assert reply.status_code in (200, 201), reply.text
        return reply.json()

    def file_notice(self, party: str, ident: str, at: tuple[float, float],
                    kind: str = "air_strike") -> dict[str, Any]:
        found: dict[str, Any] = self.created(party, "/notices", {
            "id": ident, "kind": kind, "geometry": point(*at), "buffer_m": 1000,
            "window": WINDOW})
        return found

    def report(self, party: str, unit: str, at: tuple[float, float], time: str) -> None:
        self.created(party, "/positions", {"reports": [
            {"unit": unit, "position": list(at), "time": time}]})

    def publish(self) -> int:
        """A checkpoint now, as the operator publishes one on demand."""
        with self.hub.lock:
            return ledger.publish_checkpoint(self.hub).size

    def indexes(self, ref: str, kind: str | None = None) -> list[int]:
        """Every entry about ``ref`` (the operator's view)."""
        return [e.index for e in ledger.entries_about(self.hub, ref)
                if kind is None or e.kind == kind]

    def export(self) -> dict[str, Any]:
        with self.hub.lock:
            return ledger.export_document(self.hub)

    def verify(self) -> Verdict:
        return ledger_files.verify_bytes(ledger_files.export_bytes(self.export()))


@pytest.fixture
def lh(tmp_path: Path) -> Iterator[LedgerHub]:
    db, made = make_hub_db(tmp_path)
    with run_client(db) as client:
        yield LedgerHub(db, made, client)


def text_of(reply: Any) -> str:
    return json.dumps(reply.json(), sort_keys=True)
