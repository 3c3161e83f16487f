"""Incidents in the SQLite store: what is written reads back equal, in order, all or nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from deconflict.errors import ConflictingStateError, NotFoundError
from deconflict.model import Position
from deconflict.model.incident import Incident, IncidentItem, IncidentKind
from deconflict.storage import open_store

from .world import NOW, T, world


def _incident(ident: str, party: str = "red") -> Incident:
    return Incident(ident, party, NOW, T, Position(40.05, 35.1, 120.5), 2500.0,
                    "smoke <b>and</b> fire", IncidentKind.FIRE,
                    (IncidentItem("notice", "red-cover"), IncidentItem("zone", "blue-zone@1")))


def test_round_trip_order_and_filter(tmp_path: Path) -> None:
    store = open_store(tmp_path / "hub.db")
    try:
        assert store.schema_version >= 5
        first = _incident("red-incident-1")
        second = replace(_incident("blue-incident-1", "blue"), items=())
        store.add_incident(first)
        store.add_incident(second)
        assert store.incident("red-incident-1") == first
        assert store.incidents() == [first, second]
        assert store.incidents("blue") == [second] and store.incidents("grey") == []
        store.replace_scenario(world())  # a new scenario keeps the record of incidents
        assert store.incidents() == [first, second]
    finally:
        store.close()


def test_refusals_write_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "hub.db")
    try:
        store.add_incident(_incident("red-incident-1"))
        with pytest.raises(ConflictingStateError):
            store.add_incident(replace(_incident("red-incident-1"), description="again"))
        with pytest.raises(NotFoundError):
            store.incident("red-incident-2")
        with pytest.raises(ValueError, match="timezone"):
            replace(_incident("red-incident-3"), time=T.replace(tzinfo=None))
        with pytest.raises(ValueError, match="radius_m"):
            replace(_incident("red-incident-3"), radius_m=float("nan"))
        assert [i.id for i in store.incidents()] == ["red-incident-1"]
        assert store.incident("red-incident-1").description == "smoke <b>and</b> fire"
    finally:
        store.close()
