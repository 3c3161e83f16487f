"""Alerts: what the hub tells one party, in the order it happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = ["Alert", "AlertKind"]


class AlertKind(StrEnum):
    NOTICE_CONFLICT = "notice_conflict"
    NOTICE_ANSWERED = "notice_answered"
    NOTICE_STATE = "notice_state"
    SEPARATION = "separation"
    MESSAGE = "message"
    MESSAGE_ACKNOWLEDGED = "message_acknowledged"
    ESCALATION = "escalation"
    UNRESPONSIVE = "unresponsive"
    PROBING = "probing"
    ZONE = "zone"
    SITE = "site"
    DISCLOSURE = "disclosure"
    WATCH_VOID = "watch_void"  # an outage opened a long gap in the watch along a border
    CROSSING = "crossing"  # a track crossed a border line (service/detections.py)


@dataclass(frozen=True, slots=True)
class Alert:
    """``payload`` holds only what ``audience`` may see; ``id`` is assigned by the store."""

    audience: str
    kind: AlertKind
    time: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    id: int = 0
