"""Incidents: a reported event (a strike, a fire, a crossing) at a place and a moment.

The hub correlates an incident with what was around it in space and time; ``items`` records the
objects it found when the incident was filed (the whole truth, never shown as such to a party).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from deconflict.model.measure import Position

__all__ = ["DEFAULT_INCIDENT_RADIUS_M", "MAX_INCIDENT_RADIUS_M", "Incident", "IncidentItem",
           "IncidentKind"]

#: How far around the reported point the hub looks when the report gives no radius.
DEFAULT_INCIDENT_RADIUS_M = 5000.0
#: A wider search is no longer about one event (and would read a whole region's picture).
MAX_INCIDENT_RADIUS_M = 50_000.0


class IncidentKind(StrEnum):
    STRIKE = "strike"
    FIRE = "fire"
    CROSSING = "crossing"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class IncidentItem:
    """One object correlated with an incident: ``kind`` is notice, unit, site, zone, line or
    message; ``ref`` its id (``id@version`` for zones and lines)."""

    kind: str
    ref: str


@dataclass(frozen=True, slots=True)
class Incident:
    """An event reported by ``party`` at ``reported``; it happened at ``time`` within
    ``radius_m`` of ``position``."""

    id: str
    party: str
    reported: datetime
    time: datetime
    position: Position
    radius_m: float = DEFAULT_INCIDENT_RADIUS_M
    description: str = ""
    kind: IncidentKind = IncidentKind.STRIKE
    items: tuple[IncidentItem, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.radius_m <= MAX_INCIDENT_RADIUS_M:
            raise ValueError(f"radius_m must be between 0 and {MAX_INCIDENT_RADIUS_M:g} m")
        if self.time.tzinfo is None or self.reported.tzinfo is None:
            raise ValueError("incident times must carry a timezone (UTC)")
