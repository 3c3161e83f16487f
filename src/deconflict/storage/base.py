"""The Store contract: what the service, CLI, demo and benchmarks may ask of any backend.

Every backend (SQLite now, PostgreSQL + PostGIS later) honours the same promises:

* a write is acknowledged only once it is durable, and is all or nothing;
* times are timezone-aware; naive datetimes are refused with :class:`ValidationError`;
* unknown objects raise :class:`NotFoundError`; duplicate ids :class:`ConflictingStateError`;
  a database the backend cannot serve raises :class:`StoreError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from deconflict.model import Fix, Scenario

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """The hub's persistent state."""

    #: The newest schema migration applied to the database.
    schema_version: int

    def replace_scenario(self, scenario: Scenario) -> None:
        """Replace the whole state with ``scenario``, atomically, in one transaction."""
        ...

    def scenario(self, at: datetime | None = None) -> Scenario:
        """Rebuild the state; units carry their full track, or the fixes up to ``at``.

        The scenario's time is ``at`` or the stored "now". Units with no fix up to ``at`` are left
        out (a unit needs a position). Raises :class:`NotFoundError` when nothing was stored yet.
        """
        ...

    def add_fixes(self, reports: Sequence[tuple[str, Fix]]) -> None:
        """Append position reports ``(unit id, fix)``: all or nothing, durable on return.

        An unknown unit id raises :class:`NotFoundError` and writes none of the batch.
        """
        ...

    def track(self, unit_id: str, since: datetime | None = None,
              until: datetime | None = None) -> tuple[Fix, ...]:
        """The unit's fixes with ``since ≤ time ≤ until``, oldest first."""
        ...

    def units_near(self, lon: float, lat: float, distance_m: float, at: datetime) -> list[str]:
        """Ids of units whose latest fix at ``at`` lies within ``distance_m + radius_m`` of the
        point (geodesic, WGS84), nearest first. Staleness is not filtered: the fix's ``stale``
        time is for the caller to judge."""
        ...

    def candidates_near(self, lon: float, lat: float, distance_m: float) -> list[tuple[str, str]]:
        """``(kind, id)`` of areas, zones, sites, notices, sensors and borders that *may* lie
        within ``distance_m`` of the point: a spatial prefilter that never drops a true one;
        the caller refines exactly. Kinds: ``area zone site notice sensor border``."""
        ...

    def set_time(self, now: datetime) -> None:
        """Move the stored "now"."""
        ...

    def close(self) -> None:
        """Release the database; further calls raise :class:`StoreError`. Idempotent."""
        ...
