"""A real hub for API tests: a SQLite file loaded from a scenario, tokens per party, the app
served in-process (and, where a test says so, by a real uvicorn on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deconflict.api import Settings, create_app
from deconflict.model import Role, parse_rfc3339
from deconflict.service import load_into_store, tokens

SMALL = Path(__file__).resolve().parents[1] / "cli" / "small.yaml"
START = parse_rfc3339("2017-09-18T06:00:00Z")


@dataclass
class HubFixture:
    db: Path
    tokens: dict[str, str]
    client: TestClient

    def as_party(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[party]}"}


def make_hub_db(tmp_path: Path, scenario: Path = SMALL,
                roles: dict[str, Role] | None = None) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "hub.db"
    load_into_store(scenario, db)
    wanted = roles or {p: Role.LIAISON for p in ("coalition", "sdf", "russia", "syria", "sarc")}
    made = {party: tokens.create(db, party, role, f"{party} officer")
            for party, role in wanted.items()}
    return db, made


def run_client(db: Path, at: datetime = START, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(db_path=db, at=at, **settings)))  # type: ignore[arg-type]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubFixture]:
    db, made = make_hub_db(tmp_path)
    with run_client(db) as client:
        yield HubFixture(db, made, client)
