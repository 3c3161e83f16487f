"""Incidents as the hub keeps them: the report, and the objects correlated when it was filed.

:class:`IncidentState` is mixed into :class:`~deconflict.storage.sql.SqlStore` and uses only its
statement and transaction helpers, so every backend gets incidents without overriding anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from deconflict.errors import ConflictingStateError, NotFoundError
from deconflict.model import Position
from deconflict.model.incident import Incident, IncidentItem, IncidentKind
from deconflict.storage.mixin import StorePart
from deconflict.storage.rows import Row, text_time, time_text

__all__ = ["INCIDENT_COLUMNS", "IncidentState", "incident_of", "incident_row"]

INCIDENT_COLUMNS = ("id", "party", "kind", "reported", "happened", "lon", "lat", "alt_m",
                    "radius_m", "description")
_ITEMS = ("SELECT i.incident_id, i.kind, i.ref FROM incident_items AS i "
          "JOIN incidents AS n ON n.id = i.incident_id")


def incident_row(incident: Incident) -> tuple[Any, ...]:
    """In the order of :data:`INCIDENT_COLUMNS` (times are checked to carry a zone here)."""
    p = incident.position
    return (incident.id, incident.party, incident.kind.value, time_text(incident.reported),
            time_text(incident.time), p.lon, p.lat, p.alt_m, incident.radius_m,
            incident.description)


def incident_of(row: Row, items: Sequence[tuple[str, str]]) -> Incident:
    return Incident(row[0], row[1], text_time(row[3]), text_time(row[4]),
                    Position(row[5], row[6], row[7]), row[8], row[9], IncidentKind(row[2]),
                    tuple(IncidentItem(kind, ref) for kind, ref in items))


class IncidentState(StorePart):
    """Store methods for incidents (mixed into the generic SQL store)."""

    def add_incident(self, incident: Incident) -> None:
        row = incident_row(incident)
        items = [(incident.id, seq, item.kind, item.ref)
                 for seq, item in enumerate(incident.items)]
        with self._write():
            if self._one("SELECT 1 FROM incidents WHERE id = ?", (incident.id,)) is not None:
                raise ConflictingStateError(f"incident {incident.id!r} exists", field="id")
            self._execute(f"INSERT INTO incidents (seq, {', '.join(INCIDENT_COLUMNS)}) "
                          f"VALUES ({', '.join('?' * (len(row) + 1))})",
                          (self._next("incidents", "seq", 1), *row))
            self._many("INSERT INTO incident_items (incident_id, seq, kind, ref) "
                       "VALUES (?, ?, ?, ?)", items)

    def incident(self, incident_id: str) -> Incident:
        found = self._incidents(" WHERE n.id = ?", (incident_id,))
        if not found:
            raise NotFoundError(f"no incident {incident_id!r}", field="id")
        return found[0]

    def incidents(self, party: str | None = None) -> list[Incident]:
        if party is None:
            return self._incidents("", ())
        return self._incidents(" WHERE n.party = ?", (party,))

    def _incidents(self, where: str, params: Sequence[Any]) -> list[Incident]:
        """Incidents matching ``where`` (a fixed condition on ``n``), in the order filed."""
        columns = ", ".join(f"n.{c}" for c in INCIDENT_COLUMNS)
        with self._read():
            heads = self._rows(f"SELECT {columns} FROM incidents AS n{where} ORDER BY n.seq",
                               params)
            rows = self._rows(f"{_ITEMS}{where} ORDER BY i.incident_id, i.seq", params)
        items: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        for incident_id, kind, ref in rows:
            items[incident_id].append((kind, ref))
        return [incident_of(row, items[row[0]]) for row in heads]
