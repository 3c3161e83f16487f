"""A real hub on the hand-built world, served in-process, one token per party and role.

The loaded notices are filed at 06:00 before the server starts; the server's clock is then set
by the tests: a :class:`FixedClock` in place of the exercise clock, so replies are repeatable."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from deconflict.api import Settings, create_app
from deconflict.model import Role
from deconflict.service import tokens
from deconflict.service.clock import FixedClock
from deconflict.service.hub import Hub

from .world import NOW, hm, load, running_hub

ROLES = {"red": Role.LIAISON, "blue": Role.LIAISON, "green": Role.LIAISON,
         "grey": Role.LIAISON, "white": Role.LIAISON}
EVENT = {"time": "2017-09-18T08:00:00Z", "position": [40.05, 35.1], "radius_m": 3000,
         "description": "Bombs <script>alert('x')</script> & smoke"}


@dataclass
class Served:
    db: Path
    client: TestClient
    tokens: dict[str, str]

    @property
    def hub(self) -> Hub:
        hub: Hub = self.client.app.state.hub  # type: ignore[attr-defined]
        return hub

    def at(self, moment: datetime) -> None:
        self.hub.clock = FixedClock(moment)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, who: str, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers=self.auth(who))

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.auth(who))


def serve_world(folder: Path, grey_near: bool = False) -> Iterator[Served]:
    """The world at ``folder``; the grey unit reports its 07:30 position (near P or not)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "hub.db"
    load(db)
    with running_hub(db):  # files the loaded notices at 06:00 sharp, before the server starts
        pass
    made = {who: tokens.create(db, who, role, who) for who, role in ROLES.items()}
    made["admin"] = tokens.create(db, "white", Role.ADMIN, "investigator")
    made["red-viewer"] = tokens.create(db, "red", Role.VIEWER, "red reader")
    with TestClient(create_app(Settings(db_path=db, at=hm(6), tick_s=3600.0))) as client:
        served = Served(db, client, made)
        served.at(hm(7, 30))
        where = [40.05 + 0.004, 35.1 + 0.002] if grey_near else [41.6, 36.6]
        reply = served.post("grey", "/api/v1/positions", {"reports": [
            {"unit": "grey-hidden", "position": where, "time": "2017-09-18T07:30:00Z"}]})
        assert reply.status_code == 200, reply.text
        served.at(NOW)
        yield served


@pytest.fixture(scope="module")
def world_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve_world(tmp_path_factory.mktemp("served"))
